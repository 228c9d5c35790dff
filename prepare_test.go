package cassandra

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// Prepared statements: re-prepare on UNPREPARED, its bounds, preparing on
// every host, stale result metadata and re-prepare on hosts coming back.

// opsOf lists the opcodes of the requests of statement q (PREPARE, QUERY,
// EXECUTE) a node received, in order.
func opsOf(n *cassandratest.Node, q string) []frame.Opcode {
	var out []frame.Opcode
	for _, r := range n.Requests() {
		if r.Opcode == frame.OpPrepare && r.Query == q || r.Opcode == frame.OpExecute && bytes.Equal(r.ID, cassandratest.PreparedID(q)) {
			out = append(out, r.Opcode)
		}
	}
	return out
}

func sameOps(got []frame.Opcode, want ...frame.Opcode) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func TestUnpreparedReprepresOnSameHost(t *testing.T) {
	for _, how := range []string{"unprepared_rule", "forget_prepared"} {
		t.Run(how, func(t *testing.T) {
			e := rqStart(t, 1, cassandratest.Config{}, nil)
			e.prepareRules()
			ctx := rqCtx(t)
			ps, err := e.s.Prepare(ctx, rqInsert)
			if err != nil {
				t.Fatal(err)
			}
			if how == "forget_prepared" {
				e.nodes[0].ForgetPrepared()
			} else {
				for _, n := range e.nodes {
					// Rules run in order: this one goes before the Prepare rules.
					n.ClearRules()
					n.AddRule(cassandratest.Rule{Match: cassandratest.ExecuteID(ps.ID()), Then: cassandratest.Once(cassandratest.Unprepared())})
				}
				e.prepareRules()
			}
			rs, err := e.s.ExecuteStatement(ctx, ps.Bind(1, "a"))
			if err != nil {
				t.Fatal(err)
			}
			if got := opsOf(e.nodes[0], rqInsert); !sameOps(got, frame.OpPrepare, frame.OpExecute, frame.OpPrepare, frame.OpExecute) {
				t.Errorf("node received %v, want PREPARE EXECUTE PREPARE EXECUTE", got)
			}
			at := rs.Attempts()
			var up *UnpreparedError
			if len(at) != 2 || !errors.As(at[0].Err, &up) || at[0].Host != at[1].Host {
				t.Errorf("attempts %+v, want UNPREPARED then success on one host", at)
			}
		})
	}
}

func TestUnpreparedOnOtherHostOfCluster(t *testing.T) {
	// A statement prepared on one node only is re-prepared on the others as
	// the round robin reaches them, each once.
	e := rqStart(t, 3, cassandratest.Config{}, nil)
	e.prepareRules()
	ctx := rqCtx(t)
	for i := range 9 {
		if _, err := e.s.Execute(ctx, rqInsert, i, "a"); err != nil {
			t.Fatal(err)
		}
	}
	for i, n := range e.nodes {
		if k := n.Count(cassandratest.Prepare(rqInsert)); k != 1 {
			t.Errorf("node %d: %d PREPAREs, want 1", i, k)
		}
	}
	if k := e.count(cassandratest.Op(frame.OpExecute)); k != 9+2 {
		t.Errorf("%d EXECUTEs, want 11 (9 and two UNPREPARED)", k)
	}
}

func TestUnpreparedForeverIsBounded(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Op(frame.OpExecute), Then: cassandratest.Unprepared()})
	e.prepareRules()
	ctx := rqCtx(t)
	done := make(chan error, 1)
	go func() {
		_, err := e.s.ExecuteStatement(ctx, NewStatement(rqInsert, 1, "a").Idempotent(true))
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(3 * time.Second):
		t.Fatalf("Execute still running after 3s; %d EXECUTEs sent", e.count(cassandratest.Op(frame.OpExecute)))
	}
	var up *UnpreparedError
	if !errors.As(err, &up) {
		t.Fatalf("error %v, want an *UnpreparedError", err)
	}
	if k := e.count(cassandratest.Op(frame.OpExecute)); k != maxReprepares+1 {
		t.Errorf("%d EXECUTEs, want %d", k, maxReprepares+1)
	}
}

