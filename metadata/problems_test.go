package metadata_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/metadata"
)

// smallSchema is a hand-written 4.0 schema: keyspace ks with table t.
func smallSchema(colType string) metadata.Rows {
	return metadata.Rows{
		"system_schema.keyspaces": {{"keyspace_name": "ks", "durable_writes": true,
			"replication": map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "3"}}},
		"system_schema.tables": {{"keyspace_name": "ks", "table_name": "t", "flags": []string{"compound"},
			"comment": "c", "gc_grace_seconds": int32(10)}},
		"system_schema.columns": {
			{"keyspace_name": "ks", "table_name": "t", "column_name": "k", "kind": "partition_key", "position": int32(0), "type": "int", "clustering_order": "none"},
			{"keyspace_name": "ks", "table_name": "t", "column_name": "v", "kind": "regular", "position": int32(-1), "type": colType, "clustering_order": "none"},
		},
	}
}

func TestUnknownUserTypeIsAProblemNotAFailure(t *testing.T) {
	s, err := metadata.Parse(metadata.Schema40, smallSchema("frozen<list<frozen<missing>>>"))
	if err != nil {
		t.Fatal(err)
	}
	v := s.Keyspace("ks").Table("t").Column("v")
	u := v.Type.Elems[0]
	if u.ID != frame.TypeUDT || u.Keyspace != "ks" || u.Name != "missing" || len(u.Elems) != 0 {
		t.Errorf("unknown type parsed as %+v", u)
	}
	ps := s.Problems()
	if len(ps) != 1 || ps[0].Keyspace != "ks" || ps[0].Element != "table t" || !strings.Contains(ps[0].Message, "unknown type missing") {
		t.Errorf("problems %v", ps)
	}
}

func TestUnparsableTypeTextIsAProblem(t *testing.T) {
	s, err := metadata.Parse(metadata.Schema40, smallSchema("map<int"))
	if err != nil {
		t.Fatal(err)
	}
	v := s.Keyspace("ks").Table("t").Column("v")
	if v.Type.ID != frame.TypeCustom || v.CQLType != "map<int" || len(s.Problems()) != 1 {
		t.Errorf("column %+v, problems %v", v, s.Problems())
	}
}

func TestRowWithoutKeyColumnsFails(t *testing.T) {
	rows := smallSchema("int")
	rows["system_schema.columns"] = append(rows["system_schema.columns"], map[string]any{"keyspace_name": "ks", "column_name": "x"})
	_, err := metadata.Parse(metadata.Schema40, rows)
	var re *metadata.RowError
	if !errors.As(err, &re) || re.Table != "system_schema.columns" || re.Row != 2 || re.Column != "table_name" {
		t.Fatalf("err = %v", err)
	}
}

func TestOptionOfTheWrongTypeIsAProblem(t *testing.T) {
	rows := smallSchema("int")
	rows["system_schema.tables"][0]["compaction"] = 42
	s, err := metadata.Parse(metadata.Schema40, rows)
	if err != nil {
		t.Fatal(err)
	}
	tb := s.Keyspace("ks").Table("t")
	if _, ok := tb.Options["compaction"]; ok || len(tb.Problems()) != 1 || tb.Options.GCGraceSeconds() != 10 {
		t.Errorf("options %v, problems %v", tb.Options, tb.Problems())
	}
}

func TestRowsOfUnknownKeyspacesAreIgnored(t *testing.T) {
	rows := smallSchema("int")
	rows["system_schema.tables"] = append(rows["system_schema.tables"], map[string]any{"keyspace_name": "gone", "table_name": "x"})
	s, err := metadata.Parse(metadata.Schema40, rows)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Keyspaces(); len(got) != 1 || got[0] != "ks" {
		t.Errorf("keyspaces %v", got)
	}
	if s.Keyspace("ks").Strategy() != "NetworkTopologyStrategy" {
		t.Errorf("strategy %q", s.Keyspace("ks").Strategy())
	}
}

// Rows that went through JSON (numbers as float64, lists as []any, UUIDs
// and times as text) parse to the same schema.
func TestRowsDecodedFromJSONParseTheSame(t *testing.T) {
	for _, file := range []string{"cassandra-5.0.json", "cassandra-2.1.json"} {
		rec, rows := loadRecording(t, file)
		v := metadata.VersionFor(rec.ReleaseVersion)
		b, err := json.Marshal(rows)
		if err != nil {
			t.Fatal(err)
		}
		var loose metadata.Rows
		if err := json.Unmarshal(b, &loose); err != nil {
			t.Fatal(err)
		}
		want, err1 := metadata.Parse(v, rows)
		got, err2 := metadata.Parse(v, loose)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if w, g := want.Keyspace(rec.Keyspace).Describe(), got.Keyspace(rec.Keyspace).Describe(); w != g {
			t.Errorf("%s: JSON rows describe differently:\n%s", file, lineDiff(w, g))
		}
		if ps := got.Problems(); len(ps) != 0 {
			t.Errorf("%s: problems %v", file, ps)
		}
		if want.Keyspace(rec.Keyspace).Table("events").ID != got.Keyspace(rec.Keyspace).Table("events").ID {
			t.Errorf("%s: table id lost", file)
		}
	}
}

