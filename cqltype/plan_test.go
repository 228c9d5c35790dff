package cqltype

import (
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra/frame"
)

// Plans must agree with Unmarshal on every input, including null, wrong
// lengths and a destination of another type than planned.
func TestPlanDecodeMatchesUnmarshal(t *testing.T) {
	u := uuid.New()
	cases := []struct {
		typ  *frame.Type
		ptr  any
		data [][]byte
	}{
		{tBigint, new(int64), [][]byte{{0, 0, 0, 0, 0, 0, 1, 0}, nil, {}, {1}}},
		{tInt, new(int32), [][]byte{{0, 0, 1, 0}, nil, {1, 2}}},
		{tText, new(string), [][]byte{[]byte("x"), nil, {}}},
		{tBlob, new([]byte), [][]byte{{1}, nil, {}}},
		{tUUID, new(uuid.UUID), [][]byte{u[:], nil, {1}}},
		{tBoolean, new(bool), [][]byte{{1}, {0}, nil, {1, 1}}},
		{tTimestamp, new(time.Time), [][]byte{{0, 0, 0, 0, 0, 0, 0, 1}, nil, {1}}},
		{listOf(tInt), new(any), [][]byte{{0, 0, 0, 0}, nil, {0xff}}},
	}
	for _, c := range cases {
		rt := reflect.TypeOf(c.ptr)
		dec := planDecode(c.typ, rt)
		for _, data := range c.data {
			p1, p2 := reflect.New(rt.Elem()), reflect.New(rt.Elem())
			err1 := dec(data, p1.Interface())
			err2 := Unmarshal(c.typ, data, p2.Interface())
			if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(p1.Elem().Interface(), p2.Elem().Interface()) {
				t.Errorf("%s into %s, % x: plan %v %v; Unmarshal %v %v", c.typ, rt, data,
					p1.Elem().Interface(), err1, p2.Elem().Interface(), err2)
			}
		}
		// A destination of another type than planned still works.
		var s string
		if err, want := dec([]byte("abc"), &s), Unmarshal(c.typ, []byte("abc"), &s); (err == nil) != (want == nil) {
			t.Errorf("%s: plan with foreign destination: %v, Unmarshal: %v", c.typ, err, want)
		}
	}
}

func TestPlanEncodeMatchesMarshal(t *testing.T) {
	cases := []struct {
		typ *frame.Type
		v   any
	}{
		{tBigint, int64(5)}, {tBigint, int32(5)}, {tText, "x"}, {tBlob, "x"}, {tUUID, uuid.New()},
		{tBigint, "bad"}, {tText, nil},
	}
	for _, c := range cases {
		enc := planEncode(c.typ, reflect.TypeOf(c.v))
		got, null, err := enc(nil, c.v)
		want, werr := Marshal(c.typ, c.v)
		if (err == nil) != (werr == nil) || null != (want == nil && werr == nil) || string(got) != string(want) {
			t.Errorf("%s %#v: plan % x %v %v; Marshal % x %v", c.typ, c.v, got, null, err, want, werr)
		}
	}
}
