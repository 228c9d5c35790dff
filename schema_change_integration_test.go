package cassandra

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/internal/testenv"
)

// schemaVersions are the protocol versions the schema-change tests run
// with: every version the server speaks, or the one CASSANDRA_PROTOCOL
// forces.
func schemaVersions(e testenv.Env) []int {
	if v, err := strconv.Atoi(os.Getenv("CASSANDRA_PROTOCOL")); err == nil {
		return []int{v}
	}
	if e.Version == "2.1" {
		return []int{3}
	}
	return []int{3, 4, 5}
}

// schemaClients connects two clients of one protocol version: a, the one
// under test, and b, the other client that changes the schema and prepares
// the same texts again first.
func schemaClients(t *testing.T, v int) (a, b *Session, ac *Cluster) {
	ac, a, _ = testSession(t, func(c *Cluster) { c.ProtocolVersion = v })
	_, b, _ = testSession(t, func(c *Cluster) { c.ProtocolVersion = v })
	return a, b, ac
}

// waitSchemaEvent waits, bounded, until a's control connection has applied
// n schema events: on Cassandra 2.1, which keeps serving a statement
// prepared before a table changed, the event is what tells the driver.
func waitSchemaEvent(t *testing.T, c *Cluster, n uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for c.state.ctrl.schemaEvents.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the control connection saw %d schema events, want %d", c.state.ctrl.schemaEvents.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rowMap reads the only row of rs by column name.
func rowMap(t *testing.T, rs *ResultSet) map[string]any {
	t.Helper()
	m := map[string]any{}
	if !rs.Next() {
		t.Fatalf("no row: %v", rs.Err())
	}
	if err := rs.MapScan(m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestIntegrationPreparedAcrossSchemaChanges(t *testing.T) {
	e := testenv.Require(t)
	for _, v := range schemaVersions(e) {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			a, b, ac := schemaClients(t, v)
			ks := testKeyspace(t, a, fmt.Sprintf("it_schema_v%d", v), e)
			sel := "SELECT * FROM " + ks + ".t WHERE id = ?"
			// reset makes ks.t (id, a text, z text) holding (1, 'A', 'Z'), and
			// has both clients prepare and run sel on it.
			reset := func(t *testing.T) {
				mustExec(t, b, "DROP TABLE IF EXISTS "+ks+".t")
				mustExec(t, b, "CREATE TABLE "+ks+".t (id int PRIMARY KEY, a text, z text)")
				mustExec(t, b, "INSERT INTO "+ks+".t (id, a, z) VALUES (1, 'A', 'Z')")
				for _, s := range []*Session{a, b} {
					got := rowMap(t, mustExec(t, s, sel, 1))
					if !valuesEqual(got, map[string]any{"id": int32(1), "a": "A", "z": "Z"}) {
						t.Fatalf("before the change: %v", got)
					}
				}
			}
			cases := []struct {
				name string
				ddl  []string
				want map[string]any
			}{
				{"alter_drop", []string{"ALTER TABLE " + ks + ".t DROP a"}, map[string]any{"id": int32(1), "z": "Z"}},
				{"alter_add", []string{"ALTER TABLE " + ks + ".t ADD b int", "UPDATE " + ks + ".t SET b = 7 WHERE id = 1"},
					map[string]any{"id": int32(1), "a": "A", "b": int32(7), "z": "Z"}},
				{"drop_create_type_changed", []string{"DROP TABLE " + ks + ".t",
					"CREATE TABLE " + ks + ".t (id int PRIMARY KEY, a int, n text, z text)",
					"INSERT INTO " + ks + ".t (id, a, n, z) VALUES (1, 42, 'N', 'Z')"},
					map[string]any{"id": int32(1), "a": int32(42), "n": "N", "z": "Z"}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					reset(t)
					seen := ac.state.ctrl.schemaEvents.Load()
					ddls := uint64(0)
					for _, q := range c.ddl {
						rs := mustExec(t, b, q)
						if rs.SchemaChange() != nil {
							ddls++
							if !rs.SchemaAgreed() {
								t.Fatalf("%s: no schema agreement", q)
							}
						}
					}
					// The other client prepares the text again first.
					if got := rowMap(t, mustExec(t, b, sel, 1)); !valuesEqual(got, c.want) {
						t.Fatalf("the other client read %v, want %v", got, c.want)
					}
					if e.Version == "2.1" {
						waitSchemaEvent(t, ac, seen+ddls)
					}
					if got := rowMap(t, mustExec(t, a, sel, 1)); !valuesEqual(got, c.want) {
						t.Fatalf("read %v right after the change, want %v", got, c.want)
					}
				})
			}
			t.Run("alter_type_add", func(t *testing.T) {
				mustExec(t, b, "DROP TABLE IF EXISTS "+ks+".u")
				mustExec(t, b, "DROP TYPE IF EXISTS "+ks+".addr")
				mustExec(t, b, "CREATE TYPE "+ks+".addr (st text)")
				mustExec(t, b, "CREATE TABLE "+ks+".u (id int PRIMARY KEY, ad frozen<addr>)")
				ins := "INSERT INTO " + ks + ".u (id, ad) VALUES (?, ?)"
				selU := "SELECT ad FROM " + ks + ".u WHERE id = ?"
				for _, s := range []*Session{a, b} {
					mustExec(t, s, ins, 1, map[string]any{"st": "x"})
					if got := rowMap(t, mustExec(t, s, selU, 1)); !valuesEqual(got["ad"], map[string]any{"st": "x"}) {
						t.Fatalf("before ALTER TYPE: %v", got)
					}
				}
				seen := ac.state.ctrl.schemaEvents.Load()
				if rs := mustExec(t, b, "ALTER TYPE "+ks+".addr ADD c text"); !rs.SchemaAgreed() {
					t.Fatal("no schema agreement")
				}
				mustExec(t, b, ins, 2, map[string]any{"st": "q", "c": "r"})
				if e.Version == "2.1" {
					waitSchemaEvent(t, ac, seen+1)
				}
				// A write naming the new field is accepted at once.
				if _, err := a.Execute(testCtx(t), ins, 1, map[string]any{"st": "y", "c": "z"}); err != nil {
					t.Fatalf("insert with the new field: %v", err)
				}
				for id, want := range map[int]map[string]any{1: {"st": "y", "c": "z"}, 2: {"st": "q", "c": "r"}} {
					if got := rowMap(t, mustExec(t, a, selU, id)); !valuesEqual(got["ad"], want) {
						t.Fatalf("row %d read %v, want %v", id, got["ad"], want)
					}
				}
			})
		})
	}
}

