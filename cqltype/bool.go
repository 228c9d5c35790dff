package cqltype

import (
	"reflect"

	"github.com/cqlgo/cassandra/frame"
)

// boolean is one byte: 0 is false, anything else true (the driver writes 1).

func appendBool(dst []byte, v any) ([]byte, error) {
	b, ok := v.(bool)
	if !ok {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Bool {
			return dst, errWrongGoType
		}
		b = rv.Bool()
	}
	if b {
		return append(dst, 1), nil
	}
	return append(dst, 0), nil
}

// decodeBool decodes a boolean; null is false.
func decodeBool(data []byte) (bool, error) {
	switch len(data) {
	case 0:
		return false, nil
	case 1:
		return data[0] != 0, nil
	}
	return false, wrongLength(1, len(data))
}

func init() {
	register(&codec{append: ignoreType(appendBool), natural: naturalOf[bool](),
		decode: scalar(func(_ *frame.Type, data []byte) (bool, error) { return decodeBool(data) })}, frame.TypeBoolean)
}
