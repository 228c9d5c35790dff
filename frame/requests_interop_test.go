package frame

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// The request decoders against what a real driver sent: every client frame
// of the uncompressed sessions in testdata/capture (the Python driver
// talking to Cassandra 2.1 and 5.0, see its README) must decode, and must
// encode back to the same body. STARTUP is the exception for bytes: the
// driver sends its options unsorted, so only the decoded map is compared.

func reqNewByOpcode(op Opcode) Message {
	switch op {
	case OpStartup:
		return &Startup{}
	case OpAuthResponse:
		return &AuthResponse{}
	case OpOptions:
		return &Options{}
	case OpQuery:
		return &Query{}
	case OpPrepare:
		return &Prepare{}
	case OpExecute:
		return &Execute{}
	case OpBatch:
		return &Batch{}
	case OpRegister:
		return &Register{}
	}
	return nil
}

func TestRequestsDecodeRealCaptures(t *testing.T) {
	dirs := map[string]Version{"2.1/v3-none": V3, "5.0/v4-none": V4, "5.0/v5-none": V5}
	for dir, v := range dirs {
		t.Run(dir, func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join("..", "testdata", "capture", dir, "conn-*.c2s.bin"))
			if len(files) == 0 {
				t.Skip("no capture in ../testdata/capture/" + dir)
			}
			seen := map[Opcode]int{}
			for _, f := range files {
				stream, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				reqEachClientFrame(t, filepath.Base(f), stream, v, func(h Header, body []byte) {
					reqCheckCaptured(t, h, body)
					seen[h.Opcode]++
				})
			}
			for _, op := range []Opcode{OpStartup, OpQuery, OpPrepare, OpExecute, OpRegister} {
				if seen[op] == 0 {
					t.Errorf("no %v request in the captures", op)
				}
			}
			t.Logf("decoded %v", seen)
		})
	}
}

// reqEachClientFrame walks a client stream: plain frames until STARTUP and,
// in v5, segments after it.
func reqEachClientFrame(t *testing.T, name string, stream []byte, v Version, fn func(Header, []byte)) {
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
		if h.Opcode == OpStartup && v >= V5 {
			break
		}
	}
	if off == len(stream) {
		return
	}
	d := SegmentDecoder{}
	d.Feed(stream[off:])
	for d.Next() {
		fn(d.Header(), d.Body())
	}
	if err := d.Err(); err != nil {
		t.Fatalf("%s: segments after STARTUP: %v", name, err)
	}
	if err := d.Finish(); err != nil {
		t.Fatalf("%s: segments after STARTUP: %v", name, err)
	}
}

func reqCheckCaptured(t *testing.T, h Header, body []byte) {
	t.Helper()
	what := fmt.Sprintf("%v stream %d %v", h.Version, h.Stream, h.Opcode)
	if h.Response || !h.Opcode.IsRequest() {
		t.Errorf("%s: not a request", what)
		return
	}
	if h.Flags&(FlagCompression|FlagCustomPayload) != 0 {
		t.Logf("%s: flags 0x%02x, body not checked", what, byte(h.Flags))
		return
	}
	m := reqNewByOpcode(h.Opcode)
	if err := m.Decode(body, h.Version); err != nil {
		t.Errorf("%s: %v\n% x", what, err, body)
		return
	}
	enc, err := m.Encode(nil, h.Version)
	if err != nil {
		t.Errorf("%s: re-encoding %#v: %v", what, m, err)
		return
	}
	if h.Opcode == OpStartup {
		m2 := reqNewByOpcode(h.Opcode)
		if err := m2.Decode(enc, h.Version); err != nil || !reflect.DeepEqual(m, m2) {
			t.Errorf("%s: re-encoded options differ: %v", what, err)
		}
		return
	}
	if !bytes.Equal(enc, body) {
		t.Errorf("%s: re-encoded body differs\n got % x\nwant % x", what, enc, body)
	}
}
