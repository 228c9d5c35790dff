package cqltype

import (
	"reflect"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra/frame"
)

// uuid and timeuuid are 16 bytes. They accept uuid.UUID, [16]byte (and named
// types over it), a 16-byte []byte and a string in any form uuid.Parse
// understands. timeuuid values must be version 1, both ways.

func appendUUID(dst []byte, t *frame.Type, v any) ([]byte, error) {
	var u uuid.UUID
	switch x := v.(type) {
	case uuid.UUID:
		u = x
	case [16]byte:
		u = x
	case string:
		var err error
		if u, err = uuid.Parse(x); err != nil {
			return dst, err
		}
	case []byte:
		if len(x) != 16 {
			return dst, wrongLength(16, len(x))
		}
		u = uuid.UUID(x)
	default:
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Array || rv.Len() != 16 || rv.Type().Elem().Kind() != reflect.Uint8 {
			return dst, errWrongGoType
		}
		reflect.Copy(reflect.ValueOf(u[:]), rv)
	}
	if t.ID == frame.TypeTimeUUID && u.Version() != 1 {
		return dst, errTimeUUIDVer
	}
	return append(dst, u[:]...), nil
}

// decodeUUID decodes a uuid or timeuuid; null is the zero UUID.
func decodeUUID(t *frame.Type, data []byte) (uuid.UUID, error) {
	var u uuid.UUID
	if len(data) == 0 {
		return u, nil
	}
	if len(data) != 16 {
		return u, wrongLength(16, len(data))
	}
	copy(u[:], data)
	if t.ID == frame.TypeTimeUUID && u.Version() != 1 {
		return uuid.UUID{}, errTimeUUIDVer
	}
	return u, nil
}

func init() {
	register(&codec{append: appendUUID, natural: naturalOf[uuid.UUID](), decode: scalar(decodeUUID)}, frame.TypeUUID, frame.TypeTimeUUID)
}
