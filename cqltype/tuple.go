package cqltype

import (
	"fmt"
	"reflect"

	"github.com/cqlgo/cassandra/frame"
)

// A tuple is its components one after the other, each as [bytes] (null
// allowed), without a count. Go values: a []any (or any slice or array) of
// the tuple's length, or a struct whose exported fields, in order, are the
// components. Tuples decode to []any.

func appendTuple(dst []byte, t *frame.Type, v any) ([]byte, error) {
	n := len(t.Elems)
	if xs, ok := v.([]any); ok {
		if xs == nil {
			return dst, errIsNull
		}
		if len(xs) != n {
			return dst, fmt.Errorf("%w: %d values for %d components", errCountMismatch, len(xs), n)
		}
		for i, x := range xs {
			var err error
			if dst, err = appendElem(dst, t.Elems[i], x, true); err != nil {
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
		if rv.Len() != n {
			return dst, fmt.Errorf("%w: %d values for %d components", errCountMismatch, rv.Len(), n)
		}
		for i := 0; i < n; i++ {
			var err error
			if dst, err = appendElem(dst, t.Elems[i], rv.Index(i).Interface(), true); err != nil {
				return dst, withPath(err, indexPath(i))
			}
		}
		return dst, nil
	case reflect.Struct:
		info := cachedStructInfo(rv.Type())
		if len(info.fields) != n {
			return dst, fmt.Errorf("%w: struct has %d fields for %d components", errCountMismatch, len(info.fields), n)
		}
		for i, f := range info.fields {
			var err error
			if dst, err = appendElem(dst, t.Elems[i], rv.FieldByIndex(f.index).Interface(), true); err != nil {
				return dst, withPath(err, indexPath(i))
			}
		}
		return dst, nil
	}
	return dst, errWrongGoType
}

// decodeTuple decodes into a slice (made to the tuple's length), an array
// or struct of the tuple's length. Components missing at the end of the
// bytes are null.
func decodeTuple(ut *UserTypes, t *frame.Type, data []byte, rv reflect.Value) error {
	n := len(t.Elems)
	var get func(i int) reflect.Value
	switch rv.Kind() {
	case reflect.Slice:
		s := reflect.MakeSlice(rv.Type(), n, n)
		rv.Set(s)
		get = s.Index
	case reflect.Array:
		if rv.Len() != n {
			return fmt.Errorf("%w: %d components into an array of %d", errCountMismatch, n, rv.Len())
		}
		get = rv.Index
	case reflect.Struct:
		info := cachedStructInfo(rv.Type())
		if len(info.fields) != n {
			return fmt.Errorf("%w: %d components into a struct of %d fields", errCountMismatch, n, len(info.fields))
		}
		get = func(i int) reflect.Value { return rv.FieldByIndex(info.fields[i].index) }
	default:
		return errWrongGoType
	}
	r := elemReader{data}
	for i := 0; i < n; i++ {
		var b []byte
		if len(r.b) > 0 {
			var err error
			if b, err = r.next(); err != nil {
				return err
			}
		}
		if err := decodeReflect(ut, t.Elems[i], b, get(i)); err != nil {
			return withPath(err, indexPath(i))
		}
	}
	return r.done()
}

func init() {
	register(&codec{append: appendTuple, natural: naturalOf[[]any](), decodeInto: decodeTuple}, frame.TypeTuple)
}
