package frame

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// TypeID is a CQL type [option] id.
type TypeID uint16

// Type option ids (section 4.2.5.2 of the specs). TypeVector is not a wire
// id: Cassandra sends vectors as the custom type
// org.apache.cassandra.db.marshal.VectorType(elem, n), which the decoder
// recognises and presents as TypeVector.
const (
	TypeCustom    TypeID = 0x0000
	TypeASCII     TypeID = 0x0001
	TypeBigint    TypeID = 0x0002
	TypeBlob      TypeID = 0x0003
	TypeBoolean   TypeID = 0x0004
	TypeCounter   TypeID = 0x0005
	TypeDecimal   TypeID = 0x0006
	TypeDouble    TypeID = 0x0007
	TypeFloat     TypeID = 0x0008
	TypeInt       TypeID = 0x0009
	TypeTimestamp TypeID = 0x000B
	TypeUUID      TypeID = 0x000C
	TypeVarchar   TypeID = 0x000D
	TypeVarint    TypeID = 0x000E
	TypeTimeUUID  TypeID = 0x000F
	TypeInet      TypeID = 0x0010
	TypeDate      TypeID = 0x0011
	TypeTime      TypeID = 0x0012
	TypeSmallint  TypeID = 0x0013
	TypeTinyint   TypeID = 0x0014
	TypeDuration  TypeID = 0x0015
	TypeList      TypeID = 0x0020
	TypeMap       TypeID = 0x0021
	TypeSet       TypeID = 0x0022
	TypeUDT       TypeID = 0x0030
	TypeTuple     TypeID = 0x0031

	TypeVector TypeID = 0xF000 // not on the wire; see above
)

var typeNames = map[TypeID]string{
	TypeCustom: "custom", TypeASCII: "ascii", TypeBigint: "bigint", TypeBlob: "blob",
	TypeBoolean: "boolean", TypeCounter: "counter", TypeDecimal: "decimal", TypeDouble: "double",
	TypeFloat: "float", TypeInt: "int", TypeTimestamp: "timestamp", TypeUUID: "uuid",
	TypeVarchar: "varchar", TypeVarint: "varint", TypeTimeUUID: "timeuuid", TypeInet: "inet",
	TypeDate: "date", TypeTime: "time", TypeSmallint: "smallint", TypeTinyint: "tinyint",
	TypeDuration: "duration", TypeList: "list", TypeMap: "map", TypeSet: "set", TypeUDT: "udt",
	TypeTuple: "tuple", TypeVector: "vector",
}

// String returns the CQL name of the type id.
func (id TypeID) String() string {
	if s, ok := typeNames[id]; ok {
		return s
	}
	return fmt.Sprintf("type(0x%04x)", uint16(id))
}

// Type is a CQL type as carried in result and prepared metadata.
type Type struct {
	ID TypeID

	// Custom is the Java class name of a custom type, and of a vector (the
	// VectorType(...) string as sent, kept so re-encoding gives the same
	// bytes).
	Custom string

	// Elems holds the element types: one for list, set and vector; key and
	// value for map; the components of a tuple; the field types of a UDT.
	Elems []*Type

	// UDT only.
	Keyspace   string
	Name       string
	FieldNames []string

	// Dimensions is the fixed length of a vector.
	Dimensions int
}

// Prefix of the Java marshal classes in custom type names.
const marshalPrefix = "org.apache.cassandra.db.marshal."

var marshalClasses = map[string]TypeID{
	"AsciiType": TypeASCII, "LongType": TypeBigint, "BytesType": TypeBlob, "BooleanType": TypeBoolean,
	"CounterColumnType": TypeCounter, "DecimalType": TypeDecimal, "DoubleType": TypeDouble,
	"FloatType": TypeFloat, "Int32Type": TypeInt, "TimestampType": TypeTimestamp, "DateType": TypeTimestamp,
	"UUIDType": TypeUUID, "UTF8Type": TypeVarchar, "IntegerType": TypeVarint, "TimeUUIDType": TypeTimeUUID,
	"InetAddressType": TypeInet, "SimpleDateType": TypeDate, "TimeType": TypeTime,
	"ShortType": TypeSmallint, "ByteType": TypeTinyint, "DurationType": TypeDuration,
}

