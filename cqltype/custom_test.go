package cqltype

import "testing"

func TestCustomGolden(t *testing.T) {
	runGolden(t, []golden{
		{name: "raw_bytes", typ: tCustom, val: []byte{1, 2, 3}, wire: "010203", natural: []byte{1, 2, 3}},
		{name: "empty", typ: tCustom, val: []byte{}, wire: "", natural: []byte{}},
	})
	runErrors(t, []errCase{
		{name: "int_into_custom", typ: tCustom, val: 1, want: "cannot marshal int 1 into type 'com.example.Thing'"},
	})
}
