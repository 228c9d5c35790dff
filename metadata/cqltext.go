package metadata

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cqlgo/cassandra/frame"
)

// This file parses CQL type text, as system_schema stores it
// (map<text, frozen<list<int>>>, frozen<"My Type">, vector<float, 3>,
// 'org.example.CustomType'), into *frame.Type. User types are resolved
// through a lookup so that their fields are filled in.

// udtLookup resolves a user type named in type text. keyspace is empty
// unless the text qualified the name. It never returns nil: an unknown type
// comes back as a TypeUDT without fields (and the lookup records why).
type udtLookup func(keyspace, name string) *frame.Type

// nativeTypes are the types named by a CQL keyword. The values are shared
// by every parsed schema and never modified.
var nativeTypes = map[string]*frame.Type{
	"ascii": {ID: frame.TypeASCII}, "bigint": {ID: frame.TypeBigint}, "blob": {ID: frame.TypeBlob},
	"boolean": {ID: frame.TypeBoolean}, "counter": {ID: frame.TypeCounter}, "decimal": {ID: frame.TypeDecimal},
	"double": {ID: frame.TypeDouble}, "float": {ID: frame.TypeFloat}, "inet": {ID: frame.TypeInet},
	"int": {ID: frame.TypeInt}, "smallint": {ID: frame.TypeSmallint}, "text": {ID: frame.TypeVarchar},
	"varchar": {ID: frame.TypeVarchar}, "timestamp": {ID: frame.TypeTimestamp}, "timeuuid": {ID: frame.TypeTimeUUID},
	"tinyint": {ID: frame.TypeTinyint}, "uuid": {ID: frame.TypeUUID}, "varint": {ID: frame.TypeVarint},
	"date": {ID: frame.TypeDate}, "time": {ID: frame.TypeTime}, "duration": {ID: frame.TypeDuration},
	// The type of the hidden value column of a compact table.
	"empty": {ID: frame.TypeCustom, Custom: "org.apache.cassandra.db.marshal.EmptyType"},
}

// TypeError reports CQL type text that does not parse.
type TypeError struct {
	Text string // the type text
	Pos  int    // byte offset of the problem
	Msg  string
}

// Error quotes the text and says where it fails.
func (e *TypeError) Error() string {
	return fmt.Sprintf("metadata: type %q at offset %d: %s", e.Text, e.Pos, e.Msg)
}

// ParseType parses CQL type text such as map<text, frozen<list<int>>>.
// User types come back as a TypeUDT with Keyspace (from a qualified name,
// else keyspace) and Name but no fields; types inside a parsed Schema have
// their fields resolved.
func ParseType(text, keyspace string) (*frame.Type, error) {
	return parseCQLType(text, func(ks, name string) *frame.Type {
		if ks == "" {
			ks = keyspace
		}
		return &frame.Type{ID: frame.TypeUDT, Keyspace: ks, Name: name}
	})
}

func parseCQLType(text string, lookup udtLookup) (*frame.Type, error) {
	if t, ok := nativeTypes[text]; ok { // the common case, without a parser
		return t, nil
	}
	p := typeParser{s: text, lookup: lookup}
	t, err := p.parse(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, p.fail("unexpected text after the type")
	}
	return t, nil
}

type typeParser struct {
	s      string
	i      int
	lookup udtLookup
}

func (p *typeParser) fail(msg string) error { return &TypeError{Text: p.s, Pos: p.i, Msg: msg} }

func (p *typeParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (p *typeParser) peek() byte {
	p.space()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *typeParser) expect(c byte) error {
	if p.peek() != c {
		return p.fail(fmt.Sprintf("expected %q", c))
	}
	p.i++
	return nil
}

// ident reads a bare or double-quoted identifier. Bare identifiers are
// case-insensitive in CQL and come back in lower case.
func (p *typeParser) ident() (string, bool, error) {
	c := p.peek()
	if c == '"' {
		var b strings.Builder
		for p.i++; p.i < len(p.s); p.i++ {
			if p.s[p.i] == '"' {
				if p.i+1 < len(p.s) && p.s[p.i+1] == '"' {
					b.WriteByte('"')
					p.i++
					continue
				}
				p.i++
				return b.String(), true, nil
			}
			b.WriteByte(p.s[p.i])
		}
		return "", false, p.fail("unterminated quoted name")
	}
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9' && p.i > start) {
			p.i++
			continue
		}
		break
	}
	if p.i == start {
		return "", false, p.fail("expected a type")
	}
	return strings.ToLower(p.s[start:p.i]), false, nil
}

