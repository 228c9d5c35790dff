package cqltype

import (
	"testing"
)

func TestCollectionGolden(t *testing.T) {
	runGolden(t, []golden{
		{name: "list_int", typ: listOf(tInt), val: []int32{1, 2}, wire: "00000002 00000004 00000001 00000004 00000002", natural: []int32{1, 2}},
		{name: "list_from_any", typ: listOf(tInt), val: []any{1, int64(2)}, wire: "00000002 00000004 00000001 00000004 00000002", want: []int{1, 2}},
		{name: "list_into_array", typ: listOf(tInt), val: [2]int{1, 2}, wire: "00000002 00000004 00000001 00000004 00000002"},
		{name: "list_empty", typ: listOf(tText), val: []string{}, wire: "00000000", natural: []string{}},
		{name: "list_text", typ: listOf(tText), val: []string{"a", ""}, wire: "00000002 00000001 61 00000000", natural: []string{"a", ""}},
		{name: "list_into_any_slice", typ: listOf(tText), val: []string{"a"}, wire: "00000001 00000001 61", want: []any{"a"}},
		{name: "set_text", typ: setOf(tText), val: []string{"x"}, wire: "00000001 00000001 78", natural: []string{"x"}},
		{name: "set_from_struct_map", typ: setOf(tText), val: map[string]struct{}{"x": {}}, wire: "00000001 00000001 78"},
		{name: "set_from_bool_map_skips_false", typ: setOf(tText), val: map[string]bool{"x": true, "y": false}, wire: "00000001 00000001 78", want: map[string]bool{"x": true}},
		{name: "map_text_int", typ: mapOf(tText, tInt), val: map[string]int32{"a": 1}, wire: "00000001 00000001 61 00000004 00000001", natural: map[string]int32{"a": 1}},
		{name: "map_into_any_any", typ: mapOf(tText, tInt), val: map[string]int32{"a": 1}, wire: "00000001 00000001 61 00000004 00000001", want: map[any]any{"a": int32(1)}},
		{name: "map_blob_key_into_any_is_entries", typ: mapOf(tBlob, tInt), val: map[string]int32{"k": 1}, wire: "00000001 00000001 6b 00000004 00000001",
			natural: []MapEntry{{Key: []byte("k"), Value: int32(1)}}},
		{name: "map_tuple_key_into_any_is_entries", typ: mapOf(tupleOf(tInt, tText), tInt),
			val:     []MapEntry{{Key: []any{int32(1), "a"}, Value: int32(7)}, {Key: []any{int32(2), "b"}, Value: int32(8)}},
			wire:    "00000002 0000000d 00000004 00000001 00000001 61 00000004 00000007 0000000d 00000004 00000002 00000001 62 00000004 00000008",
			natural: []MapEntry{{Key: []any{int32(1), "a"}, Value: int32(7)}, {Key: []any{int32(2), "b"}, Value: int32(8)}}},
		{name: "map_udt_key_into_any_is_entries", typ: mapOf(udtOf("k", "a", tInt), listOf(tInt)),
			val:     []MapEntry{{Key: map[string]any{"a": int32(3)}, Value: []int32{4}}},
			wire:    "00000001 00000008 00000004 00000003 0000000c 00000001 00000004 00000004",
			natural: []MapEntry{{Key: map[string]any{"a": int32(3)}, Value: []int32{4}}}},
		{name: "map_list_key_into_any_is_entries", typ: mapOf(listOf(tInt), tText),
			val:     []MapEntry{{Key: []int32{1}, Value: "x"}},
			wire:    "00000001 0000000c 00000001 00000004 00000001 00000001 78",
			natural: []MapEntry{{Key: []int32{1}, Value: "x"}}},
		{name: "nested_list_of_maps", typ: listOf(mapOf(tInt, setOf(tBoolean))), val: []map[int32][]bool{{7: {true}}},
			wire:    "00000001 00000019 00000001 00000004 00000007 00000009 00000001 00000001 01",
			natural: []map[int32][]bool{{7: {true}}}},
	})
}

