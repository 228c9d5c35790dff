package cassandra

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/conn"
	"github.com/cqlgo/cassandra/policy"
)

// Helpers for the tests of the connection, pool, control-connection and
// cluster layers on simulated nodes.

// pollUntil waits until cond holds, checking every few milliseconds, and
// fails the test if it does not within d.
func pollUntil(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// quietLogger drops the driver's logs; set SIMLOG=1 to see them.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// startNode starts a simulated node closed at the end of the test.
func startNode(t testing.TB, cfg cassandratest.Config) *cassandratest.Node {
	t.Helper()
	n, err := cassandratest.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// startRing starts k nodes on 127.0.0.1, 127.0.0.2, ... sharing one port, as
// a real cluster does, each listing the others as peers. cfg applies to
// every node (its Addr is ignored).
func startRing(t testing.TB, k int, cfg cassandratest.Config) []*cassandratest.Node {
	t.Helper()
	for attempt := 0; attempt < 5; attempt++ {
		nodes, err := tryRing(k, cfg)
		if err == nil {
			for _, n := range nodes {
				t.Cleanup(func() { n.Close() })
			}
			setPeers(nodes)
			return nodes
		}
	}
	t.Fatal("could not start a ring of simulated nodes on one port")
	return nil
}

func tryRing(k int, cfg cassandratest.Config) ([]*cassandratest.Node, error) {
	var nodes []*cassandratest.Node
	port := 0
	for i := 0; i < k; i++ {
		c := cfg
		c.HostID = [16]byte{}
		c.Addr = fmt.Sprintf("127.0.0.%d:%d", i+1, port)
		n, err := cassandratest.Start(c)
		if err != nil {
			for _, n := range nodes {
				n.Close()
			}
			return nil, err
		}
		port = int(n.Addr().Port())
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// setPeers makes every node list the others in its peers tables.
func setPeers(nodes []*cassandratest.Node) {
	for _, n := range nodes {
		var peers []cassandratest.PeerInfo
		for _, o := range nodes {
			if o != n {
				peers = append(peers, o.PeerInfo())
			}
		}
		n.SetPeers(peers)
	}
}

// simCluster returns a cluster for nodes with short timeouts, closed (and
// checked for leaked goroutines by the callers that want it) at the end.
func simCluster(t testing.TB, nodes ...*cassandratest.Node) *Cluster {
	t.Helper()
	c := NewCluster(nodes[0].Addr().Addr().String())
	c.Port = int(nodes[0].Addr().Port())
	c.Logger = quietLogger()
	c.Timeouts = Timeouts{Connect: 2 * time.Second, Control: 2 * time.Second, Request: 2 * time.Second, SchemaAgreement: time.Second}
	c.Events = EventConfig{TopologyWindow: 10 * time.Millisecond, StatusWindow: 10 * time.Millisecond, SchemaWindow: 10 * time.Millisecond}
	c.Policies.Reconnection = fastReconnect{}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c
}

// fastReconnect retries every 20ms: tests wait on conditions, not on the
// production schedule.
type fastReconnect struct{}

func (fastReconnect) NewSchedule() policy.Schedule { return fastSchedule{} }

type fastSchedule struct{}

func (fastSchedule) Next() (time.Duration, bool) { return 20 * time.Millisecond, true }

func connect(t testing.TB, c *Cluster) *Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := c.Connect(ctx)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return s
}

// simHostAt returns the cluster's host at addr, or nil.
func simHostAt(c *Cluster, addr netip.AddrPort) *Host {
	for _, h := range c.Hosts() {
		if h.Addr() == addr {
			return h
		}
	}
	return nil
}

// goroutinesSettle waits until the number of goroutines is back to at most
// base, and fails listing them if it does not.
func goroutinesSettle(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// execAny runs a CQL string with args, a Statement, or a
// *PreparedStatement bound with args: tests that table several forms.
func execAny(ctx context.Context, s *Session, stmt any, args ...any) (*ResultSet, error) {
	switch st := stmt.(type) {
	case string:
		return s.Execute(ctx, st, args...)
	case *PreparedStatement:
		return s.ExecuteStatement(ctx, st.Bind(args...))
	case Statement:
		if len(args) > 0 {
			return nil, fmt.Errorf("test: %T with %d more values", stmt, len(args))
		}
		return s.ExecuteStatement(ctx, st)
	}
	return nil, fmt.Errorf("test: %T is not a statement", stmt)
}

// queryText runs cql on cn and returns the first column of the first row
// as text, or "" for a non-rows result.
func queryText(ctx context.Context, cn *conn.Conn, cql string) (string, error) {
	f, err := cn.Exec(ctx, &frame.Query{Query: cql, Params: frame.QueryParams{Consistency: frame.One}}, nil, false)
	if err != nil {
		return "", err
	}
	m, err := frame.DecodeResult(f.Body, cn.Version())
	if err != nil {
		return "", err
	}
	rr, ok := m.(*frame.RowsResult)
	if !ok {
		return "", nil
	}
	cells := make([][]byte, rr.Metadata.ColumnCount)
	it := rr.Rows()
	if len(cells) > 0 && it.Next(cells) {
		return string(cells[0]), nil
	}
	return "", it.Err()
}
