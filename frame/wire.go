package frame

import (
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
)

// This file holds the protocol's primitive notations (section 3 of the
// specs): append functions for encoding and a Reader for decoding.

// Reader decodes primitive notations from a byte slice. The first error is
// sticky: later reads return zero values and Err reports the first failure
// with its offset, so a decoder reads every field and checks once.
type Reader struct {
	b    []byte
	off  int
	what string
	err  error
}

// NewReader returns a Reader over b; what names the message for errors.
func NewReader(b []byte, what string) *Reader { return &Reader{b: b, what: what} }

// Reset points r at b, clearing any error.
func (r *Reader) Reset(b []byte, what string) { *r = Reader{b: b, what: what} }

// Err returns the first error met, or nil.
func (r *Reader) Err() error { return r.err }

// Offset returns the number of bytes consumed.
func (r *Reader) Offset() int { return r.off }

// Len returns the number of unread bytes.
func (r *Reader) Len() int { return len(r.b) - r.off }

// Rest returns the unread bytes without consuming them.
func (r *Reader) Rest() []byte { return r.b[r.off:] }

// Fail records err for field (if no error was recorded yet) at the current
// offset.
func (r *Reader) Fail(field string, err error) {
	if r.err == nil {
		what := r.what
		if field != "" {
			what += " " + field
		}
		r.err = &DecodeError{What: what, Offset: r.off, Err: err}
	}
}

// Failf is Fail with a formatted error.
func (r *Reader) Failf(field, format string, args ...any) { r.Fail(field, fmt.Errorf(format, args...)) }

// Done fails with ErrTrailingBytes if unread bytes remain, and returns Err.
func (r *Reader) Done() error {
	if r.err == nil && r.off != len(r.b) {
		r.Fail("end", fmt.Errorf("%w: %d", ErrTrailingBytes, len(r.b)-r.off))
	}
	return r.err
}

func (r *Reader) need(n int, field string) bool {
	if r.err != nil {
		return false
	}
	if n < 0 || len(r.b)-r.off < n {
		r.Fail(field, ErrTruncated)
		return false
	}
	return true
}

// Byte reads a [byte].
func (r *Reader) Byte(field string) byte {
	if !r.need(1, field) {
		return 0
	}
	v := r.b[r.off]
	r.off++
	return v
}

// Short reads a [short] (unsigned 16 bits).
func (r *Reader) Short(field string) uint16 {
	if !r.need(2, field) {
		return 0
	}
	v := binary.BigEndian.Uint16(r.b[r.off:])
	r.off += 2
	return v
}

// Int reads an [int].
func (r *Reader) Int(field string) int32 {
	if !r.need(4, field) {
		return 0
	}
	v := int32(binary.BigEndian.Uint32(r.b[r.off:]))
	r.off += 4
	return v
}

// Long reads a [long].
func (r *Reader) Long(field string) int64 {
	if !r.need(8, field) {
		return 0
	}
	v := int64(binary.BigEndian.Uint64(r.b[r.off:]))
	r.off += 8
	return v
}

// Raw reads n bytes, aliasing the input.
func (r *Reader) Raw(n int, field string) []byte {
	if !r.need(n, field) {
		return nil
	}
	v := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return v
}

// String reads a [string] (short length prefix).
func (r *Reader) String(field string) string {
	n := int(r.Short(field))
	return string(r.Raw(n, field))
}

// LongString reads a [long string] (int length prefix).
func (r *Reader) LongString(field string) string {
	n := r.Int(field)
	if n < 0 {
		r.Failf(field, "negative length %d", n)
		return ""
	}
	return string(r.Raw(int(n), field))
}

// UUID reads a [uuid].
func (r *Reader) UUID(field string) (u [16]byte) {
	copy(u[:], r.Raw(16, field))
	return u
}

// Count reads an [int] or [short] element count (per short) and checks that
// at least min bytes per element remain, so a hostile count cannot make the
// caller allocate more than the input justifies.
func (r *Reader) Count(field string, short bool, minPerElem int) int {
	var n int
	if short {
		n = int(r.Short(field))
	} else {
		n = int(r.Int(field))
	}
	if r.err != nil {
		return 0
	}
	if n < 0 {
		r.Failf(field, "negative count %d", n)
		return 0
	}
	if minPerElem > 0 && n > r.Len()/minPerElem {
		r.Failf(field, "count %d exceeds the %d bytes left: %w", n, r.Len(), ErrTruncated)
		return 0
	}
	return n
}

// StringList reads a [string list].
func (r *Reader) StringList(field string) []string {
	n := r.Count(field, true, 2)
	if n == 0 {
		return nil
	}
	l := make([]string, n)
	for i := range l {
		l[i] = r.String(field)
	}
	return l
}

