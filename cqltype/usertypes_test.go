package cqltype

import (
	"errors"
	"reflect"
	"testing"

	"github.com/cqlgo/cassandra/frame"
)

type regAddress struct {
	Street string `cql:"street"`
	Zip    int32  `cql:"zip_code"`
}

type regPerson struct {
	Name string `cql:"name"`
	Home any    `cql:"home"` // an interface: a registered UDT inside applies
}

type scanRow struct {
	K    int32
	Addr any        `cql:"addr"`
	Tags []any      `cql:"tags"`
	Conc regAddress `cql:"conc"`
}

func mustEncode(t *testing.T, typ *frame.Type, v any) []byte {
	t.Helper()
	b, err := Marshal(typ, v)
	if err != nil {
		t.Fatalf("Marshal(%v, %#v): %v", typ, v, err)
	}
	return b
}

// Registered user types decode to their Go type wherever the destination
// is an interface, at every depth; unregistered ones and concrete
// destinations are unchanged.
func TestUserTypesDecodeRegisteredStructs(t *testing.T) {
	addrT := udtOf("address", "street", tText, "zip_code", tInt)
	personT := udtOf("person", "name", tText, "home", addrT)
	ut, err := (*UserTypes)(nil).With("ks", "address", reflect.TypeFor[regAddress]())
	if err != nil {
		t.Fatal(err)
	}
	addr := regAddress{Street: "Main", Zip: 7}
	addrMap := map[string]any{"street": "Main", "zip_code": int32(7)}

	for _, tc := range []struct {
		name      string
		typ       *frame.Type
		val       any
		want, def any // with the registration, and without (DecodeAny)
	}{
		{"udt", addrT, addr, addr, addrMap},
		{"list_of_udt", listOf(addrT), []regAddress{addr, addr}, []regAddress{addr, addr}, []map[string]any{addrMap, addrMap}},
		{"map_of_udt", mapOf(tText, addrT), map[string]regAddress{"a": addr}, map[string]regAddress{"a": addr}, map[string]map[string]any{"a": addrMap}},
		{"tuple_with_udt", tupleOf(tInt, addrT), []any{int32(1), addr}, []any{int32(1), addr}, []any{int32(1), addrMap}},
		{"udt_inside_unregistered_udt", personT, map[string]any{"name": "N", "home": addr},
			map[string]any{"name": "N", "home": addr}, map[string]any{"name": "N", "home": addrMap}},
		{"null", addrT, nil, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var data []byte
			if tc.val != nil {
				data = mustEncode(t, tc.typ, tc.val)
			}
			got, err := ut.DecodeAny(tc.typ, data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("registered: %#v, want %#v", got, tc.want)
			}
			var dst any
			if err := ut.Unmarshal(tc.typ, data, &dst); err != nil || !reflect.DeepEqual(dst, tc.want) {
				t.Errorf("Unmarshal into *any: %#v, %v", dst, err)
			}
			plain, err := DecodeAny(tc.typ, data)
			if err != nil || !reflect.DeepEqual(plain, tc.def) {
				t.Errorf("unregistered: %#v, %v; want %#v", plain, err, tc.def)
			}
		})
	}

	// A registered struct with an interface field: the nested registered
	// type applies there too.
	ut2, _ := ut.With("ks", "person", reflect.TypeFor[regPerson]())
	got, err := ut2.DecodeAny(personT, mustEncode(t, personT, map[string]any{"name": "N", "home": addr}))
	if err != nil || !reflect.DeepEqual(got, regPerson{Name: "N", Home: addr}) {
		t.Errorf("person: %#v, %v", got, err)
	}

	// A pointer registration yields pointers.
	utp, _ := (*UserTypes)(nil).With("ks", "address", reflect.TypeFor[*regAddress]())
	got, err = utp.DecodeAny(addrT, mustEncode(t, addrT, addr))
	if p, ok := got.(*regAddress); err != nil || !ok || *p != addr {
		t.Errorf("pointer registration: %#v, %v", got, err)
	}

	// Another keyspace's type of the same name is not the registered one.
	other := udtOf("address", "street", tText, "zip_code", tInt)
	other.Keyspace = "other"
	if got, _ := ut.DecodeAny(other, mustEncode(t, other, addr)); !reflect.DeepEqual(got, addrMap) {
		t.Errorf("other keyspace: %#v", got)
	}

	// Concrete destinations are unaffected.
	var m map[string]any
	if err := ut.Unmarshal(addrT, mustEncode(t, addrT, addr), &m); err != nil || !reflect.DeepEqual(m, addrMap) {
		t.Errorf("into *map[string]any: %#v, %v", m, err)
	}
}

