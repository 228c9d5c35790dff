package frame

import (
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
			if vt, err := ParseCustomType(t.Custom); err == nil && vt.ID == TypeVector {
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
	switch t.ID {
	case TypeVector:
		c := t.Custom
		if c == "" {
			c = t.javaClass()
		}
		return AppendString(AppendShort(dst, uint16(TypeCustom)), c)
	case TypeCustom:
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

// javaClass returns the marshal class name of a native or vector type, for
// encoding vectors built by hand.
func (t *Type) javaClass() string {
	if t.ID == TypeVector {
		return marshalPrefix + "VectorType(" + t.Elems[0].javaClass() + "," + strconv.Itoa(t.Dimensions) + ")"
	}
	if t.ID == TypeCustom {
		return t.Custom
	}
	for name, id := range marshalClasses {
		if id == t.ID && name != "DateType" {
			return marshalPrefix + name
		}
	}
	return t.ID.String()
}

// ParseCustomType parses a Java marshal class string as Cassandra sends for
// custom types. It understands VectorType(elem, n) with native element types
// and nested vectors; anything else comes back as TypeCustom.
func ParseCustomType(s string) (*Type, error) {
	return parseClass(strings.TrimSpace(s), 0)
}

func parseClass(s string, depth int) (*Type, error) {
	if depth > maxTypeDepth {
		return nil, fmt.Errorf("custom type nesting deeper than %d", maxTypeDepth)
	}
	name := strings.TrimPrefix(s, marshalPrefix)
	if rest, ok := strings.CutPrefix(name, "VectorType("); ok && strings.HasSuffix(rest, ")") {
		inner := rest[:len(rest)-1]
		comma := strings.LastIndexByte(inner, ',')
		if comma < 0 {
			return nil, fmt.Errorf("vector type %q lacks a dimension", s)
		}
		n, err := strconv.Atoi(strings.TrimSpace(inner[comma+1:]))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("vector type %q has an invalid dimension", s)
		}
		elem, err := parseClass(strings.TrimSpace(inner[:comma]), depth+1)
		if err != nil {
			return nil, err
		}
		return &Type{ID: TypeVector, Custom: s, Elems: []*Type{elem}, Dimensions: n}, nil
	}
	if id, ok := marshalClasses[name]; ok {
		return &Type{ID: id}, nil
	}
	return &Type{ID: TypeCustom, Custom: s}, nil
}
