package cqltype

import "testing"

type pair struct {
	Name  string
	Count int32
	//lint:ignore U1000 unexported fields are not components: the test needs one
	skip int
}

func TestTupleGolden(t *testing.T) {
	tt := tupleOf(tText, tInt)
	runGolden(t, []golden{
		{name: "from_any_slice", typ: tt, val: []any{"a", int32(1)}, wire: "00000001 61 00000004 00000001", natural: []any{"a", int32(1)}},
		{name: "from_struct", typ: tt, val: pair{Name: "a", Count: 1}, wire: "00000001 61 00000004 00000001"},
		{name: "from_array", typ: tt, val: [2]any{"a", int32(1)}, wire: "00000001 61 00000004 00000001"},
		{name: "null_component", typ: tt, val: []any{nil, int32(1)}, wire: "ffffffff 00000004 00000001", natural: []any{nil, int32(1)}},
		{name: "into_pointer_struct", typ: tt, val: &pair{Name: "b", Count: 2}, wire: "00000001 62 00000004 00000002"},
		{name: "missing_trailing_components_are_null", typ: tt, wire: "00000001 61", want: []any{"a", nil}, noMarshal: true},
	})
	runErrors(t, []errCase{
		{name: "too_few", typ: tt, val: []any{"a"}, want: "1 values for 2 components"},
		{name: "struct_wrong_field_count", typ: tupleOf(tText), val: pair{}, want: "struct has 2 fields for 1 components"},
		{name: "wrong_component", typ: tt, val: []any{"a", "b"}, want: "cannot marshal string into element [1] of type int"},
		{name: "truncated", typ: tt, wire: "00000005 61", into: new([]any), want: "truncated"},
		{name: "into_int", typ: tt, wire: "00000001 61 00000004 00000001", into: new(int), want: "cannot unmarshal type tuple<text, int> into int"},
	})
}
