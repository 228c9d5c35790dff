package cqltype

import (
	"math"
	"testing"
)

func TestFloatGolden(t *testing.T) {
	runGolden(t, []golden{
		{name: "float_1.5", typ: tFloat, val: float32(1.5), wire: "3fc00000", natural: float32(1.5)},
		{name: "float_from_exact_float64", typ: tFloat, val: 0.25, wire: "3e800000", want: float32(0.25)},
		{name: "float_from_int", typ: tFloat, val: 16777216, wire: "4b800000", want: float32(16777216)},
		{name: "float_into_float64", typ: tFloat, val: float32(-2), wire: "c0000000", want: float64(-2)},
		{name: "double_1.5", typ: tDouble, val: 1.5, wire: "3ff8000000000000", natural: 1.5},
		{name: "double_from_float32", typ: tDouble, val: float32(0.5), wire: "3fe0000000000000", want: 0.5},
		{name: "double_inf", typ: tDouble, val: math.Inf(-1), wire: "fff0000000000000"},
		{name: "double_into_exact_float32", typ: tDouble, val: 0.5, wire: "3fe0000000000000", want: float32(0.5)},
	})
}

func TestFloatErrors(t *testing.T) {
	var f32 float32
	var n int64
	runErrors(t, []errCase{
		{name: "float64_inexact_in_float", typ: tFloat, val: 0.1, want: "cannot marshal float64 0.1 into type float: out of range"},
		{name: "float64_too_big_for_float", typ: tFloat, val: 1e300, want: "out of range"},
		{name: "int_beyond_2^53_in_double", typ: tDouble, val: int64(1<<53 + 1), want: "out of range"},
		{name: "string_into_double", typ: tDouble, val: "1", want: "not accepted"},
		{name: "double_inexact_into_float32", typ: tDouble, wire: "3fb999999999999a", into: &f32, want: "out of range"},
		{name: "double_into_int", typ: tDouble, wire: "3ff0000000000000", into: &n, want: "cannot unmarshal type double into int64"},
		{name: "float_short", typ: tFloat, wire: "3fc000", into: &f32, want: "want 4 bytes"},
	})
}
