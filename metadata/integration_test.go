package metadata_test

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/metadata"
)

func keyspaceChange(ks string) frame.SchemaChange {
	return frame.SchemaChange{Change: frame.SchemaUpdated, Target: frame.TargetKeyspace, Keyspace: ks}
}

// TestIntegrationDescribeRoundTrip creates the test schema, describes it,
// drops the keyspace, runs the description statement by statement, and
// checks that the schema read back describes the same.
func TestIntegrationDescribeRoundTrip(t *testing.T) {
	s, e := testSession(t)
	ctx := testCtx(t)
	v := metadata.VersionFor(releaseVersion(t, ctx, s))
	const ks = "md_rt"
	mustExec(t, ctx, s, "DROP KEYSPACE IF EXISTS "+ks)
	t.Cleanup(func() { _, _ = s.Execute(ctx, "DROP KEYSPACE IF EXISTS "+ks) })
	for _, stmt := range testSchemaDDL(v, ks, min(e.Nodes, 3)) {
		mustExec(t, ctx, s, stmt)
	}

	first := readKeyspace(t, ctx, s, v, ks)
	if first == nil {
		t.Fatalf("keyspace %s not found after creating it", ks)
	}
	for _, p := range first.Problems() {
		t.Errorf("problem: %s", p)
	}
	// The whole-schema queries see the same keyspace as the keyspace ones.
	full, err := metadata.Parse(v, readRows(t, ctx, s, metadata.Queries(v)))
	if err != nil {
		t.Fatal(err)
	}
	if got := full.Keyspace(ks); got == nil || got.Describe() != first.Describe() {
		t.Errorf("keyspace read with Queries differs from the one read with RefreshQueries")
	}
	wantTables := 6
	if v >= metadata.Schema30 {
		if len(first.Views) != 2 || len(first.Functions) != 4 || len(first.Aggregates) != 1 {
			t.Errorf("views %d, functions %d, aggregates %d; want 2, 4, 1", len(first.Views), len(first.Functions), len(first.Aggregates))
		}
	} else {
		wantTables = 7
	}
	if len(first.Tables) != wantTables || len(first.Types) < 3 {
		t.Errorf("tables %v, types %v", first.TableNames(), first.TypeNames())
	}

	desc := first.Describe()
	t.Logf("description:\n%s", desc)
	mustExec(t, ctx, s, "DROP KEYSPACE "+ks)
	for _, stmt := range first.DescribeStatements() {
		mustExec(t, ctx, s, stmt)
	}
	second := readKeyspace(t, ctx, s, v, ks)
	if second == nil {
		t.Fatalf("keyspace %s not found after running its description", ks)
	}
	if got := second.Describe(); got != desc {
		t.Errorf("descriptions differ after the round trip:\n%s", lineDiff(desc, got))
	}
	if first.Table("events").ID == second.Table("events").ID {
		t.Errorf("table id survived DROP KEYSPACE: the second read saw the old schema")
	}
}

// TestIntegrationRefresh checks that partial refreshes after ALTER TABLE
// and ALTER TYPE give what reading the whole keyspace gives.
func TestIntegrationRefresh(t *testing.T) {
	s, e := testSession(t)
	ctx := testCtx(t)
	v := metadata.VersionFor(releaseVersion(t, ctx, s))
	const ks = "md_refresh"
	mustExec(t, ctx, s, "DROP KEYSPACE IF EXISTS "+ks)
	t.Cleanup(func() { _, _ = s.Execute(ctx, "DROP KEYSPACE IF EXISTS "+ks) })
	for _, stmt := range testSchemaDDL(v, ks, min(e.Nodes, 3)) {
		mustExec(t, ctx, s, stmt)
	}
	schema, err := metadata.Parse(v, readRows(t, ctx, s, metadata.Queries(v)))
	if err != nil {
		t.Fatal(err)
	}
	apply := func(stmt string, c frame.SchemaChange) {
		t.Helper()
		rs, err := s.Execute(ctx, stmt)
		if err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
		if sc := rs.SchemaChange(); sc != nil && sc.Target == c.Target && sc.Name == c.Name {
			c = *sc // the server's own change, as an event would carry it
		}
		next, err := schema.Refresh(c, readRows(t, ctx, s, metadata.RefreshQueries(v, c)))
		if err != nil {
			t.Fatalf("refresh after %s: %v", stmt, err)
		}
		old := schema
		schema = next
		if old.Keyspace(ks).Describe() == next.Keyspace(ks).Describe() {
			t.Errorf("%s: refresh changed nothing", stmt)
		}
	}
	table := func(name string) frame.SchemaChange {
		return frame.SchemaChange{Change: frame.SchemaUpdated, Target: frame.TargetTable, Keyspace: ks, Name: name}
	}
	apply("ALTER TABLE "+ks+".events ADD nick text", table("events"))
	apply("ALTER TYPE "+ks+".address ADD country text",
		frame.SchemaChange{Change: frame.SchemaUpdated, Target: frame.TargetType, Keyspace: ks, Name: "address"})
	apply("CREATE TABLE "+ks+".later (k int PRIMARY KEY, a frozen<address>)",
		frame.SchemaChange{Change: frame.SchemaCreated, Target: frame.TargetTable, Keyspace: ks, Name: "later"})
	apply("DROP TABLE "+ks+".counters",
		frame.SchemaChange{Change: frame.SchemaDropped, Target: frame.TargetTable, Keyspace: ks, Name: "counters"})

	got := schema.Keyspace(ks)
	want := readKeyspace(t, ctx, s, v, ks)
	if got.Describe() != want.Describe() {
		t.Errorf("refreshed keyspace differs from a fresh read:\n%s", lineDiff(want.Describe(), got.Describe()))
	}
	a := got.Table("later").Column("a").Type
	if len(a.FieldNames) != 4 || a.FieldNames[3] != "country" {
		t.Errorf("column of the altered type has fields %v, want street, zip, Geo, country", a.FieldNames)
	}
	if got.Table("counters") != nil {
		t.Errorf("dropped table still in the schema")
	}
	// A whole-schema read agrees too.
	first, err := metadata.Parse(v, readRows(t, ctx, s, metadata.Queries(v)))
	if err != nil {
		t.Fatal(err)
	}
	if first.Keyspace(ks).Describe() != got.Describe() {
		t.Errorf("whole-schema read differs from the refreshed keyspace")
	}
}

