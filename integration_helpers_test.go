package cassandra

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/internal/testenv"
)

// testCluster returns a Cluster for the server under test, with its auth
// and TLS settings. CASSANDRA_PROTOCOL forces a protocol version.
func testCluster(t testing.TB, e testenv.Env) *Cluster {
	t.Helper()
	c := NewCluster(e.Hosts...)
	if e.Username != "" {
		c.Auth = &PasswordAuthenticator{Username: e.Username, Password: e.Password}
	}
	if e.TLSCAFile != "" {
		pem, err := os.ReadFile(e.TLSCAFile)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			t.Fatalf("no certificate in %s", e.TLSCAFile)
		}
		c.TLS = &tls.Config{RootCAs: pool, ServerName: e.TLSServerName}
	}
	if v, err := strconv.Atoi(os.Getenv("CASSANDRA_PROTOCOL")); err == nil {
		c.ProtocolVersion = v
	}
	c.Timeouts.Request = 30 * time.Second
	// Read-your-writes across replicas: with three nodes a write at ONE may
	// not be on the replica the next read asks.
	c.Consistency = Quorum
	return c
}

// testSession connects to the server under test (skipping without one) and
// closes the cluster when the test ends.
func testSession(t testing.TB, configure ...func(*Cluster)) (*Cluster, *Session, testenv.Env) {
	t.Helper()
	e := testenv.Require(t)
	c := testCluster(t, e)
	for _, f := range configure {
		f(c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := c.Connect(ctx)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c, s, e
}

// testCtx returns a context bounded for one integration test step.
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mustExec runs a statement or fails the test.
func mustExec(t testing.TB, s *Session, stmt any, args ...any) *ResultSet {
	t.Helper()
	rs, err := execAny(testCtx(t), s, stmt, args...)
	if err != nil {
		t.Fatalf("%v: %v", stmt, err)
	}
	return rs
}

// testKeyspace creates a keyspace with replication factor 1 (or the number
// of nodes, up to 3) and returns its name.
func testKeyspace(t testing.TB, s *Session, name string, e testenv.Env) string {
	t.Helper()
	rf := min(e.Nodes, 3)
	mustExec(t, s, "CREATE KEYSPACE IF NOT EXISTS "+name+" WITH replication = {'class': 'SimpleStrategy', 'replication_factor': "+strconv.Itoa(rf)+"}")
	return name
}
