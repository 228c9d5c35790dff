package cassandra

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// USE and schema changes through Execute.

// sessionConns returns the ids of a node's connections that a session
// opened: those that did a handshake and did not REGISTER (the control
// connection does).
func sessionConns(n *cassandratest.Node) map[int]bool {
	conns, control := map[int]bool{}, map[int]bool{}
	for _, r := range n.Requests() {
		switch r.Opcode {
		case frame.OpStartup:
			conns[r.Conn] = true
		case frame.OpRegister:
			control[r.Conn] = true
		}
	}
	for id := range control {
		delete(conns, id)
	}
	return conns
}

// usedOn reports the connections of n that were switched to ks.
func usedOn(n *cassandratest.Node, ks string) map[int]bool {
	out := map[int]bool{}
	for _, r := range n.Requests() {
		q := strings.ToLower(r.Query)
		if r.Opcode == frame.OpQuery && strings.HasPrefix(q, "use ") && strings.Trim(strings.TrimSpace(q[4:]), `"`) == ks {
			out[r.Conn] = true
		}
	}
	return out
}

func checkAllUsed(t *testing.T, e *rqEnv, ks string) {
	t.Helper()
	for i, n := range e.nodes {
		conns, used := sessionConns(n), usedOn(n, ks)
		if len(conns) == 0 {
			t.Errorf("node %d: no session connection", i)
		}
		for id := range conns {
			if !used[id] {
				t.Errorf("node %d: connection %d never switched to %s", i, id, ks)
			}
		}
	}
}

func TestUseThroughExecute(t *testing.T) {
	e := rqStart(t, 2, cassandratest.Config{}, func(c *Cluster) { c.Pool.ConnectionsPerHost = 2 })
	rqWait(t, 3*time.Second, "two connections per host", func() bool {
		for i := range e.nodes {
			if p := e.s.pool(e.host(i)); p == nil || len(p.openConns()) != 2 {
				return false
			}
		}
		return true
	})
	ctx := rqCtx(t)
	rs, err := e.s.Execute(ctx, "USE ks2")
	if err != nil {
		t.Fatal(err)
	}
	if rs.kind != frame.ResultSetKeyspace {
		t.Errorf("result kind %v", rs.kind)
	}
	if ks := e.s.Keyspace(); ks != "ks2" {
		t.Errorf("Keyspace() %q after USE ks2", ks)
	}
	checkAllUsed(t, e, "ks2")

	if err := e.s.SetKeyspace(ctx, "ks3"); err != nil {
		t.Fatal(err)
	}
	if ks := e.s.Keyspace(); ks != "ks3" {
		t.Errorf("Keyspace() %q after SetKeyspace", ks)
	}
	checkAllUsed(t, e, "ks3")

	// Connections opened later start in the session's keyspace.
	e.nodes[1].DropConns()
	rqWait(t, 3*time.Second, "new connections in ks3", func() bool {
		conns, used := sessionConns(e.nodes[1]), usedOn(e.nodes[1], "ks3")
		return len(conns) >= 4 && len(used) >= 4
	})
}

func TestPrepareCacheIsPerKeyspace(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.prepareRules()
	ctx := rqCtx(t)
	a, err := e.s.Prepare(ctx, rqInsert)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.s.SetKeyspace(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	b, err := e.s.Prepare(ctx, rqInsert)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || e.count(cassandratest.Prepare(rqInsert)) != 2 {
		t.Errorf("the statement prepared in one keyspace was reused in another")
	}
}

// setSchema gives node i the schema version v and updates the peers
// tables of every node to say so.
func setSchema(e *rqEnv, i int, v [16]byte) {
	e.nodes[i].SetSchemaVersion(v)
	for _, n := range e.nodes {
		var peers []cassandratest.PeerInfo
		for _, o := range e.nodes {
			if o != n {
				peers = append(peers, o.PeerInfo())
			}
		}
		n.SetPeers(peers)
	}
}

const rqDDL = "CREATE TABLE ks.new (k int PRIMARY KEY)"

func ddlRule(e *rqEnv) {
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqDDL), Then: cassandratest.Respond(&frame.SchemaChangeResult{SchemaChange: frame.SchemaChange{Change: "CREATED", Target: "TABLE", Keyspace: "ks", Name: "new"}})})
}

const schemaQuery = "SELECT schema_version FROM system.local WHERE key='local'"

func TestSchemaChangeWaitsForAgreement(t *testing.T) {
	e := rqStart(t, 3, cassandratest.Config{}, func(c *Cluster) { c.Timeouts.SchemaAgreement = 5 * time.Second })
	ddlRule(e)
	setSchema(e, 2, [16]byte{1, 2, 3})
	polls := func() int { return e.count(cassandratest.Query(schemaQuery)) }
	before := polls()
	type result struct {
		rs  *ResultSet
		err error
	}
	done := make(chan result, 1)
	go func() {
		rs, err := e.s.Execute(context.Background(), rqDDL)
		done <- result{rs, err}
	}()
	rqWait(t, 3*time.Second, "the driver to see the disagreement twice", func() bool { return polls() >= before+2 })
	select {
	case <-done:
		t.Fatal("Execute returned while the hosts disagreed")
	default:
	}
	setSchema(e, 2, cassandratest.DefaultSchemaVersion)
	var r result
	select {
	case r = <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Execute did not return once the hosts agreed")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	if !r.rs.SchemaAgreed() {
		t.Error("SchemaAgreed() false after the hosts agreed")
	}
	if ch := r.rs.SchemaChange(); ch == nil || ch.Name != "new" || ch.Change != "CREATED" {
		t.Errorf("SchemaChange %+v", ch)
	}
}

func TestSchemaDisagreementGivesUp(t *testing.T) {
	e := rqStart(t, 3, cassandratest.Config{}, func(c *Cluster) { c.Timeouts.SchemaAgreement = 300 * time.Millisecond })
	ddlRule(e)
	setSchema(e, 1, [16]byte{9})
	start := time.Now()
	rs, err := e.s.Execute(rqCtx(t), rqDDL)
	d := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if rs.SchemaAgreed() {
		t.Error("SchemaAgreed() true while a host disagreed")
	}
	if d < 290*time.Millisecond || d > 1500*time.Millisecond {
		t.Errorf("returned after %v, want about Timeouts.SchemaAgreement (300ms)", d)
	}
}

func TestSchemaAgreedAtOnce(t *testing.T) {
	e := rqStart(t, 3, cassandratest.Config{}, nil)
	ddlRule(e)
	rs, err := e.s.Execute(rqCtx(t), rqDDL)
	if err != nil {
		t.Fatal(err)
	}
	if !rs.SchemaAgreed() {
		t.Error("SchemaAgreed() false on an agreeing cluster")
	}
}