func TestReprepareWithDifferentIDFails(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Prepare(rqInsert), Then: cassandratest.Once(rqPrepared(rqKV, frame.RowsMetadata{}))})
	e.rule(cassandratest.Rule{Match: cassandratest.Prepare(rqInsert), Then: cassandratest.Respond(&frame.PreparedResult{ID: []byte("another id"), Params: frame.NewPreparedMetadata(rqKV, 0)})})
	ctx := rqCtx(t)
	ps, err := e.s.Prepare(ctx, rqInsert)
	if err != nil {
		t.Fatal(err)
	}
	e.nodes[0].ForgetPrepared()
	_, err = e.s.ExecuteStatement(ctx, ps.Bind(1, "a"))
	if err == nil {
		t.Fatal("executed after the re-prepare gave another id")
	}
	if k := e.count(cassandratest.Op(frame.OpExecute)); k != 1 {
		t.Errorf("%d EXECUTEs, want 1 (no execution after the id changed)", k)
	}
}

func TestPrepareOnAllHosts(t *testing.T) {
	e := rqStart(t, 3, cassandratest.Config{}, func(c *Cluster) { c.PrepareOnAllHosts = true })
	e.prepareRules()
	if _, err := e.s.Prepare(rqCtx(t), rqInsert); err != nil {
		t.Fatal(err)
	}
	rqWait(t, 2*time.Second, "a PREPARE on every node", func() bool {
		for _, n := range e.nodes {
			if n.Count(cassandratest.Prepare(rqInsert)) != 1 {
				return false
			}
		}
		return true
	})
	for i := range 6 {
		if _, err := e.s.Execute(rqCtx(t), rqInsert, i, "a"); err != nil {
			t.Fatal(err)
		}
	}
	if k := e.count(cassandratest.Prepare(rqInsert)); k != 3 {
		t.Errorf("%d PREPAREs after executing everywhere, want 3 (no UNPREPARED round trip)", k)
	}
}

// staleEnv prepares rqSelect on one v4 node and executes it once.
func staleEnv(t *testing.T, v int) (*rqEnv, *PreparedStatement) {
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.ProtocolVersion = v })
	e.prepareRules()
	ctx := rqCtx(t)
	ps, err := e.s.Prepare(ctx, rqSelect)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.ExecuteStatement(ctx, ps.Bind(1)); err != nil {
		t.Fatal(err)
	}
	return e, ps
}

// lastExecute returns the last EXECUTE of q the nodes received.
func (e *rqEnv) lastExecute(t *testing.T, q string) *frame.Execute {
	t.Helper()
	ex := e.msgs(cassandratest.Execute(q))
	if len(ex) == 0 {
		t.Fatal("no EXECUTE")
	}
	return ex[len(ex)-1].Msg.(*frame.Execute)
}

func TestStaleMetadataAfterSchemaEvent(t *testing.T) {
	e, ps := staleEnv(t, 4)
	ctx := rqCtx(t)
	if !e.lastExecute(t, rqSelect).Params.SkipMetadata {
		t.Fatal("first EXECUTE of a prepared SELECT went without skip_metadata")
	}
	ev := &frame.Event{Type: frame.EventSchemaChange, Schema: frame.SchemaChange{Change: "UPDATED", Target: "TABLE", Keyspace: "ks", Name: "t"}}
	rqWait(t, 2*time.Second, "the control connection to get the event", func() bool { return e.nodes[0].SendEvent(ev) > 0 })
	rqWait(t, 2*time.Second, "the statement's metadata to go stale", func() bool { return ps.result.Load().stale && ps.refresh.Load() })
	prepares := e.count(cassandratest.Prepare(rqSelect))
	if _, err := e.s.ExecuteStatement(ctx, ps.Bind(1)); err != nil {
		t.Fatal(err)
	}
	// Prepared again before the EXECUTE: markers and columns are fresh.
	if k := e.count(cassandratest.Prepare(rqSelect)); k != prepares+1 {
		t.Errorf("%d PREPAREs after the table changed, want %d", k, prepares+1)
	}
	if ps.result.Load().stale || ps.refresh.Load() {
		t.Error("the statement is still marked after preparing it again")
	}
	// Fresh metadata: skipping it is safe again, and nothing is prepared.
	if _, err := e.s.ExecuteStatement(ctx, ps.Bind(1)); err != nil {
		t.Fatal(err)
	}
	if !e.lastExecute(t, rqSelect).Params.SkipMetadata {
		t.Error("EXECUTE after fresh metadata arrived did not skip metadata")
	}
	if k := e.count(cassandratest.Prepare(rqSelect)); k != prepares+1 {
		t.Errorf("%d PREPAREs after the second EXECUTE, want %d", k, prepares+1)
	}
}

