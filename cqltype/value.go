package cqltype

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"net"
	"net/netip"
	"reflect"
	"time"
	"unsafe"

	"github.com/google/uuid"
	"gopkg.in/inf.v0"

	"github.com/cqlgo/cassandra/frame"
)

// This file holds the entry points of the value codec: Marshal, AppendValue
// and Unmarshal, the extension interfaces, and the dispatch from a CQL type to
// the type-family files (value_int.go, value_text.go, ...). docs/types.md has
// the full mapping table.
//
// Encoding appends to a caller's buffer so the request path can write values
// straight into a frame without allocating; decoding tries a type switch over
// the common destination pointers before falling back to reflection.

// Marshaler is implemented by Go types that encode themselves as a CQL value.
// A nil result with a nil error means null.
type Marshaler interface {
	MarshalCQL(t *frame.Type) ([]byte, error)
}

// AppendMarshaler is the allocation-free form of Marshaler: AppendCQL
// appends the encoded value to dst and returns the extended slice. It cannot
// express null; a type that needs to should implement Marshaler instead. When
// a type implements both, AppendCQL is used.
type AppendMarshaler interface {
	AppendCQL(dst []byte, t *frame.Type) ([]byte, error)
}

// Unmarshaler is implemented by Go types that decode themselves from a CQL
// value. data is nil for null. data may alias a network buffer that is
// reused after the call returns, so an implementation that keeps it must
// copy it.
type Unmarshaler interface {
	UnmarshalCQL(t *frame.Type, data []byte) error
}

type unsetValue struct{}

// Unset is a value to bind that leaves the column unchanged, unlike nil,
// which writes a null (and, for a regular column, a tombstone). It needs
// protocol v4 or later and is only valid as a top-level bound value, not
// inside a collection, tuple or UDT.
var Unset = unsetValue{}

// Marshal encodes v as a value of CQL type t. It returns a nil slice for null
// (a nil interface, a nil pointer, or a Marshaler returning nil) and a
// non-nil slice, possibly empty, otherwise. Unset has no byte form, so
// marshalling it is an error; bind it with AppendValue instead.
func Marshal(t *frame.Type, v any) ([]byte, error) {
	out, null, err := appendBody(nil, t, v)
	if err != nil || null {
		return nil, err
	}
	if out == nil {
		out = []byte{}
	}
	return out, nil
}

// AppendValue appends v as a protocol [value] of CQL type t: a 4-byte length
// and the encoded bytes, length -1 for null, or -2 for Unset. On error dst is
// returned unchanged (truncated to its original length). With a reused
// buffer, common Go types encode without allocating.
func AppendValue(dst []byte, t *frame.Type, v any) ([]byte, error) {
	if t != nil {
		if out, ok := appendValueFast(dst, t, v); ok {
			return out, nil
		}
	}
	if _, ok := v.(unsetValue); ok {
		return frame.AppendInt(dst, -2), nil
	}
	return appendElem(dst, t, v, true)
}

// appendValueFast writes the bind values met most (Go integers into int
// and bigint, strings into text) without the generic path's interface
// checks, byte for byte as it would; ok false leaves every other case,
// out-of-range integers included, to it.
func appendValueFast(dst []byte, t *frame.Type, v any) ([]byte, bool) {
	var n int64
	switch x := v.(type) {
	case string:
		if (t.ID == frame.TypeVarchar || t.ID == frame.TypeASCII) && len(x) <= math.MaxInt32 {
			dst = binary.BigEndian.AppendUint32(dst, uint32(len(x)))
			return append(dst, x...), true
		}
		return dst, false
	case int:
		n = int64(x)
	case int64:
		n = x
	case int32:
		n = int64(x)
	default:
		return dst, false
	}
	switch t.ID {
	case frame.TypeInt:
		if n < math.MinInt32 || n > math.MaxInt32 {
			return dst, false
		}
		dst = append(dst, 0, 0, 0, 4)
		return binary.BigEndian.AppendUint32(dst, uint32(n)), true
	case frame.TypeBigint, frame.TypeCounter:
		dst = append(dst, 0, 0, 0, 8)
		return binary.BigEndian.AppendUint64(dst, uint64(n)), true
	}
	return dst, false
}

