package metadata_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/metadata"
)

// These tests parse rows recorded from real servers (testdata/, see
// TestIntegrationCaptureTestdata) for the schema of ddl_test.go.

// typeText spells a parsed type with the fields of its user types.
func typeText(t *frame.Type) string {
	if t == nil {
		return "<nil>"
	}
	parts := make([]string, len(t.Elems))
	for i, e := range t.Elems {
		parts[i] = typeText(e)
		if t.ID == frame.TypeUDT {
			parts[i] = t.FieldNames[i] + " " + parts[i]
		}
	}
	switch t.ID {
	case frame.TypeUDT:
		return t.Name + "{" + strings.Join(parts, ", ") + "}"
	case frame.TypeVector:
		return "vector<" + parts[0] + ", " + strconv.Itoa(t.Dimensions) + ">"
	case frame.TypeList, frame.TypeSet, frame.TypeMap, frame.TypeTuple:
		return t.ID.String() + "<" + strings.Join(parts, ", ") + ">"
	}
	return t.String()
}

func parseRecorded(t *testing.T, file string) (metadata.SchemaVersion, *metadata.Schema, *metadata.Keyspace) {
	t.Helper()
	rec, rows := loadRecording(t, file)
	v := metadata.VersionFor(rec.ReleaseVersion)
	s, err := metadata.Parse(v, rows)
	if err != nil {
		t.Fatal(err)
	}
	k := s.Keyspace(rec.Keyspace)
	if k == nil {
		t.Fatalf("keyspace %s missing; have %v", rec.Keyspace, s.Keyspaces())
	}
	for _, p := range s.Problems() {
		t.Errorf("problem: %s", p)
	}
	return v, s, k
}

// columnTypes checks the CQL text and the parsed type of columns.
func columnTypes(t *testing.T, tb *metadata.Table, want map[string][2]string) {
	t.Helper()
	for name, w := range want {
		c := tb.Column(name)
		if c == nil {
			t.Errorf("%s: no column %s", tb.Name, name)
			continue
		}
		if c.CQLType != w[0] || typeText(c.Type) != w[1] {
			t.Errorf("%s.%s: %q parsed as %s; want %q, %s", tb.Name, name, c.CQLType, typeText(c.Type), w[0], w[1])
		}
	}
}