// Struct plans apply registrations to fields that hold interfaces only.
func TestUserTypesInStructPlans(t *testing.T) {
	addrT := udtOf("address", "street", tText, "zip_code", tInt)
	addr := regAddress{Street: "S", Zip: 1}
	cols := []frame.ColumnSpec{{Name: "k", Type: tInt}, {Name: "addr", Type: addrT}, {Name: "tags", Type: listOf(addrT)}, {Name: "conc", Type: addrT}}
	cells := [][]byte{mustEncode(t, tInt, int32(1)), mustEncode(t, addrT, addr), mustEncode(t, listOf(addrT), []regAddress{addr}), mustEncode(t, addrT, addr)}
	ut, _ := (*UserTypes)(nil).With("ks", "address", reflect.TypeFor[regAddress]())
	for _, tc := range []struct {
		ut   *UserTypes
		addr any
		tags []any
	}{
		{ut, addr, []any{addr}},
		{nil, map[string]any{"street": "S", "zip_code": int32(1)}, []any{map[string]any{"street": "S", "zip_code": int32(1)}}},
	} {
		var r scanRow
		sv := reflect.ValueOf(&r).Elem()
		if err := PlanFor(sv.Type(), cols).Scan(tc.ut, sv, cols, cells); err != nil {
			t.Fatal(err)
		}
		if r.K != 1 || !reflect.DeepEqual(r.Addr, tc.addr) || !reflect.DeepEqual(r.Tags, tc.tags) || r.Conc != addr {
			t.Errorf("registered=%v: %#v", tc.ut != nil, r)
		}
	}
}

func TestCheckUserType(t *testing.T) {
	addrT := udtOf("address", "street", tText, "zip_code", tInt)
	if err := CheckUserType(addrT, reflect.TypeFor[regAddress]()); err != nil {
		t.Errorf("matching struct: %v", err)
	}
	if err := CheckUserType(addrT, reflect.TypeFor[*regAddress]()); err != nil {
		t.Errorf("pointer to a matching struct: %v", err)
	}
	type partial struct {
		Street string `cql:"street"`
		Skip   int    `cql:"-"`
	}
	if err := CheckUserType(addrT, reflect.TypeFor[partial]()); err != nil {
		t.Errorf("a struct mapping a subset of the fields: %v", err)
	}
	type extra struct {
		Street  string `cql:"street"`
		Country string // "country": not a field
	}
	var ute *UserTypeError
	if err := CheckUserType(addrT, reflect.TypeFor[extra]()); !errors.As(err, &ute) || ute.Keyspace != "ks" || ute.Name != "address" {
		t.Errorf("a struct field the type lacks: %v", err)
	}
	if err := CheckUserType(addrT, reflect.TypeFor[int]()); !errors.As(err, &ute) {
		t.Errorf("not a struct: %v", err)
	}
	if err := CheckUserType(tInt, reflect.TypeFor[regAddress]()); err == nil {
		t.Error("int accepted as a user type")
	}
	if _, err := (*UserTypes)(nil).With("ks", "address", reflect.TypeFor[string]()); !errors.As(err, &ute) {
		t.Errorf("With(string): %v", err)
	}
}

func TestUserTypesMergeAndLookup(t *testing.T) {
	a, _ := (*UserTypes)(nil).With("ks", "a", reflect.TypeFor[regAddress]())
	b, _ := (*UserTypes)(nil).With("ks", "a", reflect.TypeFor[regPerson]())
	b, _ = b.With("ks", "b", reflect.TypeFor[regPerson]())
	m := a.Merge(b)
	if rt, ok := m.Lookup("ks", "a"); !ok || rt != reflect.TypeFor[regPerson]() {
		t.Errorf("the second argument's registration wins: %v", rt)
	}
	if m.Len() != 2 || !reflect.DeepEqual(m.Names(), []string{"ks.a", "ks.b"}) {
		t.Errorf("merged: %v", m.Names())
	}
	if rt, _ := a.Lookup("ks", "a"); rt != reflect.TypeFor[regAddress]() || a.Len() != 1 {
		t.Error("Merge changed its receiver")
	}
	if w := m.Without("ks", "a"); w.Len() != 1 || m.Len() != 2 {
		t.Errorf("Without: %v (the original now %v)", w.Names(), m.Names())
	} else if _, ok := w.Lookup("ks", "b"); !ok {
		t.Error("Without dropped another type")
	}
	if m.Without("ks", "zz") != m {
		t.Error("Without of an unregistered type made a copy")
	}
	var none *UserTypes
	if none.Len() != 0 || none.Merge(nil) != nil || a.Merge(nil) != a || none.Merge(a) != a {
		t.Error("nil UserTypes")
	}
}
