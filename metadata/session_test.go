package metadata_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/internal/testenv"
	"github.com/cqlgo/cassandra/metadata"
)

// testSession connects to the server under test with its auth and TLS
// settings (skipping without one) and closes the cluster when the test
// ends.
func testSession(t *testing.T) (*cassandra.Session, testenv.Env) {
	t.Helper()
	e := testenv.Require(t)
	c := cassandra.NewCluster(e.Hosts...)
	if e.Username != "" {
		c.Auth = &cassandra.PasswordAuthenticator{Username: e.Username, Password: e.Password}
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
	// CREATE FUNCTION compiles Java on the server, DROP KEYSPACE takes a
	// snapshot: schema statements can take longer than one attempt's
	// default bound.
	c.Timeouts.Request = 60 * time.Second
	c.Timeouts.Attempt = -1
	c.Consistency = cassandra.Quorum
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
	return s, e
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func mustExec(t *testing.T, ctx context.Context, s *cassandra.Session, cql string) {
	t.Helper()
	if _, err := s.Execute(ctx, cql); err != nil {
		t.Fatalf("%s: %v", cql, err)
	}
}

// releaseVersion reads the server's release_version.
func releaseVersion(t *testing.T, ctx context.Context, s *cassandra.Session) string {
	t.Helper()
	var rv string
	if err := s.QueryRow(ctx, "SELECT release_version FROM system.local").Scan(&rv); err != nil {
		t.Fatal(err)
	}
	return rv
}

// readRows runs queries and gathers their rows as the parser takes them.
func readRows(t *testing.T, ctx context.Context, s *cassandra.Session, queries []metadata.Query) metadata.Rows {
	t.Helper()
	rows := metadata.Rows{}
	for _, q := range queries {
		rs, err := s.Execute(ctx, q.CQL, q.Args...)
		if err != nil {
			t.Fatalf("%s: %v", q.CQL, err)
		}
		for rs.Next() {
			m := map[string]any{}
			if err := rs.MapScan(m); err != nil {
				t.Fatalf("%s: %v", q.CQL, err)
			}
			rows[q.Table] = append(rows[q.Table], m)
		}
		if err := rs.Err(); err != nil {
			t.Fatalf("%s: %v", q.CQL, err)
		}
	}
	return rows
}

// readKeyspace reads one keyspace with the KEYSPACE refresh queries.
func readKeyspace(t *testing.T, ctx context.Context, s *cassandra.Session, v metadata.SchemaVersion, ks string) *metadata.Keyspace {
	t.Helper()
	c := keyspaceChange(ks)
	k, err := metadata.ParseKeyspace(v, ks, readRows(t, ctx, s, metadata.RefreshQueries(v, c)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}
