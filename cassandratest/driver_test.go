package cassandratest_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// Tests that the faults serve a user's test: the driver, through its
// public API only, meets each of them as it would meet a real node's.

func startNodes(t *testing.T, cfgs ...cassandratest.Config) []*cassandratest.Node {
	t.Helper()
	nodes, err := cassandratest.StartClusterWith(cfgs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, n := range nodes {
			n.Close()
		}
	})
	return nodes
}

func newCluster(nodes []*cassandratest.Node, mut func(*cassandra.Cluster)) *cassandra.Cluster {
	c := cassandra.NewCluster(nodes[0].Addr().String())
	c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	c.Timeouts = cassandra.Timeouts{Connect: time.Second, Control: time.Second, Request: 2 * time.Second, SchemaAgreement: time.Second, Heartbeat: -1}
	c.Events = cassandra.EventConfig{TopologyWindow: 10 * time.Millisecond, StatusWindow: 10 * time.Millisecond, SchemaWindow: 10 * time.Millisecond, RefreshInterval: -1}
	c.Policies.Reconnection = policy.Constant(50*time.Millisecond, 0)
	if mut != nil {
		mut(c)
	}
	return c
}

// connect connects a session to nodes and waits for a pool to each of
// them.
func connect(t *testing.T, nodes []*cassandratest.Node, mut func(*cassandra.Cluster)) (*cassandra.Cluster, *cassandra.Session) {
	t.Helper()
	c := newCluster(nodes, mut)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	s, err := c.Connect(ctx)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	if err := waitForPools(ctx, s, len(nodes)); err != nil {
		t.Fatal(err)
	}
	return c, s
}

// eventually polls cond every few milliseconds for at most 5s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for " + what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var (
	intT  = &frame.Type{ID: frame.TypeInt}
	vCol  = frame.ColumnSpec{Keyspace: "ks", Table: "t", Name: "v", Type: intT}
	vMeta = frame.NewRowsMetadata(vCol)
)

func intRows(vs ...int32) [][][]byte {
	var out [][][]byte
	for _, v := range vs {
		out = append(out, [][]byte{cassandratest.IntCell(v)})
	}
	return out
}

const readV = "SELECT v FROM ks.t"

func TestDriverHalfFrameFailsTheAttemptAndTheReadMovesOn(t *testing.T) {
	nodes := startNodes(t, cassandratest.Config{}, cassandratest.Config{})
	half := cassandratest.Once(cassandratest.HalfFrame(cassandratest.Rows(vMeta, intRows(1))))
	for _, n := range nodes {
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query(readV), Then: half})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query(readV), Then: cassandratest.Rows(vMeta, intRows(7))})
	}
	_, s := connect(t, nodes, nil)
	rs, err := s.ExecuteStatement(context.Background(), cassandra.NewStatement(readV).Idempotent(true))
	if err != nil {
		t.Fatal(err)
	}
	v, err := cassandra.ScanOne[int32](rs)
	if err != nil || v != 7 {
		t.Fatalf("got %d, %v; want the other node's 7", v, err)
	}
	at := rs.Attempts()
	var ce *cassandra.ConnError
	if len(at) != 2 || !errors.As(at[0].Err, &ce) || at[1].Err != nil || at[0].Host == at[1].Host {
		t.Fatalf("attempts %+v: want a connection error, then success on another host", at)
	}
}

