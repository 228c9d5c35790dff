package cqltype

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/cqlgo/cassandra/frame"
)

// UserTypes maps user-defined types, by keyspace and name, to the Go types
// their values decode to where the destination is an interface (a *any, a
// field or element of type any, Row.Values, MapScan): a registered type
// yields a value of its Go type instead of a map[string]any. Destinations of
// a concrete type are unaffected.
//
// A UserTypes is immutable: With returns a new one, so a snapshot can be
// shared by every connection without locks. The nil *UserTypes is valid and
// empty; its DecodeAny and Unmarshal are the package's.
type UserTypes struct {
	m map[userTypeKey]reflect.Type
}

type userTypeKey struct{ keyspace, name string }

// ErrUnknownUserType marks a registration naming a user-defined type that
// the schema does not have.
var ErrUnknownUserType = errors.New("unknown user-defined type")

// UserTypeError reports a Go type that cannot be registered for a
// user-defined type. Err is ErrUnknownUserType when the type does not exist,
// or names what does not match.
type UserTypeError struct {
	Keyspace, Name string // the user-defined type
	GoType         string
	Err            error
}

func (e *UserTypeError) Error() string {
	return fmt.Sprintf("cqltype: user type %s.%s as %s: %v", e.Keyspace, e.Name, e.GoType, e.Err)
}

func (e *UserTypeError) Unwrap() error { return e.Err }

// With returns a copy of u in which values of the user-defined type
// keyspace.name decode to rt. rt must be a struct type or a pointer to one;
// check it against the type's definition with CheckUserType first.
func (u *UserTypes) With(keyspace, name string, rt reflect.Type) (*UserTypes, error) {
	if rt == nil || !(rt.Kind() == reflect.Struct || rt.Kind() == reflect.Pointer && rt.Elem().Kind() == reflect.Struct) {
		return u, &UserTypeError{Keyspace: keyspace, Name: name, GoType: fmt.Sprint(rt), Err: errors.New("not a struct or a pointer to a struct")}
	}
	n := &UserTypes{m: make(map[userTypeKey]reflect.Type, u.Len()+1)}
	if u != nil {
		for k, v := range u.m {
			n.m[k] = v
		}
	}
	n.m[userTypeKey{keyspace, name}] = rt
	return n, nil
}

// Without returns a copy of u without the registration of keyspace.name.
func (u *UserTypes) Without(keyspace, name string) *UserTypes {
	if _, ok := u.Lookup(keyspace, name); !ok {
		return u
	}
	n := &UserTypes{m: make(map[userTypeKey]reflect.Type, len(u.m)-1)}
	for k, v := range u.m {
		if k != (userTypeKey{keyspace, name}) {
			n.m[k] = v
		}
	}
	return n
}

// Merge returns the registrations of u and o; o's win where both name a
// type. Either may be nil.
func (u *UserTypes) Merge(o *UserTypes) *UserTypes {
	switch {
	case o.Len() == 0:
		return u
	case u.Len() == 0:
		return o
	}
	n := &UserTypes{m: make(map[userTypeKey]reflect.Type, u.Len()+o.Len())}
	for k, v := range u.m {
		n.m[k] = v
	}
	for k, v := range o.m {
		n.m[k] = v
	}
	return n
}

// Len returns the number of registered types.
func (u *UserTypes) Len() int {
	if u == nil {
		return 0
	}
	return len(u.m)
}

// Lookup returns the Go type registered for keyspace.name.
func (u *UserTypes) Lookup(keyspace, name string) (reflect.Type, bool) {
	if u == nil || len(u.m) == 0 {
		return nil, false
	}
	rt, ok := u.m[userTypeKey{keyspace, name}]
	return rt, ok
}

// Names returns the registered types as "keyspace.name", sorted.
func (u *UserTypes) Names() []string {
	if u == nil {
		return nil
	}
	out := make([]string, 0, len(u.m))
	for k := range u.m {
		out = append(out, k.keyspace+"."+k.name)
	}
	sort.Strings(out)
	return out
}

// DecodeAny is the package's DecodeAny with u's registrations applied to
// user-defined types at every depth (a list of them, a field of another).
func (u *UserTypes) DecodeAny(t *frame.Type, data []byte) (any, error) {
	return decodeAny(u, t, data)
}

// Unmarshal is the package's Unmarshal with u's registrations applied where
// dst, or a part of it, is an interface.
func (u *UserTypes) Unmarshal(t *frame.Type, data []byte, dst any) error {
	return unmarshal(u, t, data, dst)
}

// CheckUserType reports whether values of the user-defined type t can be
// read into and written from Go type rt (a struct or a pointer to one):
// every field rt maps (tagged `cql:"name"` or named by its lower-cased Go
// name; `cql:"-"` skips one) must be a field of t. (Whether a field's Go
// type accepts its CQL type is known only from values: a mismatch is an
// *UnmarshalError when one is read.)
func CheckUserType(t *frame.Type, rt reflect.Type) error {
	if t == nil || t.ID != frame.TypeUDT {
		return fmt.Errorf("cqltype: %v is not a user-defined type", t)
	}
	fail := func(err error) error {
		return &UserTypeError{Keyspace: t.Keyspace, Name: t.Name, GoType: fmt.Sprint(rt), Err: err}
	}
	if err := checkUDT(t); err != nil {
		return fail(err)
	}
	st := rt
	if st != nil && st.Kind() == reflect.Pointer {
		st = st.Elem()
	}
	if st == nil || st.Kind() != reflect.Struct {
		return fail(errors.New("not a struct or a pointer to a struct"))
	}
	info := cachedStructInfo(st)
	fields := make(map[string]bool, len(t.FieldNames))
	for _, n := range t.FieldNames {
		fields[n] = true
	}
	var missing []string
	for _, f := range info.fields {
		if !fields[f.name] {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fail(fmt.Errorf("struct fields %s are not fields of the type (it has %s)", strings.Join(missing, ", "), strings.Join(t.FieldNames, ", ")))
	}
	return nil
}