// appendElem appends v with an [int] length prefix, as values and the
// elements of collections, tuples and UDTs are written. nullOK false rejects
// null, which Cassandra refuses inside collections.
func appendElem(dst []byte, t *frame.Type, v any, nullOK bool) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	out, null, err := appendBody(dst, t, v)
	if err != nil {
		return dst[:start], err
	}
	if null {
		if !nullOK {
			return dst[:start], marshalErr(t, v, errNullElement)
		}
		return frame.AppendInt(out[:start], -1), nil
	}
	n := len(out) - start - 4
	if n > math.MaxInt32 {
		return dst[:start], marshalErrf(t, v, "%d bytes exceed the 2 GiB value limit", n)
	}
	binary.BigEndian.PutUint32(out[start:], uint32(n))
	return out, nil
}

// appendBody appends the encoding of v (without a length prefix) to dst.
// null reports that v is null, in which case nothing was appended.
func appendBody(dst []byte, t *frame.Type, v any) (out []byte, null bool, err error) {
	if t == nil {
		return dst, false, &MarshalError{CQLType: "<nil>", GoType: goTypeName(v), Err: errUnknownCQLType}
	}
	switch x := v.(type) {
	case nil:
		return dst, true, nil
	case unsetValue:
		return dst, false, marshalErr(t, v, errUnsetNotValue)
	case AppendMarshaler:
		if isNilPointer(v) {
			return dst, true, nil
		}
		out, err := x.AppendCQL(dst, t)
		if err != nil {
			return dst, false, wrapMarshalerErr(t, v, err)
		}
		return out, false, nil
	case Marshaler:
		if isNilPointer(v) {
			return dst, true, nil
		}
		b, err := x.MarshalCQL(t)
		if err != nil {
			return dst, false, wrapMarshalerErr(t, v, err)
		}
		if b == nil {
			return dst, true, nil
		}
		return append(dst, b...), false, nil
	}
	if b, ok := v.([]byte); ok && b == nil {
		return dst, true, nil
	}
	if err := checkComposite(t); err != nil {
		return dst, false, marshalErr(t, v, err)
	}
	out, err = appendByType(dst, t, v)
	if err == errIsNull {
		return dst, true, nil
	}
	if err == errWrongGoType {
		// Pointers are followed; a nil pointer is null.
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return dst, true, nil
			}
			return appendBody(dst, t, rv.Elem().Interface())
		}
		return dst, false, marshalErr(t, v, errWrongGoType)
	}
	if err != nil {
		if _, ok := err.(*MarshalError); !ok {
			err = marshalErr(t, v, err)
		}
		return dst, false, err
	}
	return out, false, nil
}

