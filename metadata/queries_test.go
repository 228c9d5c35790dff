package metadata_test

import (
	"slices"
	"testing"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/metadata"
)

func TestVersionFor(t *testing.T) {
	tests := map[string]metadata.SchemaVersion{
		"2.1.0": metadata.Schema21, "2.1.22": metadata.Schema21, "2.2.19": metadata.Schema22,
		"3.0.29": metadata.Schema30, "3.11.16": metadata.Schema30, "4.0-beta4": metadata.Schema40,
		"4.1.5": metadata.Schema40, "5.0.9": metadata.Schema40, "6.0": metadata.Schema40, "": metadata.Schema40,
		"dse": metadata.Schema40,
	}
	for in, want := range tests {
		if got := metadata.VersionFor(in); got != want {
			t.Errorf("VersionFor(%q) = %v, want %v", in, got, want)
		}
	}
}

func tables(qs []metadata.Query) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Table
	}
	return out
}

func TestQueriesPerFamily(t *testing.T) {
	modern := []string{"system_schema.keyspaces", "system_schema.tables", "system_schema.columns",
		"system_schema.dropped_columns", "system_schema.indexes", "system_schema.triggers", "system_schema.types",
		"system_schema.functions", "system_schema.aggregates", "system_schema.views"}
	legacy := []string{"system.schema_keyspaces", "system.schema_columnfamilies", "system.schema_columns",
		"system.schema_usertypes", "system.schema_triggers"}
	tests := []struct {
		release string
		want    []string
	}{
		{"2.1.0", legacy},
		{"2.2.19", append(slices.Clone(legacy), "system.schema_functions", "system.schema_aggregates")},
		{"3.11.4", modern},
		{"5.0.9", append(slices.Clone(modern), "system_virtual_schema.keyspaces", "system_virtual_schema.tables",
			"system_virtual_schema.columns")},
	}
	for _, tc := range tests {
		qs := metadata.QueriesFor(tc.release)
		if got := tables(qs); !slices.Equal(got, tc.want) {
			t.Errorf("%s: tables %v\nwant %v", tc.release, got, tc.want)
		}
		for _, q := range qs {
			if q.CQL != "SELECT * FROM "+q.Table || len(q.Args) != 0 {
				t.Errorf("%s: query %+v", tc.release, q)
			}
		}
	}
}

func TestRefreshQueriesPerTarget(t *testing.T) {
	ch := func(target, name string) frame.SchemaChange {
		return frame.SchemaChange{Change: frame.SchemaCreated, Target: target, Keyspace: "ks", Name: name}
	}
	t.Run("keyspace_reads_everything_in_it", func(t *testing.T) {
		qs := metadata.RefreshQueries(metadata.Schema40, ch(frame.TargetKeyspace, ""))
		if len(qs) != 10 || qs[0].CQL != "SELECT * FROM system_schema.keyspaces WHERE keyspace_name = ?" {
			t.Fatalf("%+v", qs)
		}
		for _, q := range qs {
			if !slices.Equal(q.Args, []any{"ks"}) {
				t.Errorf("args %v", q.Args)
			}
		}
	})
	t.Run("table_reads_its_rows_and_a_view_of_that_name", func(t *testing.T) {
		qs := metadata.RefreshQueries(metadata.Schema40, ch(frame.TargetTable, "t"))
		want := []string{"system_schema.tables", "system_schema.columns", "system_schema.dropped_columns",
			"system_schema.indexes", "system_schema.triggers", "system_schema.views"}
		if got := tables(qs); !slices.Equal(got, want) {
			t.Errorf("tables %v", got)
		}
		if qs[5].CQL != "SELECT * FROM system_schema.views WHERE keyspace_name = ? AND view_name = ?" ||
			!slices.Equal(qs[5].Args, []any{"ks", "t"}) {
			t.Errorf("view query %+v", qs[5])
		}
	})
	t.Run("legacy_table", func(t *testing.T) {
		qs := metadata.RefreshQueries(metadata.Schema21, ch(frame.TargetTable, "t"))
		if got := tables(qs); !slices.Equal(got, []string{"system.schema_columnfamilies", "system.schema_columns", "system.schema_triggers"}) {
			t.Errorf("tables %v", got)
		}
		if qs[1].CQL != "SELECT * FROM system.schema_columns WHERE keyspace_name = ? AND columnfamily_name = ?" {
			t.Errorf("%s", qs[1].CQL)
		}
	})
	t.Run("type_function_aggregate", func(t *testing.T) {
		for target, want := range map[string]string{
			frame.TargetType:      "SELECT * FROM system_schema.types WHERE keyspace_name = ? AND type_name = ?",
			frame.TargetFunction:  "SELECT * FROM system_schema.functions WHERE keyspace_name = ? AND function_name = ?",
			frame.TargetAggregate: "SELECT * FROM system_schema.aggregates WHERE keyspace_name = ? AND aggregate_name = ?",
		} {
			qs := metadata.RefreshQueries(metadata.Schema30, ch(target, "x"))
			if len(qs) != 1 || qs[0].CQL != want || !slices.Equal(qs[0].Args, []any{"ks", "x"}) {
				t.Errorf("%s: %+v", target, qs)
			}
		}
		if qs := metadata.RefreshQueries(metadata.Schema21, ch(frame.TargetFunction, "f")); len(qs) != 0 {
			t.Errorf("2.1 has no functions: %+v", qs)
		}
		if qs := metadata.RefreshQueries(metadata.Schema22, ch(frame.TargetAggregate, "a")); len(qs) != 1 || qs[0].Table != "system.schema_aggregates" {
			t.Errorf("2.2 aggregates: %+v", qs)
		}
	})
}
