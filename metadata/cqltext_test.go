package metadata

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/cqlgo/cassandra/frame"
)

// describeType spells a type with user type fields, to compare parses.
func describeType(t *frame.Type) string {
	if t == nil {
		return "<nil>"
	}
	switch t.ID {
	case frame.TypeUDT:
		parts := make([]string, len(t.Elems))
		for i, e := range t.Elems {
			parts[i] = t.FieldNames[i] + " " + describeType(e)
		}
		return t.Keyspace + "." + t.Name + "{" + strings.Join(parts, ", ") + "}"
	case frame.TypeList, frame.TypeSet, frame.TypeMap, frame.TypeTuple, frame.TypeVector:
		parts := make([]string, len(t.Elems))
		for i, e := range t.Elems {
			parts[i] = describeType(e)
		}
		s := t.ID.String() + "<" + strings.Join(parts, ", ")
		if t.ID == frame.TypeVector {
			s += ", " + strconv.Itoa(t.Dimensions)
		}
		return s + ">"
	}
	return t.String()
}

func TestParseTypeText(t *testing.T) {
	point := &frame.Type{ID: frame.TypeUDT, Keyspace: "ks", Name: "point", FieldNames: []string{"x", "y"},
		Elems: []*frame.Type{{ID: frame.TypeInt}, {ID: frame.TypeInt}}}
	lookup := func(ks, name string) *frame.Type {
		if name == "point" && (ks == "" || ks == "ks") {
			return point
		}
		return &frame.Type{ID: frame.TypeUDT, Keyspace: "ks", Name: name}
	}
	tests := []struct {
		name, text, want string
	}{
		{"native_keyword", "int", "int"},
		{"varchar_is_text", "varchar", "text"},
		{"keywords_are_case_insensitive", "MAP<Text, INT>", "map<text, int>"},
		{"frozen_is_transparent", "frozen<list<int>>", "list<int>"},
		{"nested_frozen_collections", "map<text, frozen<map<int, frozen<set<text>>>>>", "map<text, map<int, set<text>>>"},
		{"tuple_of_three", "frozen<tuple<int, text, frozen<list<int>>>>", "tuple<int, text, list<int>>"},
		{"vector_with_dimension", "vector<float, 3>", "vector<float, 3>"},
		{"spaces_anywhere", " map < text ,list< int > > ", "map<text, list<int>>"},
		{"udt_resolved_with_fields", "frozen<point>", "ks.point{x int, y int}"},
		{"udt_qualified", "ks.point", "ks.point{x int, y int}"},
		{"udt_quoted_name_keeps_case", `frozen<"Quoted ""Type""">`, `ks.Quoted "Type"{}`},
		{"bare_udt_name_is_lower_cased", "Point", "ks.point{x int, y int}"},
		{"udt_named_like_a_collection", "list", "ks.list{}"},
		{"custom_class", "'org.apache.cassandra.db.marshal.LexicalUUIDType'", "'org.apache.cassandra.db.marshal.LexicalUUIDType'"},
		{"custom_class_known_to_frame", "'org.apache.cassandra.db.marshal.Int32Type'", "int"},
		{"empty_type_of_compact_values", "empty", "'org.apache.cassandra.db.marshal.EmptyType'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseCQLType(tc.text, lookup)
			if err != nil {
				t.Fatal(err)
			}
			if s := describeType(got); s != tc.want {
				t.Errorf("parse %q = %s, want %s", tc.text, s, tc.want)
			}
		})
	}
}

func TestParseTypeTextErrors(t *testing.T) {
	tests := []struct{ name, text string }{
		{"empty", ""},
		{"map_with_one_type", "map<int>"},
		{"unclosed", "list<int"},
		{"trailing_text", "int int"},
		{"vector_zero_dimension", "vector<float, 0>"},
		{"vector_without_dimension", "vector<float>"},
		{"unknown_parameterized", "array<int>"},
		{"unterminated_quote", `frozen<"abc>`},
		{"unterminated_custom", "'org.Foo"},
		{"empty_frozen", "frozen<>"},
		{"nesting_too_deep", strings.Repeat("list<", 100) + "int" + strings.Repeat(">", 100)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseType(tc.text, "ks")
			var te *TypeError
			if !errors.As(err, &te) {
				t.Fatalf("ParseType(%q) = %v, want a *TypeError", tc.text, err)
			}
			if te.Text != tc.text {
				t.Errorf("error names %q", te.Text)
			}
		})
	}
}

func TestParseTypeLeavesUnknownUDTWithoutFields(t *testing.T) {
	got, err := ParseType("frozen<list<frozen<other.addr>>>", "ks")
	if err != nil {
		t.Fatal(err)
	}
	u := got.Elems[0]
	if u.ID != frame.TypeUDT || u.Keyspace != "other" || u.Name != "addr" || len(u.Elems) != 0 {
		t.Errorf("got %s", describeType(u))
	}
}

func TestTypeRefs(t *testing.T) {
	got := typeRefs(`map<frozen<address>, frozen<list<frozen<"Other">>>>`, "ks")
	if strings.Join(got, ",") != "address,Other" {
		t.Errorf("refs = %v", got)
	}
}