func TestStaleMetadataAfterSchemaChangeResult(t *testing.T) {
	e, ps := staleEnv(t, 4)
	const ddl = "ALTER TABLE ks.t ADD w int"
	e.rule(cassandratest.Rule{Match: cassandratest.Query(ddl), Then: cassandratest.Respond(&frame.SchemaChangeResult{SchemaChange: frame.SchemaChange{Change: "UPDATED", Target: "TABLE", Keyspace: "ks", Name: "t"}})})
	ctx := rqCtx(t)
	if _, err := e.s.Execute(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	if !ps.result.Load().stale || !ps.refresh.Load() {
		t.Fatal("the DDL's result did not mark the statement")
	}
	prepares := e.count(cassandratest.Prepare(rqSelect))
	if _, err := e.s.ExecuteStatement(ctx, ps.Bind(1)); err != nil {
		t.Fatal(err)
	}
	if k := e.count(cassandratest.Prepare(rqSelect)); k != prepares+1 {
		t.Errorf("%d PREPAREs after ALTER TABLE, want %d", k, prepares+1)
	}
}

func TestUnrelatedSchemaChangeKeepsSkipMetadata(t *testing.T) {
	e, ps := staleEnv(t, 4)
	e.s.req.schemaChanged([]frame.SchemaChange{{Change: "UPDATED", Target: "TABLE", Keyspace: "ks", Name: "other"}})
	if _, err := e.s.ExecuteStatement(rqCtx(t), ps.Bind(1)); err != nil {
		t.Fatal(err)
	}
	if !e.lastExecute(t, rqSelect).Params.SkipMetadata {
		t.Error("a change to another table made the EXECUTE ask for metadata")
	}
}

func TestV5NewMetadataIDIsSentNext(t *testing.T) {
	e, ps := staleEnv(t, 5)
	first := e.lastExecute(t, rqSelect)
	if len(first.ResultMetadataID) == 0 || !bytes.Equal(first.ResultMetadataID, ps.result.Load().id) {
		t.Fatalf("first EXECUTE carried result metadata id %x", first.ResultMetadataID)
	}
	newID := []byte("new-metadata-id!")
	cols := append(append([]frame.ColumnSpec(nil), rqKV...), frame.ColumnSpec{Keyspace: "ks", Table: "t", Name: "w", Type: rqInt})
	meta := frame.NewRowsMetadata(cols...)
	meta.NewMetadataID = newID
	for _, n := range e.nodes {
		n.ClearRules()
		n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(rqSelect), Then: cassandratest.Once(cassandratest.Rows(meta, [][][]byte{{cassandratest.IntCell(1), cassandratest.TextCell("a"), cassandratest.IntCell(7)}}))})
	}
	e.prepareRules()
	ctx := rqCtx(t)
	rs, err := e.s.ExecuteStatement(ctx, ps.Bind(1))
	if err != nil {
		t.Fatal(err)
	}
	var k, w int
	var v string
	if !rs.Next() || rs.Scan(&k, &v, &w) != nil || w != 7 {
		t.Fatalf("row with the new column not read: %v", rs.Err())
	}
	if len(ps.ResultColumns()) != 3 {
		t.Errorf("statement's result columns %d, want 3", len(ps.ResultColumns()))
	}
	if _, err := e.s.ExecuteStatement(ctx, ps.Bind(1)); err != nil {
		t.Fatal(err)
	}
	if got := e.lastExecute(t, rqSelect).ResultMetadataID; !bytes.Equal(got, newID) {
		t.Errorf("next EXECUTE carried result metadata id %q, want %q", got, newID)
	}
}

func TestRepreparedWhenHostComesBack(t *testing.T) {
	e := rqStart(t, 2, cassandratest.Config{}, nil)
	e.prepareRules()
	ctx := rqCtx(t)
	ps, err := e.s.Prepare(ctx, rqInsert)
	if err != nil {
		t.Fatal(err)
	}
	// Node 1 is not the control connection's (that is the contact point,
	// node 0): take it down and bring it back with an empty cache.
	down := e.nodes[1]
	h := e.host(1)
	down.Stop()
	rqWait(t, 3*time.Second, "the host to be marked down", func() bool { return !h.IsUp() })
	down.ForgetPrepared()
	down.ResetRequests()
	if err := down.Restart(); err != nil {
		t.Fatal(err)
	}
	rqWait(t, 3*time.Second, "the statement to be prepared on the host again", func() bool {
		return down.Count(cassandratest.Prepare(rqInsert)) == 1
	})
	if _, err := e.s.ExecuteStatement(ctx, ps.Bind(1, "a").Host(h)); err != nil {
		t.Fatal(err)
	}
	if got := opsOf(down, rqInsert); !sameOps(got, frame.OpPrepare, frame.OpExecute) {
		t.Errorf("node received %v, want PREPARE then one EXECUTE (no UNPREPARED round trip)", got)
	}
}
