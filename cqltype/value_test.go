package cqltype

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/typetest"
	"github.com/google/uuid"
)

// Shorthands for the types of internal/typetest.
var (
	tASCII     = typetest.ASCII
	tBigint    = typetest.Bigint
	tBlob      = typetest.Blob
	tBoolean   = typetest.Boolean
	tCounter   = typetest.Counter
	tDate      = typetest.Date
	tDecimal   = typetest.Decimal
	tDouble    = typetest.Double
	tDuration  = typetest.Duration
	tFloat     = typetest.Float
	tInet      = typetest.Inet
	tInt       = typetest.Int
	tSmallint  = typetest.Smallint
	tText      = typetest.Text
	tTime      = typetest.Time
	tTimestamp = typetest.Timestamp
	tTimeUUID  = typetest.TimeUUID
	tTinyint   = typetest.Tinyint
	tUUID      = typetest.UUID
	tVarint    = typetest.Varint
	tCustom    = typetest.Custom
)

var (
	listOf   = typetest.ListOf
	setOf    = typetest.SetOf
	mapOf    = typetest.MapOf
	tupleOf  = typetest.TupleOf
	vectorOf = typetest.VectorOf
	udtOf    = typetest.UdtOf
)

// golden is one value with its known wire bytes. val is marshalled and must
// give wire; wire is unmarshalled into a new value of want's type and must
// give want (val when want is nil); natural, when set, is what scanning into
// *any gives.
type golden struct {
	name      string
	typ       *frame.Type
	val       any
	wire      string // hex, spaces allowed
	want      any
	natural   any
	noMarshal bool // wire is only decoded (a non-canonical form)
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func runGolden(t *testing.T, cases []golden) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wire := unhex(t, c.wire)
			if !c.noMarshal {
				got, err := Marshal(c.typ, c.val)
				if err != nil {
					t.Fatalf("Marshal(%s, %#v): %v", c.typ, c.val, err)
				}
				if !bytes.Equal(got, wire) {
					t.Fatalf("Marshal(%s, %#v) = % x, want % x", c.typ, c.val, got, wire)
				}
				framed, err := AppendValue([]byte{0xaa}, c.typ, c.val)
				if err != nil {
					t.Fatalf("AppendValue: %v", err)
				}
				if want := append(frame.AppendInt([]byte{0xaa}, int32(len(wire))), wire...); !bytes.Equal(framed, want) {
					t.Fatalf("AppendValue = % x, want % x", framed, want)
				}
			}
			want := c.want
			if want == nil {
				want = c.val
			}
			p := reflect.New(reflect.TypeOf(want))
			if err := Unmarshal(c.typ, wire, p.Interface()); err != nil {
				t.Fatalf("Unmarshal(%s, % x) into %T: %v", c.typ, wire, p.Interface(), err)
			}
			if !valuesEqual(p.Elem().Interface(), want) {
				t.Fatalf("Unmarshal(%s, % x) = %#v, want %#v", c.typ, wire, p.Elem().Interface(), want)
			}
			if c.natural != nil {
				var got any
				if err := Unmarshal(c.typ, wire, &got); err != nil {
					t.Fatalf("Unmarshal into *any: %v", err)
				}
				if !valuesEqual(got, c.natural) {
					t.Fatalf("Unmarshal into *any = %#v (%T), want %#v (%T)", got, got, c.natural, c.natural)
				}
			}
		})
	}
}

var valuesEqual = typetest.ValuesEqual

// errCase is a value that must not marshal, or bytes that must not
// unmarshal into into's type; the error text must contain want.
type errCase struct {
	name string
	typ  *frame.Type
	val  any    // marshal case
	wire string // unmarshal case when into is set
	into any    // a pointer
	want string
}

func runErrors(t *testing.T, cases []errCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if c.into != nil {
				err = Unmarshal(c.typ, unhex(t, c.wire), c.into)
				var ue *UnmarshalError
				if err != nil && !errors.As(err, &ue) {
					t.Fatalf("error %v (%T) is not an *UnmarshalError", err, err)
				}
			} else {
				_, err = Marshal(c.typ, c.val)
				var me *MarshalError
				if err != nil && !errors.As(err, &me) {
					t.Fatalf("error %v (%T) is not a *MarshalError", err, err)
				}
			}
			if err == nil {
				t.Fatalf("no error, want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q does not contain %q", err, c.want)
			}
		})
	}
}

