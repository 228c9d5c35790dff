package cassandra

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/metadata"
)

// TestIntegrationMetadataFollowsThePythonDriver: a table, a column and a
// user type that the Python driver (the interop witness, another client
// with its own connections) creates appear in this cluster's metadata
// within the schema debounce window, and the dropped table disappears.
func TestIntegrationMetadataFollowsThePythonDriver(t *testing.T) {
	py := witnessPython(t)
	c, s, e := testSession(t)
	ks := testKeyspace(t, s, "it_meta_py", e)
	name := fmt.Sprintf("py_%d", time.Now().UnixNano())
	t.Cleanup(func() { s.Execute(testCtx(t), "DROP TABLE IF EXISTS "+ks+"."+name) })
	keyspace := func() *metadata.Keyspace {
		if md := c.Metadata(); md != nil {
			return md.Keyspace(ks)
		}
		return nil
	}
	runWitness(t, py, "ddl",
		"CREATE TYPE IF NOT EXISTS "+ks+".py_point (x double, y double)",
		"CREATE TABLE "+ks+"."+name+" (k int PRIMARY KEY, v text)",
		"ALTER TABLE "+ks+"."+name+" ADD p frozen<py_point>")
	start := time.Now()
	pollUntil(t, 10*time.Second, "the Python driver's table, column and type in the metadata", func() bool {
		k := keyspace()
		if k == nil || k.Type("py_point") == nil {
			return false
		}
		tb := k.Table(name)
		return tb != nil && tb.Column("p") != nil && tb.Column("p").Type.Name == "py_point"
	})
	t.Logf("the Python driver's DDL in the metadata %v after the witness exited (schema window %v)", time.Since(start), c.state.s.Events.SchemaWindow)
	runWitness(t, py, "ddl", "DROP TABLE "+ks+"."+name)
	start = time.Now()
	pollUntil(t, 10*time.Second, "the dropped table gone from the metadata", func() bool {
		k := keyspace()
		return k != nil && k.Table(name) == nil
	})
	t.Logf("the Python driver's DROP in the metadata %v after the witness exited", time.Since(start))
}

// TestIntegrationMetadataFollowsAnotherClient: a table another client
// creates and alters appears in this cluster's metadata within the schema
// debounce window, and the listener hears of it.
func TestIntegrationMetadataFollowsAnotherClient(t *testing.T) {
	a, sa, e := testSession(t)
	_, other, _ := testSession(t)
	ks := testKeyspace(t, sa, "it_meta", e)
	// A table of its own per run: a table left by an earlier run would be
	// in the metadata already.
	name := fmt.Sprintf("followed_%d", time.Now().UnixNano())
	t.Cleanup(func() { other.Execute(testCtx(t), "DROP TABLE IF EXISTS "+ks+"."+name) })
	var heard atomic.Int32
	a.AddSchemaListener(func(ch SchemaChange, s *metadata.Schema) {
		if ch.Keyspace == ks && ch.Name == name && s != nil {
			heard.Add(1)
		}
	})
	table := func() *metadata.Table {
		md := a.Metadata()
		if md == nil {
			return nil
		}
		k := md.Keyspace(ks)
		if k == nil {
			return nil
		}
		return k.Table(name)
	}
	mustExec(t, other, "CREATE TABLE "+ks+"."+name+" (k int PRIMARY KEY, v text)")
	start := time.Now()
	pollUntil(t, 10*time.Second, "the new table in the metadata", func() bool { return table() != nil })
	t.Logf("created table in the metadata %v after the other client's DDL returned", time.Since(start))
	mustExec(t, other, "ALTER TABLE "+ks+"."+name+" ADD w int")
	pollUntil(t, 10*time.Second, "the new column in the metadata", func() bool {
		tb := table()
		if tb == nil {
			return false
		}
		for _, c := range tb.Columns {
			if c.Name == "w" {
				return true
			}
		}
		return false
	})
	if heard.Load() == 0 {
		t.Error("the schema listener heard nothing")
	}
	if d := table().Describe(); len(d) == 0 {
		t.Error("empty Describe")
	}
}