// String returns the CQL spelling of t, such as map<text, frozen<list<int>>>
// (frozenness is not carried on the wire, so it is never printed).
func (t *Type) String() string {
	if t == nil {
		return "<nil>"
	}
	switch t.ID {
	case TypeList, TypeSet:
		return t.ID.String() + "<" + t.elem(0).String() + ">"
	case TypeMap:
		return "map<" + t.elem(0).String() + ", " + t.elem(1).String() + ">"
	case TypeTuple:
		parts := make([]string, len(t.Elems))
		for i, e := range t.Elems {
			parts[i] = e.String()
		}
		return "tuple<" + strings.Join(parts, ", ") + ">"
	case TypeUDT:
		return t.Keyspace + "." + t.Name
	case TypeVector:
		return "vector<" + t.elem(0).String() + ", " + strconv.Itoa(t.Dimensions) + ">"
	case TypeCustom:
		return "'" + t.Custom + "'"
	case TypeVarchar:
		return "text"
	}
	return t.ID.String()
}

func (t *Type) elem(i int) *Type {
	if i < len(t.Elems) {
		return t.Elems[i]
	}
	return nil
}

// ReadType reads a type [option] (section 4.2.5.2), recursing into
// collections, UDTs and tuples with a depth bound so hostile nesting cannot
// exhaust the stack.
func (r *Reader) ReadType(field string) *Type { return r.readType(field, 0) }

const maxTypeDepth = 64

func (r *Reader) readType(field string, depth int) *Type {
	if depth > maxTypeDepth {
		r.Failf(field, "type nesting deeper than %d", maxTypeDepth)
		return nil
	}
	id := TypeID(r.Short(field))
	if r.err != nil {
		return nil
	}
	t := &Type{ID: id}
	switch id {
	case TypeCustom:
		t.Custom = r.String(field)
		if r.err == nil {
			// Vectors, and in v3/v4 the types their option ids lack (date,
			// time, smallint, tinyint before v4; duration before v5), come
			// as marshal class names: present them as the type they are,
			// keeping the name so re-encoding gives the same bytes.
			if vt, err := ParseCustomType(t.Custom); err == nil && vt.ID != TypeCustom {
				vt.Custom = t.Custom
				return vt
			}
		}
	case TypeASCII, TypeBigint, TypeBlob, TypeBoolean, TypeCounter, TypeDecimal, TypeDouble,
		TypeFloat, TypeInt, TypeTimestamp, TypeUUID, TypeVarchar, TypeVarint, TypeTimeUUID,
		TypeInet, TypeDate, TypeTime, TypeSmallint, TypeTinyint, TypeDuration:
	case TypeList, TypeSet:
		t.Elems = []*Type{r.readType(field, depth+1)}
	case TypeMap:
		k := r.readType(field, depth+1)
		t.Elems = []*Type{k, r.readType(field, depth+1)}
	case TypeUDT:
		t.Keyspace = r.String(field)
		t.Name = r.String(field)
		n := r.Count(field, true, 4)
		t.FieldNames = make([]string, 0, n)
		t.Elems = make([]*Type, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			t.FieldNames = append(t.FieldNames, r.String(field))
			t.Elems = append(t.Elems, r.readType(field, depth+1))
		}
	case TypeTuple:
		n := r.Count(field, true, 2)
		t.Elems = make([]*Type, 0, n)
		for i := 0; i < n && r.err == nil; i++ {
			t.Elems = append(t.Elems, r.readType(field, depth+1))
		}
	default:
		r.Fail(field, fmt.Errorf("%w 0x%04x", ErrUnknownType, uint16(id)))
		return nil
	}
	return t
}

// AppendType appends t as a type [option].
func AppendType(dst []byte, t *Type) []byte {
	switch {
	case t.Custom != "":
		// A custom type, or a type that came as a class name (see ReadType).
		return AppendString(AppendShort(dst, uint16(TypeCustom)), t.Custom)
	case t.ID == TypeVector:
		return AppendString(AppendShort(dst, uint16(TypeCustom)), t.javaClass())
	case t.ID == TypeCustom:
		return AppendString(AppendShort(dst, uint16(TypeCustom)), t.Custom)
	}
	dst = AppendShort(dst, uint16(t.ID))
	switch t.ID {
	case TypeList, TypeSet:
		dst = AppendType(dst, t.Elems[0])
	case TypeMap:
		dst = AppendType(AppendType(dst, t.Elems[0]), t.Elems[1])
	case TypeUDT:
		dst = AppendString(dst, t.Keyspace)
		dst = AppendString(dst, t.Name)
		dst = AppendShort(dst, uint16(len(t.Elems)))
		for i, e := range t.Elems {
			dst = AppendString(dst, t.FieldNames[i])
			dst = AppendType(dst, e)
		}
	case TypeTuple:
		dst = AppendShort(dst, uint16(len(t.Elems)))
		for _, e := range t.Elems {
			dst = AppendType(dst, e)
		}
	}
	return dst
}

