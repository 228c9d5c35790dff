package cqltype

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"

	"github.com/cqlgo/cassandra/frame"
)

// list and set are an [int] count followed by that many [bytes] elements;
// map is a count followed by key and value pairs. (Protocol v3 and later;
// v1 and v2 used short lengths and are not supported.) Elements cannot be
// null. A nil Go slice or map is a null value, an empty one an empty value.

var (
	errIsNull              = errors.New("null")
	errMapKeyNotComparable = errors.New("map key type has no comparable Go type; scan into a typed map instead")
	errCountMismatch       = errors.New("element count does not match")
)

// elemReader walks the [int]-prefixed elements of a collection, tuple or
// UDT value.
type elemReader struct{ b []byte }

// count reads an element count and checks that each element can have its
// minPer bytes, so a hostile count cannot make the caller allocate more
// than the input justifies.
func (r *elemReader) count(minPer int) (int, error) {
	if len(r.b) < 4 {
		return 0, errTruncated
	}
	n := int32(binary.BigEndian.Uint32(r.b))
	r.b = r.b[4:]
	if n < 0 {
		return 0, fmt.Errorf("negative element count %d", n)
	}
	if int(n) > len(r.b)/minPer {
		return 0, fmt.Errorf("%w: %d elements in %d bytes", errTruncated, n, len(r.b))
	}
	return int(n), nil
}

// nextElem reads a collection element, which cannot be null (nor empty
// for types where empty reads as null): Cassandra never sends one, and the
// value could not be written back.
func (r *elemReader) nextElem(t *frame.Type) ([]byte, error) {
	b, err := r.next()
	if err == nil && isNull(t, b) {
		err = errNullElement
	}
	return b, err
}

// next reads one [bytes] element: nil for null, capped so a callee cannot
// append into the bytes that follow.
func (r *elemReader) next() ([]byte, error) {
	if len(r.b) < 4 {
		return nil, errTruncated
	}
	n := int32(binary.BigEndian.Uint32(r.b))
	r.b = r.b[4:]
	if n < 0 {
		return nil, nil
	}
	if int(n) > len(r.b) {
		return nil, errTruncated
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v, nil
}

func (r *elemReader) done() error {
	if len(r.b) != 0 {
		return fmt.Errorf("%w: %d", errTrailing, len(r.b))
	}
	return nil
}

func appendCount(dst []byte, n int) ([]byte, error) {
	if n > math.MaxInt32 {
		return dst, errOutOfRange
	}
	return binary.BigEndian.AppendUint32(dst, uint32(n)), nil
}

func appendListOrSet(dst []byte, t *frame.Type, v any) ([]byte, error) {
	elem := t.Elems[0]
	if xs, ok := v.([]any); ok {
		if xs == nil {
			return dst, errIsNull
		}
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(xs)))
		for i, x := range xs {
			var err error
			if dst, err = appendElem(dst, elem, x, false); err != nil {
				return dst, withPath(err, indexPath(i))
			}
		}
		return dst, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return dst, errIsNull
		}
		return appendReflectSeq(dst, elem, rv, false)
	case reflect.Map:
		if t.ID == frame.TypeSet {
			return appendSetFromMap(dst, elem, rv)
		}
	}
	return dst, errWrongGoType
}

// appendReflectSeq appends the count and elements of a slice or array.
func appendReflectSeq(dst []byte, elem *frame.Type, rv reflect.Value, nullOK bool) ([]byte, error) {
	n := rv.Len()
	dst, err := appendCount(dst, n)
	if err != nil {
		return dst, err
	}
	for i := 0; i < n; i++ {
		if dst, err = appendElem(dst, elem, rv.Index(i).Interface(), nullOK); err != nil {
			return dst, withPath(err, indexPath(i))
		}
	}
	return dst, nil
}

