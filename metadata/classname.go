package metadata

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// This file turns the Java marshal class names of the pre-3.0 schema tables
// (org.apache.cassandra.db.marshal.MapType(...UTF8Type,...Int32Type)) into
// CQL type text, so that both schema families go through the same CQL type
// parser and user type resolution. frame.ParseCustomType reads class names
// too, but drops what the schema needs: frozenness, ReversedType (a
// descending clustering column) and the comparator's ColumnToCollectionType.

const marshalPkg = "org.apache.cassandra.db.marshal."

// classCQL maps marshal classes to the CQL names of their types.
var classCQL = map[string]string{
	"AsciiType": "ascii", "LongType": "bigint", "BytesType": "blob", "BooleanType": "boolean",
	"CounterColumnType": "counter", "DecimalType": "decimal", "DoubleType": "double",
	"FloatType": "float", "InetAddressType": "inet", "Int32Type": "int", "UTF8Type": "text",
	"TimestampType": "timestamp", "DateType": "timestamp", "UUIDType": "uuid",
	"TimeUUIDType": "timeuuid", "IntegerType": "varint", "SimpleDateType": "date",
	"TimeType": "time", "ShortType": "smallint", "ByteType": "tinyint", "DurationType": "duration",
	"EmptyType": "empty",
}

// classNode is a parsed class name: Name(args...). Args of UserType and
// ColumnToCollectionType may carry a hex field name: "6e616d65:UTF8Type".
type classNode struct {
	raw   string // the class text as given
	name  string // without the marshal package
	label string // hex-decoded field name before ':', if any
	args  []*classNode
}

func parseClassName(s string, depth int) (*classNode, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("class name nested deeper than %d", maxDepth)
	}
	s = strings.TrimSpace(s)
	n := &classNode{raw: s}
	open := strings.IndexByte(s, '(')
	head := s
	if open >= 0 {
		head = s[:open]
	}
	// A field label: hex name then ':' before the class (UserType fields,
	// ColumnToCollectionType entries).
	if c := strings.IndexByte(head, ':'); c >= 0 {
		if b, err := hex.DecodeString(head[:c]); err == nil {
			n.label = string(b)
			s = s[c+1:]
			n.raw = s
			if open >= 0 {
				open -= c + 1
			}
		}
	}
	if open < 0 {
		n.name = strings.TrimPrefix(s, marshalPkg)
		return n, nil
	}
	if !strings.HasSuffix(s, ")") {
		return nil, fmt.Errorf("class name %q: unbalanced parentheses", s)
	}
	n.name = strings.TrimPrefix(s[:open], marshalPkg)
	inner := s[open+1 : len(s)-1]
	parts, ok := splitTopLevel(inner)
	if !ok {
		return nil, fmt.Errorf("class name %q: unbalanced parentheses", s)
	}
	for _, part := range parts {
		if n.name == "UserType" && len(n.args) < 2 || n.name == "VectorType" && len(n.args) == 1 {
			// keyspace, hex type name, vector dimension: plain words.
			n.args = append(n.args, &classNode{raw: part, name: part})
			continue
		}
		a, err := parseClassName(part, depth+1)
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, a)
	}
	return n, nil
}

// splitTopLevel splits at the commas outside parentheses.
func splitTopLevel(s string) ([]string, bool) {
	if strings.TrimSpace(s) == "" {
		return nil, true
	}
	var out []string
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
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, false
	}
	return append(out, strings.TrimSpace(s[start:])), true
}

// legacyType converts a class name to CQL type text. desc reports a
// ReversedType wrapper (a clustering column in descending order). User types
// and tuples, frozen before 3.0 whether or not FrozenType says so, come out
// as frozen<...>.
func legacyType(class string) (cql string, desc bool, err error) {
	n, err := parseClassName(class, 0)
	if err != nil {
		return "", false, err
	}
	if n.name == "ReversedType" && len(n.args) == 1 {
		n, desc = n.args[0], true
	}
	return n.cql(), desc, nil
}

func (n *classNode) cql() string {
	if s, ok := classCQL[n.name]; ok && len(n.args) == 0 {
		return s
	}
	arg := func(i int) string { return n.args[i].cql() }
	switch {
	case n.name == "FrozenType" && len(n.args) == 1:
		inner := arg(0)
		if strings.HasPrefix(inner, "frozen<") {
			return inner
		}
		return "frozen<" + inner + ">"
	case n.name == "ReversedType" && len(n.args) == 1:
		return arg(0)
	case (n.name == "ListType" || n.name == "SetType") && len(n.args) == 1:
		return strings.ToLower(strings.TrimSuffix(n.name, "Type")) + "<" + arg(0) + ">"
	case n.name == "MapType" && len(n.args) == 2:
		return "map<" + arg(0) + ", " + arg(1) + ">"
	case n.name == "TupleType" && len(n.args) > 0:
		parts := make([]string, len(n.args))
		for i := range n.args {
			parts[i] = arg(i)
		}
		return "frozen<tuple<" + strings.Join(parts, ", ") + ">>"
	case n.name == "UserType" && len(n.args) >= 2:
		name, err := hex.DecodeString(n.args[1].raw)
		if err == nil {
			return "frozen<" + QuoteIdent(string(name)) + ">"
		}
	case n.name == "VectorType" && len(n.args) == 2:
		return "vector<" + arg(0) + ", " + n.args[1].raw + ">"
	}
	return quoteString(n.raw)
}

// comparator is what the pre-3.0 comparator of a table says: the clustering
// components in order (CQL text and order), whether it is a CompositeType
// (a table created by CQL without COMPACT STORAGE has one), and the
// non-frozen collection columns a ColumnToCollectionType lists.
type comparator struct {
	components  []comparatorPart
	composite   bool
	collections map[string]string // column name → CQL type
}

type comparatorPart struct {
	cql  string
	desc bool
}

func parseComparator(class string) (comparator, error) {
	var c comparator
	n, err := parseClassName(class, 0)
	if err != nil {
		return c, err
	}
	parts := []*classNode{n}
	if n.name == "CompositeType" {
		c.composite = true
		parts = n.args
	}
	for _, p := range parts {
		if p.name == "ColumnToCollectionType" {
			c.collections = map[string]string{}
			for _, a := range p.args {
				c.collections[a.label] = a.cql()
			}
			continue
		}
		part := comparatorPart{}
		if p.name == "ReversedType" && len(p.args) == 1 {
			p, part.desc = p.args[0], true
		}
		part.cql = p.cql()
		c.components = append(c.components, part)
	}
	return c, nil
}