// Bytes reads [bytes]: an int length, negative meaning null (nil). The
// result aliases the input.
func (r *Reader) Bytes(field string) []byte {
	n := r.Int(field)
	if n < 0 {
		return nil
	}
	return r.Raw(int(n), field)
}

// Value reads a [value]: like [bytes] but -2 means "unset". unset reports
// that case; null is a nil slice with unset false.
func (r *Reader) Value(field string) (v []byte, unset bool) {
	n := r.Int(field)
	switch {
	case n >= 0:
		v = r.Raw(int(n), field)
		if v == nil && r.err == nil {
			v = []byte{}
		}
		return v, false
	case n == -1:
		return nil, false
	case n == -2:
		return nil, true
	}
	r.Failf(field, "invalid value length %d", n)
	return nil, false
}

// ShortBytes reads [short bytes].
func (r *Reader) ShortBytes(field string) []byte {
	n := int(r.Short(field))
	return r.Raw(n, field)
}

// StringMap reads a [string map].
func (r *Reader) StringMap(field string) map[string]string {
	n := r.Count(field, true, 4)
	if n == 0 {
		return nil
	}
	m := make(map[string]string, n)
	for i := 0; i < n && r.err == nil; i++ {
		k := r.String(field)
		m[k] = r.String(field)
	}
	return m
}

// StringMultimap reads a [string multimap].
func (r *Reader) StringMultimap(field string) map[string][]string {
	n := r.Count(field, true, 4)
	if n == 0 {
		return nil
	}
	m := make(map[string][]string, n)
	for i := 0; i < n && r.err == nil; i++ {
		k := r.String(field)
		m[k] = r.StringList(field)
	}
	return m
}

// BytesMap reads a [bytes map]. Values are copied so the map outlives the
// frame buffer.
func (r *Reader) BytesMap(field string) map[string][]byte {
	n := r.Count(field, true, 6)
	if n == 0 {
		return nil
	}
	m := make(map[string][]byte, n)
	for i := 0; i < n && r.err == nil; i++ {
		k := r.String(field)
		v := r.Bytes(field)
		if v != nil {
			v = append([]byte{}, v...)
		}
		m[k] = v
	}
	return m
}

// Inet reads an [inet]: a one-byte address size, the address, an int port.
func (r *Reader) Inet(field string) netip.AddrPort {
	ip := r.InetAddr(field)
	port := r.Int(field)
	if r.err == nil && (port < 0 || port > math.MaxUint16) {
		r.Failf(field, "invalid port %d", port)
	}
	return netip.AddrPortFrom(ip, uint16(port))
}

// InetAddr reads an [inetaddr]: a one-byte size (4 or 16) and the address.
func (r *Reader) InetAddr(field string) netip.Addr {
	n := int(r.Byte(field))
	if r.err != nil {
		return netip.Addr{}
	}
	if n != 4 && n != 16 {
		r.Failf(field, "invalid address size %d", n)
		return netip.Addr{}
	}
	a, _ := netip.AddrFromSlice(r.Raw(n, field))
	return a
}

// Consistency reads a [consistency].
func (r *Reader) Consistency(field string) Consistency { return ConsistencyFromWire(r.Short(field)) }

// UnsignedVInt reads an [unsigned vint] (v5 segments and durations): the
// number of leading 1 bits of the first byte is the count of extra bytes.
func (r *Reader) UnsignedVInt(field string) uint64 {
	if !r.need(1, field) {
		return 0
	}
	v, n, err := ReadUnsignedVInt(r.b[r.off:])
	if err != nil {
		r.Fail(field, err)
		return 0
	}
	r.off += n
	return v
}

// VInt reads a [vint] (zig-zag encoded).
func (r *Reader) VInt(field string) int64 {
	u := r.UnsignedVInt(field)
	return int64(u>>1) ^ -int64(u&1)
}

// ReadUnsignedVInt decodes an unsigned vint from the start of b, returning
// the value and the number of bytes used.
func ReadUnsignedVInt(b []byte) (uint64, int, error) {
	if len(b) == 0 {
		return 0, 0, ErrTruncated
	}
	first := b[0]
	extra := 0
	for mask := byte(0x80); extra < 8 && first&mask != 0; mask >>= 1 {
		extra++
	}
	if len(b) < 1+extra {
		return 0, 0, ErrTruncated
	}
	var v uint64
	if extra < 8 {
		v = uint64(first & (0xff >> (extra + 1)))
	}
	for i := 1; i <= extra; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v, 1 + extra, nil
}

