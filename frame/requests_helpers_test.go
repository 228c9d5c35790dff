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

// Helpers shared by the request message tests (startup_test.go, query_test.go
// ...). Names carry a req prefix to stay clear of the response tests in the
// same package.

// reqBytes concatenates golden byte fragments: []byte, byte, and string (its
// raw UTF-8 bytes, for the text after a hand-written length prefix).
func reqBytes(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case []byte:
			b = append(b, p...)
		case byte:
			b = append(b, p)
		case int:
			b = append(b, byte(p))
		case string:
			b = append(b, p...)
		default:
			panic(fmt.Sprintf("reqBytes: unexpected %T", p))
		}
	}
	return b
}

// reqGolden is one message and the body it must encode to for one version.
type reqGolden struct {
	name   string
	v      Version
	msg    Message
	golden []byte
}

// testReqGolden checks, for every case: Encode == golden (also appending
// after existing bytes), Decode(golden) == msg, re-encoding the decoded
// message gives golden again, every strict prefix of golden and golden plus
// a trailing byte fail with a *DecodeError, and decoding into a message that
// already holds another case replaces it entirely.
func testReqGolden(t *testing.T, newMsg func() Message, cases []reqGolden) {
	t.Helper()
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%v/%s", tc.v, tc.name), func(t *testing.T) {
			got, err := tc.msg.Encode(nil, tc.v)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			reqEqualBytes(t, "Encode", got, tc.golden)

			prefix := []byte{0xde, 0xad}
			got, err = tc.msg.Encode(prefix[:2:2], tc.v)
			if err != nil || !bytes.Equal(got[:2], prefix) || !bytes.Equal(got[2:], tc.golden) {
				t.Errorf("Encode after a prefix = % x, %v; want de ad then golden", got, err)
			}

			m := newMsg()
			if err := m.Decode(tc.golden, tc.v); err != nil {
				t.Fatalf("Decode(golden): %v", err)
			}
			if !reflect.DeepEqual(m, tc.msg) {
				t.Fatalf("Decode(golden) =\n%#v\nwant\n%#v", m, tc.msg)
			}
			again, err := m.Encode(nil, tc.v)
			if err != nil {
				t.Fatalf("re-Encode: %v", err)
			}
			reqEqualBytes(t, "re-Encode", again, tc.golden)

			for n := 0; n < len(tc.golden); n++ {
				reqWantDecodeError(t, fmt.Sprintf("prefix of %d bytes", n), newMsg().Decode(tc.golden[:n:n], tc.v))
			}
			trailing := append(append([]byte{}, tc.golden...), 0x00)
			reqWantDecodeError(t, "trailing byte", newMsg().Decode(trailing, tc.v))

			// Decode over a message holding another case of the table.
			other := cases[(i+1)%len(cases)]
			dirty := newMsg()
			if dirty.Decode(other.golden, other.v) == nil {
				if err := dirty.Decode(tc.golden, tc.v); err != nil || !reflect.DeepEqual(dirty, tc.msg) {
					t.Errorf("Decode over %q = %#v, %v; want %#v", other.name, dirty, err, tc.msg)
				}
			}
		})
	}
}

// reqEncodeErr is a message that must not encode for a version.
type reqEncodeErr struct {
	name string
	v    Version
	msg  Message
	is   error // when set, the error must match errors.Is
}

// testReqEncodeErrors checks that each case fails with an *EncodeError and
// leaves dst as it was.
func testReqEncodeErrors(t *testing.T, cases []reqEncodeErr) {
	t.Helper()
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%v/%s", tc.v, tc.name), func(t *testing.T) {
			dst := []byte{0xde, 0xad}
			out, err := tc.msg.Encode(dst, tc.v)
			var ee *EncodeError
			if !errors.As(err, &ee) {
				t.Fatalf("Encode error = %v (%T), want *EncodeError", err, err)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Encode error = %v, want it to wrap %v", err, tc.is)
			}
			if !bytes.Equal(out, dst) {
				t.Errorf("Encode changed dst on error: % x", out)
			}
		})
	}
}

// reqDecodeErr is a body that must not decode.
type reqDecodeErr struct {
	name   string
	v      Version
	body   []byte
	offset int    // expected DecodeError.Offset; -1 skips the check
	want   string // substring of the error text
	is     error  // when set, the error must match errors.Is
}

func testReqDecodeErrors(t *testing.T, newMsg func() Message, cases []reqDecodeErr) {
	t.Helper()
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%v/%s", tc.v, tc.name), func(t *testing.T) {
			err := newMsg().Decode(tc.body, tc.v)
			de := reqWantDecodeError(t, "Decode", err)
			if de == nil {
				return
			}
			if tc.offset >= 0 && de.Offset != tc.offset {
				t.Errorf("error offset = %d, want %d (%v)", de.Offset, tc.offset, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want it to contain %q", err, tc.want)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error = %v, want it to wrap %v", err, tc.is)
			}
		})
	}
}

func reqWantDecodeError(t *testing.T, what string, err error) *DecodeError {
	t.Helper()
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Errorf("%s: error = %v (%T), want *DecodeError", what, err, err)
		return nil
	}
	return de
}

func reqEqualBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	at := 0
	for at < len(got) && at < len(want) && got[at] == want[at] {
		at++
	}
	t.Fatalf("%s: first difference at byte %d\n got % x\nwant % x", what, at, got, want)
}

// reqDecodeBytesAllocated returns the bytes decode allocates per call, for
// checking that hostile counts allocate nothing near what they claim.
func reqDecodeBytesAllocated(decode func()) uint64 {
	const runs = 100
	decode()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		decode()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / runs
}
