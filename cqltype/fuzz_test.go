package cqltype

import (
	"bytes"
	"errors"
	"testing"

	"github.com/cqlgo/cassandra/frame"
)

// fuzzTypes are the CQL types FuzzUnmarshal picks from by its first input.
var fuzzTypes = []*frame.Type{
	tASCII, tBigint, tBlob, tBoolean, tCounter, tDate, tDecimal, tDouble, tDuration, tFloat,
	tInet, tInt, tSmallint, tText, tTime, tTimestamp, tTimeUUID, tTinyint, tUUID, tVarint, tCustom,
	listOf(tInt), setOf(tText), listOf(tVarint), mapOf(tText, tBigint), mapOf(tInt, listOf(tDecimal)),
	listOf(listOf(tText)), tupleOf(tInt, tText, tUUID), tupleOf(tDuration, listOf(tInet)),
	udtOf("address", "street", tText, "zip", tInt, "tags", setOf(tText)),
	listOf(udtOf("pt", "x", tDouble, "y", tDouble)), mapOf(tUUID, tupleOf(tBoolean, tDate)),
	vectorOf(tFloat, 3), vectorOf(tText, 2), vectorOf(tVarint, 2), vectorOf(vectorOf(tInt, 2), 2),
	vectorOf(listOf(tSmallint), 2), vectorOf(tTime, 1), listOf(vectorOf(tDouble, 2)),
	tupleOf(udtOf("inner", "a", tTimestamp, "b", vectorOf(tBigint, 2)), tBlob),
}

// containsMap reports whether values of t decode to Go maps, whose
// iteration order makes re-encoded bytes vary.
func containsMap(t *frame.Type) bool {
	if t.ID == frame.TypeMap || t.ID == frame.TypeUDT {
		return true
	}
	for _, e := range t.Elems {
		if containsMap(e) {
			return true
		}
	}
	return false
}

// FuzzUnmarshal decodes arbitrary bytes as one of fuzzTypes into *any. It
// must never panic, must fail only with an *UnmarshalError, and whatever
// decodes must re-marshal; the re-marshalled (canonical) bytes must then
// survive another round unchanged.
func FuzzUnmarshal(f *testing.F) {
	f.Add(byte(11), []byte{0, 0, 0, 1})
	f.Add(byte(21), []byte{0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7})
	f.Add(byte(32), []byte{0x3f, 0x80, 0, 0, 0x40, 0, 0, 0, 0x40, 0x40, 0, 0})
	f.Add(byte(33), []byte{2, 'a', 'b', 0})
	f.Fuzz(func(t *testing.T, sel byte, data []byte) {
		typ := fuzzTypes[int(sel)%len(fuzzTypes)]
		var v any
		if err := Unmarshal(typ, data, &v); err != nil {
			var ue *UnmarshalError
			if !errors.As(err, &ue) {
				t.Fatalf("%s: error %v (%T) is not an *UnmarshalError", typ, err, err)
			}
			return
		}
		b, err := Marshal(typ, v)
		if err != nil {
			t.Fatalf("%s: % x decoded to %#v, which does not marshal: %v", typ, data, v, err)
		}
		var v2 any
		if err := Unmarshal(typ, b, &v2); err != nil {
			t.Fatalf("%s: re-marshalled % x does not decode: %v", typ, b, err)
		}
		if containsMap(typ) {
			return
		}
		b2, err := Marshal(typ, v2)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("%s: canonical bytes % x re-marshal to % x (%v)", typ, b, b2, err)
		}
	})
}