// AppendUnsignedVInt appends v as an unsigned vint.
func AppendUnsignedVInt(dst []byte, v uint64) []byte {
	// Number of significant bits decides the extra bytes: each extra byte
	// adds 8 bits and costs one bit of the first byte.
	extra := 0
	for extra < 8 && v >= 1<<(7*(extra+1)) {
		extra++
	}
	if extra == 8 {
		dst = append(dst, 0xff)
		return binary.BigEndian.AppendUint64(dst, v)
	}
	first := byte(v>>(8*extra)) | ^byte(0xff>>extra)
	dst = append(dst, first)
	for i := extra - 1; i >= 0; i-- {
		dst = append(dst, byte(v>>(8*i)))
	}
	return dst
}

// AppendVInt appends v as a zig-zag vint.
func AppendVInt(dst []byte, v int64) []byte {
	return AppendUnsignedVInt(dst, uint64(v<<1)^uint64(v>>63))
}

// AppendByte appends a [byte].
func AppendByte(dst []byte, v byte) []byte { return append(dst, v) }

// AppendShort appends a [short].
func AppendShort(dst []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(dst, v) }

// AppendInt appends an [int].
func AppendInt(dst []byte, v int32) []byte { return binary.BigEndian.AppendUint32(dst, uint32(v)) }

// AppendLong appends a [long].
func AppendLong(dst []byte, v int64) []byte { return binary.BigEndian.AppendUint64(dst, uint64(v)) }

// AppendString appends a [string]; the caller ensures len(s) <= 65535 or
// uses CheckString first.
func AppendString(dst []byte, s string) []byte {
	dst = AppendShort(dst, uint16(len(s)))
	return append(dst, s...)
}

// CheckString returns an EncodeError if s does not fit a [string].
func CheckString(what, s string) error {
	if len(s) > math.MaxUint16 {
		return &EncodeError{What: what, Err: fmt.Errorf("string of %d bytes exceeds 65535", len(s))}
	}
	return nil
}

// AppendLongString appends a [long string].
func AppendLongString(dst []byte, s string) []byte {
	dst = AppendInt(dst, int32(len(s)))
	return append(dst, s...)
}

// AppendUUID appends a [uuid].
func AppendUUID(dst []byte, u [16]byte) []byte { return append(dst, u[:]...) }

// AppendStringList appends a [string list].
func AppendStringList(dst []byte, l []string) []byte {
	dst = AppendShort(dst, uint16(len(l)))
	for _, s := range l {
		dst = AppendString(dst, s)
	}
	return dst
}

// AppendBytes appends [bytes]; nil is written as null (length -1).
func AppendBytes(dst []byte, b []byte) []byte {
	if b == nil {
		return AppendInt(dst, -1)
	}
	dst = AppendInt(dst, int32(len(b)))
	return append(dst, b...)
}

// AppendShortBytes appends [short bytes].
func AppendShortBytes(dst []byte, b []byte) []byte {
	dst = AppendShort(dst, uint16(len(b)))
	return append(dst, b...)
}

// AppendStringMap appends a [string map] in sorted key order, so encoding is
// deterministic.
func AppendStringMap(dst []byte, m map[string]string) []byte {
	dst = AppendShort(dst, uint16(len(m)))
	for _, k := range sortedKeys(m) {
		dst = AppendString(dst, k)
		dst = AppendString(dst, m[k])
	}
	return dst
}

// AppendStringMultimap appends a [string multimap] in sorted key order.
func AppendStringMultimap(dst []byte, m map[string][]string) []byte {
	dst = AppendShort(dst, uint16(len(m)))
	for _, k := range sortedKeys(m) {
		dst = AppendString(dst, k)
		dst = AppendStringList(dst, m[k])
	}
	return dst
}

// AppendBytesMap appends a [bytes map] in sorted key order.
func AppendBytesMap(dst []byte, m map[string][]byte) []byte {
	dst = AppendShort(dst, uint16(len(m)))
	for _, k := range sortedKeys(m) {
		dst = AppendString(dst, k)
		dst = AppendBytes(dst, m[k])
	}
	return dst
}

// AppendInetAddr appends an [inetaddr].
func AppendInetAddr(dst []byte, a netip.Addr) []byte {
	if a.Is4() {
		b := a.As4()
		return append(append(dst, 4), b[:]...)
	}
	b := a.As16()
	return append(append(dst, 16), b[:]...)
}

// AppendInet appends an [inet].
func AppendInet(dst []byte, ap netip.AddrPort) []byte {
	dst = AppendInetAddr(dst, ap.Addr())
	return AppendInt(dst, int32(ap.Port()))
}

// AppendConsistency appends a [consistency].
func AppendConsistency(dst []byte, c Consistency) []byte { return AppendShort(dst, c.Wire()) }
