package cqltype

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra/frame"
)

// The request path appends bound values into a reused frame buffer, with
// the values already in interfaces (they arrive as ...any), so these
// measure AppendValue in that shape: 0 allocations expected.

func benchAppend(b *testing.B, typ *frame.Type, v any) {
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = AppendValue(buf[:0], typ, v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalInt(b *testing.B)    { benchAppend(b, tInt, any(int64(123456))) }
func BenchmarkMarshalBigint(b *testing.B) { benchAppend(b, tBigint, any(int64(123456))) }
func BenchmarkMarshalText(b *testing.B)   { benchAppend(b, tText, any("hello, cassandra")) }
func BenchmarkMarshalUUID(b *testing.B)   { benchAppend(b, tUUID, any(uuid.New())) }
func BenchmarkMarshalTimestamp(b *testing.B) {
	benchAppend(b, tTimestamp, any(time.Now()))
}
func BenchmarkMarshalVectorFloat768(b *testing.B) {
	benchAppend(b, vectorOf(tFloat, 768), any(make([]float32, 768)))
}
func BenchmarkMarshalListText(b *testing.B) {
	benchAppend(b, listOf(tText), any([]any{"a", "b", "c"}))
}

// BenchmarkUnmarshalIntoPointers scans a row of common columns into
// pointers, as rs.Scan does: no allocation except the string's.
func BenchmarkUnmarshalIntoPointers(b *testing.B) {
	u := uuid.New()
	cols := []struct {
		typ  *frame.Type
		data []byte
	}{
		{tBigint, []byte{0, 0, 0, 0, 0, 0, 0, 42}},
		{tInt, []byte{0, 0, 0, 7}},
		{tText, []byte("hello, cassandra")},
		{tBoolean, []byte{1}},
		{tDouble, []byte{0x3f, 0xf8, 0, 0, 0, 0, 0, 0}},
		{tUUID, u[:]},
		{tTimestamp, []byte{0, 0, 1, 0x8c, 0xc8, 0x20, 0xd8, 0x8e}},
	}
	var (
		n   int64
		i   int
		s   string
		ok  bool
		f   float64
		id  uuid.UUID
		ts  time.Time
		dst = []any{&n, &i, &s, &ok, &f, &id, &ts}
	)
	b.ReportAllocs()
	for b.Loop() {
		for c, col := range cols {
			if err := Unmarshal(col.typ, col.data, dst[c]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkUnmarshalInt64 is one fixed-size column into *int64.
func BenchmarkUnmarshalInt64(b *testing.B) {
	data := []byte{0, 0, 0, 0, 0, 0, 0, 42}
	var n int64
	dst := any(&n)
	b.ReportAllocs()
	for b.Loop() {
		if err := Unmarshal(tBigint, data, dst); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanDecodeInt64 is the same through a prepared plan.
func BenchmarkPlanDecodeInt64(b *testing.B) {
	data := []byte{0, 0, 0, 0, 0, 0, 0, 42}
	var n int64
	dst := any(&n)
	dec := planDecode(tBigint, reflect.TypeFor[*int64]())
	b.ReportAllocs()
	for b.Loop() {
		if err := dec(data, dst); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalVectorFloat768(b *testing.B) {
	data := make([]byte, 768*4)
	typ := vectorOf(tFloat, 768)
	var v []float32
	b.ReportAllocs()
	for b.Loop() {
		if err := Unmarshal(typ, data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalListIntoAny(b *testing.B) {
	data := unhex(b, "00000002 00000004 00000001 00000004 00000002")
	typ := listOf(tInt)
	var v any
	b.ReportAllocs()
	for b.Loop() {
		if err := Unmarshal(typ, data, &v); err != nil {
			b.Fatal(err)
		}
	}
}