// javaClass returns the marshal class name of a type, for encoding vectors
// built by hand (whose Custom string is empty).
func (t *Type) javaClass() string {
	switch t.ID {
	case TypeVector:
		return marshalPrefix + "VectorType(" + t.elem(0).javaClass() + "," + strconv.Itoa(t.Dimensions) + ")"
	case TypeCustom:
		return t.Custom
	case TypeList:
		return marshalPrefix + "ListType(" + t.elem(0).javaClass() + ")"
	case TypeSet:
		return marshalPrefix + "SetType(" + t.elem(0).javaClass() + ")"
	case TypeMap:
		return marshalPrefix + "MapType(" + t.elem(0).javaClass() + "," + t.elem(1).javaClass() + ")"
	case TypeTuple:
		parts := make([]string, len(t.Elems))
		for i, e := range t.Elems {
			parts[i] = e.javaClass()
		}
		return marshalPrefix + "TupleType(" + strings.Join(parts, ",") + ")"
	case TypeTimestamp:
		return marshalPrefix + "TimestampType"
	case TypeUDT:
		var b strings.Builder
		b.WriteString(marshalPrefix + "FrozenType(" + marshalPrefix + "UserType(" + t.Keyspace + "," + hex.EncodeToString([]byte(t.Name)))
		for i, e := range t.Elems {
			if i < len(t.FieldNames) {
				b.WriteString("," + hex.EncodeToString([]byte(t.FieldNames[i])) + ":" + e.javaClass())
			}
		}
		b.WriteString("))")
		return b.String()
	}
	for name, id := range marshalClasses {
		if id == t.ID {
			return marshalPrefix + name
		}
	}
	return t.ID.String()
}

// ParseCustomType parses a Java marshal class string as Cassandra sends for
// custom types. It understands VectorType(elem, n) whose element is a native
// type, a collection (ListType, SetType, MapType), a TupleType or another
// vector, unwrapping FrozenType, and UserType(keyspace, hex name,
// hexfield:class...) as a TypeUDT; any other class comes back as
// TypeCustom (inside a vector, as a custom element).
func ParseCustomType(s string) (*Type, error) {
	return parseClass(strings.TrimSpace(s), 0)
}

func parseClass(s string, depth int) (*Type, error) {
	if depth > maxTypeDepth {
		return nil, fmt.Errorf("custom type nesting deeper than %d", maxTypeDepth)
	}
	name := strings.TrimPrefix(s, marshalPrefix)
	open := strings.IndexByte(name, '(')
	if open < 0 {
		if id, ok := marshalClasses[name]; ok {
			return &Type{ID: id}, nil
		}
		return &Type{ID: TypeCustom, Custom: s}, nil
	}
	if !strings.HasSuffix(name, ")") {
		return &Type{ID: TypeCustom, Custom: s}, nil
	}
	class, inner := name[:open], name[open+1:len(name)-1]
	args, ok := splitClassArgs(inner)
	if !ok {
		return nil, fmt.Errorf("custom type %q has unbalanced parentheses", s)
	}
	parseArgs := func(args []string) ([]*Type, error) {
		ts := make([]*Type, len(args))
		for i, a := range args {
			t, err := parseClass(a, depth+1)
			if err != nil {
				return nil, err
			}
			ts[i] = t
		}
		return ts, nil
	}
	switch class {
	case "VectorType":
		if len(args) != 2 {
			return nil, fmt.Errorf("vector type %q needs an element type and a dimension", s)
		}
		n, err := strconv.Atoi(args[1])
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("vector type %q has an invalid dimension", s)
		}
		elem, err := parseClass(args[0], depth+1)
		if err != nil {
			return nil, err
		}
		return &Type{ID: TypeVector, Custom: s, Elems: []*Type{elem}, Dimensions: n}, nil
	case "UserType":
		return parseUserTypeClass(s, args, depth)
	case "FrozenType", "ReversedType":
		if len(args) != 1 {
			return nil, fmt.Errorf("custom type %q needs one argument", s)
		}
		return parseClass(args[0], depth+1)
	case "ListType", "SetType", "MapType", "TupleType":
		want := map[string]int{"ListType": 1, "SetType": 1, "MapType": 2}[class]
		if (want > 0 && len(args) != want) || len(args) == 0 {
			return nil, fmt.Errorf("custom type %q has %d arguments", s, len(args))
		}
		elems, err := parseArgs(args)
		if err != nil {
			return nil, err
		}
		id := map[string]TypeID{"ListType": TypeList, "SetType": TypeSet, "MapType": TypeMap, "TupleType": TypeTuple}[class]
		return &Type{ID: id, Elems: elems}, nil
	}
	return &Type{ID: TypeCustom, Custom: s}, nil
}