func names(cols []*metadata.Column) string {
	var out []string
	for _, c := range cols {
		s := c.Name
		if c.Order != metadata.NoOrder {
			s += " " + c.Order.String()
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

const addressFields = "address{street text, zip int, Geo tuple<double, double>}"

func TestRecordedCassandra50(t *testing.T) {
	v, s, k := parseRecorded(t, "cassandra-5.0.json")
	if v != metadata.Schema40 {
		t.Fatalf("version %v", v)
	}
	t.Run("keyspace", func(t *testing.T) {
		if k.Strategy() != "SimpleStrategy" || k.Replication["replication_factor"] != "1" || !k.DurableWrites || k.Virtual {
			t.Errorf("replication %v, durable %v, virtual %v", k.Replication, k.DurableWrites, k.Virtual)
		}
		if got := k.TableNames(); !slices.Equal(got, []string{"MixedCase", "all_types", "counters", "dropped", "events", "users"}) {
			t.Errorf("tables %v", got)
		}
	})
	t.Run("types_resolve_nested_and_order_by_dependency", func(t *testing.T) {
		order := k.TypeNames()
		if slices.Index(order, "address") > slices.Index(order, "person") || len(order) != 4 {
			t.Errorf("type order %v", order)
		}
		p := k.Type("person")
		want := "person{name text, addresses list<" + addressFields + ">, home " + addressFields + ", tags set<text>}"
		if got := typeText(p.Type); got != want {
			t.Errorf("person = %s\nwant     %s", got, want)
		}
		if p.Fields[1].CQLType != "list<frozen<address>>" {
			t.Errorf("addresses CQL type %q", p.Fields[1].CQLType)
		}
	})
	t.Run("every_cql_type", func(t *testing.T) {
		columnTypes(t, k.Table("all_types"), map[string][2]string{
			"a": {"ascii", "ascii"}, "b": {"bigint", "bigint"}, "bl": {"blob", "blob"}, "bo": {"boolean", "boolean"},
			"d": {"decimal", "decimal"}, "db": {"double", "double"}, "f": {"float", "float"}, "i": {"inet", "inet"},
			"t": {"text", "text"}, "vc": {"text", "text"}, "ts": {"timestamp", "timestamp"}, "tu": {"timeuuid", "timeuuid"},
			"u": {"uuid", "uuid"}, "vi": {"varint", "varint"}, "dt": {"date", "date"}, "tm": {"time", "time"},
			"si": {"smallint", "smallint"}, "ti": {"tinyint", "tinyint"}, "du": {"duration", "duration"},
			"l": {"list<int>", "list<int>"}, "s": {"set<text>", "set<text>"},
			"m":        {"map<text, frozen<list<int>>>", "map<text, list<int>>"},
			"fl":       {"frozen<list<int>>", "list<int>"},
			"fs":       {"frozen<set<uuid>>", "set<uuid>"},
			"fm":       {"frozen<map<int, text>>", "map<int, text>"},
			"tup":      {"frozen<tuple<int, text, frozen<list<int>>>>", "tuple<int, text, list<int>>"},
			"vec":      {"vector<float, 3>", "vector<float, 3>"},
			"veci":     {"vector<int, 2>", "vector<int, 2>"},
			"pt":       {"point", "point{x int, y int}"},
			"q":        {`frozen<"Quoted Type">`, "Quoted Type{a int, B text}"},
			"nested":   {"map<text, frozen<map<int, frozen<set<text>>>>>", "map<text, map<int, set<text>>>"},
			"cust":     {"'org.apache.cassandra.db.marshal.LexicalUUIDType'", "'org.apache.cassandra.db.marshal.LexicalUUIDType'"},
			"CamelCol": {"int", "int"}, "select": {"text", "text"},
		})
		if fp := k.Table("all_types").Column("fp").Type; fp.Keyspace != "md_capture" || len(fp.Elems) != 4 {
			t.Errorf("fp type %s in %q", typeText(fp), fp.Keyspace)
		}
	})
	t.Run("key_order_static_and_options", func(t *testing.T) {
		e := k.Table("events")
		if names(e.PartitionKey) != "tenant, bucket" || names(e.Clustering) != "at DESC, id ASC" {
			t.Errorf("key (%s) (%s)", names(e.PartitionKey), names(e.Clustering))
		}
		if c := e.Column("owner"); c.Kind != metadata.StaticColumn || c.Position != -1 {
			t.Errorf("owner %+v", c)
		}
		o := e.Options
		if o.Comment() != `it's "events"` || o.DefaultTimeToLive() != 3600 || o.GCGraceSeconds() != 7200 ||
			o.BloomFilterFPChance() != 0.05 || o.SpeculativeRetry() != "50ms" ||
			o.Compaction()["class"] != "org.apache.cassandra.db.compaction.LeveledCompactionStrategy" ||
			o.Compaction()["sstable_size_in_mb"] != "80" || o.Compression()["chunk_length_in_kb"] != "32" ||
			o.Caching()["rows_per_partition"] != "10" {
			t.Errorf("options %v", o)
		}
		if _, ok := o["read_repair_chance"]; ok {
			t.Errorf("read_repair_chance is no option on 4.0+")
		}
		if _, ok := o["id"]; ok {
			t.Errorf("id is no option")
		}
	})
	t.Run("counter_table", func(t *testing.T) {
		c := k.Table("counters")
		if !c.IsCounter() || names(c.Clustering) != "c DESC" || k.Table("events").IsCounter() {
			t.Errorf("counter %v, clustering %s", c.IsCounter(), names(c.Clustering))
		}
	})
	t.Run("indexes", func(t *testing.T) {
		var got []string
		for _, ix := range k.Table("all_types").Indexes {
			got = append(got, ix.Name+"="+ix.Kind+":"+ix.Target+":"+ix.Class)
		}
		want := []string{`all_types_CamelCol_idx=COMPOSITES:"CamelCol":`, "all_types_fl_idx=COMPOSITES:full(fl):",
			"all_types_m_idx=COMPOSITES:keys(m):", "all_types_t_sai=CUSTOM:t:StorageAttachedIndex"}
		if !slices.Equal(got, want) {
			t.Errorf("indexes %v", got)
		}
		if k.Table("all_types").Index("all_types_t_sai").Options["case_sensitive"] != "false" {
			t.Errorf("SAI options lost")
		}
	})
	t.Run("dropped_column", func(t *testing.T) {
		d := k.Table("dropped")
		if len(d.DroppedColumns) != 1 || d.DroppedColumns[0].Name != "gone" || d.DroppedColumns[0].CQLType != "text" ||
			d.DroppedColumns[0].DroppedAt.IsZero() || d.Column("gone") != nil {
			t.Errorf("dropped %+v", d.DroppedColumns)
		}
	})
	t.Run("materialized_views", func(t *testing.T) {
		byEmail, byAge := k.View("users_by_email"), k.View("users_by_age")
		if byEmail.BaseTable != "users" || byEmail.IncludeAllColumns || byEmail.WhereClause != "email IS NOT NULL AND id IS NOT NULL" ||
			names(byEmail.Columns) != "email, id DESC, name" || byEmail.Options.Comment() != "by email" ||
			byEmail.BaseTableID != k.Table("users").ID {
			t.Errorf("users_by_email %+v", byEmail)
		}
		if !byAge.IncludeAllColumns || names(byAge.PartitionKey) != "age" {
			t.Errorf("users_by_age %+v", byAge)
		}
		if got := k.ViewsOf("users"); len(got) != 2 {
			t.Errorf("views of users: %d", len(got))
		}
	})
	t.Run("functions_and_aggregate", func(t *testing.T) {
		if got := k.FunctionSignatures(); !slices.Equal(got, []string{"Over(int)", "Over(text, person)",
			"add_state(frozen<tuple<int, bigint>>, int)", "avg_final(frozen<tuple<int, bigint>>)"}) {
			t.Errorf("functions %v", got)
		}
		f := k.Function("add_state", "frozen<tuple<int, bigint>>", "int")
		if f == nil || !f.CalledOnNullInput || f.Language != "java" || typeText(f.ReturnType) != "tuple<int, bigint>" ||
			!slices.Equal(f.ArgNames, []string{"state", "val"}) || !strings.Contains(f.Body, "setLong") {
			t.Fatalf("add_state %+v", f)
		}
		if o := k.Function("Over", "text", "person"); o == nil || o.CalledOnNullInput || typeText(o.ArgTypes[1])[:7] != "person{" {
			t.Errorf("Over(text, person) %+v", o)
		}
		a := k.Aggregate("my_avg", "int")
		if a == nil || a.StateFunc != "add_state" || a.FinalFunc != "avg_final" || a.InitCond != "(0, 0)" ||
			typeText(a.StateType) != "tuple<int, bigint>" || typeText(a.ReturnType) != "double" {
			t.Errorf("my_avg %+v", a)
		}
	})
	t.Run("virtual_keyspace", func(t *testing.T) {
		vk := s.Keyspace("system_virtual_schema")
		if vk == nil || !vk.Virtual || len(vk.Tables) != 3 {
			t.Fatalf("virtual keyspace %+v", vk)
		}
		c := vk.Table("columns")
		if !c.Virtual || names(c.PartitionKey) != "keyspace_name" || names(c.Clustering) != "table_name ASC, column_name ASC" {
			t.Errorf("columns table: (%s) (%s)", names(c.PartitionKey), names(c.Clustering))
		}
		if d := vk.Describe(); !strings.HasPrefix(d, "/* VIRTUAL KEYSPACE system_virtual_schema; */") || strings.Contains(d, "\nCREATE") {
			t.Errorf("virtual keyspace described as:\n%s", d)
		}
	})
}

func TestRecordedCassandra21(t *testing.T) {
	v, _, k := parseRecorded(t, "cassandra-2.1.json")
	if v != metadata.Schema21 {
		t.Fatalf("version %v", v)
	}
	t.Run("keyspace_from_strategy_columns", func(t *testing.T) {
		if k.StrategyClass() != "org.apache.cassandra.locator.SimpleStrategy" || k.Replication["replication_factor"] != "1" || k.DurableWrites {
			t.Errorf("replication %v, durable %v", k.Replication, k.DurableWrites)
		}
		if len(k.Views) != 0 || len(k.Functions) != 0 {
			t.Errorf("2.1 has no views or functions")
		}
	})
	t.Run("types_from_class_names", func(t *testing.T) {
		p := k.Type("person")
		want := "person{name text, addresses list<" + addressFields + ">, home " + addressFields + ", tags set<text>}"
		if got := typeText(p.Type); got != want {
			t.Errorf("person = %s\nwant     %s", got, want)
		}
		if p.Fields[1].CQLType != "list<frozen<address>>" || p.Fields[2].CQLType != "frozen<address>" {
			t.Errorf("field CQL types %q, %q", p.Fields[1].CQLType, p.Fields[2].CQLType)
		}
	})
	t.Run("every_cql_type", func(t *testing.T) {
		columnTypes(t, k.Table("all_types"), map[string][2]string{
			"a": {"ascii", "ascii"}, "b": {"bigint", "bigint"}, "bl": {"blob", "blob"}, "bo": {"boolean", "boolean"},
			"d": {"decimal", "decimal"}, "db": {"double", "double"}, "f": {"float", "float"}, "i": {"inet", "inet"},
			"t": {"text", "text"}, "ts": {"timestamp", "timestamp"}, "tu": {"timeuuid", "timeuuid"},
			"u": {"uuid", "uuid"}, "vi": {"varint", "varint"},
			"l": {"list<int>", "list<int>"}, "s": {"set<text>", "set<text>"}, "m": {"map<text, int>", "map<text, int>"},
			"tup":  {"frozen<tuple<int, text, frozen<address>>>", "tuple<int, text, " + addressFields + ">"},
			"st":   {"set<frozen<tuple<int, text>>>", "set<tuple<int, text>>"},
			"q":    {`frozen<"Quoted Type">`, "Quoted Type{a int, B text}"},
			"cust": {"'org.apache.cassandra.db.marshal.LexicalUUIDType'", "'org.apache.cassandra.db.marshal.LexicalUUIDType'"},
		})
	})
	t.Run("key_order_static_and_options", func(t *testing.T) {
		e := k.Table("events")
		if names(e.PartitionKey) != "tenant, bucket" || names(e.Clustering) != "at DESC, id ASC" ||
			e.Column("owner").Kind != metadata.StaticColumn || e.CompactStorage {
			t.Errorf("key (%s) (%s)", names(e.PartitionKey), names(e.Clustering))
		}
		o := e.Options
		if o.Comment() != `it's "events"` || o.DefaultTimeToLive() != 3600 || o.GCGraceSeconds() != 7200 ||
			o.Compaction()["class"] != "org.apache.cassandra.db.compaction.LeveledCompactionStrategy" ||
			o.Compaction()["sstable_size_in_mb"] != "80" || o.Compaction()["min_threshold"] != "" ||
			o.Compression()["sstable_compression"] != "org.apache.cassandra.io.compress.DeflateCompressor" ||
			o.Caching()["keys"] != "NONE" || o.Float("dclocal_read_repair_chance") != 0.1 {
			t.Errorf("options %v", o)
		}
		if st := k.Table("counters").Options.Compaction(); st["min_threshold"] != "4" || st["max_threshold"] != "32" {
			t.Errorf("size-tiered thresholds %v", st)
		}
	})
	t.Run("compact_storage", func(t *testing.T) {
		c, cs := k.Table("compact"), k.Table("compact_static")
		if !c.CompactStorage || names(c.Clustering) != "c DESC" || names(c.Columns) != "k, c DESC, v" {
			t.Errorf("compact: %v (%s)", c.CompactStorage, names(c.Columns))
		}
		if !cs.CompactStorage || names(cs.Columns) != "k, v1, v2" || len(cs.Clustering) != 0 {
			t.Errorf("compact_static: %v (%s)", cs.CompactStorage, names(cs.Columns))
		}
		if k.Table("counters").CompactStorage || !k.Table("counters").IsCounter() {
			t.Errorf("counters table")
		}
	})
	t.Run("indexes_from_columns", func(t *testing.T) {
		var got []string
		for _, ix := range k.Table("all_types").Indexes {
			got = append(got, ix.Name+"="+ix.Kind+":"+ix.Target)
		}
		if want := []string{`all_types_CamelCol_idx=COMPOSITES:"CamelCol"`, "all_types_l_idx=COMPOSITES:l",
			"all_types_m_idx=COMPOSITES:keys(m)"}; !slices.Equal(got, want) {
			t.Errorf("indexes %v", got)
		}
		if d := k.Table("all_types").Describe(); !strings.Contains(d, `CREATE INDEX all_types_CamelCol_idx ON md_capture.all_types ("CamelCol");`) {
			t.Errorf("2.1 takes bare mixed-case index names:\n%s", d)
		}
	})
	t.Run("dropped_column", func(t *testing.T) {
		d := k.Table("dropped")
		if len(d.DroppedColumns) != 1 || d.DroppedColumns[0].Name != "gone" || d.DroppedColumns[0].DroppedAt.Year() < 2020 {
			t.Errorf("dropped %+v", d.DroppedColumns)
		}
	})
}
