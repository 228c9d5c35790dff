package frame

import (
	"bytes"
	"fmt"
	"math"
	"net/netip"
)

// This file holds the encoding counterpart of Reader used by the response
// messages: rspEnc appends primitive notations and keeps the first error, so
// an encoder writes every field and checks once, the same way decoders do.

// rspEnc appends to a buffer and records the first value that does not fit
// its notation.
type rspEnc struct {
	b    []byte
	n0   int // len(b) on entry, restored on failure
	what string
	err  error
}

func newRspEnc(dst []byte, what string) rspEnc {
	return rspEnc{b: dst, n0: len(dst), what: what}
}

func (e *rspEnc) fail(field string, err error) {
	if e.err == nil {
		what := e.what
		if field != "" {
			what += " " + field
		}
		e.err = &EncodeError{What: what, Err: err}
	}
}

func (e *rspEnc) failf(field, format string, args ...any) { e.fail(field, fmt.Errorf(format, args...)) }

// done returns the extended buffer, or dst unchanged and the first error.
func (e *rspEnc) done() ([]byte, error) {
	if e.err != nil {
		return e.b[:e.n0], e.err
	}
	return e.b, nil
}

func (e *rspEnc) putByte(v byte)    { e.b = append(e.b, v) }
func (e *rspEnc) putShort(v uint16) { e.b = AppendShort(e.b, v) }
func (e *rspEnc) putInt(v int32)    { e.b = AppendInt(e.b, v) }

// putCount writes a non-negative element count as a [short] or an [int].
func (e *rspEnc) putCount(field string, n int, short bool) {
	max := math.MaxInt32
	if short {
		max = math.MaxUint16
	}
	if n < 0 || n > max {
		e.failf(field, "count %d does not fit", n)
		return
	}
	if short {
		e.putShort(uint16(n))
	} else {
		e.putInt(int32(n))
	}
}

func (e *rspEnc) putString(field, s string) {
	if len(s) > math.MaxUint16 {
		e.failf(field, "string of %d bytes exceeds 65535", len(s))
		return
	}
	e.b = AppendString(e.b, s)
}

func (e *rspEnc) putStringList(field string, l []string) {
	e.putCount(field, len(l), true)
	for _, s := range l {
		e.putString(field, s)
	}
}

func (e *rspEnc) putShortBytes(field string, b []byte) {
	if len(b) > math.MaxUint16 {
		e.failf(field, "%d bytes exceed 65535", len(b))
		return
	}
	e.b = AppendShortBytes(e.b, b)
}

// putBytes writes [bytes], nil as null.
func (e *rspEnc) putBytes(field string, b []byte) {
	if len(b) > math.MaxInt32 {
		e.failf(field, "%d bytes exceed the [bytes] limit", len(b))
		return
	}
	e.b = AppendBytes(e.b, b)
}

func (e *rspEnc) putInetAddr(field string, a netip.Addr) {
	if !a.IsValid() {
		e.fail(field, fmt.Errorf("invalid address"))
		return
	}
	e.b = AppendInetAddr(e.b, a)
}

func (e *rspEnc) putInet(field string, ap netip.AddrPort) {
	if !ap.Addr().IsValid() {
		e.fail(field, fmt.Errorf("invalid address"))
		return
	}
	e.b = AppendInet(e.b, ap)
}

func (e *rspEnc) putType(field string, t *Type) {
	if err := checkType(t, 0); err != nil {
		e.fail(field, err)
		return
	}
	e.b = AppendType(e.b, t)
}

// rspVersion fails r unless v is a supported protocol version.
func rspVersion(r *Reader, v Version) bool {
	if !v.Valid() {
		r.Fail("", &UnsupportedVersionError{Version: byte(v)})
		return false
	}
	return true
}

// rspEncVersion is rspVersion for encoders.
func rspEncVersion(e *rspEnc, v Version) bool {
	if !v.Valid() {
		e.fail("", &UnsupportedVersionError{Version: byte(v)})
		return false
	}
	return true
}

// cloneBytes copies b so it outlives the frame buffer, keeping nil (null)
// and empty apart.
func cloneBytes(b []byte) []byte { return bytes.Clone(b) }
