package frame

import (
	"bytes"
	"testing"
)

// benchPayload is one 64 KiB RESULT frame with moderately compressible
// content, the shape of a page of rows.
func benchPayload(b *testing.B) []byte {
	return testFrameBytes(b, 1, 64<<10-HeaderSize, 42)
}

func BenchmarkAppendSegments(b *testing.B) {
	payload := benchPayload(b)
	for _, c := range []Compressor{nil, LZ4} {
		name := "none"
		if c != nil {
			name = c.Name()
		}
		b.Run(name, func(b *testing.B) {
			buf, _ := AppendSegments(nil, payload, c)
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			for b.Loop() {
				buf, _ = AppendSegments(buf[:0], payload, c)
			}
		})
	}
}

func BenchmarkSegmentDecode(b *testing.B) {
	payload := benchPayload(b)
	for _, c := range []Compressor{nil, LZ4} {
		name := "none"
		if c != nil {
			name = c.Name()
		}
		b.Run(name, func(b *testing.B) {
			stream, _ := AppendSegments(nil, payload, c)
			d := &SegmentDecoder{Compressor: c}
			b.SetBytes(int64(len(payload)))
			b.ReportAllocs()
			for b.Loop() {
				d.Feed(stream)
				for d.Next() {
				}
				if d.Err() != nil {
					b.Fatal(d.Err())
				}
			}
		})
	}
	b.Run("split_300k_none", func(b *testing.B) {
		large := testFrameBytes(b, 1, 300<<10, 42)
		stream, _ := AppendSegments(nil, large, nil)
		d := &SegmentDecoder{}
		b.SetBytes(int64(len(large)))
		b.ReportAllocs()
		for b.Loop() {
			d.Feed(stream)
			for d.Next() {
			}
		}
	})
}

func BenchmarkLZ4Body(b *testing.B) {
	body := benchPayload(b)[HeaderSize:]
	comp, _ := LZ4.AppendCompressed(nil, body)
	b.Run("compress", func(b *testing.B) {
		buf := make([]byte, 0, len(body)*2)
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = LZ4.AppendCompressed(buf[:0], body)
		}
	})
	b.Run("decompress", func(b *testing.B) {
		buf := make([]byte, 0, len(body))
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = LZ4.AppendDecompressed(buf[:0], comp, 0)
		}
		if !bytes.Equal(buf, body) {
			b.Fatal("round trip")
		}
	})
}

func BenchmarkFrame(b *testing.B) {
	m := &framingTestMessage{op: OpResult, body: bytes.Repeat([]byte("cell"), 256)}
	b.Run("append_v4", func(b *testing.B) {
		buf, _ := AppendFrame(nil, Header{Version: V4}, nil, m, nil)
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = AppendFrame(buf[:0], Header{Version: V4}, nil, m, nil)
		}
	})
	b.Run("parse_v4", func(b *testing.B) {
		wire, _ := AppendFrame(nil, Header{Version: V4}, nil, m, nil)
		h, _ := DecodeHeader(wire, 0)
		b.ReportAllocs()
		for b.Loop() {
			_, _, _ = ParseFrame(h, wire[HeaderSize:], nil, nil, 0)
		}
	})
}
