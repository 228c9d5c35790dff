package cassandra

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"os"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/internal/testenv"
)

func testCluster(t *testing.T, e testenv.Env) *Cluster {
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
		pool.AppendCertsFromPEM(pem)
		c.TLS = &tls.Config{RootCAs: pool, ServerName: e.TLSServerName}
	}
	return c
}

func TestSmokeConnect(t *testing.T) {
	e := testenv.Require(t)
	c := testCluster(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := c.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range c.Hosts() {
		t.Logf("host %v state=%v info=%+v", h, h.State(), *h.Info())
	}
	t.Logf("version %v", c.state.ctrl.version())
	_ = s
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSmokeExecute(t *testing.T) {
	e := testenv.Require(t)
	c := testCluster(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := c.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	rs, err := s.Execute(ctx, "CREATE KEYSPACE IF NOT EXISTS smoke WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("agreed %v change %+v", rs.SchemaAgreed(), rs.SchemaChange())
	if _, err := s.Execute(ctx, "CREATE TABLE IF NOT EXISTS smoke.t (k int, c int, v text, PRIMARY KEY (k, c))"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if _, err := s.Execute(ctx, "INSERT INTO smoke.t (k, c, v) VALUES (?, ?, ?)", 1, i, "v"); err != nil {
			t.Fatal(err)
		}
	}
	rs, err = s.Execute(ctx, NewStatement("SELECT k, c, v FROM smoke.t WHERE k = ?", 1).PageSize(7))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rs.Next() {
		var k, cc int
		var v string
		if err := rs.Scan(&k, &cc, &v); err != nil {
			t.Fatal(err)
		}
		if cc != n {
			t.Fatalf("row %d has c=%d", n, cc)
		}
		n++
	}
	if rs.Err() != nil || n != 50 {
		t.Fatalf("rows %d err %v", n, rs.Err())
	}
	_, err = s.Execute(ctx, "SELECT nope FROM smoke.t")
	t.Logf("err: %v", err)
	rs, err = s.Execute(ctx, "SELECT release_version FROM system.local")
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var v string
		rs.Scan(&v)
		t.Log(v)
	}
}
