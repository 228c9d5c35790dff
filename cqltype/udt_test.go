package cqltype

import (
	"testing"

	"github.com/cqlgo/cassandra/frame"
)

var frame_udt_bad = frame.Type{ID: frame.TypeUDT, FieldNames: []string{"a"}}

type address struct {
	Street string `cql:"street"`
	Zip    int32  `cql:"zip_code"`
	City   string // untagged: "city"
	Note   string `cql:"-"`
	Extra  bool   `cql:"not_in_udt"`
}

type withEmbedded struct {
	address
	Country string
}

func TestUDTGolden(t *testing.T) {
	ut := udtOf("address", "street", tText, "zip_code", tInt, "city", tText)
	wire := "00000001 53 00000004 00000007 00000001 43"
	runGolden(t, []golden{
		{name: "from_struct", typ: ut, val: address{Street: "S", Zip: 7, City: "C"}, wire: wire,
			natural: map[string]any{"street": "S", "zip_code": int32(7), "city": "C"}},
		{name: "from_struct_pointer", typ: ut, val: &address{Street: "S", Zip: 7, City: "C"}, wire: wire},
		{name: "from_map", typ: ut, val: map[string]any{"street": "S", "zip_code": 7, "city": "C"}, wire: wire,
			want: map[string]any{"street": "S", "zip_code": int32(7), "city": "C"}},
		{name: "missing_map_key_is_null", typ: ut, val: map[string]any{"street": "S"}, wire: "00000001 53 ffffffff ffffffff",
			want: map[string]any{"street": "S", "zip_code": nil, "city": nil}},
		{name: "typed_map", typ: udtOf("names", "first", tText, "last", tText), val: map[string]string{"first": "A", "last": "B"},
			wire: "00000001 41 00000001 42"},
		{name: "short_value_leaves_fields_null", typ: ut, wire: "00000001 53", want: address{Street: "S"}, noMarshal: true},
		{name: "fields_added_after_the_metadata_are_skipped", typ: udtOf("a", "street", tText), wire: "00000001 53 00000001 58 ffffffff",
			want: address{Street: "S"}, natural: map[string]any{"street": "S"}, noMarshal: true},
		{name: "embedded_struct_fields_promoted", typ: udtOf("a", "street", tText, "country", tText),
			val: withEmbedded{address: address{Street: "S"}, Country: "X"}, wire: "00000001 53 00000001 58"},
	})
}

func TestUDTErrors(t *testing.T) {
	ut := udtOf("address", "street", tText, "zip_code", tInt)
	runErrors(t, []errCase{
		{name: "unknown_map_key", typ: ut, val: map[string]any{"stret": "S"}, want: `"stret" is not a field of ks.address`},
		{name: "bad_field_type", typ: ut, val: map[string]any{"zip_code": "x"}, want: "cannot marshal string into element .zip_code of type int"},
		{name: "int_keyed_map", typ: ut, val: map[int]any{1: "x"}, want: "not accepted"},
		{name: "truncated", typ: ut, wire: "00000009 53", into: new(address), want: "truncated"},
		{name: "malformed_trailing_field", typ: ut, wire: "00000001 53 00000004 00000007 00000005 58", into: new(address), want: "truncated"},
		{name: "field_error_has_path", typ: ut, wire: "00000001 53 00000002 0007", into: new(address), want: "element .zip_code of type int into int32"},
		{name: "malformed_type", typ: &frame_udt_bad, val: map[string]any{}, want: "unsupported CQL type"},
	})
}
