package cqltype

import "testing"

type status string

func TestTextGolden(t *testing.T) {
	runGolden(t, []golden{
		{name: "text", typ: tText, val: "héllo", wire: "68c3a96c6c6f", natural: "héllo"},
		{name: "ascii", typ: tASCII, val: "abc", wire: "616263", natural: "abc"},
		{name: "empty_is_a_value", typ: tText, val: "", wire: "", natural: ""},
		{name: "from_bytes", typ: tText, val: []byte("ab"), wire: "6162", want: "ab"},
		{name: "named_string", typ: tText, val: status("ok"), wire: "6f6b"},
		{name: "into_bytes", typ: tText, val: "ab", wire: "6162", want: []byte("ab")},
	})
	runErrors(t, []errCase{
		{name: "int_into_text", typ: tText, val: 5, want: "cannot marshal int 5 into type text"},
		{name: "text_into_int", typ: tText, wire: "31", into: new(int), want: "cannot unmarshal type text into int"},
	})
}
