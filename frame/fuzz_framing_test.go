package frame

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
)

// Fuzz targets for the framing layer. The property everywhere: no panic,
// lengths beyond the stated bounds are refused with an error (never
// allocated), and whatever decodes re-encodes to something that decodes to
// the same thing. Seeds are added here and kept in testdata/fuzz/<Name>/.

const fuzzMaxBody = 1 << 20

func FuzzDecodeHeader(f *testing.F) {
	f.Add(AppendHeader(nil, Header{Version: V4, Stream: 1, Opcode: OpQuery, Length: 10}))
	f.Add(AppendHeader(nil, Header{Version: V5, Response: true, Flags: 0xff, Stream: -1, Opcode: OpEvent, Length: fuzzMaxBody}))
	f.Add([]byte{0x84, 0, 0, 0, 0x08, 0x7f, 0xff, 0xff, 0xff})
	f.Add([]byte{0x04})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeHeader(b, fuzzMaxBody)
		if err != nil {
			return
		}
		if h.Length < 0 || h.Length > fuzzMaxBody {
			t.Fatalf("accepted length %d", h.Length)
		}
		if got := AppendHeader(nil, h); !bytes.Equal(got, b[:HeaderSize]) {
			t.Fatalf("re-encoded %x from %x", got, b[:HeaderSize])
		}
	})
}

// FuzzParseFrame takes a whole frame (header and raw body); the first byte
// picks the compressor.
func FuzzParseFrame(f *testing.F) {
	m := &framingTestMessage{op: OpResult, body: []byte("body")}
	for i, c := range []Compressor{nil, LZ4, Snappy} {
		for _, env := range []*Envelope{nil, {TracingID: [16]byte{1}, Warnings: []string{"w"}, CustomPayload: map[string][]byte{"k": {1}}}} {
			wire, err := AppendFrame(nil, Header{Version: V4, Flags: FlagTracing}, env, m, c)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(byte(i), wire)
		}
	}
	f.Add(byte(1), []byte{0x84, 0x01, 0, 0, 0x08, 0, 0, 0, 5, 0x7f, 0xff, 0xff, 0xff, 0})
	f.Fuzz(func(t *testing.T, pick byte, b []byte) {
		c := []Compressor{nil, LZ4, Snappy}[int(pick)%3]
		h, err := DecodeHeader(b, fuzzMaxBody)
		if err != nil {
			return
		}
		raw := b[HeaderSize:]
		if int(h.Length) < len(raw) {
			raw = raw[:h.Length]
		}
		fr, _, err := ParseFrame(h, raw, c, nil, fuzzMaxBody)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %v is not a *DecodeError", err)
			}
			return
		}
		if len(fr.Body) > fuzzMaxBody {
			t.Fatalf("body of %d bytes over the bound", len(fr.Body))
		}
		// Re-encode what was read and parse it again.
		in := Header{Version: h.Version, Stream: h.Stream, Flags: h.Flags & (FlagTracing | FlagBeta)}
		env := fr.Envelope
		if !h.Response {
			env.Warnings = nil
		}
		if h.Version < V4 {
			env.Warnings, env.CustomPayload = nil, nil
		}
		enc := c
		if h.Flags&FlagCompression == 0 {
			enc = nil
		}
		wire, err := AppendFrame(nil, in, &env, &framingTestMessage{op: h.Opcode, body: fr.Body}, enc)
		if err != nil {
			return // e.g. a request frame carrying a response-only opcode mix
		}
		h2, err := DecodeHeader(wire, 0)
		if err != nil {
			t.Fatal(err)
		}
		fr2, _, err := ParseFrame(h2, wire[HeaderSize:], c, nil, fuzzMaxBody)
		if err != nil {
			t.Fatalf("re-encoded frame does not parse: %v", err)
		}
		if !bytes.Equal(fr2.Body, fr.Body) || !reflect.DeepEqual(fr2.Envelope, env) {
			t.Fatalf("round trip differs: %+v vs %+v", fr2, fr)
		}
	})
}

