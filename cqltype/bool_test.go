package cqltype

import "testing"

type flag bool

func TestBoolGolden(t *testing.T) {
	runGolden(t, []golden{
		{name: "true", typ: tBoolean, val: true, wire: "01", natural: true},
		{name: "false", typ: tBoolean, val: false, wire: "00", natural: false},
		{name: "named", typ: tBoolean, val: flag(true), wire: "01"},
		{name: "nonzero_is_true", typ: tBoolean, wire: "02", want: true, noMarshal: true},
	})
	runErrors(t, []errCase{
		{name: "int_into_boolean", typ: tBoolean, val: 1, want: "not accepted"},
		{name: "two_bytes", typ: tBoolean, wire: "0101", into: new(bool), want: "want 1 bytes, got 2"},
	})
}