// lineDiff lists the lines of b that a lacks and the other way round.
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ia, ib := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !ib[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ia[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// recordedTable is one system table in testdata: its columns (name and
// type [option] in hex) and its rows (each cell in hex, null as nil), so
// that the unit tests decode the cells with cqltype.DecodeAny exactly as
// the driver does.
type recordedTable struct {
	Columns [][2]string `json:"columns"`
	Rows    [][]*string `json:"rows"`
}

type recording struct {
	ReleaseVersion string                    `json:"release_version"`
	Keyspace       string                    `json:"keyspace"`
	DDL            []string                  `json:"ddl"`
	Tables         map[string]*recordedTable `json:"tables"`
}

// TestIntegrationCaptureTestdata records the system table rows of the test
// schema (and of system_virtual_schema) into testdata/cassandra-<major.minor>.json
// for the unit tests. It runs only with MD_CAPTURE=1, against a server with
// no auth: MD_CAPTURE=1 go test -run CaptureTestdata ./metadata/
func TestIntegrationCaptureTestdata(t *testing.T) {
	if os.Getenv("MD_CAPTURE") == "" {
		t.Skip("set MD_CAPTURE=1 to record testdata")
	}
	s, _ := testSession(t)
	ctx := testCtx(t)
	release := releaseVersion(t, ctx, s)
	v := metadata.VersionFor(release)
	const ks = "md_capture"
	mustExec(t, ctx, s, "DROP KEYSPACE IF EXISTS "+ks)
	ddl := testSchemaDDL(v, ks, 1)
	for _, stmt := range ddl {
		mustExec(t, ctx, s, stmt)
	}
	rec := recording{ReleaseVersion: release, Keyspace: ks, DDL: ddl, Tables: map[string]*recordedTable{}}
	for _, q := range metadata.Queries(v) {
		rs, err := s.Execute(ctx, q.CQL, q.Args...)
		if err != nil {
			t.Fatal(err)
		}
		rt := &recordedTable{}
		for _, c := range rs.Columns() {
			rt.Columns = append(rt.Columns, [2]string{c.Name, hex.EncodeToString(frame.AppendType(nil, c.Type))})
		}
		for row, err := range rs.Rows() {
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]any{}
			if err := row.MapScan(m); err != nil {
				t.Fatal(err)
			}
			if m["keyspace_name"] != ks && m["keyspace_name"] != "system_virtual_schema" {
				continue
			}
			cells := make([]*string, len(row.Columns()))
			for i := range cells {
				if b := row.Bytes(i); b != nil {
					h := hex.EncodeToString(b)
					cells[i] = &h
				}
			}
			rt.Rows = append(rt.Rows, cells)
		}
		rec.Tables[q.Table] = rt
	}
	out, err := json.MarshalIndent(rec, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	short := release
	if parts := strings.SplitN(release, ".", 3); len(parts) >= 2 {
		short = parts[0] + "." + parts[1]
	}
	name := filepath.Join("testdata", "cassandra-"+short+".json")
	if err := os.WriteFile(name, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	mustExec(t, ctx, s, "DROP KEYSPACE "+ks)
	t.Logf("wrote %s (%d bytes)", name, len(out))
}

// loadRecording reads a testdata recording into the parser's input,
// decoding every cell with cqltype.DecodeAny as the driver's MapScan does.
func loadRecording(t testing.TB, name string) (recording, metadata.Rows) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var rec recording
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	rows := metadata.Rows{}
	for table, rt := range rec.Tables {
		types := make([]*frame.Type, len(rt.Columns))
		for i, c := range rt.Columns {
			tb, err := hex.DecodeString(c[1])
			if err != nil {
				t.Fatal(err)
			}
			r := frame.NewReader(tb, "type")
			types[i] = r.ReadType("type")
			if r.Err() != nil {
				t.Fatal(r.Err())
			}
		}
		for _, cells := range rt.Rows {
			m := make(map[string]any, len(cells))
			for i, c := range cells {
				var data []byte
				if c != nil {
					if data, err = hex.DecodeString(*c); err != nil {
						t.Fatal(err)
					}
				}
				v, err := cqltype.DecodeAny(types[i], data)
				if err != nil {
					t.Fatalf("%s.%s: %v", table, rt.Columns[i][0], err)
				}
				m[rt.Columns[i][0]] = v
			}
			rows[table] = append(rows[table], m)
		}
	}
	return rec, rows
}
