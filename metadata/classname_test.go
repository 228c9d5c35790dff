package metadata

import (
	"testing"
)

func TestLegacyType(t *testing.T) {
	const m = "org.apache.cassandra.db.marshal."
	tests := []struct {
		name, class, want string
		desc              bool
	}{
		{"native", m + "Int32Type", "int", false},
		{"date_type_is_timestamp", m + "DateType", "timestamp", false},
		{"reversed_is_descending", m + "ReversedType(" + m + "TimestampType)", "timestamp", true},
		{"list", m + "ListType(" + m + "UTF8Type)", "list<text>", false},
		{"map", m + "MapType(" + m + "UTF8Type," + m + "Int32Type)", "map<text, int>", false},
		{"frozen_collection", m + "MapType(" + m + "UTF8Type," + m + "FrozenType(" + m + "ListType(" + m + "Int32Type)))",
			"map<text, frozen<list<int>>>", false},
		{"tuple_is_frozen", m + "TupleType(" + m + "DoubleType," + m + "DoubleType)", "frozen<tuple<double, double>>", false},
		{"udt_is_frozen_and_quoted", m + "UserType(ks,51756f7465642054797065,61:" + m + "Int32Type)", `frozen<"Quoted Type">`, false},
		{"udt_in_frozen_type_once", m + "FrozenType(" + m + "UserType(ks,61646472,61:" + m + "Int32Type))", "frozen<addr>", false},
		{"set_of_tuples", m + "SetType(" + m + "TupleType(" + m + "Int32Type," + m + "UTF8Type))", "set<frozen<tuple<int, text>>>", false},
		{"vector", m + "VectorType(" + m + "FloatType,3)", "vector<float, 3>", false},
		{"unknown_class_is_custom", m + "LexicalUUIDType", "'" + m + "LexicalUUIDType'", false},
		{"composite_is_custom", m + "CompositeType(" + m + "UTF8Type," + m + "Int32Type)",
			"'" + m + "CompositeType(" + m + "UTF8Type," + m + "Int32Type)'", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, desc, err := legacyType(tc.class)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || desc != tc.desc {
				t.Errorf("legacyType = %q, desc %v; want %q, %v", got, desc, tc.want, tc.desc)
			}
		})
	}
}

func TestLegacyTypeRejectsUnbalancedParentheses(t *testing.T) {
	for _, c := range []string{"ListType(Int32Type", "MapType(A,B))", "X)(", "ListType(A(B)"} {
		if _, _, err := legacyType(c); err == nil {
			t.Errorf("legacyType(%q) did not fail", c)
		}
	}
}

func TestParseComparator(t *testing.T) {
	const m = "org.apache.cassandra.db.marshal."
	c, err := parseComparator(m + "CompositeType(" + m + "ReversedType(" + m + "TimestampType)," + m + "TimeUUIDType," +
		m + "UTF8Type," + m + "ColumnToCollectionType(6c:" + m + "ListType(" + m + "Int32Type)))")
	if err != nil {
		t.Fatal(err)
	}
	if !c.composite || len(c.components) != 3 {
		t.Fatalf("composite %v, components %v", c.composite, c.components)
	}
	if !c.components[0].desc || c.components[0].cql != "timestamp" || c.components[1].desc {
		t.Errorf("components %+v", c.components)
	}
	if c.collections["l"] != "list<int>" {
		t.Errorf("collections %v", c.collections)
	}
	dense, err := parseComparator(m + "ReversedType(" + m + "UTF8Type)")
	if err != nil || dense.composite || len(dense.components) != 1 || !dense.components[0].desc {
		t.Errorf("dense comparator: %+v, %v", dense, err)
	}
}
