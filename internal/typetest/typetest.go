// Package typetest builds CQL types and compares decoded values for the
// tests of the value codec and of the driver.
package typetest

import (
	"math/big"
	"reflect"

	"gopkg.in/inf.v0"

	"github.com/cqlgo/cassandra/frame"
)

// Types for tests.
var (
	ASCII     = &frame.Type{ID: frame.TypeASCII}
	Bigint    = &frame.Type{ID: frame.TypeBigint}
	Blob      = &frame.Type{ID: frame.TypeBlob}
	Boolean   = &frame.Type{ID: frame.TypeBoolean}
	Counter   = &frame.Type{ID: frame.TypeCounter}
	Date      = &frame.Type{ID: frame.TypeDate}
	Decimal   = &frame.Type{ID: frame.TypeDecimal}
	Double    = &frame.Type{ID: frame.TypeDouble}
	Duration  = &frame.Type{ID: frame.TypeDuration}
	Float     = &frame.Type{ID: frame.TypeFloat}
	Inet      = &frame.Type{ID: frame.TypeInet}
	Int       = &frame.Type{ID: frame.TypeInt}
	Smallint  = &frame.Type{ID: frame.TypeSmallint}
	Text      = &frame.Type{ID: frame.TypeVarchar}
	Time      = &frame.Type{ID: frame.TypeTime}
	Timestamp = &frame.Type{ID: frame.TypeTimestamp}
	TimeUUID  = &frame.Type{ID: frame.TypeTimeUUID}
	Tinyint   = &frame.Type{ID: frame.TypeTinyint}
	UUID      = &frame.Type{ID: frame.TypeUUID}
	Varint    = &frame.Type{ID: frame.TypeVarint}
	Custom    = &frame.Type{ID: frame.TypeCustom, Custom: "com.example.Thing"}
)

// ListOf is list<e>.
func ListOf(e *frame.Type) *frame.Type {
	return &frame.Type{ID: frame.TypeList, Elems: []*frame.Type{e}}
}

// SetOf is set<e>.
func SetOf(e *frame.Type) *frame.Type { return &frame.Type{ID: frame.TypeSet, Elems: []*frame.Type{e}} }

// MapOf is map<k, v>.
func MapOf(k, v *frame.Type) *frame.Type {
	return &frame.Type{ID: frame.TypeMap, Elems: []*frame.Type{k, v}}
}

// TupleOf is tuple<es...>.
func TupleOf(es ...*frame.Type) *frame.Type { return &frame.Type{ID: frame.TypeTuple, Elems: es} }

// VectorOf is vector<e, n>.
func VectorOf(e *frame.Type, n int) *frame.Type {
	return &frame.Type{ID: frame.TypeVector, Elems: []*frame.Type{e}, Dimensions: n}
}

// UdtOf builds a UDT ks.name from alternating field names and types.
func UdtOf(name string, fields ...any) *frame.Type {
	t := &frame.Type{ID: frame.TypeUDT, Keyspace: "ks", Name: name}
	for i := 0; i < len(fields); i += 2 {
		t.FieldNames = append(t.FieldNames, fields[i].(string))
		t.Elems = append(t.Elems, fields[i+1].(*frame.Type))
	}
	return t
}

// ValuesEqual is reflect.DeepEqual except that big numbers compare by value.
func ValuesEqual(a, b any) bool {
	switch x := a.(type) {
	case *big.Int:
		y, ok := b.(*big.Int)
		return ok && (x == nil) == (y == nil) && (x == nil || x.Cmp(y) == 0)
	case *inf.Dec:
		y, ok := b.(*inf.Dec)
		return ok && (x == nil) == (y == nil) && (x == nil || (x.Cmp(y) == 0 && x.Scale() == y.Scale()))
	}
	return reflect.DeepEqual(a, b)
}
