package cqltype

import (
	"encoding/binary"
	"math"
	"math/big"
	"reflect"

	"github.com/cqlgo/cassandra/frame"
)

// Integers: tinyint (1 byte), smallint (2), int (4), bigint and counter (8),
// all big-endian two's complement. Any Go integer type is accepted when the
// value fits the column; floats and strings are not.

// intArg extracts an integer from v. ok is false when v is not an integer
// type; b is set instead of n for values beyond int64 (big uint64 or
// *big.Int).
func intArg(v any) (n int64, b *big.Int, ok bool) {
	switch x := v.(type) {
	case int:
		return int64(x), nil, true
	case int64:
		return x, nil, true
	case int32:
		return int64(x), nil, true
	case int16:
		return int64(x), nil, true
	case int8:
		return int64(x), nil, true
	case uint:
		return uintArg(uint64(x))
	case uint64:
		return uintArg(x)
	case uint32:
		return int64(x), nil, true
	case uint16:
		return int64(x), nil, true
	case uint8:
		return int64(x), nil, true
	case *big.Int:
		if x == nil {
			return 0, nil, false // a nil pointer: appendBody makes it null
		}
		if x.IsInt64() {
			return x.Int64(), nil, true
		}
		return 0, x, true
	case big.Int:
		if x.IsInt64() {
			return x.Int64(), nil, true
		}
		return 0, &x, true
	case float32, float64, string, bool:
		return 0, nil, false
	}
	rv := reflect.ValueOf(v)
	switch k := rv.Kind(); {
	case isIntKind(k):
		return rv.Int(), nil, true
	case isUintKind(k):
		return uintArg(rv.Uint())
	}
	return 0, nil, false
}

func uintArg(u uint64) (int64, *big.Int, bool) {
	if u > math.MaxInt64 {
		return 0, new(big.Int).SetUint64(u), true
	}
	return int64(u), nil, true
}

// intRange returns the bounds and width of a fixed-size integer type.
func intRange(id frame.TypeID) (lo, hi int64, size int) {
	switch id {
	case frame.TypeTinyint:
		return math.MinInt8, math.MaxInt8, 1
	case frame.TypeSmallint:
		return math.MinInt16, math.MaxInt16, 2
	case frame.TypeInt:
		return math.MinInt32, math.MaxInt32, 4
	}
	return math.MinInt64, math.MaxInt64, 8
}

func appendInteger(dst []byte, t *frame.Type, v any) ([]byte, error) {
	n, b, ok := intArg(v)
	if !ok {
		return dst, errWrongGoType
	}
	lo, hi, size := intRange(t.ID)
	if b != nil || n < lo || n > hi {
		return dst, marshalErr(t, v, errOutOfRange)
	}
	return appendFixedInt(dst, n, size), nil
}

func appendFixedInt(dst []byte, n int64, size int) []byte {
	switch size {
	case 1:
		return append(dst, byte(n))
	case 2:
		return binary.BigEndian.AppendUint16(dst, uint16(n))
	case 4:
		return binary.BigEndian.AppendUint32(dst, uint32(n))
	}
	return binary.BigEndian.AppendUint64(dst, uint64(n))
}

// isIntegerLike reports the CQL types that decode into Go integers:
// the integer family, varint (when it fits), timestamp (milliseconds since
// the epoch) and time (nanoseconds since midnight).
func isIntegerLike(id frame.TypeID) bool {
	switch id {
	case frame.TypeTinyint, frame.TypeSmallint, frame.TypeInt, frame.TypeBigint, frame.TypeCounter,
		frame.TypeVarint, frame.TypeTimestamp, frame.TypeTime:
		return true
	}
	return false
}

// decodeInt64 decodes an integer-like value; null is 0. It returns bare
// reasons.
func decodeInt64(t *frame.Type, data []byte) (int64, error) {
	if isNull(t, data) {
		return 0, nil
	}
	switch t.ID {
	case frame.TypeVarint:
		if len(data) <= 8 {
			return varintToInt64(data), nil
		}
		b, err := decodeBigInt(t, data)
		if err != nil {
			return 0, err
		}
		if !b.IsInt64() {
			return 0, errOutOfRange
		}
		return b.Int64(), nil
	case frame.TypeTime:
		d, err := decodeGoDuration(t, data)
		return int64(d), err
	}
	_, _, size := intRange(t.ID)
	if len(data) != size {
		return 0, wrongLength(size, len(data))
	}
	switch size {
	case 1:
		return int64(int8(data[0])), nil
	case 2:
		return int64(int16(binary.BigEndian.Uint16(data))), nil
	case 4:
		return int64(int32(binary.BigEndian.Uint32(data))), nil
	}
	return int64(binary.BigEndian.Uint64(data)), nil
}

// decodeIntInto is the fast path for *int, *int32, *int16 and *int8.
func decodeIntInto[T int | int32 | int16 | int8](t *frame.Type, data []byte, p *T) (bool, error) {
	if !isIntegerLike(t.ID) {
		return false, nil
	}
	n, err := decodeInt64(t, data)
	if err == nil && int64(T(n)) != n {
		err = errOutOfRange
	}
	if err != nil {
		return true, unmarshalErr(t, p, err)
	}
	*p = T(n)
	return true, nil
}

// intFitsFloat reports whether n converts to a float64 (or float32) and
// back unchanged.
func intFitsFloat(n int64, single bool) bool {
	if single {
		f := float32(n)
		return f < 0x1p63 && f >= -0x1p63 && int64(f) == n
	}
	f := float64(n)
	return f < 0x1p63 && f >= -0x1p63 && int64(f) == n
}

func init() {
	narrow := func(bits int) func(*frame.Type, []byte) (any, error) {
		return func(t *frame.Type, data []byte) (any, error) {
			n, err := decodeInt64(t, data)
			if err != nil {
				return nil, err
			}
			switch bits {
			case 8:
				return int8(n), nil
			case 16:
				return int16(n), nil
			case 32:
				return int32(n), nil
			}
			return n, nil
		}
	}
	register(&codec{append: appendInteger, natural: naturalOf[int8](), decode: narrow(8)}, frame.TypeTinyint)
	register(&codec{append: appendInteger, natural: naturalOf[int16](), decode: narrow(16)}, frame.TypeSmallint)
	register(&codec{append: appendInteger, natural: naturalOf[int32](), decode: narrow(32)}, frame.TypeInt)
	register(&codec{append: appendInteger, natural: naturalOf[int64](), decode: narrow(64)}, frame.TypeBigint, frame.TypeCounter)
}