func TestCollectionErrors(t *testing.T) {
	var arr [3]int
	var m map[string]int
	runErrors(t, []errCase{
		{name: "null_element", typ: listOf(tInt), val: []any{1, nil}, want: "element [1] of type int: collection and vector elements cannot be null"},
		{name: "nil_pointer_element", typ: listOf(tInt), val: []*int{nil}, want: "cannot be null"},
		{name: "wrong_element_type", typ: listOf(tInt), val: []string{"a"}, want: "cannot marshal string into element [0] of type int"},
		{name: "map_for_list", typ: listOf(tInt), val: map[int]bool{1: true}, want: "not accepted"},
		{name: "set_map_with_int_values", typ: setOf(tInt), val: map[int]int{1: 1}, want: "not accepted"},
		{name: "map_bad_value", typ: mapOf(tText, tInt), val: map[string]string{"a": "b"}, want: "element <value> of type int"},
		{name: "slice_for_map", typ: mapOf(tText, tInt), val: []int{1}, want: "not accepted"},
		{name: "hostile_count", typ: listOf(tInt), wire: "7fffffff 00000000", into: new([]int32), want: "2147483647 elements in 4 bytes"},
		{name: "negative_count", typ: listOf(tInt), wire: "ffffffff", into: new([]int32), want: "negative element count"},
		{name: "truncated_element", typ: listOf(tInt), wire: "00000001 00000004 0000", into: new([]int32), want: "truncated"},
		{name: "trailing_bytes", typ: listOf(tInt), wire: "00000000 00", into: new([]int32), want: "trailing"},
		{name: "array_length_mismatch", typ: listOf(tInt), wire: "00000001 00000004 00000001", into: &arr, want: "1 elements into an array of 3"},
		{name: "map_hostile_count", typ: mapOf(tInt, tInt), wire: "00000002 00000000 00000000", into: &m, want: "2 elements in 8 bytes"},
		{name: "list_into_map", typ: listOf(tInt), wire: "00000000", into: &m, want: "cannot unmarshal type list<int> into map[string]int"},
		{name: "entries_bad_key", typ: mapOf(tupleOf(tInt), tInt), wire: "00000001 00000002 0000 00000004 00000001", into: new(any), want: "<key>"},
		{name: "element_error_has_path", typ: listOf(tInt), wire: "00000002 00000004 00000001 00000002 0001", into: new([]int32), want: "element [1] of type int into int32"},
	})
}

func TestMapsKeyedByCompositesScanIntoTypedMaps(t *testing.T) {
	type pt struct {
		X int32 `cql:"x"`
		Y int32 `cql:"y"`
	}
	b, err := Marshal(mapOf(udtOf("pt", "x", tInt, "y", tInt), tText), []MapEntry{{Key: map[string]any{"x": 1, "y": 2}, Value: "p"}})
	if err != nil {
		t.Fatal(err)
	}
	var m map[pt]string
	if err := Unmarshal(mapOf(udtOf("pt", "x", tInt, "y", tInt), tText), b, &m); err != nil || m[pt{1, 2}] != "p" {
		t.Fatal(m, err)
	}
	b, err = Marshal(mapOf(listOf(tInt), tText), map[[2]int32]string{{1, 2}: "q"})
	if err != nil {
		t.Fatal(err)
	}
	var m2 map[[2]int32]string
	if err := Unmarshal(mapOf(listOf(tInt), tText), b, &m2); err != nil || m2[[2]int32{1, 2}] != "q" {
		t.Fatal(m2, err)
	}
	type tp struct {
		A int32
		B string
	}
	b, err = Marshal(mapOf(tupleOf(tInt, tText), tInt), map[tp]int{{1, "a"}: 3})
	if err != nil {
		t.Fatal(err)
	}
	var m3 map[tp]int
	if err := Unmarshal(mapOf(tupleOf(tInt, tText), tInt), b, &m3); err != nil || m3[tp{1, "a"}] != 3 {
		t.Fatal(m3, err)
	}
}