// FuzzSegmentDecoder feeds a stream to a decoder in chunks whose size the
// first byte picks, with or without compression.
func FuzzSegmentDecoder(f *testing.F) {
	frames := [][]byte{}
	for i, n := range []int{0, 10, 300} {
		wire, _ := AppendFrame(nil, Header{Version: V5, Stream: int16(i)}, nil, &framingTestMessage{op: OpResult, body: bytes.Repeat([]byte{byte(i)}, n)}, nil)
		frames = append(frames, wire)
	}
	large, _ := AppendFrame(nil, Header{Version: V5}, nil, &framingTestMessage{op: OpResult, body: make([]byte, MaxSegmentPayload)}, nil)
	for _, compressed := range []bool{false, true} {
		var c Compressor
		if compressed {
			c = LZ4
		}
		s, _ := AppendSegments(nil, bytes.Join(frames, nil), c)
		f.Add(byte(0), compressed, s)
		f.Add(byte(3), compressed, s)
		s, _ = AppendSegments(nil, large, c)
		f.Add(byte(200), compressed, s)
		s, _ = AppendSegment(nil, frames[1][:5], false, c)
		f.Add(byte(1), compressed, s)
	}
	// Seeds for the wrapped mode: records that become segments with valid
	// CRCs, so the fuzzer explores what lies behind the checksums.
	rec := func(flags byte, ulen uint16, p []byte) []byte {
		return append([]byte{flags, byte(len(p) >> 8), byte(len(p)), byte(ulen >> 8), byte(ulen)}, p...)
	}
	block, _ := LZ4.(BlockCompressor).AppendBlock(nil, frames[2])
	f.Add(byte(0x80), false, append(rec(1, 0, frames[1]), rec(1, 0, frames[0])...))
	f.Add(byte(0x80), true, rec(1, uint16(len(frames[2])), block))
	f.Add(byte(0x85), false, append(rec(0, 0, large[:40000]), rec(0, 0, large[40000:50000])...))
	f.Fuzz(func(t *testing.T, chunk byte, compressed bool, stream []byte) {
		var c Compressor
		if compressed {
			c = LZ4
		}
		if chunk&0x80 != 0 {
			stream = fuzzWrapSegments(stream, compressed)
		}
		d := &SegmentDecoder{Compressor: c, MaxBody: fuzzMaxBody}
		step := int(chunk) + 1
		var got [][]byte
		for len(stream) > 0 {
			n := min(step, len(stream))
			d.Feed(stream[:n])
			stream = stream[n:]
			for d.Next() {
				h := d.Header()
				if int(h.Length) != len(d.Body()) || len(d.Body()) > fuzzMaxBody {
					t.Fatalf("header length %d, body %d", h.Length, len(d.Body()))
				}
				got = append(got, append(AppendHeader(nil, h), d.Body()...))
			}
			if d.Err() != nil {
				var de *DecodeError
				if !errors.As(d.Err(), &de) {
					t.Fatalf("error %v is not a *DecodeError", d.Err())
				}
				return
			}
		}
		// Whatever decoded re-encodes, frame by frame, and decodes the same.
		var again []byte
		for _, fr := range got {
			var err error
			if again, err = AppendSegments(again, fr, c); err != nil {
				t.Fatalf("re-encode: %v", err)
			}
		}
		d2 := &SegmentDecoder{Compressor: c, MaxBody: fuzzMaxBody}
		d2.Feed(again)
		for i := range got {
			if !d2.Next() {
				t.Fatalf("frame %d lost on re-decode: %v", i, d2.Err())
			}
			if !bytes.Equal(append(AppendHeader(nil, d2.Header()), d2.Body()...), got[i]) {
				t.Fatalf("frame %d differs on re-decode", i)
			}
		}
		if d2.Next() || d2.Finish() != nil {
			t.Fatalf("re-decode left state: %v", d2.Finish())
		}
	})
}

// fuzzWrapSegments turns records of [flags][2-byte length][2-byte
// uncompressed length][payload] into segments with valid CRCs; flags bit 0
// is the self-contained flag. Compressed payloads are taken as LZ4 blocks
// as they are, so hostile blocks reach the decompressor.
func fuzzWrapSegments(b []byte, compressed bool) []byte {
	var out []byte
	for len(b) >= 5 {
		n := min(int(b[1])<<8|int(b[2]), len(b)-5)
		h := SegmentHeader{Compressed: compressed, PayloadLength: n, SelfContained: b[0]&1 != 0}
		if compressed {
			h.UncompressedLength = int(b[3])<<8 | int(b[4])
		}
		p := b[5 : 5+n]
		b = b[5+n:]
		out, _ = AppendSegmentHeader(out, h)
		out = append(out, p...)
		out = binary.LittleEndian.AppendUint32(out, segmentCRC32(p))
	}
	return out
}

func fuzzDecompress(f *testing.F, c Compressor) {
	for _, in := range compressionInputs() {
		if len(in) > 4096 {
			in = in[:4096]
		}
		comp, _ := c.AppendCompressed(nil, in)
		f.Add(comp, uint32(len(in)))
	}
	f.Fuzz(func(t *testing.T, b []byte, maxLen uint32) {
		limit := int(maxLen % (fuzzMaxBody + 1))
		if limit == 0 {
			limit = 1 // 0 would mean the 256 MiB default
		}
		out, err := c.AppendDecompressed(nil, b, limit)
		if err != nil {
			if !errors.Is(err, ErrCorruptCompressed) && !errors.Is(err, ErrTruncated) {
				var tooLarge *BodyTooLargeError
				if !errors.As(err, &tooLarge) {
					t.Fatalf("unexpected error kind: %v", err)
				}
			}
			return
		}
		if len(out) > limit {
			t.Fatalf("%d bytes over the limit %d", len(out), limit)
		}
		comp, err := c.AppendCompressed(nil, out)
		if err != nil {
			t.Fatal(err)
		}
		back, err := c.AppendDecompressed(nil, comp, limit)
		if err != nil || !bytes.Equal(back, out) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzLZ4Decompress(f *testing.F) { fuzzDecompress(f, LZ4) }

func FuzzSnappyDecompress(f *testing.F) { fuzzDecompress(f, Snappy) }
