package frame

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// The response decoders against what real servers sent: every server frame
// of every session in testdata/capture (Cassandra 2.1 and 5.0, protocol v3,
// v4 and v5, uncompressed and LZ4, see its README) must decode with its
// message decoder and encode back, for the frame's version, to the same
// body bytes. Uncompressed frames (v3/v4 frames without FlagCompression and
// every v5 frame, in or out of segments) must also re-encode byte for byte
// as a whole frame through AppendFrame, envelope included. Compressed
// frames are compared after decompression: body, and the whole frame as it
// would be sent uncompressed (another LZ4 implementation need not produce
// the same compressed bytes).
//
// SUPPORTED: Cassandra writes its [string multimap] from a HashMap, so its
// key order is not sorted (5.0 sends PROTOCOL_VERSIONS, COMPRESSION,
// CQL_VERSION; 2.1's two keys happen to be sorted) while Encode sorts the
// keys. For SUPPORTED the bytes are compared when they match; otherwise the
// decoded maps (after a re-decode of our bytes) must be equal, the bodies of
// the same length and the frame headers identical.

// rspCaptureDirs lists every capture directory holding server streams.
func rspCaptureDirs(t *testing.T) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "capture", "*", "*", "conn-*.s2c.bin"))
	seen := map[string]bool{}
	var dirs []string
	for _, f := range files {
		d, _ := filepath.Rel(filepath.Join("..", "testdata", "capture"), filepath.Dir(f))
		d = filepath.ToSlash(d)
		if !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	sort.Strings(dirs)
	return dirs
}

func TestResponsesDecodeRealCaptures(t *testing.T) {
	dirs := rspCaptureDirs(t)
	if len(dirs) == 0 {
		t.Skip("no captures in ../testdata/capture")
	}
	total := map[string]int{}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join("..", "testdata", "capture", filepath.FromSlash(dir), "conn-*.s2c.bin"))
			var c Compressor
			if strings.Contains(filepath.Base(dir), "lz4") {
				c = LZ4
			}
			seen := map[string]int{}
			for _, f := range files {
				stream, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				name := filepath.Base(f)
				rspEachServerFrame(t, name, stream, c, func(h Header, raw []byte) {
					for _, k := range rspCheckCaptured(t, name, h, raw, c) {
						seen[k]++
						total[k]++
					}
				})
			}
			n := 0
			for k, v := range seen {
				if !strings.HasPrefix(k, "+") {
					n += v
				}
			}
			if n == 0 {
				t.Fatalf("no server response in %s", dir)
			}
			t.Logf("%d responses checked:\n%s", n, rspCounts(seen))
		})
	}
	t.Logf("all captures:\n%s", rspCounts(total))
}

// rspCounts formats counts one per line, sorted by key.
func rspCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\t%-44s %d\n", k, m[k])
	}
	return b.String()
}

// rspEachServerFrame walks a server stream: frames until READY or
// AUTHENTICATE of a v5 connection, then segments. fn gets each frame's
// header and raw body (compressed as sent for v3/v4).
func rspEachServerFrame(t *testing.T, name string, stream []byte, c Compressor, fn func(Header, []byte)) {
	t.Helper()
	off := 0
	for off < len(stream) {
		h, err := DecodeHeader(stream[off:], 0)
		if err != nil {
			t.Fatalf("%s at %d: %v", name, off, err)
		}
		end := off + HeaderSize + int(h.Length)
		if end > len(stream) {
			t.Fatalf("%s at %d: frame runs past the stream", name, off)
		}
		fn(h, stream[off+HeaderSize:end])
		off = end
		if h.Version >= V5 && (h.Opcode == OpReady || h.Opcode == OpAuthenticate) {
			break
		}
	}
	if off == len(stream) {
		return
	}
	d := SegmentDecoder{Compressor: c}
	d.Feed(stream[off:])
	for d.Next() {
		fn(d.Header(), d.Body())
	}
	if err := d.Err(); err != nil {
		t.Fatalf("%s: segments after READY: %v", name, err)
	}
	if err := d.Finish(); err != nil {
		t.Fatalf("%s: segments after READY: %v", name, err)
	}
}

// rspDecode decodes a response body with the decoder of its opcode.
func rspDecode(op Opcode, body []byte, v Version) (Message, error) {
	var m Message
	switch op {
	case OpError:
		m = &ErrorResponse{}
	case OpReady:
		m = &Ready{}
	case OpAuthenticate:
		m = &Authenticate{}
	case OpSupported:
		m = &Supported{}
	case OpResult:
		return DecodeResult(body, v)
	case OpEvent:
		m = &Event{}
	case OpAuthChallenge:
		m = &AuthChallenge{}
	case OpAuthSuccess:
		m = &AuthSuccess{}
	default:
		return nil, fmt.Errorf("%v is not a response", op)
	}
	return m, m.Decode(body, v)
}

