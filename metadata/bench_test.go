package metadata_test

import (
	"fmt"
	"testing"

	"github.com/cqlgo/cassandra/metadata"
)

// syntheticKeyspace returns the 4.0+ rows of a keyspace of n tables, each
// with a two-column partition key, two clustering columns, six regular
// columns (collections and a user type among them), the option columns of
// a 5.0 server and one index, as MapScan gives them.
func syntheticKeyspace(n int) metadata.Rows {
	rows := metadata.Rows{
		"system_schema.keyspaces": {{"keyspace_name": "bench", "durable_writes": true,
			"replication": map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "3"}}},
		"system_schema.types": {{"keyspace_name": "bench", "type_name": "addr",
			"field_names": []string{"street", "zip", "tags"}, "field_types": []string{"text", "int", "frozen<set<text>>"}}},
	}
	colTypes := []string{"text", "bigint", "map<text, frozen<list<int>>>", "frozen<addr>", "set<uuid>", "vector<float, 8>"}
	for i := range n {
		tn := fmt.Sprintf("table_%03d", i)
		rows["system_schema.tables"] = append(rows["system_schema.tables"], map[string]any{
			"keyspace_name": "bench", "table_name": tn, "id": [16]byte{byte(i), byte(i >> 8)},
			"flags": []string{"compound"}, "additional_write_policy": "99p", "allow_auto_snapshot": nil,
			"bloom_filter_fp_chance": 0.01, "caching": map[string]string{"keys": "ALL", "rows_per_partition": "NONE"},
			"cdc": nil, "comment": "table " + tn,
			"compaction":       map[string]string{"class": "org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy", "max_threshold": "32", "min_threshold": "4"},
			"compression":      map[string]string{"chunk_length_in_kb": "16", "class": "org.apache.cassandra.io.compress.LZ4Compressor"},
			"crc_check_chance": 1.0, "dclocal_read_repair_chance": 0.0, "default_time_to_live": int32(0),
			"extensions": map[string][]byte{}, "gc_grace_seconds": int32(864000), "incremental_backups": nil,
			"max_index_interval": int32(2048), "memtable": nil, "memtable_flush_period_in_ms": int32(0),
			"min_index_interval": int32(128), "read_repair": "BLOCKING", "read_repair_chance": 0.0, "speculative_retry": "99p",
		})
		col := func(name, kind string, pos int32, typ, order string) {
			rows["system_schema.columns"] = append(rows["system_schema.columns"], map[string]any{
				"keyspace_name": "bench", "table_name": tn, "column_name": name, "kind": kind, "position": pos,
				"type": typ, "clustering_order": order, "column_name_bytes": []byte(name),
			})
		}
		col("tenant", "partition_key", 0, "text", "none")
		col("bucket", "partition_key", 1, "int", "none")
		col("at", "clustering", 0, "timestamp", "desc")
		col("id", "clustering", 1, "timeuuid", "asc")
		for j, typ := range colTypes {
			col(fmt.Sprintf("c%d", j), "regular", -1, typ, "none")
		}
		rows["system_schema.indexes"] = append(rows["system_schema.indexes"], map[string]any{
			"keyspace_name": "bench", "table_name": tn, "index_name": tn + "_c0_idx", "kind": "COMPOSITES",
			"options": map[string]string{"target": "c0"},
		})
	}
	return rows
}

func TestSyntheticKeyspaceParses(t *testing.T) {
	s, err := metadata.Parse(metadata.Schema40, syntheticKeyspace(500))
	if err != nil {
		t.Fatal(err)
	}
	k := s.Keyspace("bench")
	if len(k.Tables) != 500 || len(s.Problems()) != 0 {
		t.Fatalf("%d tables, problems %v", len(k.Tables), s.Problems())
	}
	tb := k.Table("table_499")
	if names(tb.Columns) != "tenant, bucket, at DESC, id ASC, c0, c1, c2, c3, c4, c5" || tb.Column("c3").Type.Name != "addr" ||
		len(tb.Column("c3").Type.Elems) != 3 || len(tb.Indexes) != 1 {
		t.Errorf("table_499: %s", names(tb.Columns))
	}
}

// BenchmarkParse500Tables parses a keyspace of 500 tables (5,000 columns)
// from MapScan-shaped rows.
func BenchmarkParse500Tables(b *testing.B) {
	rows := syntheticKeyspace(500)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := metadata.Parse(metadata.Schema40, rows); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDescribe500Tables writes the same keyspace back as CQL.
func BenchmarkDescribe500Tables(b *testing.B) {
	s, err := metadata.Parse(metadata.Schema40, syntheticKeyspace(500))
	if err != nil {
		b.Fatal(err)
	}
	k := s.Keyspace("bench")
	b.ReportAllocs()
	for b.Loop() {
		_ = k.Describe()
	}
}

// BenchmarkRefreshOneTable replaces one table of the 500.
func BenchmarkRefreshOneTable(b *testing.B) {
	rows := syntheticKeyspace(500)
	s, err := metadata.Parse(metadata.Schema40, rows)
	if err != nil {
		b.Fatal(err)
	}
	c := change("TABLE", "table_250")
	c.Keyspace = "bench"
	tr := tableRows(rows, "table_250")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Refresh(c, tr); err != nil {
			b.Fatal(err)
		}
	}
}
