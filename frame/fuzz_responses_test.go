package frame

import (
	"errors"
	"reflect"
	"testing"
)

// The response fuzz targets share one property: decoding never panics, a
// failure is a *DecodeError saying where, and a successful decode encodes
// again (in the same version) to bytes that decode to an equal value.

// rspFuzzVersion maps a fuzzed byte onto the versions 3, 4 and 5.
func rspFuzzVersion(b byte) Version { return V3 + Version(b%3) }

func rspFuzzRoundTrip(t *testing.T, body []byte, v Version, decode func([]byte, Version) (Message, error)) {
	m, err := decode(body, v)
	if err != nil {
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("decode error %v (%T) is not a *DecodeError", err, err)
		}
		return
	}
	enc, err := m.Encode(nil, v)
	if err != nil {
		t.Fatalf("re-encoding decoded %#v: %v", m, err)
	}
	m2, err := decode(enc, v)
	if err != nil {
		t.Fatalf("decoding re-encoded % x: %v", enc, err)
	}
	if !reflect.DeepEqual(m, m2) {
		t.Fatalf("round trip changed the value:\n%#v\n%#v", m, m2)
	}
	if rows, ok := m.(*RowsResult); ok && rows.Metadata.ColumnCount <= 1<<12 {
		cells := make([][]byte, rows.Metadata.ColumnCount)
		it := rows.Rows()
		n := 0
		for it.Next(cells) {
			n++
		}
		if it.Err() != nil || n != rows.RowCount {
			t.Fatalf("iterated %d of %d rows: %v", n, rows.RowCount, it.Err())
		}
	}
}

func rspDecoder(newMsg func() Message) func([]byte, Version) (Message, error) {
	return func(b []byte, v Version) (Message, error) {
		m := newMsg()
		if err := m.Decode(b, v); err != nil {
			return nil, err
		}
		return m, nil
	}
}

func rspAddSeeds(f *testing.F, bodies ...string) {
	for _, b := range bodies {
		for _, v := range []byte{0, 1, 2} {
			f.Add(rspHex(b), v)
		}
	}
}

func FuzzDecodeError(f *testing.F) {
	rspAddSeeds(f,
		`00001000 0003 "msg" 0004 00000003 00000001`,
		`00001100 0003 "msg" 0008 00000000 00000002 0003 "CAS" 0005`,
		`00001100 0003 "msg" 0006 00000001 00000002 0006 "SIMPLE"`,
		`00001200 0003 "msg" 0001 00000000 00000001 00`,
		`00001300 0003 "msg" 0004 00000001 00000002 00000001 01`,
		`00001300 0003 "msg" 0004 00000001 00000003 00000002 04 0a000001 0000 10 20010db8000000000000000000000001 0001 01`,
		`00001400 0003 "msg" 0002 "ks" 0002 "fv" 0002 0003 "int" 0004 "text"`,
		`00001500 0003 "msg" 0001 00000000 00000001 00000001 04 7f000001 0003 0005 "BATCH"`,
		`00001700 0003 "msg" 0009 00000000 00000002`,
		`00002400 0003 "msg" 0002 "ks" 0001 "t"`,
		`00002500 0003 "msg" 0004 cafebabe`,
		`00007777 0003 "msg" 0102`,
		`00002200 0003 "msg"`,
	)
	f.Fuzz(func(t *testing.T, body []byte, v byte) {
		rspFuzzRoundTrip(t, body, rspFuzzVersion(v), rspDecoder(func() Message { return &ErrorResponse{} }))
	})
}

func FuzzDecodeResult(f *testing.F) {
	rspAddSeeds(f,
		`00000001`,
		`00000003 0002 "ks"`,
		`00000005 0007 "CREATED" 0008 "FUNCTION" 0002 "ks" 0001 "f" 0002 0003 "int" 0004 "text"`,
		`00000002 00000001 00000002 0002 "ks" 0005 "users" 0002 "id" 0009 0004 "name" 000d
		 00000002 00000004 00000001 00000003 "bob" 00000004 00000002 ffffffff`,
		`00000002 00000006 00000002 00000003 010203 00000001 00000000 ffffffff`,
		`00000002 00000000 00000002 0003 "ks1" 0002 "t1" 0001 "a" 0009 0003 "ks2" 0002 "t2" 0001 "b" 0021 000d 000c 00000000`,
		`00000002 0000000b 00000001 00000001 09 0001 01 0002 "ks" 0001 "t" 0001 "v" 0004 00000000`,
		`00000002 00000001 00000001 0002 "ks" 0001 "t" 0001 "v" 0030 0002 "ks" 0004 "addr" 0001 0001 "z" 0031 0002 0009 000d 00000000`,
		`00000004 0002 0102 00000001 00000002 0002 "ks" 0001 "t" 0002 "id" 0009 0001 "v" 000d 00000001 00000001 0002 "ks" 0001 "t" 0001 "v" 000d`,
		`00000004 0002 0102 00000001 00000002 00000001 0000 0002 "ks" 0001 "t" 0002 "id" 0009 0001 "v" 000d 00000001 00000001 0002 "ks" 0001 "t" 0001 "v" 000d`,
		`00000004 0002 0102 0002 beef 00000001 00000002 00000001 0000 0002 "ks" 0001 "t" 0002 "id" 0009 0001 "v" 000d 00000001 00000001 0002 "ks" 0001 "t" 0001 "v" 000d`,
		`00000004 0001 aa 00000000 00000002 00000002 0001 0000 0002 "ks" 0001 "t" 0001 "a" 0002 0003 "ks2" 0001 "u" 0001 "b" 0020 000d 00000004 00000000`,
	)
	f.Fuzz(func(t *testing.T, body []byte, v byte) {
		rspFuzzRoundTrip(t, body, rspFuzzVersion(v), DecodeResult)
	})
}

