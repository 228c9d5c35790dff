package cqltype

import (
	"encoding/binary"
	"reflect"
	"time"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra/frame"
)

// Plans: a prepared statement knows each column's CQL type once, and a scan
// target its Go type, so the choice of codec can be made once per
// (CQL type, Go type) pair instead of per value. The common pairs get a
// closure with no type switch and no reflection; every other pair falls back
// to Unmarshal/appendBody, which are correct for all of them.

// decodeFunc decodes one value into dst, a pointer of the Go type the plan
// was built for. data nil is null; data may alias the frame buffer.
type decodeFunc func(data []byte, dst any) error

// encodeFunc appends the body of v (no length prefix) to dst; null reports
// a null value, for which nothing was appended.
type encodeFunc func(dst []byte, v any) (out []byte, null bool, err error)

var (
	ptrInt64Type  = reflect.TypeFor[*int64]()
	ptrInt32Type  = reflect.TypeFor[*int32]()
	ptrStringType = reflect.TypeFor[*string]()
	ptrBytesType  = reflect.TypeFor[*[]byte]()
	ptrUUIDType   = reflect.TypeFor[*uuid.UUID]()
	ptrTimeType   = reflect.TypeFor[*time.Time]()
	ptrBoolType   = reflect.TypeFor[*bool]()
	ptrAnyType    = reflect.TypeFor[*any]()
)

// planDecode returns a decoder for values of CQL type t into destinations
// of pointer type ptr. The row scanner builds one per column when result
// metadata arrives; for a struct field it passes field.Addr().Interface()
// (which does not allocate) as dst, with ptr = reflect.PointerTo(field type).
func planDecode(t *frame.Type, ptr reflect.Type) decodeFunc {
	slow := func(data []byte, dst any) error { return Unmarshal(t, data, dst) }
	switch {
	case ptr == ptrInt64Type && (t.ID == frame.TypeBigint || t.ID == frame.TypeCounter):
		return func(data []byte, dst any) error {
			p, ok := dst.(*int64)
			if !ok || len(data) != 8 {
				return slow(data, dst)
			}
			*p = int64(binary.BigEndian.Uint64(data))
			return nil
		}
	case ptr == ptrInt32Type && t.ID == frame.TypeInt:
		return func(data []byte, dst any) error {
			p, ok := dst.(*int32)
			if !ok || len(data) != 4 {
				return slow(data, dst)
			}
			*p = int32(binary.BigEndian.Uint32(data))
			return nil
		}
	case ptr == ptrStringType && (t.ID == frame.TypeVarchar || t.ID == frame.TypeASCII):
		return func(data []byte, dst any) error {
			p, ok := dst.(*string)
			if !ok {
				return slow(data, dst)
			}
			*p = string(data)
			return nil
		}
	case ptr == ptrBytesType && t.ID == frame.TypeBlob:
		return func(data []byte, dst any) error {
			p, ok := dst.(*[]byte)
			if !ok || data == nil {
				return slow(data, dst)
			}
			*p = append(make([]byte, 0, len(data)), data...)
			return nil
		}
	case ptr == ptrUUIDType && t.ID == frame.TypeUUID:
		return func(data []byte, dst any) error {
			p, ok := dst.(*uuid.UUID)
			if !ok || len(data) != 16 {
				return slow(data, dst)
			}
			*p = uuid.UUID(data)
			return nil
		}
	case ptr == ptrBoolType && t.ID == frame.TypeBoolean:
		return func(data []byte, dst any) error {
			p, ok := dst.(*bool)
			if !ok || len(data) != 1 {
				return slow(data, dst)
			}
			*p = data[0] != 0
			return nil
		}
	case ptr == ptrTimeType && t.ID == frame.TypeTimestamp:
		return func(data []byte, dst any) error {
			p, ok := dst.(*time.Time)
			if !ok || len(data) != 8 {
				return slow(data, dst)
			}
			*p = time.UnixMilli(int64(binary.BigEndian.Uint64(data))).UTC()
			return nil
		}
	case ptr == ptrAnyType:
		return func(data []byte, dst any) error {
			p, ok := dst.(*any)
			if !ok {
				return slow(data, dst)
			}
			v, err := DecodeAny(t, data)
			if err == nil {
				*p = v
			}
			return err
		}
	}
	return slow
}

// planEncode returns an encoder for Go values of type rt bound to CQL type
// t. The binder builds one per bind marker of a prepared statement.
func planEncode(t *frame.Type, rt reflect.Type) encodeFunc {
	slow := func(dst []byte, v any) ([]byte, bool, error) { return appendBody(dst, t, v) }
	switch {
	case rt == reflect.TypeFor[int64]() && (t.ID == frame.TypeBigint || t.ID == frame.TypeCounter):
		return func(dst []byte, v any) ([]byte, bool, error) {
			n, ok := v.(int64)
			if !ok {
				return slow(dst, v)
			}
			return binary.BigEndian.AppendUint64(dst, uint64(n)), false, nil
		}
	case rt == reflect.TypeFor[string]() && (t.ID == frame.TypeVarchar || t.ID == frame.TypeASCII || t.ID == frame.TypeBlob):
		return func(dst []byte, v any) ([]byte, bool, error) {
			s, ok := v.(string)
			if !ok {
				return slow(dst, v)
			}
			return append(dst, s...), false, nil
		}
	case rt == reflect.TypeFor[uuid.UUID]() && t.ID == frame.TypeUUID:
		return func(dst []byte, v any) ([]byte, bool, error) {
			u, ok := v.(uuid.UUID)
			if !ok {
				return slow(dst, v)
			}
			return append(dst, u[:]...), false, nil
		}
	}
	return slow
}
