package cqltype

import (
	"math"
	"math/big"
	"testing"
	"time"
)

type age int16

func TestIntGolden(t *testing.T) {
	runGolden(t, []golden{
		{name: "tinyint_-1", typ: tTinyint, val: int8(-1), wire: "ff", natural: int8(-1)},
		{name: "tinyint_from_int", typ: tTinyint, val: 127, wire: "7f"},
		{name: "smallint_-2", typ: tSmallint, val: int16(-2), wire: "fffe", natural: int16(-2)},
		{name: "smallint_named_type", typ: tSmallint, val: age(300), wire: "012c"},
		{name: "int_1", typ: tInt, val: int32(1), wire: "00000001", natural: int32(1)},
		{name: "int_min", typ: tInt, val: int64(math.MinInt32), wire: "80000000"},
		{name: "int_from_uint16", typ: tInt, val: uint16(65535), wire: "0000ffff"},
		{name: "int_from_big", typ: tInt, val: big.NewInt(-5), wire: "fffffffb"},
		{name: "int_into_int64", typ: tInt, val: int32(-7), wire: "fffffff9", want: int64(-7)},
		{name: "int_into_uint8", typ: tInt, val: 200, wire: "000000c8", want: uint8(200)},
		{name: "int_into_float64", typ: tInt, val: 3, wire: "00000003", want: float64(3)},
		{name: "int_into_big", typ: tInt, val: 3, wire: "00000003", want: big.NewInt(3)},
		{name: "bigint_max", typ: tBigint, val: int64(math.MaxInt64), wire: "7fffffffffffffff", natural: int64(math.MaxInt64)},
		{name: "bigint_from_uint64", typ: tBigint, val: uint64(1 << 40), wire: "0000010000000000"},
		{name: "bigint_into_int", typ: tBigint, val: int64(-1), wire: "ffffffffffffffff", want: -1},
		{name: "counter", typ: tCounter, val: int64(42), wire: "000000000000002a", natural: int64(42)},
		{name: "bigint_duration_kind", typ: tBigint, val: time.Duration(5), wire: "0000000000000005"},
	})
}

func TestIntErrors(t *testing.T) {
	var i8 int8
	var u32 uint32
	var f32 float32
	var s string
	runErrors(t, []errCase{
		{name: "int64_too_big_for_int", typ: tInt, val: int64(math.MaxInt64), want: "cannot marshal int64 9223372036854775807 into type int: out of range"},
		{name: "tinyint_overflow", typ: tTinyint, val: 128, want: "out of range"},
		{name: "smallint_underflow", typ: tSmallint, val: -32769, want: "out of range"},
		{name: "uint64_beyond_bigint", typ: tBigint, val: uint64(math.MaxUint64), want: "out of range"},
		{name: "big_beyond_bigint", typ: tBigint, val: new(big.Int).Lsh(big.NewInt(1), 70), want: "out of range"},
		{name: "string_into_int", typ: tInt, val: "42", want: "cannot marshal string into type int"},
		{name: "float_into_int", typ: tInt, val: 1.0, want: "cannot marshal float64 1 into type int"},
		{name: "bool_into_bigint", typ: tBigint, val: true, want: "not accepted"},
		{name: "int_short", typ: tInt, wire: "000001", into: new(int32), want: "want 4 bytes, got 3"},
		{name: "bigint_long", typ: tBigint, wire: "000000000000000001", into: new(int64), want: "want 8 bytes, got 9"},
		{name: "int_into_int8_overflow", typ: tInt, wire: "00000100", into: &i8, want: "out of range"},
		{name: "negative_into_uint", typ: tInt, wire: "ffffffff", into: &u32, want: "out of range"},
		{name: "bigint_into_float32_inexact", typ: tBigint, wire: "0000000001000001", into: &f32, want: "out of range"},
		{name: "int_into_string", typ: tInt, wire: "00000001", into: &s, want: "cannot unmarshal type int into string"},
	})
}