func TestDriverConnectFailsWhileTheNodeRefusesConnections(t *testing.T) {
	nodes := startNodes(t, cassandratest.Config{})
	nodes[0].RefuseConnections(true)
	c := newCluster(nodes, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Connect(ctx); err == nil {
		t.Fatal("connected to a node that refuses connections")
	}
	if nodes[0].Refused() == 0 || nodes[0].Count(nil) != 0 {
		t.Fatalf("%d refused, %d requests: want connections closed before any request", nodes[0].Refused(), nodes[0].Count(nil))
	}
	_ = c.Close(ctx)

	nodes[0].RefuseConnections(false)
	_, s := connect(t, nodes, nil)
	if _, err := s.Execute(ctx, readV); err != nil {
		t.Fatal(err)
	}
}

func TestDriverSeesPushedSchemaEvent(t *testing.T) {
	nodes := startNodes(t, cassandratest.Config{})
	const ddl = "CREATE TABLE ks.t (k int PRIMARY KEY)"
	change := frame.SchemaChange{Change: frame.SchemaCreated, Target: frame.TargetTable, Keyspace: "ks", Name: "t"}
	nodes[0].AddRule(cassandratest.Rule{Match: cassandratest.Query(ddl), Then: cassandratest.PushEvent(
		&frame.Event{Type: frame.EventSchemaChange, Schema: change}, cassandratest.Respond(&frame.SchemaChangeResult{SchemaChange: change}))})
	c, s := connect(t, nodes, nil)
	before := c.ControlConnection().Events().Schema
	rs, err := s.Execute(context.Background(), ddl)
	if err != nil {
		t.Fatal(err)
	}
	if sc := rs.SchemaChange(); sc == nil || sc.Name != "t" {
		t.Fatalf("schema change %v", sc)
	}
	eventually(t, "the SCHEMA_CHANGE event", func() bool { return c.ControlConnection().Events().Schema > before })
}

func TestDriverReadsWarningsAndPages(t *testing.T) {
	nodes := startNodes(t, cassandratest.Config{})
	nodes[0].AddRule(cassandratest.Rule{Match: cassandratest.Query(readV),
		Then: cassandratest.Warn([]string{"Read 5 live rows and 1000 tombstone cells"}, cassandratest.PagedRows(vMeta, intRows(1, 2, 3, 4, 5)))})
	_, s := connect(t, nodes, func(c *cassandra.Cluster) { c.ProtocolVersion = 4 })
	rs, err := s.ExecuteStatement(context.Background(), cassandra.NewStatement(readV).PageSize(2))
	if err != nil {
		t.Fatal(err)
	}
	if w := rs.Warnings(); len(w) != 1 || w[0] != "Read 5 live rows and 1000 tombstone cells" {
		t.Fatalf("warnings %q", w)
	}
	vs, err := cassandra.ScanAll[int32](rs)
	if err != nil || !slices.Equal(vs, []int32{1, 2, 3, 4, 5}) {
		t.Fatalf("rows %v, %v", vs, err)
	}
	if got := nodes[0].Count(cassandratest.Query(readV)); got != 3 {
		t.Fatalf("%d queries, want one per page of 2: 3", got)
	}
}

func TestDriverDiscoversEachNodesIdentity(t *testing.T) {
	nodes := startNodes(t,
		cassandratest.Config{Addr: "127.0.0.1:0", DC: "dc1", Rack: "r1", Tokens: []string{"-10", "10"}, ReleaseVersion: "5.0.2"},
		cassandratest.Config{Addr: "127.0.0.1:0", DC: "dc1", Rack: "r2", Tokens: []string{"20"}, ReleaseVersion: "5.0.3"},
		cassandratest.Config{Addr: "127.0.0.1:0", DC: "dc2", Rack: "r1", Tokens: []string{"30"}, ReleaseVersion: "4.1.5"},
	)
	c, _ := connect(t, nodes, nil)
	for _, n := range nodes {
		var h *cassandra.Host
		for _, x := range c.Hosts() {
			if x.Addr() == n.Addr() {
				h = x
			}
		}
		if h == nil {
			t.Fatalf("node %v not discovered; hosts %v", n.Addr(), c.Hosts())
		}
		want := n.PeerInfo()
		if got := h.Info(); got.DC != want.DC || got.Rack != want.Rack || got.ReleaseVersion != want.ReleaseVersion ||
			!slices.Equal(got.Tokens, want.Tokens) || got.HostID != n.HostID() {
			t.Errorf("host %v: %+v, want %+v", n.Addr(), got, want)
		}
	}
}

func TestDriverRequestsMatchedByKeyspaceConsistencyAndCount(t *testing.T) {
	nodes := startNodes(t, cassandratest.Config{})
	n := nodes[0]
	const read = "SELECT v FROM t"
	n.AddRule(cassandratest.Rule{Match: cassandratest.All(cassandratest.Keyspace("shop"), cassandratest.Consistency(frame.Quorum)),
		Then: cassandratest.Error(&frame.UnavailableError{Msg: "no quorum", Consistency: frame.Quorum, Required: 2, Alive: 1})})
	// The second read of the node fails, whatever answered the first.
	n.AddRule(cassandratest.Rule{Match: cassandratest.NthMatch(2, cassandratest.Query(read)), Then: cassandratest.Error(&frame.ReadTimeoutError{
		Msg: "timeout", Consistency: frame.One, Received: 0, BlockFor: 1})})
	n.AddRule(cassandratest.Rule{Match: cassandratest.Query(read), Then: cassandratest.Rows(vMeta, intRows(1))})
	_, s := connect(t, nodes, func(c *cassandra.Cluster) { c.Keyspace = "shop" })
	ctx := context.Background()

	_, err := s.ExecuteStatement(ctx, cassandra.NewStatement(read).Consistency(cassandra.Quorum))
	var un *cassandra.UnavailableError
	if !errors.As(err, &un) || un.Alive != 1 {
		t.Fatalf("quorum read in shop: %v, want unavailable", err)
	}
	_, err = s.Execute(ctx, read)
	var rt *cassandra.ReadTimeoutError
	if !errors.As(err, &rt) {
		t.Fatalf("second read: %v, want read timeout", err)
	}
	if _, err := s.Execute(ctx, read); err != nil {
		t.Fatalf("third read: %v", err)
	}
	if got := n.Counts()[frame.OpQuery]; got < 3 {
		t.Fatalf("%d queries counted", got)
	}
}

func TestDriverTraceIDFromATracedRequest(t *testing.T) {
	nodes := startNodes(t, cassandratest.Config{})
	_, s := connect(t, nodes, nil)
	rs, err := s.ExecuteStatement(context.Background(), cassandra.NewStatement(readV).Trace(true))
	if err != nil {
		t.Fatal(err)
	}
	id, ok := rs.TraceID()
	reqs := nodes[0].Requests()
	last := reqs[len(reqs)-1]
	if !ok || !last.Tracing || id != last.TraceID {
		t.Fatalf("trace id %x (%v), node's %x (%v)", id, ok, last.TraceID, last.Tracing)
	}
}
