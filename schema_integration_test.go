package cassandra

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/metadata"
)

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
