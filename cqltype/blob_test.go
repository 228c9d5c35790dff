package cqltype

import "testing"

func TestBlobGolden(t *testing.T) {
	runGolden(t, []golden{
		{name: "bytes", typ: tBlob, val: []byte{0xca, 0xfe}, wire: "cafe", natural: []byte{0xca, 0xfe}},
		{name: "empty", typ: tBlob, val: []byte{}, wire: "", natural: []byte{}},
		{name: "from_string", typ: tBlob, val: "\x01\x02", wire: "0102", want: []byte{1, 2}},
		{name: "into_string", typ: tBlob, val: []byte("hi"), wire: "6869", want: "hi"},
	})
	runErrors(t, []errCase{
		{name: "int_into_blob", typ: tBlob, val: 1, want: "not accepted"},
	})
}