// parseUserTypeClass parses the arguments of a UserType class name:
// keyspace, the type name in hex, then hexname:class for each field.
func parseUserTypeClass(s string, args []string, depth int) (*Type, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("user type %q needs a keyspace and a name", s)
	}
	name, err := hex.DecodeString(args[1])
	if err != nil {
		return nil, fmt.Errorf("user type %q: name is not hex: %v", s, err)
	}
	t := &Type{ID: TypeUDT, Keyspace: args[0], Name: string(name)}
	for _, f := range args[2:] {
		fn, class, ok := strings.Cut(f, ":")
		if !ok {
			return nil, fmt.Errorf("user type %q: field %q has no type", s, f)
		}
		b, err := hex.DecodeString(fn)
		if err != nil {
			return nil, fmt.Errorf("user type %q: field name %q is not hex", s, fn)
		}
		ft, err := parseClass(class, depth+1)
		if err != nil {
			return nil, err
		}
		t.FieldNames = append(t.FieldNames, string(b))
		t.Elems = append(t.Elems, ft)
	}
	return t, nil
}

// splitClassArgs splits the argument list of a marshal class at its
// top-level commas, trimming spaces.
func splitClassArgs(s string) ([]string, bool) {
	var args []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return nil, false
			}
		case ',':
			if depth == 0 {
				args = append(args, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, false
	}
	return append(args, strings.TrimSpace(s[start:])), true
}

// checkType reports a Type that AppendType cannot encode faithfully: nil
// types, collections without their element types, mismatched UDT fields,
// strings or counts too long for their notation, and unknown ids.
func checkType(t *Type, depth int) error {
	if t == nil {
		return fmt.Errorf("nil type")
	}
	// A decoded type nests up to maxTypeDepth options, and a vector's class
	// string up to maxTypeDepth more.
	if depth > 2*maxTypeDepth+2 {
		return fmt.Errorf("type nesting deeper than %d", 2*maxTypeDepth+2)
	}
	need := func(n int) error {
		if len(t.Elems) != n {
			return fmt.Errorf("%s type with %d element types", t.ID, len(t.Elems))
		}
		return nil
	}
	var err error
	switch t.ID {
	case TypeCustom:
		return CheckString("custom type", t.Custom)
	case TypeVector:
		if t.Custom != "" {
			return CheckString("vector type", t.Custom)
		}
		if t.Dimensions <= 0 {
			return fmt.Errorf("vector type with dimension %d", t.Dimensions)
		}
		err = need(1)
	case TypeList, TypeSet:
		err = need(1)
	case TypeMap:
		err = need(2)
	case TypeUDT:
		if len(t.FieldNames) != len(t.Elems) {
			return fmt.Errorf("UDT with %d field names and %d field types", len(t.FieldNames), len(t.Elems))
		}
		if len(t.Elems) > 0xffff {
			return fmt.Errorf("UDT with %d fields", len(t.Elems))
		}
		for _, s := range append([]string{t.Keyspace, t.Name}, t.FieldNames...) {
			if err := CheckString("UDT", s); err != nil {
				return err
			}
		}
	case TypeTuple:
		if len(t.Elems) > 0xffff {
			return fmt.Errorf("tuple with %d components", len(t.Elems))
		}
	default:
		if _, ok := typeNames[t.ID]; !ok {
			return fmt.Errorf("%w 0x%04x", ErrUnknownType, uint16(t.ID))
		}
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range t.Elems {
		if err := checkType(e, depth+1); err != nil {
			return err
		}
	}
	return nil
}