// rspKey names what a message is for the counts: opcode, result kind or
// error code, per version.
func rspKey(v Version, m Message) string {
	switch m := m.(type) {
	case *ErrorResponse:
		return fmt.Sprintf("%v ERROR %v", v, m.Err.Code())
	case interface{ Kind() ResultKind }:
		return fmt.Sprintf("%v RESULT %v", v, m.Kind())
	case *Event:
		return fmt.Sprintf("%v EVENT %s", v, m.Type)
	}
	return fmt.Sprintf("%v %v", v, m.Opcode())
}

// rspFeatures names the notable details of a response, counted apart with
// a leading "+".
func rspFeatures(v Version, f Frame, m Message) []string {
	var out []string
	add := func(s string) { out = append(out, fmt.Sprintf("+ %v %s", v, s)) }
	if f.Header.Flags&FlagCompression != 0 {
		add("compressed frame")
	}
	if f.Header.Flags&FlagTracing != 0 {
		add("tracing id")
	}
	if f.Header.Flags&FlagWarning != 0 {
		add("warnings")
	}
	if f.Header.Flags&FlagCustomPayload != 0 {
		add("custom payload")
	}
	switch m := m.(type) {
	case *RowsResult:
		if m.Metadata.PagingState != nil {
			add("rows with paging state")
		}
		if m.Metadata.Flags&MetadataNoMetadata != 0 {
			add("rows without metadata")
		}
		if m.Metadata.NewMetadataID != nil {
			add("rows with new metadata id")
		}
	case *PreparedResult:
		if m.ResultMetadataID != nil {
			add("prepared with result metadata id")
		}
	}
	return out
}

// rspCheckCaptured checks one captured server frame and returns what it
// counted.
func rspCheckCaptured(t *testing.T, name string, h Header, raw []byte, c Compressor) []string {
	t.Helper()
	what := fmt.Sprintf("%s: %v stream %d %v", name, h.Version, h.Stream, h.Opcode)
	if !h.Response || h.Opcode.IsRequest() {
		t.Errorf("%s: not a response", what)
		return nil
	}
	f, _, err := ParseFrame(h, raw, c, nil, 0)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return nil
	}
	m, err := rspDecode(h.Opcode, f.Body, h.Version)
	if err != nil {
		t.Errorf("%s: %v\n% x", what, err, f.Body)
		return nil
	}
	what += " " + rspKey(h.Version, m)
	enc, err := m.Encode(nil, h.Version)
	if err != nil {
		t.Errorf("%s: re-encoding %#v: %v", what, m, err)
		return nil
	}
	sameBody := bytes.Equal(enc, f.Body)
	if !sameBody {
		if h.Opcode != OpSupported {
			t.Errorf("%s: re-encoded body differs\n got % x\nwant % x", what, enc, f.Body)
			return nil
		}
		// Cassandra's multimap order is not sorted: compare the maps.
		m2 := &Supported{}
		if err := m2.Decode(enc, h.Version); err != nil || len(enc) != len(f.Body) || !reflect.DeepEqual(m, m2) {
			t.Errorf("%s: re-encoded options differ (%v)\n got % x\nwant % x", what, err, enc, f.Body)
			return nil
		}
	}

	// The whole frame through AppendFrame. A compressed frame is compared
	// with the frame it would be uncompressed: same header with the
	// compression flag off and the decompressed length.
	in := Header{Version: h.Version, Stream: h.Stream, Flags: h.Flags & (FlagTracing | FlagBeta)}
	again, err := AppendFrame(nil, in, &f.Envelope, m, nil)
	if err != nil {
		t.Errorf("%s: AppendFrame: %v", what, err)
		return nil
	}
	want := append([]byte(nil), raw...)
	wh := h
	if h.Flags&FlagCompression != 0 {
		plain, err := c.AppendDecompressed(nil, raw, 0)
		if err != nil {
			t.Errorf("%s: %v", what, err)
			return nil
		}
		want = plain
		wh.Flags &^= FlagCompression
		wh.Length = int32(len(plain))
	}
	want = append(AppendHeader(nil, wh), want...)
	if sameBody && !bytes.Equal(again, want) {
		t.Errorf("%s: AppendFrame re-encoded\n got % x\nwant % x", what, again, want)
	}
	if !sameBody && (len(again) != len(want) || !bytes.Equal(again[:HeaderSize], want[:HeaderSize])) {
		t.Errorf("%s: AppendFrame re-encoded\n got % x\nwant % x", what, again, want)
	}
	counted := append([]string{rspKey(h.Version, m)}, rspFeatures(h.Version, f, m)...)
	if !sameBody {
		counted = append(counted, fmt.Sprintf("+ %v SUPPORTED unsorted, compared as maps", h.Version))
	}
	return counted
}