// TestIntegrationGenericReadsOfEveryType reads whole rows into maps
// (MapScan of SELECT *) when maps are keyed by tuples, user types and
// frozen collections, and binds and reads a vector of a user type (5.0).
func TestIntegrationGenericReadsOfEveryType(t *testing.T) {
	_, s, e := testSession(t)
	ks := testKeyspace(t, s, "it_generic", e)
	mustExec(t, s, "DROP TABLE IF EXISTS "+ks+".g")
	mustExec(t, s, "CREATE TYPE IF NOT EXISTS "+ks+".pt (x int, y int)")
	// Cassandra 2.1 has neither frozen collections nor vectors.
	modern := e.Version != "2.1"
	cols := "id int PRIMARY KEY, by_tuple map<frozen<tuple<int, text>>, int>, by_udt map<frozen<pt>, text>"
	if modern {
		cols += ", by_list map<frozen<list<int>>, int>, pts vector<frozen<pt>, 2>"
	}
	mustExec(t, s, "CREATE TABLE "+ks+".g ("+cols+")")
	byTuple := []MapEntry{{Key: []any{int32(1), "a"}, Value: int32(10)}, {Key: []any{int32(2), "b"}, Value: int32(20)}}
	byUDT := []MapEntry{{Key: map[string]any{"x": int32(1), "y": int32(2)}, Value: "p"}}
	byList := []MapEntry{{Key: []int32{1, 2}, Value: int32(3)}}
	want := map[string]any{"id": int32(1), "by_tuple": byTuple, "by_udt": byUDT}
	if modern {
		want["by_list"] = byList
		type pt struct {
			X int `cql:"x"`
			Y int `cql:"y"`
		}
		mustExec(t, s, "INSERT INTO "+ks+".g (id, by_tuple, by_udt, by_list, pts) VALUES (?, ?, ?, ?, ?)", 1, byTuple, byUDT, byList, []pt{{1, 2}, {3, 4}})
		want["pts"] = []map[string]any{{"x": int32(1), "y": int32(2)}, {"x": int32(3), "y": int32(4)}}
	} else {
		mustExec(t, s, "INSERT INTO "+ks+".g (id, by_tuple, by_udt) VALUES (?, ?, ?)", 1, byTuple, byUDT)
	}
	for _, q := range []string{"SELECT * FROM " + ks + ".g WHERE id = 1", "SELECT * FROM " + ks + ".g WHERE id = ?"} {
		var rs *ResultSet
		if q[len(q)-1] == '?' {
			rs = mustExec(t, s, q, 1)
		} else {
			rs = mustExec(t, s, q)
		}
		if got := rowMap(t, rs); !valuesEqual(got, want) {
			t.Fatalf("%s:\n got %#v\nwant %#v", q, got, want)
		}
	}
}
