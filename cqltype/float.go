package cqltype

import (
	"encoding/binary"
	"math"
	"reflect"

	"github.com/cqlgo/cassandra/frame"
)

// float is an IEEE 754 binary32 and double a binary64, big-endian. A float
// column takes a float64 only when float32 holds it exactly, and either
// column takes an integer only when the conversion is exact.

func appendFloat(dst []byte, t *frame.Type, v any) ([]byte, error) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		if t.ID == frame.TypeFloat {
			return binary.BigEndian.AppendUint32(dst, math.Float32bits(x)), nil
		}
		f = float64(x)
	default:
		if n, b, ok := intArg(v); ok {
			if b != nil || !intFitsFloat(n, t.ID == frame.TypeFloat) {
				return dst, marshalErr(t, v, errOutOfRange)
			}
			f = float64(n)
			break
		}
		rv := reflect.ValueOf(v)
		if !isFloatKind(rv.Kind()) {
			return dst, errWrongGoType
		}
		f = rv.Float()
	}
	if t.ID == frame.TypeFloat {
		f32 := float32(f)
		if float64(f32) != f && f == f {
			return dst, marshalErr(t, v, errOutOfRange)
		}
		return binary.BigEndian.AppendUint32(dst, math.Float32bits(f32)), nil
	}
	return binary.BigEndian.AppendUint64(dst, math.Float64bits(f)), nil
}

// decodeFloat64 decodes a float or double; null is 0.
func decodeFloat64(t *frame.Type, data []byte) (float64, error) {
	if len(data) == 0 {
		return 0, nil
	}
	if t.ID == frame.TypeFloat {
		f, err := decodeFloat32(t, data)
		return float64(f), err
	}
	if len(data) != 8 {
		return 0, wrongLength(8, len(data))
	}
	return math.Float64frombits(binary.BigEndian.Uint64(data)), nil
}

// decodeFloat32 decodes a float, or a double that float32 holds exactly.
func decodeFloat32(t *frame.Type, data []byte) (float32, error) {
	if len(data) == 0 {
		return 0, nil
	}
	if t.ID == frame.TypeDouble {
		f, err := decodeFloat64(t, data)
		if err == nil && float64(float32(f)) != f && f == f {
			err = errOutOfRange
		}
		return float32(f), err
	}
	if len(data) != 4 {
		return 0, wrongLength(4, len(data))
	}
	return math.Float32frombits(binary.BigEndian.Uint32(data)), nil
}

func init() {
	register(&codec{append: appendFloat, natural: naturalOf[float32](), decode: scalar(decodeFloat32)}, frame.TypeFloat)
	register(&codec{append: appendFloat, natural: naturalOf[float64](), decode: scalar(decodeFloat64)}, frame.TypeDouble)
}