func TestNullAndUnset(t *testing.T) {
	var nilInt *int64
	for _, v := range []any{nil, nilInt, []byte(nil), []any(nil), map[string]int(nil)} {
		typ := tBigint
		switch v.(type) {
		case []byte:
			typ = tBlob
		case []any:
			typ = listOf(tInt)
		case map[string]int:
			typ = mapOf(tText, tInt)
		}
		b, err := Marshal(typ, v)
		if err != nil || b != nil {
			t.Errorf("Marshal(%s, %#v) = % x, %v; want nil, nil", typ, v, b, err)
		}
		out, err := AppendValue(nil, typ, v)
		if err != nil || !bytes.Equal(out, []byte{0xff, 0xff, 0xff, 0xff}) {
			t.Errorf("AppendValue(%#v) = % x, %v; want length -1", v, out, err)
		}
	}
	out, err := AppendValue(nil, tInt, Unset)
	if err != nil || !bytes.Equal(out, []byte{0xff, 0xff, 0xff, 0xfe}) {
		t.Errorf("AppendValue(Unset) = % x, %v; want length -2", out, err)
	}
	if _, err := Marshal(tInt, Unset); err == nil {
		t.Error("Marshal(Unset) succeeded; it has no byte form")
	}
	if _, err := Marshal(listOf(tInt), []any{1, Unset}); err == nil {
		t.Error("Unset inside a list was accepted")
	}
	if b, err := Marshal(tText, ""); err != nil || b == nil || len(b) != 0 {
		t.Errorf("empty string = %#v, %v; want a non-nil empty slice", b, err)
	}
}

func TestNullDestinations(t *testing.T) {
	n := int64(7)
	p := &n
	if err := Unmarshal(tBigint, nil, &p); err != nil || p != nil {
		t.Errorf("null into **int64: p = %v, err %v; want nil", p, err)
	}
	n = 7
	if err := Unmarshal(tBigint, nil, &n); err != nil || n != 0 {
		t.Errorf("null into *int64 = %d, %v; want 0", n, err)
	}
	// An empty value of a fixed-size type reads as null.
	n = 7
	if err := Unmarshal(tBigint, []byte{}, &n); err != nil || n != 0 {
		t.Errorf("empty into *int64 = %d, %v; want 0", n, err)
	}
	var s *string
	if err := Unmarshal(tText, []byte("hi"), &s); err != nil || s == nil || *s != "hi" {
		t.Errorf("text into **string = %v, %v", s, err)
	}
	b := []byte{1}
	if err := Unmarshal(tBlob, nil, &b); err != nil || b != nil {
		t.Errorf("null blob = %#v, %v; want nil", b, err)
	}
	if err := Unmarshal(tBlob, []byte{}, &b); err != nil || b == nil || len(b) != 0 {
		t.Errorf("empty blob = %#v, %v; want empty non-nil", b, err)
	}
	var a any = 5
	if err := Unmarshal(tInt, nil, &a); err != nil || a != nil {
		t.Errorf("null into *any = %#v, %v; want nil", a, err)
	}
}

func TestBlobIsCopied(t *testing.T) {
	wire := []byte{1, 2, 3}
	var b []byte
	var a any
	if err := Unmarshal(tBlob, wire, &b); err != nil {
		t.Fatal(err)
	}
	if err := Unmarshal(tBlob, wire, &a); err != nil {
		t.Fatal(err)
	}
	wire[0] = 9
	if b[0] != 1 || a.([]byte)[0] != 1 {
		t.Error("decoded blob aliases the input")
	}
}

func TestErrorNamesColumnAndTypes(t *testing.T) {
	_, err := Marshal(tInt, int64(9223372036854775807))
	err = WithColumn(err, "age")
	want := `cassandra: cannot marshal int64 9223372036854775807 into column "age" of type int: out of range`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
	var me *MarshalError
	if !errors.As(err, &me) || me.Column != "age" || me.CQLType != "int" || me.GoType != "int64" || !errors.Is(err, errOutOfRange) {
		t.Fatalf("MarshalError fields = %+v", me)
	}

	_, err = Marshal(listOf(tInt), []any{1, 2, "three"})
	err = WithColumn(err, "nums")
	want = `cassandra: cannot marshal string into column "nums" at [2] of type int: Go type not accepted for this CQL type`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}

	var small int8
	err = WithColumn(Unmarshal(tInt, []byte{0, 0, 1, 0}, &small), "n")
	want = `cassandra: cannot unmarshal column "n" of type int into int8: out of range`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
	var ue *UnmarshalError
	if !errors.As(err, &ue) || ue.Column != "n" || ue.GoType != "int8" {
		t.Fatalf("UnmarshalError fields = %+v", ue)
	}
}

func TestUnmarshalNeedsPointer(t *testing.T) {
	var n int64
	for _, dst := range []any{n, nil, (*int64)(nil)} {
		if err := Unmarshal(tBigint, []byte{0, 0, 0, 0, 0, 0, 0, 1}, dst); err == nil {
			t.Errorf("Unmarshal into %#v succeeded", dst)
		}
	}
}

// point is a user type with both extension interfaces.
type point struct{ X, Y int32 }

func (p point) MarshalCQL(t *frame.Type) ([]byte, error) {
	if t.ID != frame.TypeVarchar {
		return nil, fmt.Errorf("point needs text, not %s", t)
	}
	return fmt.Appendf(nil, "%d,%d", p.X, p.Y), nil
}

