package frame

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestReadTypeNativeIDs(t *testing.T) {
	ids := []TypeID{TypeASCII, TypeBigint, TypeBlob, TypeBoolean, TypeCounter, TypeDecimal, TypeDouble,
		TypeFloat, TypeInt, TypeTimestamp, TypeUUID, TypeVarchar, TypeVarint, TypeTimeUUID, TypeInet,
		TypeDate, TypeTime, TypeSmallint, TypeTinyint, TypeDuration}
	for _, id := range ids {
		b := []byte{byte(id >> 8), byte(id)}
		rspCheckType(t, id.String(), b, &Type{ID: id})
	}
}

// rspCheckType checks that b reads as want, that want appends as b, and that
// every prefix of b fails.
func rspCheckType(t *testing.T, name string, b []byte, want *Type) {
	t.Helper()
	r := NewReader(b, "type")
	got := r.ReadType("option")
	if err := r.Done(); err != nil {
		t.Fatalf("%s: ReadType: %v", name, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: ReadType = %#v, want %#v", name, got, want)
	}
	if err := checkType(want, 0); err != nil {
		t.Fatalf("%s: checkType: %v", name, err)
	}
	if enc := AppendType(nil, want); !bytes.Equal(enc, b) {
		t.Fatalf("%s: AppendType = % x, want % x", name, enc, b)
	}
	for i := 0; i < len(b); i++ {
		r := NewReader(b[:i], "type")
		r.ReadType("option")
		if r.Done() == nil {
			t.Fatalf("%s: prefix of %d bytes read", name, i)
		}
	}
}

func TestReadTypeComposite(t *testing.T) {
	text := &Type{ID: TypeVarchar}
	i32 := &Type{ID: TypeInt}
	tests := []struct {
		name string
		b    string
		want *Type
	}{
		{"list_of_int", `0020 0009`, &Type{ID: TypeList, Elems: []*Type{i32}}},
		{"set_of_text", `0022 000d`, &Type{ID: TypeSet, Elems: []*Type{text}}},
		{"map_text_to_list_of_set_of_int", `0021 000d 0020 0022 0009`,
			&Type{ID: TypeMap, Elems: []*Type{text, {ID: TypeList, Elems: []*Type{{ID: TypeSet, Elems: []*Type{i32}}}}}}},
		{"tuple_int_text_blob", `0031 0003 0009 000d 0003`, &Type{ID: TypeTuple, Elems: []*Type{i32, text, {ID: TypeBlob}}}},
		{"empty_tuple", `0031 0000`, &Type{ID: TypeTuple, Elems: []*Type{}}},
		{"udt_address", `
			0030             // UDT
			0002 "ks"        // keyspace
			0004 "addr"      // name
			0002             // 2 fields
			0006 "street" 000d
			0003 "zip" 0020 0009 // zip list<int>
		`, &Type{ID: TypeUDT, Keyspace: "ks", Name: "addr", FieldNames: []string{"street", "zip"},
			Elems: []*Type{text, {ID: TypeList, Elems: []*Type{i32}}}}},
		{"custom_class", `0000 0012 "com.example.MyType"`, &Type{ID: TypeCustom, Custom: "com.example.MyType"}},
		{"vector_of_float", `0000 0057 "org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType,3)"`,
			&Type{ID: TypeVector, Custom: "org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType,3)",
				Elems: []*Type{{ID: TypeFloat}}, Dimensions: 3}},
		{"vector_of_list_of_int", `0000 0081 "org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marshal.Int32Type),3)"`,
			&Type{ID: TypeVector, Custom: "org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marshal.Int32Type),3)",
				Elems: []*Type{{ID: TypeList, Elems: []*Type{i32}}}, Dimensions: 3}},
	}
	for _, tt := range tests {
		rspCheckType(t, tt.name, rspHex(tt.b), tt.want)
	}
}

func TestParseCustomTypeVectors(t *testing.T) {
	i32 := &Type{ID: TypeInt}
	tests := []struct {
		in   string
		want *Type // Custom of the outer vector is the input
	}{
		{"VectorType(Int32Type, 3)", &Type{ID: TypeVector, Elems: []*Type{i32}, Dimensions: 3}},
		{"org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marshal.Int32Type),3)",
			&Type{ID: TypeVector, Elems: []*Type{{ID: TypeList, Elems: []*Type{i32}}}, Dimensions: 3}},
		{"VectorType(MapType(UTF8Type,FrozenType(SetType(UUIDType))),2)",
			&Type{ID: TypeVector, Elems: []*Type{{ID: TypeMap, Elems: []*Type{{ID: TypeVarchar}, {ID: TypeSet, Elems: []*Type{{ID: TypeUUID}}}}}}, Dimensions: 2}},
		{"VectorType(TupleType(Int32Type,LongType,BytesType),4)",
			&Type{ID: TypeVector, Elems: []*Type{{ID: TypeTuple, Elems: []*Type{i32, {ID: TypeBigint}, {ID: TypeBlob}}}}, Dimensions: 4}},
		{"VectorType(VectorType(FloatType,2),5)",
			&Type{ID: TypeVector, Elems: []*Type{{ID: TypeVector, Custom: "VectorType(FloatType,2)", Elems: []*Type{{ID: TypeFloat}}, Dimensions: 2}}, Dimensions: 5}},
	}
	for _, tt := range tests {
		got, err := ParseCustomType(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		tt.want.Custom = tt.in
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %v %#v\nwant %v", tt.in, got, got, tt.want)
		}
	}
	for _, bad := range []string{"VectorType(Int32Type,0)", "VectorType(Int32Type)", "VectorType(ListType(Int32Type,3)", "VectorType(MapType(Int32Type),2)"} {
		if _, err := ParseCustomType(bad); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
	if got, _ := ParseCustomType("ListType(Int32Type)"); got.ID != TypeList {
		t.Errorf("ListType parsed as %v", got)
	}
	udt := &Type{ID: TypeUDT, Keyspace: "ks", Name: "addr", FieldNames: []string{"st", "n"}, Elems: []*Type{{ID: TypeVarchar}, {ID: TypeInt}}}
	if got, err := ParseCustomType("UserType(ks,61646472,7374:UTF8Type,6e:org.apache.cassandra.db.marshal.Int32Type)"); err != nil || !reflect.DeepEqual(got, udt) {
		t.Errorf("UserType parsed as %#v, %v", got, err)
	}
	// As Cassandra 5.0 sends vector<frozen<addr>, 2>.
	vec := marshalPrefix + "VectorType(" + marshalPrefix + "FrozenType(" + marshalPrefix + "UserType(ks,61646472,7374:" + marshalPrefix + "UTF8Type,6e:" + marshalPrefix + "Int32Type)),2)"
	got, err := ParseCustomType(vec)
	if err != nil || got.ID != TypeVector || got.Dimensions != 2 || !reflect.DeepEqual(got.Elems[0], udt) {
		t.Errorf("vector of UDT parsed as %v, %v", got, err)
	}
	for _, bad := range []string{"UserType(ks)", "UserType(ks,zz)", "UserType(ks,61,7374)", "UserType(ks,61,zz:Int32Type)"} {
		if _, err := ParseCustomType(bad); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
	// A vector of a UDT built by hand encodes a class name that parses back.
	hand := &Type{ID: TypeVector, Dimensions: 2, Elems: []*Type{udt}}
	r := NewReader(AppendType(nil, hand), "type")
	if back := r.ReadType("option"); r.Done() != nil || back.ID != TypeVector || !reflect.DeepEqual(back.Elems[0], udt) {
		t.Errorf("hand-built vector of UDT round trip: %v (%q)", back, back.Custom)
	}
}

func TestVectorBuiltByHandEncodesJavaClass(t *testing.T) {
	v := &Type{ID: TypeVector, Dimensions: 3, Elems: []*Type{{ID: TypeList, Elems: []*Type{{ID: TypeTimestamp}}}}}
	b := AppendType(nil, v)
	r := NewReader(b, "type")
	got := r.ReadType("option")
	if r.Done() != nil || got.ID != TypeVector || got.Dimensions != 3 || got.Elems[0].ID != TypeList || got.Elems[0].Elems[0].ID != TypeTimestamp {
		t.Fatalf("round trip of %s: %v (%q)", v, got, got.Custom)
	}
}

func TestReadTypeDepthBound(t *testing.T) {
	var b []byte
	for i := 0; i < 100; i++ {
		b = append(b, 0x00, 0x20) // list<list<…
	}
	b = append(b, 0x00, 0x09)
	r := NewReader(b, "type")
	r.ReadType("option")
	if r.Err() == nil || !strings.Contains(r.Err().Error(), "deeper") {
		t.Fatalf("deep nesting: %v", r.Err())
	}
	deep := "Int32Type"
	for i := 0; i < 100; i++ {
		deep = "ListType(" + deep + ")"
	}
	if _, err := ParseCustomType("VectorType(" + deep + ",2)"); err == nil {
		t.Fatal("deep custom nesting parsed")
	}
}

func TestReadTypeRejects(t *testing.T) {
	for name, b := range map[string]string{
		"unknown_id":        `0099`,
		"udt_hostile_count": `0030 0002 "ks" 0001 "u" ffff 0001 "a" 0009`,
		"tuple_hostile":     `0031 ffff 0009`,
	} {
		r := NewReader(rspHex(b), "type")
		r.ReadType("option")
		if r.Err() == nil {
			t.Errorf("%s: read", name)
		}
	}
	r := NewReader(rspHex(`0099`), "type")
	r.ReadType("option")
	if !errors.Is(r.Err(), ErrUnknownType) {
		t.Errorf("unknown id: %v", r.Err())
	}
}

func TestCheckTypeRejectsMalformed(t *testing.T) {
	for name, ty := range map[string]*Type{
		"nil":            nil,
		"list_no_elem":   {ID: TypeList},
		"map_one_elem":   {ID: TypeMap, Elems: []*Type{{ID: TypeInt}}},
		"udt_mismatch":   {ID: TypeUDT, FieldNames: []string{"a"}},
		"vector_no_dims": {ID: TypeVector, Elems: []*Type{{ID: TypeInt}}},
		"unknown_id":     {ID: 0x99},
		"nested_nil":     {ID: TypeList, Elems: []*Type{nil}},
	} {
		if checkType(ty, 0) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