// appendSetFromMap writes the keys of a map[T]struct{}, or the keys mapped
// to true of a map[T]bool, as a set.
func appendSetFromMap(dst []byte, elem *frame.Type, rv reflect.Value) ([]byte, error) {
	if rv.IsNil() {
		return dst, errIsNull
	}
	vt := rv.Type().Elem()
	isBool := vt.Kind() == reflect.Bool
	if !isBool && !(vt.Kind() == reflect.Struct && vt.NumField() == 0) {
		return dst, errWrongGoType
	}
	n := rv.Len()
	if isBool {
		n = 0
		for it := rv.MapRange(); it.Next(); {
			if it.Value().Bool() {
				n++
			}
		}
	}
	dst, err := appendCount(dst, n)
	if err != nil {
		return dst, err
	}
	for it := rv.MapRange(); it.Next(); {
		if isBool && !it.Value().Bool() {
			continue
		}
		if dst, err = appendElem(dst, elem, it.Key().Interface(), false); err != nil {
			return dst, withPath(err, "<key>")
		}
	}
	return dst, nil
}

func appendMap(dst []byte, t *frame.Type, v any) ([]byte, error) {
	kt, vt := t.Elems[0], t.Elems[1]
	if es, ok := v.([]MapEntry); ok {
		if es == nil {
			return dst, errIsNull
		}
		dst, err := appendCount(dst, len(es))
		if err != nil {
			return dst, err
		}
		for _, e := range es {
			if dst, err = appendElem(dst, kt, e.Key, false); err != nil {
				return dst, withPath(err, "<key>")
			}
			if dst, err = appendElem(dst, vt, e.Value, false); err != nil {
				return dst, withPath(err, "<value>")
			}
		}
		return dst, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map {
		return dst, errWrongGoType
	}
	if rv.IsNil() {
		return dst, errIsNull
	}
	dst, err := appendCount(dst, rv.Len())
	if err != nil {
		return dst, err
	}
	for it := rv.MapRange(); it.Next(); {
		if dst, err = appendElem(dst, kt, it.Key().Interface(), false); err != nil {
			return dst, withPath(err, "<key>")
		}
		if dst, err = appendElem(dst, vt, it.Value().Interface(), false); err != nil {
			return dst, withPath(err, "<value>")
		}
	}
	return dst, nil
}

// decodeListOrSet decodes into a slice, an array of the right length, or,
// for sets, a map[T]struct{} or map[T]bool.
func decodeListOrSet(ut *UserTypes, t *frame.Type, data []byte, rv reflect.Value) error {
	elem := t.Elems[0]
	r := elemReader{data}
	n, err := r.count(4)
	if err != nil {
		return err
	}
	switch rv.Kind() {
	case reflect.Slice:
		s := reflect.MakeSlice(rv.Type(), n, n)
		if err := decodeElems(ut, elem, &r, n, s); err != nil {
			return err
		}
		rv.Set(s)
	case reflect.Array:
		if rv.Len() != n {
			return fmt.Errorf("%w: %d elements into an array of %d", errCountMismatch, n, rv.Len())
		}
		if err := decodeElems(ut, elem, &r, n, rv); err != nil {
			return err
		}
	case reflect.Map:
		if t.ID != frame.TypeSet {
			return errWrongGoType
		}
		vt := rv.Type().Elem()
		var mark reflect.Value
		switch {
		case vt.Kind() == reflect.Bool:
			mark = reflect.ValueOf(true).Convert(vt)
		case vt.Kind() == reflect.Struct && vt.NumField() == 0:
			mark = reflect.Zero(vt)
		default:
			return errWrongGoType
		}
		m := reflect.MakeMapWithSize(rv.Type(), n)
		kt := rv.Type().Key()
		for i := 0; i < n; i++ {
			b, err := r.nextElem(elem)
			if err != nil {
				return withPath(unmarshalErrT(elem, kt, err), indexPath(i))
			}
			k := reflect.New(kt).Elem()
			if err := decodeReflect(ut, elem, b, k); err != nil {
				return withPath(err, indexPath(i))
			}
			if !k.Comparable() {
				return errMapKeyNotComparable
			}
			m.SetMapIndex(k, mark)
		}
		rv.Set(m)
	default:
		return errWrongGoType
	}
	return r.done()
}

// decodeElems decodes n elements into the first n entries of s.
func decodeElems(ut *UserTypes, elem *frame.Type, r *elemReader, n int, s reflect.Value) error {
	for i := 0; i < n; i++ {
		b, err := r.nextElem(elem)
		if err != nil {
			return withPath(unmarshalErrT(elem, s.Type().Elem(), err), indexPath(i))
		}
		if err := decodeReflect(ut, elem, b, s.Index(i)); err != nil {
			return withPath(err, indexPath(i))
		}
	}
	return nil
}

func decodeMap(ut *UserTypes, t *frame.Type, data []byte, rv reflect.Value) error {
	if rv.Type() == mapEntriesType {
		return decodeMapEntries(ut, t, data, rv)
	}
	if rv.Kind() != reflect.Map {
		return errWrongGoType
	}
	kt, vt := t.Elems[0], t.Elems[1]
	r := elemReader{data}
	n, err := r.count(8)
	if err != nil {
		return err
	}
	m := reflect.MakeMapWithSize(rv.Type(), n)
	gk, gv := rv.Type().Key(), rv.Type().Elem()
	for i := 0; i < n; i++ {
		kb, err := r.nextElem(kt)
		if err != nil {
			return withPath(unmarshalErrT(kt, gk, err), "<key>")
		}
		vb, err := r.nextElem(vt)
		if err != nil {
			return withPath(unmarshalErrT(vt, gv, err), "<value>")
		}
		k := reflect.New(gk).Elem()
		if err := decodeReflect(ut, kt, kb, k); err != nil {
			return withPath(err, "<key>")
		}
		if !k.Comparable() {
			return errMapKeyNotComparable
		}
		v := reflect.New(gv).Elem()
		if err := decodeReflect(ut, vt, vb, v); err != nil {
			return withPath(err, "<value>")
		}
		m.SetMapIndex(k, v)
	}
	rv.Set(m)
	return r.done()
}

// MapEntry is one key/value pair of a CQL map. A map whose key type has no
// comparable Go form (a tuple, a user-defined type or a frozen collection)
// decodes into *any as []MapEntry, in the order the server sent the pairs
// (its sort order of the keys); []MapEntry also marshals into any map
// column and can be scanned into explicitly.
type MapEntry struct {
	Key   any
	Value any
}

var mapEntriesType = reflect.TypeFor[[]MapEntry]()

// decodeMapEntries decodes a map into a []MapEntry, each key and value in
// its natural Go type.
func decodeMapEntries(ut *UserTypes, t *frame.Type, data []byte, rv reflect.Value) error {
	kt, vt := t.Elems[0], t.Elems[1]
	r := elemReader{data}
	n, err := r.count(8)
	if err != nil {
		return err
	}
	out := make([]MapEntry, n)
	for i := range out {
		kb, err := r.nextElem(kt)
		if err != nil {
			return withPath(unmarshalErrT(kt, anyType, err), "<key>")
		}
		vb, err := r.nextElem(vt)
		if err != nil {
			return withPath(unmarshalErrT(vt, anyType, err), "<value>")
		}
		if out[i].Key, err = decodeAny(ut, kt, kb); err != nil {
			return withPath(err, "<key>")
		}
		if out[i].Value, err = decodeAny(ut, vt, vb); err != nil {
			return withPath(err, "<value>")
		}
	}
	if err := r.done(); err != nil {
		return err
	}
	rv.Set(reflect.ValueOf(out))
	return nil
}

// naturalSeq is the natural type of a list, set or vector: a slice of the
// element's natural type.
func naturalSeq(ut *UserTypes, t *frame.Type) (reflect.Type, error) {
	if len(t.Elems) < 1 || t.Elems[0] == nil {
		return nil, errUnknownCQLType
	}
	et, err := naturalType(ut, t.Elems[0])
	if err != nil {
		return nil, err
	}
	return reflect.SliceOf(et), nil
}

func naturalMap(ut *UserTypes, t *frame.Type) (reflect.Type, error) {
	if len(t.Elems) < 2 || t.Elems[0] == nil || t.Elems[1] == nil {
		return nil, errUnknownCQLType
	}
	kt, err := naturalType(ut, t.Elems[0])
	if err != nil {
		return nil, err
	}
	if !kt.Comparable() {
		// Tuples, UDTs and frozen collections as keys: the pairs.
		return mapEntriesType, nil
	}
	vt, err := naturalType(ut, t.Elems[1])
	if err != nil {
		return nil, err
	}
	return reflect.MapOf(kt, vt), nil
}

func init() {
	register(&codec{append: appendListOrSet, natural: naturalSeq, decodeInto: decodeListOrSet}, frame.TypeList, frame.TypeSet)
	register(&codec{append: appendMap, natural: naturalMap, decodeInto: decodeMap}, frame.TypeMap)
}
