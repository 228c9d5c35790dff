package frame

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCaptureStreams decodes the real sessions in ../testdata/capture (see
// its README): every connection, both directions. v3/v4 streams are read
// frame by frame; v5 streams switch to segments after STARTUP (client) and
// READY or AUTHENTICATE (server), where every segment's CRC24 and CRC32 is
// checked, uncompressed segments must re-encode to the very bytes the
// server or driver sent, and the frames must come out of SegmentDecoder.
// Uncompressed frames must re-encode byte for byte through AppendFrame.
func TestCaptureStreams(t *testing.T) {
	files, _ := filepath.Glob("../testdata/capture/*/*/conn-*.bin")
	if len(files) == 0 {
		t.Skip("no captures in ../testdata/capture")
	}
	for _, path := range files {
		rel, _ := filepath.Rel("../testdata/capture", path)
		t.Run(rel, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var c Compressor
			if strings.Contains(filepath.Base(filepath.Dir(path)), "lz4") {
				c = LZ4
			}
			checkCapture(t, data, c, strings.HasSuffix(path, ".s2c.bin"))
		})
	}
}

func checkCapture(t *testing.T, data []byte, c Compressor, fromServer bool) {
	r := bytes.NewReader(data)
	var buf, scratch []byte
	frames, segments := 0, 0
	for {
		h, b, err := ReadFrame(r, buf, 0)
		buf = b
		if err == io.EOF {
			break
		}
		var uv *UnsupportedVersionError
		if errors.As(err, &uv) && !fromServer && frames == 0 {
			t.Skipf("driver probes version %d, which this package does not speak", uv.Version)
		}
		if err != nil {
			t.Fatalf("frame %d: %v", frames, err)
		}
		frames++
		checkCaptureFrame(t, h, b, c, &scratch)
		switchOver := (!fromServer && h.Opcode == OpStartup) || (fromServer && (h.Opcode == OpReady || h.Opcode == OpAuthenticate))
		if h.Version == V5 && switchOver {
			rest := data[len(data)-r.Len():]
			segments = checkCaptureSegments(t, rest, c, &scratch)
			frames += decodeCaptureSegments(t, rest, c, &scratch)
			break
		}
	}
	t.Logf("%d frames, %d segments", frames, segments)
}

func checkCaptureFrame(t *testing.T, h Header, wire []byte, c Compressor, scratch *[]byte) {
	t.Helper()
	f, s, err := ParseFrame(h, wire[HeaderSize:], c, *scratch, 0)
	*scratch = s
	if err != nil {
		t.Fatalf("%v stream %d: %v", h.Opcode, h.Stream, err)
	}
	if h.Flags&FlagCompression != 0 {
		return // compressed bytes need not match another LZ4 implementation
	}
	in := Header{Version: h.Version, Stream: h.Stream, Flags: h.Flags & (FlagTracing | FlagBeta)}
	again, err := AppendFrame(nil, in, &f.Envelope, &framingTestMessage{op: h.Opcode, body: f.Body}, nil)
	if err != nil {
		t.Fatalf("%v stream %d: re-encode: %v", h.Opcode, h.Stream, err)
	}
	if !bytes.Equal(again, wire) {
		t.Fatalf("%v stream %d: re-encoded\n%x\nsent\n%x", h.Opcode, h.Stream, again, wire)
	}
}

// checkCaptureSegments walks the segments one by one with DecodeSegment.
func checkCaptureSegments(t *testing.T, b []byte, c Compressor, scratch *[]byte) int {
	t.Helper()
	n, compressed := 0, 0
	defer func() { t.Logf("%d segments with an LZ4 payload", compressed) }()
	for off := 0; off < len(b); n++ {
		s, used, err := DecodeSegment(b[off:], c, *scratch)
		if err != nil {
			t.Fatalf("segment %d at %d: %v", n, off, err)
		}
		if s.Header.UncompressedLength > 0 {
			compressed++
		}
		if c == nil || s.Header.UncompressedLength == 0 {
			again, err := AppendSegment(nil, s.Payload, s.Header.SelfContained, nil)
			if c != nil {
				// Stored as is in the compressed layout: rebuild that layout.
				again, _ = AppendSegmentHeader(nil, s.Header)
				again = append(again, b[off+s.Header.Size():off+used]...)
			}
			if err != nil || !bytes.Equal(again, b[off:off+used]) {
				t.Fatalf("segment %d re-encoded\n%x\nsent\n%x", n, again, b[off:off+used])
			}
		}
		off += used
	}
	return n
}

// decodeCaptureSegments runs the stream through a SegmentDecoder fed in
// small chunks and checks every frame.
func decodeCaptureSegments(t *testing.T, b []byte, c Compressor, scratch *[]byte) int {
	t.Helper()
	d := &SegmentDecoder{Compressor: c}
	n := 0
	for len(b) > 0 {
		k := min(len(b), 13)
		d.Feed(b[:k])
		b = b[k:]
		for d.Next() {
			n++
			wire := append(AppendHeader(nil, d.Header()), d.Body()...)
			if d.Header().Version != V5 {
				t.Fatalf("frame %d in segments has version %v", n, d.Header().Version)
			}
			checkCaptureFrame(t, d.Header(), wire, nil, scratch)
		}
	}
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
	return n
}
