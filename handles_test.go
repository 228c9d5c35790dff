package cassandra

import (
	"errors"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

func TestControlConnectionHandle(t *testing.T) {
	if (&Cluster{}).ControlConnection() != nil {
		t.Error("a cluster never connected has a control connection")
	}
	e := rqStart(t, 2, cassandratest.Config{}, nil)
	cc := e.c.ControlConnection()
	if h := cc.Host(); h == nil || (h != e.host(0) && h != e.host(1)) {
		t.Fatalf("control connection host %v", h)
	}
	if v := cc.ProtocolVersion(); v < 3 || v > 5 {
		t.Errorf("protocol version %d", v)
	}
	if cc.Connects() != 1 || cc.LastTopologyRefresh().IsZero() || !cc.LastSchemaChange().IsZero() {
		t.Errorf("connects %d, last refresh %v, last schema change %v", cc.Connects(), cc.LastTopologyRefresh(), cc.LastSchemaChange())
	}
	before := cc.Events()
	ev := &frame.Event{Type: frame.EventSchemaChange, Schema: frame.SchemaChange{Change: "CREATED", Target: "TABLE", Keyspace: "ks", Name: "x"}}
	rqWait(t, 2*time.Second, "the event to reach the control connection", func() bool {
		for _, n := range e.nodes {
			n.SendEvent(ev)
		}
		return cc.Events().Schema > before.Schema
	})
	if cc.LastSchemaChange().IsZero() || cc.Events().Topology != before.Topology {
		t.Errorf("after a schema event: %+v, last %v", cc.Events(), cc.LastSchemaChange())
	}
}

func TestPoolStats(t *testing.T) {
	e := rqStart(t, 2, cassandratest.Config{}, func(c *Cluster) { c.Pool.MaxRequestsPerConnection = 100 })
	stats := e.s.PoolStats()
	if len(stats) != 2 {
		t.Fatalf("%d pools, want 2", len(stats))
	}
	for _, ps := range stats {
		if ps.OpenConnections != 1 || ps.InFlight != 0 || ps.Orphaned != 0 || ps.AvailableStreams != 100 {
			t.Errorf("idle pool %+v", ps)
		}
	}
	// A request that times out unanswered leaves an orphaned stream.
	const hung = "SELECT hung FROM ks.t"
	e.rule(cassandratest.Rule{Match: cassandratest.Query(hung), Then: cassandratest.Hang()})
	_, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(hung).Host(e.host(0)).Timeout(50*time.Millisecond))
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("err %v, want a timeout", err)
	}
	for _, ps := range e.s.PoolStats() {
		want := 0
		if ps.Host == e.host(0) {
			want = 1
		}
		if ps.Orphaned != want || ps.InFlight != want || ps.AvailableStreams != 100-want {
			t.Errorf("%v: %+v, want %d orphaned", ps.Host, ps, want)
		}
	}
}
