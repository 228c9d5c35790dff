package metadata_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/metadata"
)

// pick returns the rows of table whose column col is name (every row when
// col is empty), copied so that a test can change them.
func pick(rows metadata.Rows, table, col, name string) []map[string]any {
	var out []map[string]any
	for _, r := range rows[table] {
		if col == "" || r[col] == name {
			out = append(out, maps.Clone(r))
		}
	}
	return out
}

// tableRows returns what the TABLE refresh queries of a 4.0+ server give
// for name.
func tableRows(rows metadata.Rows, name string) metadata.Rows {
	return metadata.Rows{
		"system_schema.tables":          pick(rows, "system_schema.tables", "table_name", name),
		"system_schema.columns":         pick(rows, "system_schema.columns", "table_name", name),
		"system_schema.dropped_columns": pick(rows, "system_schema.dropped_columns", "table_name", name),
		"system_schema.indexes":         pick(rows, "system_schema.indexes", "table_name", name),
		"system_schema.triggers":        pick(rows, "system_schema.triggers", "table_name", name),
		"system_schema.views":           pick(rows, "system_schema.views", "view_name", name),
	}
}

func change(target, name string) frame.SchemaChange {
	return frame.SchemaChange{Change: frame.SchemaUpdated, Target: target, Keyspace: "md_capture", Name: name}
}

func parse50(t *testing.T) (metadata.Rows, *metadata.Schema) {
	t.Helper()
	_, rows := loadRecording(t, "cassandra-5.0.json")
	s, err := metadata.Parse(metadata.Schema40, rows)
	if err != nil {
		t.Fatal(err)
	}
	return rows, s
}

func refresh(t *testing.T, s *metadata.Schema, c frame.SchemaChange, rows metadata.Rows) *metadata.Schema {
	t.Helper()
	n, err := s.Refresh(c, rows)
	if err != nil {
		t.Fatal(err)
	}
	if n == s {
		t.Fatal("Refresh returned its receiver")
	}
	return n
}

func TestRefreshTableReplacesOnlyThatTable(t *testing.T) {
	rows, s0 := parse50(t)
	tr := tableRows(rows, "users")
	nick := maps.Clone(tr["system_schema.columns"][0])
	nick["column_name"], nick["kind"], nick["position"], nick["type"] = "nick", "regular", int32(-1), "text"
	tr["system_schema.columns"] = append(tr["system_schema.columns"], nick)

	s1 := refresh(t, s0, change(frame.TargetTable, "users"), tr)
	k0, k1 := s0.Keyspace("md_capture"), s1.Keyspace("md_capture")
	if k1.Table("users").Column("nick") == nil {
		t.Errorf("new column missing after the refresh")
	}
	if k0.Table("users").Column("nick") != nil {
		t.Errorf("the old snapshot changed")
	}
	if k1.Table("events") != k0.Table("events") || k1.View("users_by_email") != k0.View("users_by_email") ||
		k1.Type("person") != k0.Type("person") || s1.Keyspace("system_virtual_schema") != s0.Keyspace("system_virtual_schema") {
		t.Errorf("what did not change is not shared with the old snapshot")
	}
}

func TestRefreshTableWithoutRowsDropsIt(t *testing.T) {
	_, s0 := parse50(t)
	s1 := refresh(t, s0, change(frame.TargetTable, "counters"), metadata.Rows{})
	if s1.Keyspace("md_capture").Table("counters") != nil || s0.Keyspace("md_capture").Table("counters") == nil {
		t.Errorf("drop not applied, or applied to the old snapshot")
	}
}

func TestRefreshTableEventOfAViewUpdatesTheView(t *testing.T) {
	rows, s0 := parse50(t)
	tr := tableRows(rows, "users_by_email")
	tr["system_schema.views"][0]["comment"] = "changed"
	s1 := refresh(t, s0, change(frame.TargetTable, "users_by_email"), tr)
	k := s1.Keyspace("md_capture")
	if v := k.View("users_by_email"); v == nil || v.Options.Comment() != "changed" || k.Table("users_by_email") != nil {
		t.Errorf("view after refresh: %+v", v)
	}
}

func TestRefreshTypeReresolvesItsUsers(t *testing.T) {
	rows, s0 := parse50(t)
	typ := pick(rows, "system_schema.types", "type_name", "address")
	typ[0]["field_names"] = append(slices.Clone(typ[0]["field_names"].([]string)), "country")
	typ[0]["field_types"] = append(slices.Clone(typ[0]["field_types"].([]string)), "text")
	s1 := refresh(t, s0, change(frame.TargetType, "address"), metadata.Rows{"system_schema.types": typ})
	k0, k1 := s0.Keyspace("md_capture"), s1.Keyspace("md_capture")

	home := func(k *metadata.Keyspace) *frame.Type { return k.Table("all_types").Column("fp").Type.Elems[2] }
	if got := home(k1).FieldNames; len(got) != 4 || got[3] != "country" {
		t.Errorf("all_types.fp.home fields %v after ALTER TYPE", got)
	}
	if got := home(k0).FieldNames; len(got) != 3 {
		t.Errorf("old snapshot sees %v", got)
	}
	if f := k1.Function("Over", "text", "person"); len(f.ArgTypes[1].Elems[2].FieldNames) != 4 {
		t.Errorf("function argument of type person not re-resolved")
	}
	if k1.Table("counters") != k0.Table("counters") {
		t.Errorf("a table without user types was rebuilt")
	}
	if len(s1.Problems()) != 0 {
		t.Errorf("problems: %v", s1.Problems())
	}
}

