package cqltype

import (
	"math/big"
	"testing"

	"gopkg.in/inf.v0"
)

func bigFrom(s string) *big.Int {
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return b
}

func TestVarintGolden(t *testing.T) {
	runGolden(t, []golden{
		{name: "zero", typ: tVarint, val: big.NewInt(0), wire: "00", natural: big.NewInt(0)},
		{name: "127", typ: tVarint, val: big.NewInt(127), wire: "7f"},
		{name: "128_needs_sign_byte", typ: tVarint, val: big.NewInt(128), wire: "0080"},
		{name: "-1", typ: tVarint, val: big.NewInt(-1), wire: "ff"},
		{name: "-128", typ: tVarint, val: big.NewInt(-128), wire: "80"},
		{name: "-129", typ: tVarint, val: big.NewInt(-129), wire: "ff7f"},
		{name: "from_int64", typ: tVarint, val: int64(256), wire: "0100", want: big.NewInt(256)},
		{name: "into_int64", typ: tVarint, val: -129, wire: "ff7f", want: int64(-129)},
		{name: "2^64", typ: tVarint, val: bigFrom("18446744073709551616"), wire: "010000000000000000", natural: bigFrom("18446744073709551616")},
		{name: "uint64_max", typ: tVarint, val: uint64(18446744073709551615), wire: "00ffffffffffffffff", want: bigFrom("18446744073709551615")},
		{name: "-2^64", typ: tVarint, val: bigFrom("-18446744073709551616"), wire: "ff0000000000000000"},
		{name: "-2^63-1", typ: tVarint, val: bigFrom("-9223372036854775809"), wire: "ff7fffffffffffffff"},
		{name: "big_value_type", typ: tVarint, val: *big.NewInt(5), wire: "05", want: big.NewInt(5)},
		{name: "non_minimal_decodes", typ: tVarint, wire: "0001", want: big.NewInt(1), noMarshal: true},
	})
}

func TestDecimalGolden(t *testing.T) {
	runGolden(t, []golden{
		{name: "1.25", typ: tDecimal, val: inf.NewDec(125, 2), wire: "00000002 7d", natural: inf.NewDec(125, 2)},
		{name: "-0.5", typ: tDecimal, val: inf.NewDec(-5, 1), wire: "00000001 fb"},
		{name: "negative_scale", typ: tDecimal, val: inf.NewDec(3, -2), wire: "fffffffe 03"},
		{name: "value_type", typ: tDecimal, val: *inf.NewDec(128, 0), wire: "00000000 0080", want: inf.NewDec(128, 0)},
		{name: "from_int", typ: tDecimal, val: 10, wire: "00000000 0a", want: inf.NewDec(10, 0)},
		{name: "big_unscaled", typ: tDecimal, val: inf.NewDecBig(bigFrom("-18446744073709551616"), 3), wire: "00000003 ff0000000000000000"},
	})
}

func TestDecimalErrors(t *testing.T) {
	var n int64
	runErrors(t, []errCase{
		{name: "float_into_decimal", typ: tDecimal, val: 1.5, want: "cannot marshal float64 1.5 into type decimal"},
		{name: "string_into_decimal", typ: tDecimal, val: "1.5", want: "not accepted"},
		{name: "string_into_varint", typ: tVarint, val: "1", want: "not accepted"},
		{name: "decimal_short", typ: tDecimal, wire: "000000", into: new(*inf.Dec), want: "want 5 bytes, got 3"},
		{name: "varint_beyond_int64", typ: tVarint, wire: "010000000000000000", into: &n, want: "out of range"},
	})
}
