package frame

import "testing"

// Encoding a request into a reused buffer must not allocate: these are the
// per-request costs of the client's hot path.

func benchEncode(b *testing.B, m Message, v Version) {
	buf, err := m.Encode(nil, v)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if buf, err = m.Encode(buf[:0], v); err != nil {
			b.Fatal(err)
		}
	}
}

// benchExecute is a typical EXECUTE: a 16-byte id, three values (int,
// text, uuid), a page size and a client timestamp.
func benchExecute() *Execute {
	return &Execute{
		ID: []byte{0x5e, 0x2c, 0x1a, 0x4f, 0x90, 0x07, 0x3b, 0x11, 0xc2, 0x88, 0x71, 0x0d, 0xa4, 0xe3, 0x56, 0x9f},
		Params: QueryParams{
			Consistency: LocalQuorum,
			Values: []Value{
				{Bytes: []byte{0x00, 0x00, 0x00, 0x2a}},
				{Bytes: []byte("some text value")},
				{Bytes: []byte{0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3, 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00}},
			},
			SkipMetadata: true,
			PageSize:     5000,
			Timestamp:    1_700_000_000_000_000,
			HasTimestamp: true,
		},
	}
}

func BenchmarkEncodeExecute(b *testing.B) {
	for _, v := range []Version{V4, V5} {
		m := benchExecute()
		if v == V5 {
			m.ResultMetadataID = []byte{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10}
		}
		b.Run(v.String(), func(b *testing.B) { benchEncode(b, m, v) })
	}
}

func BenchmarkEncodeQuery(b *testing.B) {
	m := &Query{
		Query: "SELECT id, name, email FROM users WHERE id = ?",
		Params: QueryParams{
			Consistency: LocalOne,
			Values:      []Value{{Bytes: []byte{0x00, 0x00, 0x00, 0x2a}}},
			PageSize:    5000,
		},
	}
	for _, v := range []Version{V4, V5} {
		b.Run(v.String(), func(b *testing.B) { benchEncode(b, m, v) })
	}
}

func BenchmarkEncodeBatch(b *testing.B) {
	ex := benchExecute()
	m := &Batch{Type: UnloggedBatch, Consistency: LocalQuorum, Timestamp: 1, HasTimestamp: true}
	for i := 0; i < 10; i++ {
		m.Statements = append(m.Statements, BatchStatement{ID: ex.ID, Values: ex.Params.Values})
	}
	benchEncode(b, m, V4)
}

func BenchmarkDecodeExecute(b *testing.B) {
	body, err := benchExecute().Encode(nil, V4)
	if err != nil {
		b.Fatal(err)
	}
	var m Execute
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Decode(body, V4); err != nil {
			b.Fatal(err)
		}
	}
}
