package cqltype

import (
	"reflect"

	"github.com/cqlgo/cassandra/frame"
)

// ascii and text (varchar) are the string's bytes. The server validates
// ASCII and UTF-8; the driver passes bytes through unchanged both ways.

func appendText(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		return append(dst, x...), nil
	case []byte:
		return append(dst, x...), nil
	}
	return appendStringKind(dst, v)
}

// appendStringKind accepts named string and byte-slice types.
func appendStringKind(dst []byte, v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	switch {
	case rv.Kind() == reflect.String:
		return append(dst, rv.String()...), nil
	case isByteSlice(rv.Type()):
		return append(dst, rv.Bytes()...), nil
	}
	return dst, errWrongGoType
}

func init() {
	register(&codec{append: ignoreType(appendText), natural: naturalOf[string](),
		decode: func(_ *frame.Type, data []byte) (any, error) { return string(data), nil }}, frame.TypeASCII, frame.TypeVarchar)
}
