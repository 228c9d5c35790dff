package frame

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// rspHex parses annotated golden bytes: hex digits (spaces allowed), "quoted
// text" for its ASCII bytes, and comments from // to the end of the line.
func rspHex(s string) []byte {
	var out []byte
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		for len(line) > 0 {
			switch c := line[0]; {
			case c == ' ' || c == '\t':
				line = line[1:]
			case c == '"':
				end := strings.IndexByte(line[1:], '"')
				if end < 0 {
					panic("unterminated quote in golden: " + line)
				}
				out = append(out, line[1:1+end]...)
				line = line[2+end:]
			default:
				if len(line) < 2 {
					panic("odd hex digit in golden: " + line)
				}
				var b byte
				if _, err := fmt.Sscanf(line[:2], "%02x", &b); err != nil {
					panic("bad hex in golden: " + line)
				}
				out = append(out, b)
				line = line[2:]
			}
		}
	}
	if out == nil {
		out = []byte{}
	}
	return out
}

var rspVersions = []Version{V3, V4, V5}

// rspCase is one message with its exact bytes in one version.
type rspCase struct {
	name string
	v    Version
	msg  Message // the decoded value, also encoded
	body []byte
	// loose marks bodies whose prefixes or extensions may still decode
	// (an unknown error code keeps whatever follows the message).
	loose bool
}

// rspRunGolden checks, for every case: Decode(body) == msg, Encode(msg) ==
// body, Encode(Decode(body)) == body, every strict prefix of body fails with
// a *DecodeError, and a trailing byte is rejected.
func rspRunGolden(t *testing.T, newMsg func() Message, cases []rspCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%s", c.name, c.v), func(t *testing.T) {
			got := newMsg()
			if err := got.Decode(c.body, c.v); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !reflect.DeepEqual(got, c.msg) {
				t.Fatalf("Decode:\n got %#v\nwant %#v", got, c.msg)
			}
			enc, err := c.msg.Encode([]byte{0xEE}, c.v)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if enc[0] != 0xEE || !bytes.Equal(enc[1:], c.body) {
				t.Fatalf("Encode:\n got % x\nwant    % x", enc, c.body)
			}
			re, err := got.Encode(nil, c.v)
			if err != nil || !bytes.Equal(re, c.body) {
				t.Fatalf("re-encode of the decoded value: % x, %v", re, err)
			}
			if c.msg.Opcode() == OpResult {
				dm, err := DecodeResult(c.body, c.v)
				if err != nil || !reflect.DeepEqual(dm, c.msg) {
					t.Fatalf("DecodeResult = %#v, %v", dm, err)
				}
			}
			if c.loose {
				return
			}
			for i := 0; i < len(c.body); i++ {
				err := newMsg().Decode(c.body[:i], c.v)
				var de *DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("prefix of %d bytes: got %v, want a *DecodeError", i, err)
				}
			}
			long := append(append([]byte{}, c.body...), 0)
			if err := newMsg().Decode(long, c.v); !errors.Is(err, ErrTrailingBytes) {
				t.Fatalf("trailing byte: got %v, want ErrTrailingBytes", err)
			}
		})
	}
}

// rspForVersions repeats a version-independent case for each version.
func rspForVersions(vs []Version, name string, msg Message, body []byte) []rspCase {
	var cs []rspCase
	for _, v := range vs {
		cs = append(cs, rspCase{name: name, v: v, msg: msg, body: body})
	}
	return cs
}

func TestGoldenHelper(t *testing.T) {
	got := rspHex(`
		0003 "abc" // a [string]
		ff`)
	if want := []byte{0, 3, 'a', 'b', 'c', 0xff}; !bytes.Equal(got, want) {
		t.Fatalf("golden = % x", got)
	}
}

// rspAllocBytes returns the bytes f allocates per call, averaged over 100
// calls: hostile counts must fail without allocating what they announce.
func rspAllocBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < 100; i++ {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / 100
}
