package cqltype

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"

	"github.com/cqlgo/cassandra/frame"
)

// vector<T, n> (Cassandra 5.0) has no count: the dimension is in the type.
// Elements of a fixed-size type (Cassandra's valueLengthIfFixed: boolean,
// int, bigint, float, double, timestamp, uuid, timeuuid, and vectors of
// those) are packed back to back; every other element carries an unsigned
// vint length. Elements cannot be null. Go values: a slice or array of
// length n; vectors decode to a typed slice such as []float32.

// vectorElemSize returns the encoded size of a fixed-size element type, or
// -1 for a variable-size one.
func vectorElemSize(t *frame.Type) int {
	switch t.ID {
	case frame.TypeBoolean:
		return 1
	case frame.TypeInt, frame.TypeFloat:
		return 4
	case frame.TypeBigint, frame.TypeDouble, frame.TypeTimestamp:
		return 8
	case frame.TypeUUID, frame.TypeTimeUUID:
		return 16
	case frame.TypeVector:
		if len(t.Elems) != 1 || t.Elems[0] == nil || t.Dimensions <= 0 {
			return -1
		}
		s := vectorElemSize(t.Elems[0])
		if s < 0 || t.Dimensions > math.MaxInt32/s {
			return -1
		}
		return s * t.Dimensions
	}
	return -1
}

func appendVector(dst []byte, t *frame.Type, v any) ([]byte, error) {
	elem, n := t.Elems[0], t.Dimensions
	switch x := v.(type) {
	case []float32:
		if x == nil {
			return dst, errIsNull
		}
		if elem.ID == frame.TypeFloat {
			if len(x) != n {
				return dst, fmt.Errorf("%w: %d elements for dimension %d", errCountMismatch, len(x), n)
			}
			for _, f := range x {
				dst = binary.BigEndian.AppendUint32(dst, math.Float32bits(f))
			}
			return dst, nil
		}
	case []float64:
		if x == nil {
			return dst, errIsNull
		}
		if elem.ID == frame.TypeDouble {
			if len(x) != n {
				return dst, fmt.Errorf("%w: %d elements for dimension %d", errCountMismatch, len(x), n)
			}
			for _, f := range x {
				dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(f))
			}
			return dst, nil
		}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return dst, errWrongGoType
	}
	if rv.Kind() == reflect.Slice && rv.IsNil() {
		return dst, errIsNull
	}
	if rv.Len() != n {
		return dst, fmt.Errorf("%w: %d elements for dimension %d", errCountMismatch, rv.Len(), n)
	}
	size := vectorElemSize(elem)
	for i := 0; i < n; i++ {
		var err error
		if dst, err = appendVectorElem(dst, elem, size, rv.Index(i).Interface()); err != nil {
			return dst, withPath(err, indexPath(i))
		}
	}
	return dst, nil
}

func appendVectorElem(dst []byte, elem *frame.Type, size int, v any) ([]byte, error) {
	start := len(dst)
	if size >= 0 {
		out, null, err := appendBody(dst, elem, v)
		switch {
		case err != nil:
			return dst[:start], err
		case null:
			return dst[:start], marshalErr(elem, v, errNullElement)
		case len(out)-start != size:
			return dst[:start], marshalErr(elem, v, wrongLength(size, len(out)-start))
		}
		return out, nil
	}
	// The length prefix comes first but is only known afterwards: encode,
	// then shift the body right by the prefix's size.
	out, null, err := appendBody(dst, elem, v)
	switch {
	case err != nil:
		return dst[:start], err
	case null:
		return dst[:start], marshalErr(elem, v, errNullElement)
	}
	n := len(out) - start
	var pre [9]byte
	p := frame.AppendUnsignedVInt(pre[:0], uint64(n))
	out = append(out, p...)
	copy(out[start+len(p):], out[start:start+n])
	copy(out[start:], p)
	return out, nil
}

// vectorReader splits a vector value into its elements.
type vectorReader struct {
	b    []byte
	size int
}

func (r *vectorReader) next() ([]byte, error) {
	n := r.size
	if n < 0 {
		u, k, err := frame.ReadUnsignedVInt(r.b)
		if err != nil {
			return nil, err
		}
		if u > math.MaxInt32 || int(u) > len(r.b)-k {
			return nil, errTruncated
		}
		r.b, n = r.b[k:], int(u)
	} else if n > len(r.b) {
		return nil, errTruncated
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v, nil
}

// checkVectorLen checks that data can hold n elements before anything is
// allocated for them.
func checkVectorLen(n, size, got int) error {
	if n <= 0 {
		return fmt.Errorf("%w: vector dimension %d", errUnknownCQLType, n)
	}
	if size >= 0 {
		if size > 0 && n > math.MaxInt32/size {
			return errOutOfRange
		}
		if got != n*size {
			return wrongLength(n*size, got)
		}
		return nil
	}
	if n > got { // each variable-size element needs at least its length byte
		return fmt.Errorf("%w: %d elements in %d bytes", errTruncated, n, got)
	}
	return nil
}

func decodeVector(ut *UserTypes, t *frame.Type, data []byte, rv reflect.Value) error {
	elem, n := t.Elems[0], t.Dimensions
	size := vectorElemSize(elem)
	if err := checkVectorLen(n, size, len(data)); err != nil {
		return err
	}
	var s reflect.Value
	switch rv.Kind() {
	case reflect.Slice:
		s = reflect.MakeSlice(rv.Type(), n, n)
	case reflect.Array:
		if rv.Len() != n {
			return fmt.Errorf("%w: dimension %d into an array of %d", errCountMismatch, n, rv.Len())
		}
		s = rv
	default:
		return errWrongGoType
	}
	r := vectorReader{b: data, size: size}
	for i := 0; i < n; i++ {
		b, err := r.next()
		if err != nil {
			return err
		}
		if isNull(elem, b) {
			return withPath(unmarshalErrT(elem, s.Type().Elem(), errNullElement), indexPath(i))
		}
		if err := decodeReflect(ut, elem, b, s.Index(i)); err != nil {
			return withPath(err, indexPath(i))
		}
	}
	if len(r.b) != 0 {
		return fmt.Errorf("%w: %d", errTrailing, len(r.b))
	}
	if rv.Kind() == reflect.Slice {
		rv.Set(s)
	}
	return nil
}

// decodeFloat32Vector is the fast path for vector<float, n> into
// *[]float32. It always makes a new slice: reusing the old array would
// change a vector the caller kept from an earlier row.
func decodeFloat32Vector(t *frame.Type, data []byte, p *[]float32) error {
	if len(data) == 0 {
		*p = nil
		return nil
	}
	n := t.Dimensions
	if err := checkVectorLen(n, 4, len(data)); err != nil {
		return err
	}
	s := make([]float32, n)
	for i := range s {
		s[i] = math.Float32frombits(binary.BigEndian.Uint32(data[4*i:]))
	}
	*p = s
	return nil
}

func init() {
	register(&codec{append: appendVector, natural: naturalSeq, decodeInto: decodeVector}, frame.TypeVector)
}