// A 3.x table WITH COMPACT STORAGE shows hidden columns in system_schema;
// the description leaves them out.
func TestCompactTablesOf30(t *testing.T) {
	col := func(table, name, kind, typ string, pos int32) map[string]any {
		return map[string]any{"keyspace_name": "ks", "table_name": table, "column_name": name, "kind": kind,
			"position": pos, "type": typ, "clustering_order": map[string]string{"clustering": "asc"}[kind]}
	}
	rows := metadata.Rows{
		"system_schema.keyspaces": {{"keyspace_name": "ks", "durable_writes": true,
			"replication": map[string]string{"class": "SimpleStrategy", "replication_factor": "1"}}},
		"system_schema.tables": {
			{"keyspace_name": "ks", "table_name": "static_compact", "flags": []string{}, "read_repair_chance": 0.0},
			{"keyspace_name": "ks", "table_name": "dense", "flags": []string{"dense"}},
		},
		"system_schema.columns": {
			col("static_compact", "k", "partition_key", "int", 0),
			col("static_compact", "column1", "clustering", "text", 0),
			col("static_compact", "value", "regular", "blob", -1),
			col("static_compact", "v1", "static", "int", -1),
			col("dense", "k", "partition_key", "int", 0),
			col("dense", "c", "clustering", "text", 0),
			col("dense", "value", "regular", "empty", -1),
		},
	}
	s, err := metadata.Parse(metadata.Schema30, rows)
	if err != nil {
		t.Fatal(err)
	}
	sc, d := s.Keyspace("ks").Table("static_compact"), s.Keyspace("ks").Table("dense")
	if !sc.CompactStorage || names(sc.Columns) != "k, v1" || sc.Column("v1").Kind != metadata.RegularColumn {
		t.Errorf("static compact: %v (%s)", sc.CompactStorage, names(sc.Columns))
	}
	if !d.CompactStorage || names(d.Columns) != "k, c ASC" {
		t.Errorf("dense: %v (%s)", d.CompactStorage, names(d.Columns))
	}
	if !strings.Contains(sc.AsCQL(), "WITH COMPACT STORAGE\n    AND read_repair_chance = 0.0;") {
		t.Errorf("3.x keeps read_repair_chance as an option:\n%s", sc.AsCQL())
	}
}

func TestTriggersAreDescribed(t *testing.T) {
	rows := smallSchema("int")
	rows["system_schema.triggers"] = []map[string]any{{"keyspace_name": "ks", "table_name": "t", "trigger_name": "audit",
		"options": map[string]string{"class": "org.example.Audit"}}}
	s, err := metadata.Parse(metadata.Schema40, rows)
	if err != nil {
		t.Fatal(err)
	}
	tb := s.Keyspace("ks").Table("t")
	if len(tb.Triggers) != 1 || tb.Triggers[0].Class != "org.example.Audit" {
		t.Fatalf("triggers %+v", tb.Triggers)
	}
	if d := tb.Describe(); !strings.HasSuffix(d, "\n\nCREATE TRIGGER audit ON ks.t USING 'org.example.Audit';\n") {
		t.Errorf("describe:\n%s", d)
	}
}

// 2.2 keeps functions and aggregates with class names and a serialized
// initial state.
func TestLegacyFunctionsOf22(t *testing.T) {
	const m = "org.apache.cassandra.db.marshal."
	tuple := m + "TupleType(" + m + "Int32Type," + m + "LongType)"
	rows := metadata.Rows{
		"system.schema_keyspaces": {{"keyspace_name": "ks", "durable_writes": true,
			"strategy_class": "org.apache.cassandra.locator.SimpleStrategy", "strategy_options": `{"replication_factor":"1"}`}},
		"system.schema_functions": {{"keyspace_name": "ks", "function_name": "st", "argument_names": []string{"s", "v"},
			"argument_types": []string{tuple, m + "Int32Type"}, "return_type": tuple, "language": "java",
			"body": "return s;", "called_on_null_input": true}},
		"system.schema_aggregates": {{"keyspace_name": "ks", "aggregate_name": "agg", "argument_types": []string{m + "Int32Type"},
			"state_func": "st", "state_type": tuple, "return_type": tuple,
			// (0, 7) serialized as a tuple<int, bigint>.
			"initcond": []byte{0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7}}},
	}
	s, err := metadata.Parse(metadata.Schema22, rows)
	if err != nil {
		t.Fatal(err)
	}
	k := s.Keyspace("ks")
	f := k.Function("st", "frozen<tuple<int, bigint>>", "int")
	if f == nil || !f.CalledOnNullInput {
		t.Fatalf("functions %v", k.FunctionSignatures())
	}
	a := k.Aggregate("agg", "int")
	if a == nil || a.InitCond != "(0, 7)" || a.StateCQLType != "frozen<tuple<int, bigint>>" {
		t.Fatalf("aggregate %+v", a)
	}
	want := "CREATE AGGREGATE ks.agg(int)\n    SFUNC st\n    STYPE frozen<tuple<int, bigint>>\n    INITCOND (0, 7);"
	if got := a.AsCQL(); got != want {
		t.Errorf("aggregate:\n%s\nwant\n%s", got, want)
	}
}

func TestParseLeavesRowsAsTheyWere(t *testing.T) {
	for _, file := range []string{"cassandra-5.0.json", "cassandra-2.1.json"} {
		rec, rows := loadRecording(t, file)
		_, pristine := loadRecording(t, file)
		v := metadata.VersionFor(rec.ReleaseVersion)
		s, err := metadata.Parse(v, rows)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Refresh(change(frame.TargetType, "address"), rows); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rows, pristine) {
			t.Errorf("%s: parsing changed the rows", file)
		}
	}
}
