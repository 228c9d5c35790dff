package cqltype

import (
	"testing"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra/frame"
)

func TestVectorGolden(t *testing.T) {
	u := uuid.MustParse("f81d4fae-7dec-41d0-a765-00a0c91e6bf6")
	runGolden(t, []golden{
		{name: "float3_packed", typ: vectorOf(tFloat, 3), val: []float32{1, 2, 3}, wire: "3f800000 40000000 40400000", natural: []float32{1, 2, 3}},
		{name: "float3_into_array", typ: vectorOf(tFloat, 3), val: [3]float32{1, 2, 3}, wire: "3f800000 40000000 40400000"},
		{name: "float3_from_any", typ: vectorOf(tFloat, 3), val: []any{float32(1), 2, 0.5}, wire: "3f800000 40000000 3f000000", want: []float32{1, 2, 0.5}},
		{name: "double2_packed", typ: vectorOf(tDouble, 2), val: []float64{1, -2}, wire: "3ff0000000000000 c000000000000000", natural: []float64{1, -2}},
		{name: "bigint_packed", typ: vectorOf(tBigint, 1), val: []int64{5}, wire: "0000000000000005"},
		{name: "boolean_packed", typ: vectorOf(tBoolean, 2), val: []bool{true, false}, wire: "0100"},
		{name: "uuid_packed", typ: vectorOf(tUUID, 1), val: []uuid.UUID{u}, wire: "f81d4fae7dec41d0a76500a0c91e6bf6"},
		{name: "text2_vint_lengths", typ: vectorOf(tText, 2), val: []string{"ab", ""}, wire: "02 6162 00", natural: []string{"ab", ""}},
		{name: "text_long_vint", typ: vectorOf(tText, 1), val: []string{string(make([]byte, 128))}, wire: "8080" + zeros(128)},
		{name: "smallint_is_variable", typ: vectorOf(tSmallint, 2), val: []int16{1, -1}, wire: "02 0001 02 ffff"},
		{name: "list_elements", typ: vectorOf(listOf(tInt), 1), val: [][]int32{{7}}, wire: "0c 00000001 00000004 00000007"},
		{name: "vector_of_fixed_vectors_packed", typ: vectorOf(vectorOf(tInt, 2), 2), val: [][]int32{{1, 2}, {3, 4}},
			wire: "00000001 00000002 00000003 00000004", natural: [][]int32{{1, 2}, {3, 4}}},
		{name: "vector_of_variable_vectors", typ: vectorOf(vectorOf(tText, 1), 1), val: [][]string{{"a"}}, wire: "02 01 61"},
	})
}

func zeros(n int) string {
	b := make([]byte, 2*n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

func TestVectorErrors(t *testing.T) {
	var arr [2]float32
	runErrors(t, []errCase{
		{name: "wrong_dimension", typ: vectorOf(tFloat, 3), val: []float32{1, 2}, want: "2 elements for dimension 3"},
		{name: "wrong_dimension_reflect", typ: vectorOf(tInt, 3), val: []int{1}, want: "1 elements for dimension 3"},
		{name: "null_element", typ: vectorOf(tText, 1), val: []any{nil}, want: "cannot be null"},
		{name: "inexact_float", typ: vectorOf(tFloat, 1), val: []float64{0.1}, want: "element [0] of type float: out of range"},
		{name: "fixed_wrong_total", typ: vectorOf(tFloat, 3), wire: "3f800000", into: new([]float32), want: "want 12 bytes, got 4"},
		{name: "fixed_wrong_total_reflect", typ: vectorOf(tInt, 2), wire: "00000001", into: new([]int32), want: "want 8 bytes, got 4"},
		{name: "variable_hostile_dimension", typ: vectorOf(tText, 1<<30), wire: "00", into: new([]string), want: "1073741824 elements in 1 bytes"},
		{name: "variable_truncated", typ: vectorOf(tText, 1), wire: "05 61", into: new([]string), want: "truncated"},
		{name: "variable_trailing", typ: vectorOf(tText, 1), wire: "01 61 00", into: new([]string), want: "trailing"},
		{name: "variable_null_element", typ: vectorOf(tSmallint, 1), wire: "00", into: new([]int16), want: "cannot be null"},
		{name: "array_dimension_mismatch", typ: vectorOf(tFloat, 3), wire: "3f800000 40000000 40400000", into: &arr, want: "dimension 3 into an array of 2"},
		{name: "bad_type", typ: &frame.Type{ID: frame.TypeVector, Elems: []*frame.Type{tInt}}, val: []int32{}, want: "vector dimension 0"},
	})
}

func TestVectorFromWireTypeName(t *testing.T) {
	vt, err := frame.ParseCustomType("org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.UTF8Type, 2)")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(vt, []string{"a", "bc"})
	if err != nil || string(b) != "\x01a\x02bc" {
		t.Fatalf("Marshal = %q, %v", b, err)
	}
	var got any
	if err := Unmarshal(vt, b, &got); err != nil {
		t.Fatal(err)
	}
	if s, ok := got.([]string); !ok || len(s) != 2 || s[1] != "bc" {
		t.Fatalf("Unmarshal = %#v", got)
	}
}
