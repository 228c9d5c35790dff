package cqltype

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/cqlgo/cassandra/frame"
)

// A user-defined type is its fields in declaration order, each as [bytes]
// (null allowed), without a count; a value may stop early, leaving the
// remaining fields null. Go values:
//
//   - a struct: a field tagged `cql:"name"` maps to the UDT field name, an
//     untagged exported field to its name in lower case, `cql:"-"` is
//     skipped; UDT fields without a struct field are written as null and
//     struct fields without a UDT field are ignored, so either side can gain
//     fields first;
//   - a map with string keys, such as map[string]any: missing keys are null,
//     keys that are not fields of the UDT are an error.
//
// UDTs decode to map[string]any, or to the Go type registered for them in
// a UserTypes.

// structField is one exported, mappable field of a struct.
type structField struct {
	name  string // CQL name: the tag, or the Go name in lower case
	index []int
}

// structInfo lists the mappable fields of a struct type in order. It is
// shared with row scanning into structs.
type structInfo struct {
	fields []structField
	byName map[string]int
}

var structInfoCache sync.Map // reflect.Type → *structInfo

// cachedStructInfo returns the field mapping of struct type rt, computed
// once per type.
func cachedStructInfo(rt reflect.Type) *structInfo {
	if v, ok := structInfoCache.Load(rt); ok {
		return v.(*structInfo)
	}
	info := &structInfo{byName: map[string]int{}}
	for _, f := range reflect.VisibleFields(rt) {
		tag, hasTag := f.Tag.Lookup("cql")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() || (f.Anonymous && !hasTag && f.Type.Kind() == reflect.Struct) {
			continue
		}
		if throughPointer(rt, f.Index) {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if _, dup := info.byName[name]; dup {
			continue
		}
		info.byName[name] = len(info.fields)
		info.fields = append(info.fields, structField{name: name, index: f.Index})
	}
	v, _ := structInfoCache.LoadOrStore(rt, info)
	return v.(*structInfo)
}

// throughPointer reports whether a promoted field is reached through an
// embedded pointer, which may be nil; such fields are not mapped.
func throughPointer(rt reflect.Type, index []int) bool {
	for i := 1; i < len(index); i++ {
		if rt.FieldByIndex(index[:i]).Type.Kind() == reflect.Pointer {
			return true
		}
	}
	return false
}

func checkUDT(t *frame.Type) error {
	if len(t.FieldNames) != len(t.Elems) {
		return fmt.Errorf("%w: UDT with %d names for %d fields", errUnknownCQLType, len(t.FieldNames), len(t.Elems))
	}
	return nil
}

func appendUDT(dst []byte, t *frame.Type, v any) ([]byte, error) {
	if err := checkUDT(t); err != nil {
		return dst, err
	}
	if m, ok := v.(map[string]any); ok {
		if m == nil {
			return dst, errIsNull
		}
		found := 0
		for i, name := range t.FieldNames {
			x, ok := m[name]
			if ok {
				found++
			}
			var err error
			if dst, err = appendElem(dst, t.Elems[i], x, true); err != nil {
				return dst, withPath(err, "."+name)
			}
		}
		if found != len(m) {
			return dst, extraKeyError(t, reflect.ValueOf(m))
		}
		return dst, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return dst, errWrongGoType
		}
		if rv.IsNil() {
			return dst, errIsNull
		}
		found := 0
		for i, name := range t.FieldNames {
			var x any
			if e := rv.MapIndex(reflect.ValueOf(name).Convert(rv.Type().Key())); e.IsValid() {
				x = e.Interface()
				found++
			}
			var err error
			if dst, err = appendElem(dst, t.Elems[i], x, true); err != nil {
				return dst, withPath(err, "."+name)
			}
		}
		if found != rv.Len() {
			return dst, extraKeyError(t, rv)
		}
		return dst, nil
	case reflect.Struct:
		info := cachedStructInfo(rv.Type())
		for i, name := range t.FieldNames {
			var x any
			if fi, ok := info.byName[name]; ok {
				x = rv.FieldByIndex(info.fields[fi].index).Interface()
			}
			var err error
			if dst, err = appendElem(dst, t.Elems[i], x, true); err != nil {
				return dst, withPath(err, "."+name)
			}
		}
		return dst, nil
	}
	return dst, errWrongGoType
}

func extraKeyError(t *frame.Type, m reflect.Value) error {
	for it := m.MapRange(); it.Next(); {
		k := it.Key().String()
		known := false
		for _, name := range t.FieldNames {
			if name == k {
				known = true
				break
			}
		}
		if !known {
			return fmt.Errorf("%q is %w %s", k, ErrNotAField, t)
		}
	}
	return fmt.Errorf("map has keys that are %w %s", ErrNotAField, t)
}

// decodeUDT decodes into a struct (fields matched by name, unknown UDT
// fields skipped) or a map with string keys.
func decodeUDT(ut *UserTypes, t *frame.Type, data []byte, rv reflect.Value) error {
	if err := checkUDT(t); err != nil {
		return err
	}
	var set func(i int, b []byte) error
	switch rv.Kind() {
	case reflect.Struct:
		info := cachedStructInfo(rv.Type())
		rv.SetZero()
		set = func(i int, b []byte) error {
			fi, ok := info.byName[t.FieldNames[i]]
			if !ok {
				return nil
			}
			return decodeReflect(ut, t.Elems[i], b, rv.FieldByIndex(info.fields[fi].index))
		}
	case reflect.Map:
		kt, vt := rv.Type().Key(), rv.Type().Elem()
		if kt.Kind() != reflect.String {
			return errWrongGoType
		}
		m := reflect.MakeMapWithSize(rv.Type(), len(t.Elems))
		rv.Set(m)
		set = func(i int, b []byte) error {
			v := reflect.New(vt).Elem()
			if err := decodeReflect(ut, t.Elems[i], b, v); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(t.FieldNames[i]).Convert(kt), v)
			return nil
		}
	default:
		return errWrongGoType
	}
	r := elemReader{data}
	for i := range t.Elems {
		var b []byte
		if len(r.b) > 0 {
			var err error
			if b, err = r.next(); err != nil {
				return err
			}
		}
		if err := set(i, b); err != nil {
			return withPath(err, "."+t.FieldNames[i])
		}
	}
	// Fields after the ones the type lists were added to the type after
	// this metadata was read (ALTER TYPE ADD): skip them, as Cassandra's
	// own readers do, but only when they are well-formed values.
	for len(r.b) > 0 {
		if _, err := r.next(); err != nil {
			return err
		}
	}
	return nil
}

// ErrNotAField marks a value naming a field its user-defined type does not
// have: the prepared statement may predate ALTER TYPE ADD, so the request
// path prepares it again once before giving up.
var ErrNotAField = errors.New("not a field of")

func init() {
	register(&codec{append: appendUDT, natural: naturalUDT, decodeInto: decodeUDT}, frame.TypeUDT)
}

var mapStringAnyType = reflect.TypeFor[map[string]any]()

// naturalUDT is the registered Go type of t, or map[string]any.
func naturalUDT(ut *UserTypes, t *frame.Type) (reflect.Type, error) {
	if rt, ok := ut.Lookup(t.Keyspace, t.Name); ok {
		return rt, nil
	}
	return mapStringAnyType, nil
}