// FuzzRowsAs pins the decoder rule for cached metadata: rows whose column
// count differs from the column list they would be decoded with never
// yield a value, whatever the page holds.
func FuzzRowsAs(f *testing.F) {
	for _, b := range []string{
		`00000002 00000004 00000003 00000001 00000001 61 00000001 62 00000001 63`,
		`00000002 00000004 00000002 00000002 00000001 61 ffffffff 00000000 00000000`,
		`00000002 00000004 00000001 00000000`,
	} {
		for _, n := range []uint8{1, 2, 3, 4} {
			f.Add(rspHex(b), n)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, want uint8) {
		var m RowsResult
		if m.Decode(body, V4) != nil {
			return
		}
		cols := int(want)
		it, err := m.RowsAs(cols)
		var cce *ColumnCountError
		if m.Metadata.ColumnCount != cols {
			if !errors.As(err, &cce) {
				t.Fatalf("%d-column rows accepted for %d columns: %v", m.Metadata.ColumnCount, cols, err)
			}
			// The plain iterator refuses the mismatch too.
			it = m.Rows()
		} else if err != nil {
			t.Fatalf("matching counts refused: %v", err)
		}
		cells := make([][]byte, cols)
		n := 0
		for it.Next(cells) {
			n++
		}
		if m.Metadata.ColumnCount != cols {
			if n != 0 || (m.RowCount > 0 && !errors.As(it.Err(), &cce)) {
				t.Fatalf("%d-column rows yielded %d rows for %d columns (err %v)", m.Metadata.ColumnCount, n, cols, it.Err())
			}
			for _, c := range cells {
				if c != nil {
					t.Fatalf("a cell was set on a mismatch: %q", cells)
				}
			}
		} else if n != m.RowCount || it.Err() != nil {
			t.Fatalf("iterated %d of %d rows: %v", n, m.RowCount, it.Err())
		}
	})
}

func FuzzDecodeEvent(f *testing.F) {
	rspAddSeeds(f,
		`000f "TOPOLOGY_CHANGE" 0008 "NEW_NODE" 04 0a000002 00002352`,
		`000d "STATUS_CHANGE" 0004 "DOWN" 10 20010db8000000000000000000000007 00002352`,
		`000d "SCHEMA_CHANGE" 0007 "UPDATED" 0005 "TABLE" 0002 "ks" 0005 "users"`,
		`000d "SCHEMA_CHANGE" 0007 "DROPPED" 0009 "AGGREGATE" 0002 "ks" 0003 "agg" 0000`,
		`000d "SCHEMA_CHANGE" 0007 "CREATED" 0008 "KEYSPACE" 0002 "ks"`,
	)
	f.Fuzz(func(t *testing.T, body []byte, v byte) {
		rspFuzzRoundTrip(t, body, rspFuzzVersion(v), rspDecoder(func() Message { return &Event{} }))
	})
}

func FuzzDecodeSupported(f *testing.F) {
	rspAddSeeds(f,
		`0003 000b "COMPRESSION" 0002 0003 "lz4" 0006 "snappy" 000b "CQL_VERSION" 0001 0005 "3.4.7"
		 0011 "PROTOCOL_VERSIONS" 0003 0004 "3/v3" 0004 "4/v4" 0004 "5/v5"`,
		`0000`,
	)
	f.Fuzz(func(t *testing.T, body []byte, v byte) {
		rspFuzzRoundTrip(t, body, rspFuzzVersion(v), rspDecoder(func() Message { return &Supported{} }))
	})
}

// FuzzDecodeAuthenticate covers the small authentication-phase responses:
// the fuzzed selector picks AUTHENTICATE, AUTH_CHALLENGE, AUTH_SUCCESS or
// READY.
func FuzzDecodeAuthenticate(f *testing.F) {
	rspAddSeeds(f,
		`002f "org.apache.cassandra.auth.PasswordAuthenticator"`,
		`00000005 "r=abc"`,
		`ffffffff`,
		`00000000`,
		``,
	)
	news := []func() Message{
		func() Message { return &Authenticate{} },
		func() Message { return &AuthChallenge{} },
		func() Message { return &AuthSuccess{} },
		func() Message { return &Ready{} },
	}
	f.Fuzz(func(t *testing.T, body []byte, sel byte) {
		for _, newMsg := range news {
			rspFuzzRoundTrip(t, body, rspFuzzVersion(sel), rspDecoder(newMsg))
		}
	})
}

func FuzzReadType(f *testing.F) {
	for _, s := range []string{
		`0009`, `0021 000d 0020 0022 0009`, `0031 0003 0009 000d 0003`,
		`0030 0002 "ks" 0004 "addr" 0002 0006 "street" 000d 0003 "zip" 0020 0009`,
		`0000 0012 "com.example.MyType"`,
		`0000 0057 "org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType,3)"`,
		`0000 0081 "org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marshal.Int32Type),3)"`,
		`0000 0029 "VectorType(MapType(UTF8Type,Int32Type),2)"`,
	} {
		f.Add(rspHex(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(b, "type")
		ty := r.ReadType("option")
		if err := r.Err(); err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		if err := checkType(ty, 0); err != nil {
			t.Fatalf("decoded type %v fails checkType: %v", ty, err)
		}
		_ = ty.String()
		enc := AppendType(nil, ty)
		r2 := NewReader(enc, "type")
		ty2 := r2.ReadType("option")
		if err := r2.Done(); err != nil || !reflect.DeepEqual(ty, ty2) {
			t.Fatalf("round trip of %v: %v, %v", ty, ty2, err)
		}
	})
}