func (p *point) UnmarshalCQL(t *frame.Type, data []byte) error {
	_, err := fmt.Sscanf(string(data), "%d,%d", &p.X, &p.Y)
	return err
}

// tag uses the append form.
type tag string

func (g tag) AppendCQL(dst []byte, t *frame.Type) ([]byte, error) {
	return append(append(dst, '#'), g...), nil
}

func TestMarshalerAndUnmarshaler(t *testing.T) {
	b, err := Marshal(tText, point{1, 2})
	if err != nil || string(b) != "1,2" {
		t.Fatalf("Marshal(point) = %q, %v", b, err)
	}
	var p point
	if err := Unmarshal(tText, []byte("3,4"), &p); err != nil || p != (point{3, 4}) {
		t.Fatalf("Unmarshal(point) = %v, %v", p, err)
	}
	// Inside a collection, and through a pointer.
	b, err = Marshal(listOf(tText), []*point{{5, 6}, nil}[:1])
	if err != nil || !bytes.Equal(b, unhex(t, "00000001 00000003 352c36")) {
		t.Fatalf("Marshal([]*point) = % x, %v", b, err)
	}
	var ps []point
	if err := Unmarshal(listOf(tText), b, &ps); err != nil || len(ps) != 1 || ps[0] != (point{5, 6}) {
		t.Fatalf("Unmarshal([]point) = %v, %v", ps, err)
	}
	if _, err := Marshal(tInt, point{}); err == nil || !strings.Contains(err.Error(), "point needs text") {
		t.Fatalf("Marshaler error not passed on: %v", err)
	}
	b, err = Marshal(tText, tag("go"))
	if err != nil || string(b) != "#go" {
		t.Fatalf("Marshal(AppendMarshaler) = %q, %v", b, err)
	}
}

// A nil pointer of every type the reflection-free path takes is refused
// with an *UnmarshalError, never written through.
func TestUnmarshalIntoNilPointers(t *testing.T) {
	for _, c := range []struct {
		typ *frame.Type
		dst any
	}{
		{tInt, (*int)(nil)}, {tInt, (*int32)(nil)}, {tBigint, (*int64)(nil)}, {tText, (*string)(nil)},
		{tText, (*[]byte)(nil)}, {tText, (*any)(nil)}, {tBoolean, (*bool)(nil)}, {tDouble, (*float64)(nil)},
		{tTimestamp, (*time.Time)(nil)}, {tUUID, (*uuid.UUID)(nil)}, {tInt, nil}, {tInt, 5},
	} {
		var ue *UnmarshalError
		if err := Unmarshal(c.typ, []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}[:frameLen(c.typ)], c.dst); !errors.As(err, &ue) {
			t.Errorf("Unmarshal(%v, %T(nil)) = %v, want an *UnmarshalError", c.typ, c.dst, err)
		}
	}
}

func frameLen(t *frame.Type) int {
	switch t.ID {
	case frame.TypeBoolean:
		return 1
	case frame.TypeInt:
		return 4
	case frame.TypeUUID:
		return 16
	default:
		return 8
	}
}

// AppendValue's fast path writes exactly what the generic path writes, and
// leaves to it what it does not take (out-of-range integers, other types).
func TestAppendValueFastPathMatchesGeneric(t *testing.T) {
	vals := []any{0, 1, -1, 42, math.MaxInt32, math.MinInt32, math.MaxInt32 + 1, math.MinInt32 - 1, math.MaxInt64, math.MinInt64,
		int64(7), int64(-7), int64(math.MaxInt32) + 5, int32(9), int32(math.MinInt32), "", "text", "é ünïcode", int16(3), uint8(4), 1.5, []byte("b")}
	for _, c := range []struct {
		typ *frame.Type
		v   any
	}{{tInt, 42}, {tInt, int64(-3)}, {tBigint, int32(5)}, {typetest.Counter, 1}, {tText, "x"}, {typetest.ASCII, ""}} {
		if _, fast := appendValueFast(nil, c.typ, c.v); !fast {
			t.Errorf("%v %T: not taken by the fast path", c.typ, c.v)
		}
	}
	for _, typ := range []*frame.Type{tInt, tBigint, tText, typetest.Counter, typetest.ASCII, tDouble, tBlob} {
		for _, v := range vals {
			want, wantErr := appendElem([]byte{0xAA}, typ, v, true)
			got, gotErr := AppendValue([]byte{0xAA}, typ, v)
			if (wantErr == nil) != (gotErr == nil) {
				t.Errorf("%v %T(%v): error %v, generic %v", typ, v, v, gotErr, wantErr)
				continue
			}
			if wantErr == nil && !bytes.Equal(got, want) {
				t.Errorf("%v %T(%v): % x, generic % x", typ, v, v, got, want)
			}
			if _, fast := appendValueFast(nil, typ, v); fast && wantErr != nil {
				t.Errorf("%v %T(%v): the fast path took a value the generic path refuses", typ, v, v)
			}
		}
	}
}