func wrapMarshalerErr(t *frame.Type, v any, err error) error {
	if _, ok := err.(*MarshalError); ok {
		return err
	}
	return marshalErr(t, v, err)
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// appendByType dispatches on the CQL type. A family function returns the
// bare errWrongGoType when it does not accept v's Go type, so appendBody can
// follow pointers before giving up; other reasons are returned as
// *MarshalError or bare reasons that appendBody wraps.
func appendByType(dst []byte, t *frame.Type, v any) ([]byte, error) {
	if c := codecOf(t.ID); c != nil {
		return c.append(dst, t, v)
	}
	return dst, marshalErr(t, v, errUnknownCQLType)
}

// Unmarshal decodes data, a value of CQL type t, into dst, which must be a
// non-nil pointer. data nil is null: a pointer field (**T) becomes nil, any
// other destination its zero value. An empty (non-nil) data is also read as
// null except for text, ascii, blob and custom types, where it is the empty
// string or slice. Blobs are copied, so dst never aliases data.
func Unmarshal(t *frame.Type, data []byte, dst any) error { return unmarshal(nil, t, data, dst) }

func unmarshal(ut *UserTypes, t *frame.Type, data []byte, dst any) error {
	if t == nil {
		return &UnmarshalError{CQLType: "<nil>", GoType: goTypeName(dst), Err: errUnknownCQLType}
	}
	// The common destinations first, without reflection: unmarshalFast
	// only takes pointer types, and a nil one has a nil data word.
	if dst != nil && (*eface)(unsafe.Pointer(&dst)).data != nil {
		if handled, err := unmarshalFast(ut, t, data, dst); handled {
			return err
		}
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return unmarshalErr(t, dst, errNotPointer)
	}
	if u, ok := dst.(Unmarshaler); ok {
		return u.UnmarshalCQL(t, data)
	}
	return decodeReflect(ut, t, data, rv.Elem())
}

// isNull reports whether data reads as null for t: nil, or empty for a type
// whose empty encoding is not a value of its own.
func isNull(t *frame.Type, data []byte) bool {
	if data == nil {
		return true
	}
	if len(data) > 0 {
		return false
	}
	switch t.ID {
	case frame.TypeASCII, frame.TypeVarchar, frame.TypeBlob, frame.TypeCustom:
		return false
	}
	return true
}

// unmarshalFast decodes into the common destination pointers without
// reflection. handled false means dst is not one of them (or not for this
// CQL type), and the reflective path decides.
func unmarshalFast(ut *UserTypes, t *frame.Type, data []byte, dst any) (handled bool, err error) {
	switch p := dst.(type) {
	case *any:
		v, err := decodeAny(ut, t, data)
		if err != nil {
			return true, err
		}
		*p = v
		return true, nil
	case *int64:
		if !isIntegerLike(t.ID) {
			return false, nil
		}
		n, err := decodeInt64(t, data)
		if err != nil {
			return true, unmarshalErr(t, dst, err)
		}
		*p = n
		return true, nil
	case *int:
		return decodeIntInto(t, data, p)
	case *int32:
		return decodeIntInto(t, data, p)
	case *int16:
		return decodeIntInto(t, data, p)
	case *int8:
		return decodeIntInto(t, data, p)
	case *string:
		switch t.ID {
		case frame.TypeASCII, frame.TypeVarchar, frame.TypeBlob:
			*p = string(data)
			return true, nil
		}
	case *[]byte:
		switch t.ID {
		case frame.TypeASCII, frame.TypeVarchar, frame.TypeBlob, frame.TypeCustom:
			if data == nil {
				*p = nil
			} else {
				*p = append(make([]byte, 0, len(data)), data...)
			}
			return true, nil
		}
	case *bool:
		if t.ID == frame.TypeBoolean {
			b, err := decodeBool(data)
			return true, wrapUnmarshal(t, dst, err, func() { *p = b })
		}
	case *float64:
		if t.ID == frame.TypeDouble || t.ID == frame.TypeFloat {
			f, err := decodeFloat64(t, data)
			return true, wrapUnmarshal(t, dst, err, func() { *p = f })
		}
	case *float32:
		if t.ID == frame.TypeDouble || t.ID == frame.TypeFloat {
			f, err := decodeFloat32(t, data)
			return true, wrapUnmarshal(t, dst, err, func() { *p = f })
		}
	case *time.Time:
		if t.ID == frame.TypeTimestamp || t.ID == frame.TypeDate {
			tm, err := decodeTimeTime(t, data)
			return true, wrapUnmarshal(t, dst, err, func() { *p = tm })
		}
	case *time.Duration:
		if t.ID == frame.TypeTime || t.ID == frame.TypeDuration {
			d, err := decodeGoDuration(t, data)
			return true, wrapUnmarshal(t, dst, err, func() { *p = d })
		}
	case *uuid.UUID:
		if t.ID == frame.TypeUUID || t.ID == frame.TypeTimeUUID {
			u, err := decodeUUID(t, data)
			return true, wrapUnmarshal(t, dst, err, func() { *p = u })
		}
	case *netip.Addr:
		if t.ID == frame.TypeInet {
			a, err := decodeInet(data)
			return true, wrapUnmarshal(t, dst, err, func() { *p = a })
		}
	case *net.IP:
		if t.ID == frame.TypeInet {
			a, err := decodeInet(data)
			return true, wrapUnmarshal(t, dst, err, func() {
				if a.IsValid() {
					*p = net.IP(a.AsSlice())
				} else {
					*p = nil
				}
			})
		}
	case **big.Int:
		if isIntegerLike(t.ID) && t.ID != frame.TypeTimestamp && t.ID != frame.TypeTime {
			b, err := decodeBigInt(t, data)
			return true, wrapUnmarshal(t, dst, err, func() { *p = b })
		}
	case **inf.Dec:
		if t.ID == frame.TypeDecimal {
			d, err := decodeDecimal(data)
			return true, wrapUnmarshal(t, dst, err, func() { *p = d })
		}
	case *Date:
		if t.ID == frame.TypeDate {
			d, err := decodeDate(data)
			return true, wrapUnmarshal(t, dst, err, func() { *p = d })
		}
	case *Duration:
		if t.ID == frame.TypeDuration {
			d, err := decodeDuration(data)
			return true, wrapUnmarshal(t, dst, err, func() { *p = d })
		}
	case *[]float32:
		if t.ID == frame.TypeVector && len(t.Elems) == 1 && t.Elems[0] != nil && t.Elems[0].ID == frame.TypeFloat {
			return true, wrapUnmarshal(t, dst, decodeFloat32Vector(t, data, p), func() {})
		}
	}
	return false, nil
}

// wrapUnmarshal runs set when err is nil, or wraps err for dst.
func wrapUnmarshal(t *frame.Type, dst any, err error, set func()) error {
	if err != nil {
		if _, ok := err.(*UnmarshalError); ok {
			return err
		}
		return unmarshalErr(t, dst, err)
	}
	set()
	return nil
}

// DecodeAny decodes data into the Go type that represents t best (see
// docs/types.md): int32 for int, string for text, []float32 for
// vector<float, n> and so on. Null is a nil interface.
func DecodeAny(t *frame.Type, data []byte) (any, error) { return decodeAny(nil, t, data) }

func decodeAny(ut *UserTypes, t *frame.Type, data []byte) (any, error) {
	if isNull(t, data) {
		return nil, nil
	}
	if isComposite(t.ID) {
		if err := checkComposite(t); err != nil {
			return nil, unmarshalErrT(t, anyType, err)
		}
		rt, err := naturalType(ut, t)
		if err != nil {
			return nil, unmarshalErrT(t, anyType, err)
		}
		rv := reflect.New(rt).Elem()
		if err := decodeReflect(ut, t, data, rv); err != nil {
			return nil, err
		}
		return rv.Interface(), nil
	}
	v, err := decodeScalar(t, data)
	if err != nil {
		return nil, unmarshalErrT(t, anyType, err)
	}
	return v, nil
}

var anyType = reflect.TypeFor[any]()

// checkComposite rejects malformed composite types (as a hand-built
// frame.Type may be) so that no code path indexes past t.Elems.
func checkComposite(t *frame.Type) error {
	want := -1
	switch t.ID {
	case frame.TypeList, frame.TypeSet, frame.TypeVector:
		want = 1
	case frame.TypeMap:
		want = 2
	case frame.TypeTuple:
	case frame.TypeUDT:
		want = len(t.FieldNames)
	default:
		return nil
	}
	if want >= 0 && len(t.Elems) != want {
		return fmt.Errorf("%w: %s with %d element types", errUnknownCQLType, t.ID, len(t.Elems))
	}
	for _, e := range t.Elems {
		if e == nil {
			return fmt.Errorf("%w: %s with a nil element type", errUnknownCQLType, t.ID)
		}
	}
	if t.ID == frame.TypeVector && t.Dimensions <= 0 {
		return fmt.Errorf("%w: vector dimension %d", errUnknownCQLType, t.Dimensions)
	}
	return nil
}

func isComposite(id frame.TypeID) bool {
	c := codecOf(id)
	return c != nil && c.decodeInto != nil
}

// decodeScalar decodes a non-null value of a non-composite type into its
// natural Go type. It returns bare reasons for the caller to wrap.
func decodeScalar(t *frame.Type, data []byte) (any, error) {
	if c := codecOf(t.ID); c != nil && c.decode != nil {
		return c.decode(t, data)
	}
	return nil, errUnknownCQLType
}

// naturalType is the Go type DecodeAny produces for t.
func naturalType(ut *UserTypes, t *frame.Type) (reflect.Type, error) {
	if c := codecOf(t.ID); c != nil {
		return c.natural(ut, t)
	}
	return nil, errUnknownCQLType
}

// decodeReflect decodes data into rv, a settable value. It is the general
// path, shared by Unmarshal and by the row scanner for struct fields.
func decodeReflect(ut *UserTypes, t *frame.Type, data []byte, rv reflect.Value) error {
	if rv.CanAddr() {
		p := rv.Addr().Interface()
		if u, ok := p.(Unmarshaler); ok {
			return u.UnmarshalCQL(t, data)
		}
		if handled, err := unmarshalFast(ut, t, data, p); handled {
			return err
		}
	}
	switch rv.Kind() {
	case reflect.Pointer:
		if isNull(t, data) {
			rv.SetZero()
			return nil
		}
		if rv.IsNil() {
			rv.Set(reflect.New(rv.Type().Elem()))
		}
		return decodeReflect(ut, t, data, rv.Elem())
	case reflect.Interface:
		if rv.NumMethod() != 0 {
			return unmarshalErrT(t, rv.Type(), errWrongGoType)
		}
		v, err := decodeAny(ut, t, data)
		if err != nil {
			return err
		}
		if v == nil {
			rv.SetZero()
		} else {
			rv.Set(reflect.ValueOf(v))
		}
		return nil
	}
	if isNull(t, data) {
		rv.SetZero()
		return nil
	}
	err := checkComposite(t)
	if err == nil {
		switch c := codecOf(t.ID); {
		case c == nil:
			err = errUnknownCQLType
		case c.decodeInto != nil:
			err = c.decodeInto(ut, t, data, rv)
		default:
			var v any
			if v, err = c.decode(t, data); err == nil {
				err = assignScalar(rv, v)
			}
		}
	}
	if err != nil {
		if _, ok := err.(*UnmarshalError); !ok {
			err = unmarshalErrT(t, rv.Type(), err)
		}
	}
	return err
}

func unmarshalErrT(t *frame.Type, rt reflect.Type, reason error) *UnmarshalError {
	return &UnmarshalError{CQLType: t.String(), GoType: rt.String(), Err: reason}
}

// assignScalar stores v, a natural scalar value, in rv, converting between
// Go types when no data is lost: an int32 into an int64 field, a bigint into
// an int8 field when it fits, a string into a named string type.
func assignScalar(rv reflect.Value, v any) error {
	src := reflect.ValueOf(v)
	if src.Type().AssignableTo(rv.Type()) {
		rv.Set(src)
		return nil
	}
	switch x := v.(type) {
	case int8:
		return setIntValue(rv, int64(x))
	case int16:
		return setIntValue(rv, int64(x))
	case int32:
		return setIntValue(rv, int64(x))
	case int64:
		return setIntValue(rv, x)
	case *big.Int:
		if rv.Kind() == reflect.Uint64 || rv.Kind() == reflect.Uint || rv.Kind() == reflect.Uintptr {
			if x.Sign() < 0 || !x.IsUint64() || rv.OverflowUint(x.Uint64()) {
				return errOutOfRange
			}
			rv.SetUint(x.Uint64())
			return nil
		}
		if isIntKind(rv.Kind()) {
			if !x.IsInt64() {
				return errOutOfRange
			}
			return setIntValue(rv, x.Int64())
		}
	case float32:
		if isFloatKind(rv.Kind()) {
			rv.SetFloat(float64(x))
			return nil
		}
	case float64:
		switch rv.Kind() {
		case reflect.Float64:
			rv.SetFloat(x)
			return nil
		case reflect.Float32:
			if float64(float32(x)) != x && x == x {
				return errOutOfRange
			}
			rv.SetFloat(x)
			return nil
		}
	case string:
		switch {
		case rv.Kind() == reflect.String:
			rv.SetString(x)
			return nil
		case isByteSlice(rv.Type()):
			rv.SetBytes([]byte(x))
			return nil
		}
	case []byte:
		switch {
		case rv.Kind() == reflect.String:
			rv.SetString(string(x))
			return nil
		case isByteSlice(rv.Type()):
			rv.SetBytes(x)
			return nil
		}
	case bool:
		if rv.Kind() == reflect.Bool {
			rv.SetBool(x)
			return nil
		}
	case uuid.UUID:
		if rv.Kind() == reflect.String {
			rv.SetString(x.String())
			return nil
		}
	case netip.Addr:
		if rv.Kind() == reflect.String {
			rv.SetString(x.String())
			return nil
		}
	}
	// Named types over the same underlying struct or array, such as
	// type ID uuid.UUID or a [16]byte.
	if src.Kind() == rv.Kind() && (src.Kind() == reflect.Struct || src.Kind() == reflect.Array) &&
		src.Type().ConvertibleTo(rv.Type()) {
		rv.Set(src.Convert(rv.Type()))
		return nil
	}
	return errWrongGoType
}

func isIntKind(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Int64 }

func isUintKind(k reflect.Kind) bool { return k >= reflect.Uint && k <= reflect.Uintptr }

func isFloatKind(k reflect.Kind) bool { return k == reflect.Float32 || k == reflect.Float64 }

func isByteSlice(rt reflect.Type) bool {
	return rt.Kind() == reflect.Slice && rt.Elem().Kind() == reflect.Uint8
}

// setIntValue stores n in an integer or float field, failing rather than
// truncating when it does not fit.
func setIntValue(rv reflect.Value, n int64) error {
	k := rv.Kind()
	switch {
	case isIntKind(k):
		if rv.OverflowInt(n) {
			return errOutOfRange
		}
		rv.SetInt(n)
		return nil
	case isUintKind(k):
		if n < 0 || rv.OverflowUint(uint64(n)) {
			return errOutOfRange
		}
		rv.SetUint(uint64(n))
		return nil
	case isFloatKind(k):
		if !intFitsFloat(n, k == reflect.Float32) {
			return errOutOfRange
		}
		rv.SetFloat(float64(n))
		return nil
	}
	return errWrongGoType
}
