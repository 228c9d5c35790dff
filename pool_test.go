package cassandra

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/conn"
	"github.com/cqlgo/cassandra/policy"
)

func TestPool(t *testing.T) {
	t.Run("opens_connections_per_host_with_the_session_keyspace", func(t *testing.T) {
		nodes := startRing(t, 2, cassandratest.Config{})
		c := simCluster(t, nodes...)
		c.Pool.ConnectionsPerHost = 3
		c.Keyspace = "app"
		s := connect(t, c)
		for _, n := range nodes {
			h := simHostAt(c, n.Addr())
			pollUntil(t, 5*time.Second, "3 connections", func() bool { return len(s.pool(h).openConns()) == 3 })
			for _, cn := range s.pool(h).openConns() {
				if cn.Keyspace() != "app" {
					t.Errorf("connection to %v in keyspace %q", h, cn.Keyspace())
				}
			}
			if k := n.Count(cassandratest.Query(`USE "app"`)); k != 3 {
				t.Errorf("node %v got %d USE, want one per pool connection", n.Addr(), k)
			}
		}
	})
	t.Run("picks_the_least_busy_connection", func(t *testing.T) {
		nodes := startRing(t, 1, cassandratest.Config{})
		nodes[0].AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT hang"), Then: cassandratest.Hang()})
		c := simCluster(t, nodes...)
		c.Pool.ConnectionsPerHost = 2
		s := connect(t, c)
		p := s.pool(c.Hosts()[0])
		pollUntil(t, 5*time.Second, "2 connections", func() bool { return len(p.openConns()) == 2 })
		busy := p.openConns()[0]
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		for i := 0; i < 3; i++ {
			go queryText(ctx, busy, "SELECT hang")
		}
		pollUntil(t, 2*time.Second, "requests in flight", func() bool { return busy.InFlight() == 3 })
		for i := 0; i < 5; i++ {
			if got := p.pick(); got == busy {
				t.Fatal("picked the connection with 3 requests in flight over an idle one")
			}
		}
	})
	t.Run("broken_connection_fails_in_flight_at_once_and_is_replaced", func(t *testing.T) {
		nodes := startRing(t, 1, cassandratest.Config{})
		nodes[0].AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT hang"), Then: cassandratest.Hang()})
		c := simCluster(t, nodes...)
		c.Pool.ConnectionsPerHost = 2
		s := connect(t, c)
		h := c.Hosts()[0]
		p := s.pool(h)
		pollUntil(t, 5*time.Second, "2 connections", func() bool { return len(p.openConns()) == 2 })
		old := p.openConns()
		errs := make(chan error, 4)
		for _, cn := range old {
			for i := 0; i < 2; i++ {
				go func() { _, err := queryText(context.Background(), cn, "SELECT hang"); errs <- err }()
			}
		}
		pollUntil(t, 2*time.Second, "requests sent", func() bool { return nodes[0].Count(cassandratest.Query("SELECT hang")) == 4 })
		nodes[0].DropConns()
		for i := 0; i < 4; i++ {
			select {
			case err := <-errs:
				var ce *ConnError
				if !errors.As(err, &ce) {
					t.Errorf("err %v, want *ConnError", err)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("an in-flight request waits on a broken connection")
			}
		}
		pollUntil(t, 5*time.Second, "pool refilled with new connections", func() bool {
			l := p.openConns()
			return len(l) == 2 && l[0] != old[0] && l[0] != old[1] && l[1] != old[0] && l[1] != old[1]
		})
		if !h.IsUp() {
			t.Errorf("host %v after a replaced connection", h.State())
		}
	})
	t.Run("host_down_when_all_connections_fail_then_back_on_schedule", func(t *testing.T) {
		nodes := startRing(t, 2, cassandratest.Config{})
		c := simCluster(t, nodes...)
		rec := &recorder{}
		c.AddHostListener(rec)
		s := connect(t, c)
		h := simHostAt(c, nodes[1].Addr())
		pollUntil(t, 5*time.Second, "pool to node 2", func() bool { return s.hasLiveConn(h) })
		nodes[1].Stop()
		pollUntil(t, 5*time.Second, "host down, listeners told", func() bool {
			return h.State() == policy.StateDown && rec.has("down "+h.Addr().String())
		})
		for i := 0; i < 10; i++ {
			for p := policy.RoundRobin().NewQueryPlan(&policy.RoutingInfo{}, c.state.hosts); ; {
				x := p.Next()
				if x == nil {
					break
				}
				if x == h {
					t.Fatal("a down host is in the query plan")
				}
			}
		}
		if err := nodes[1].Restart(); err != nil {
			t.Fatal(err)
		}
		pollUntil(t, 5*time.Second, "host back up with a pool, listeners told", func() bool {
			return h.IsUp() && s.hasLiveConn(h) && rec.has("up "+h.Addr().String())
		})
	})
	t.Run("orphan_bound_replaces_the_connection", func(t *testing.T) {
		nodes := startRing(t, 1, cassandratest.Config{})
		nodes[0].AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT hang"), Then: cassandratest.Hang()})
		c := simCluster(t, nodes...)
		c.Pool.MaxOrphanedRequests = 2
		s := connect(t, c)
		p := s.pool(c.Hosts()[0])
		pollUntil(t, 5*time.Second, "connection", func() bool { return len(p.openConns()) == 1 })
		cn := p.openConns()[0]
		for i := 0; i < 3; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			queryText(ctx, cn, "SELECT hang")
			cancel()
		}
		pollUntil(t, 5*time.Second, "connection replaced", func() bool {
			l := p.openConns()
			return cn.IsClosed() && len(l) == 1 && l[0] != cn
		})
	})
	t.Run("heartbeat_replaces_a_connection_to_a_hung_node", func(t *testing.T) {
		nodes := startRing(t, 1, cassandratest.Config{})
		c := simCluster(t, nodes...)
		c.Timeouts.Heartbeat = 50 * time.Millisecond
		c.Timeouts.HeartbeatTimeout = 50 * time.Millisecond
		s := connect(t, c)
		p := s.pool(c.Hosts()[0])
		pollUntil(t, 5*time.Second, "connection", func() bool { return len(p.openConns()) == 1 })
		cn := p.openConns()[0]
		nodes[0].AddRule(cassandratest.Rule{Match: cassandratest.All(cassandratest.Op(frame.OpOptions), cassandratest.OnConn(connID(t, nodes[0], cn))), Then: cassandratest.Hang()})
		pollUntil(t, 2*time.Second, "heartbeat closes the hung connection", cn.IsClosed)
		pollUntil(t, 5*time.Second, "replacement", func() bool { l := p.openConns(); return len(l) == 1 && l[0] != cn })
	})
}

// connID returns the node's number for the connection cn: it sends a
// marker query on cn and sees which connection it arrived on.
func connID(t *testing.T, n *cassandratest.Node, cn *conn.Conn) int {
	t.Helper()
	q := "SELECT marker " + time.Now().String()
	if _, err := queryText(context.Background(), cn, q); err != nil {
		t.Fatal(err)
	}
	for _, r := range n.Requests() {
		if r.Query == q {
			return r.Conn
		}
	}
	t.Fatal("marker not seen")
	return 0
}
