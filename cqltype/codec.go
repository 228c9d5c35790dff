package cqltype

import (
	"reflect"

	"github.com/cqlgo/cassandra/frame"
)

// codec is how values of one CQL type convert. Every type registers one,
// from the file of its family (int.go, text.go, collection.go...), so a new
// CQL type is one file and one register call; the generic entry points
// (Marshal, Unmarshal, DecodeAny) only dispatch through the table.
type codec struct {
	// append writes the body of v (no length prefix).
	append func(dst []byte, t *frame.Type, v any) ([]byte, error)
	// natural is the Go type a value decodes to in *any.
	// ut, the registered user types, may be nil.
	natural func(ut *UserTypes, t *frame.Type) (reflect.Type, error)
	// decode, for scalar types, decodes a non-null value into its natural
	// Go type; it returns bare reasons for the caller to wrap.
	decode func(t *frame.Type, data []byte) (any, error)
	// decodeInto, for composite types, decodes a non-null value into rv,
	// a settable value of any Go type the codec accepts.
	// Values of interface type inside it decode with ut's registrations.
	decodeInto func(ut *UserTypes, t *frame.Type, data []byte, rv reflect.Value) error
}

// codecs is indexed by type id; vectors (not a wire id) sit in vectorCodec.
var (
	codecs      [0x40]*codec
	vectorCodec *codec
)

// register installs c for the type ids given. It runs from init functions
// only; a second codec for one id is a programming error.
func register(c *codec, ids ...frame.TypeID) {
	for _, id := range ids {
		slot := &vectorCodec
		if id != frame.TypeVector {
			slot = &codecs[id]
		}
		if *slot != nil {
			panic("cqltype: two codecs for " + id.String())
		}
		*slot = c
	}
}

// codecOf returns the codec of a type id, nil for an unknown one.
func codecOf(id frame.TypeID) *codec {
	if id == frame.TypeVector {
		return vectorCodec
	}
	if int(id) < len(codecs) {
		return codecs[id]
	}
	return nil
}

// naturalOf returns a natural-type function for a fixed Go type.
func naturalOf[T any]() func(*UserTypes, *frame.Type) (reflect.Type, error) {
	rt := reflect.TypeFor[T]()
	return func(*UserTypes, *frame.Type) (reflect.Type, error) { return rt, nil }
}

// scalar makes the decode function of a scalar codec from a typed one.
func scalar[T any](f func(t *frame.Type, data []byte) (T, error)) func(*frame.Type, []byte) (any, error) {
	return func(t *frame.Type, data []byte) (any, error) {
		v, err := f(t, data)
		if err != nil {
			return nil, err
		}
		return v, nil
	}
}

// ignoreType adapts an append function that does not need the type.
func ignoreType(f func(dst []byte, v any) ([]byte, error)) func([]byte, *frame.Type, any) ([]byte, error) {
	return func(dst []byte, _ *frame.Type, v any) ([]byte, error) { return f(dst, v) }
}
