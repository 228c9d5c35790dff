package ormconn

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// Helpers for the tests on simulated nodes (no server needed).

// waitFor bounds every wait of these tests.
const waitFor = 20 * time.Second

// testCtx returns a context bounded for one test.
func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// quietLogger drops the driver's logs.
func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startNode starts a simulated node closed at the end of the test.
func startNode(t testing.TB) *cassandratest.Node {
	t.Helper()
	n, err := cassandratest.Start(cassandratest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// quiet configures a cluster for simulated nodes: no logs, and a connect
// timeout long enough that a slow test machine never hits it.
func quiet(c *cassandra.Cluster) {
	c.Logger = quietLogger()
	c.Timeouts.Connect = 30 * time.Second
}

// simCluster returns a cluster for n, closed at the end of the test (a
// no-op when the registry closed it already).
func simCluster(t testing.TB, n *cassandratest.Node) *cassandra.Cluster {
	t.Helper()
	c := cassandra.NewCluster(n.Addr().String())
	quiet(c)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitFor)
		defer cancel()
		_ = c.Close(ctx)
	})
	return c
}

// deadCluster returns a cluster whose only contact point refuses
// connections.
func deadCluster(t testing.TB) *cassandra.Cluster {
	t.Helper()
	n := startNode(t)
	addr := n.Addr().String()
	n.Stop()
	c := cassandra.NewCluster(addr)
	quiet(c)
	return c
}

// gate holds the first STARTUP the node receives (the handshake of a
// cluster's control connection) until release is called. entered is closed
// once that STARTUP has arrived. release is idempotent and runs at the end
// of the test, before the node closes.
func gate(t testing.TB, n *cassandratest.Node) (entered <-chan struct{}, release func()) {
	t.Helper()
	in, open := make(chan struct{}), make(chan struct{})
	var inOnce, openOnce sync.Once
	n.AddRule(cassandratest.Rule{
		Match: cassandratest.Op(frame.OpStartup),
		Then: cassandratest.Once(cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
			inOnce.Do(func() { close(in) })
			<-open
			return nil
		})),
	})
	release = func() { openOnce.Do(func() { close(open) }) }
	t.Cleanup(release)
	return in, release
}

// recv waits for a value on ch, failing the test after waitFor.
func recv[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitFor):
		t.Fatalf("after %v: no %s", waitFor, what)
		panic("unreachable")
	}
}

// sentConsistency returns the consistency of the QUERY request with text
// q the node received last, or fails the test.
func sentConsistency(t testing.TB, n *cassandratest.Node, q string) frame.Consistency {
	t.Helper()
	reqs := n.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if m, ok := reqs[i].Msg.(*frame.Query); ok && m.Query == q {
			return m.Params.Consistency
		}
	}
	t.Fatalf("the node received no QUERY %q", q)
	return 0
}

// getResult is what one Get returned.
type getResult struct {
	s   *cassandra.Session
	err error
}

// goGet runs r.Get in a goroutine and returns its result channel.
func goGet(ctx context.Context, r *Registry, name string) <-chan getResult {
	ch := make(chan getResult, 1)
	go func() {
		s, err := r.Get(ctx, name)
		ch <- getResult{s, err}
	}()
	return ch
}