func TestRefreshDroppedTypeLeavesUsersWithAProblem(t *testing.T) {
	_, s0 := parse50(t)
	s1 := refresh(t, s0, change(frame.TargetType, "point"), metadata.Rows{})
	k := s1.Keyspace("md_capture")
	pt := k.Table("all_types").Column("pt").Type
	if k.Type("point") != nil || pt.ID != frame.TypeUDT || pt.Name != "point" || pt.Keyspace != "md_capture" || len(pt.Elems) != 0 {
		t.Errorf("column of a dropped type: %+v", pt)
	}
	ps := k.Table("all_types").Problems()
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "unknown type point") || ps[0].Element != "table all_types" {
		t.Errorf("problems %v", ps)
	}
	// Creating it again clears the problem.
	_, rows := loadRecording(t, "cassandra-5.0.json")
	s2 := refresh(t, s1, change(frame.TargetType, "point"), metadata.Rows{"system_schema.types": pick(rows, "system_schema.types", "type_name", "point")})
	if ps := s2.Problems(); len(ps) != 0 {
		t.Errorf("problems after the type came back: %v", ps)
	}
}

func TestRefreshFunctionReplacesEveryOverload(t *testing.T) {
	rows, s0 := parse50(t)
	over := pick(rows, "system_schema.functions", "function_name", "Over")[:1] // one overload dropped
	s1 := refresh(t, s0, change(frame.TargetFunction, "Over"), metadata.Rows{"system_schema.functions": over})
	k := s1.Keyspace("md_capture")
	if len(k.Functions) != 3 || k.Function("add_state", "frozen<tuple<int, bigint>>", "int") == nil {
		t.Errorf("functions %v", k.FunctionSignatures())
	}
	s2 := refresh(t, s1, change(frame.TargetAggregate, "my_avg"), metadata.Rows{})
	if len(s2.Keyspace("md_capture").Aggregates) != 0 || len(s1.Keyspace("md_capture").Aggregates) != 1 {
		t.Errorf("aggregate drop")
	}
}

func TestRefreshKeyspace(t *testing.T) {
	rows, s0 := parse50(t)
	s1 := refresh(t, s0, change(frame.TargetKeyspace, ""), metadata.Rows{})
	if s1.Keyspace("md_capture") != nil || len(s1.Keyspaces()) != 1 {
		t.Errorf("keyspaces after drop: %v", s1.Keyspaces())
	}
	s2 := refresh(t, s1, change(frame.TargetKeyspace, ""), rows)
	if s2.Keyspace("md_capture").Describe() != s0.Keyspace("md_capture").Describe() {
		t.Errorf("keyspace read again describes differently")
	}
}

func TestRefreshUnknownKeyspaceAsksForTheKeyspace(t *testing.T) {
	_, s0 := parse50(t)
	c := change(frame.TargetTable, "t")
	c.Keyspace = "nope"
	if _, err := s0.Refresh(c, metadata.Rows{}); !errors.Is(err, metadata.ErrUnknownKeyspace) {
		t.Errorf("err = %v", err)
	}
	var nilSchema *metadata.Schema
	if _, err := nilSchema.Refresh(change(frame.TargetTable, "t"), metadata.Rows{}); !errors.Is(err, metadata.ErrUnknownKeyspace) {
		t.Errorf("nil schema: err = %v", err)
	}
}

func TestRefreshLegacyType(t *testing.T) {
	_, rows := loadRecording(t, "cassandra-2.1.json")
	s0, err := metadata.Parse(metadata.Schema21, rows)
	if err != nil {
		t.Fatal(err)
	}
	typ := pick(rows, "system.schema_usertypes", "type_name", "address")
	typ[0]["field_names"] = append(slices.Clone(typ[0]["field_names"].([]string)), "country")
	typ[0]["field_types"] = append(slices.Clone(typ[0]["field_types"].([]string)), "org.apache.cassandra.db.marshal.UTF8Type")
	s1 := refresh(t, s0, change(frame.TargetType, "address"), metadata.Rows{"system.schema_usertypes": typ})
	tup := s1.Keyspace("md_capture").Table("all_types").Column("tup").Type
	if got := tup.Elems[2].FieldNames; len(got) != 4 {
		t.Errorf("all_types.tup address fields %v", got)
	}
	tr := metadata.Rows{
		"system.schema_columnfamilies": pick(rows, "system.schema_columnfamilies", "columnfamily_name", "events"),
		"system.schema_columns":        pick(rows, "system.schema_columns", "columnfamily_name", "events"),
	}
	tr["system.schema_columnfamilies"][0]["comment"] = "new"
	s2 := refresh(t, s1, change(frame.TargetTable, "events"), tr)
	if got := s2.Keyspace("md_capture").Table("events"); got.Options.Comment() != "new" || len(got.Indexes) != 1 {
		t.Errorf("events after refresh: %q, %d indexes", got.Options.Comment(), len(got.Indexes))
	}
}