func (p *typeParser) parse(depth int) (*frame.Type, error) {
	if depth > maxDepth {
		return nil, p.fail(fmt.Sprintf("nested deeper than %d", maxDepth))
	}
	if p.peek() == '\'' {
		return p.custom()
	}
	name, quoted, err := p.ident()
	if err != nil {
		return nil, err
	}
	if !quoted && p.peek() == '<' {
		p.i++
		return p.parameterized(name, depth)
	}
	if !quoted {
		if t, ok := nativeTypes[name]; ok {
			return t, nil
		}
	}
	ks := ""
	if p.peek() == '.' {
		p.i++
		ks = name
		if name, _, err = p.ident(); err != nil {
			return nil, err
		}
	}
	return p.lookup(ks, name), nil
}

// parameterized parses what follows "name<".
func (p *typeParser) parameterized(name string, depth int) (*frame.Type, error) {
	var t *frame.Type
	switch name {
	case "frozen":
		inner, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		t = inner
	case "list", "set":
		elem, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		id := frame.TypeList
		if name == "set" {
			id = frame.TypeSet
		}
		t = &frame.Type{ID: id, Elems: []*frame.Type{elem}}
	case "map":
		k, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		v, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		t = &frame.Type{ID: frame.TypeMap, Elems: []*frame.Type{k, v}}
	case "tuple":
		t = &frame.Type{ID: frame.TypeTuple}
		for {
			e, err := p.parse(depth + 1)
			if err != nil {
				return nil, err
			}
			t.Elems = append(t.Elems, e)
			if p.peek() != ',' {
				break
			}
			p.i++
		}
	case "vector":
		elem, err := p.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		p.space()
		start := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		n, err := strconv.Atoi(p.s[start:p.i])
		if err != nil || n <= 0 {
			p.i = start
			return nil, p.fail("expected a positive vector dimension")
		}
		t = &frame.Type{ID: frame.TypeVector, Elems: []*frame.Type{elem}, Dimensions: n}
	default:
		return nil, p.fail(fmt.Sprintf("unknown parameterized type %s", name))
	}
	if err := p.expect('>'); err != nil {
		return nil, err
	}
	return t, nil
}

// custom parses a quoted Java class name: 'org.example.MyType'.
func (p *typeParser) custom() (*frame.Type, error) {
	var b strings.Builder
	for p.i++; p.i < len(p.s); p.i++ {
		if p.s[p.i] == '\'' {
			if p.i+1 < len(p.s) && p.s[p.i+1] == '\'' {
				b.WriteByte('\'')
				p.i++
				continue
			}
			p.i++
			class := b.String()
			t, err := frame.ParseCustomType(class)
			if err != nil {
				return &frame.Type{ID: frame.TypeCustom, Custom: class}, nil
			}
			return t, nil
		}
		b.WriteByte(p.s[p.i])
	}
	return nil, p.fail("unterminated custom type")
}

// maxDepth bounds type nesting, so hostile text cannot exhaust the stack.
const maxDepth = 64

// typeRefs returns the user type names that CQL type text refers to
// (unqualified, or qualified with keyspace), without resolving anything.
func typeRefs(text, keyspace string) []string {
	var refs []string
	_, _ = parseCQLType(text, func(ks, name string) *frame.Type {
		if ks == "" || ks == keyspace {
			refs = append(refs, name)
		}
		return &frame.Type{ID: frame.TypeUDT, Keyspace: ks, Name: name}
	})
	return refs
}

// hasUDT reports whether t is or contains a user type.
func hasUDT(t *frame.Type) bool {
	if t == nil {
		return false
	}
	if t.ID == frame.TypeUDT {
		return true
	}
	for _, e := range t.Elems {
		if hasUDT(e) {
			return true
		}
	}
	return false
}
