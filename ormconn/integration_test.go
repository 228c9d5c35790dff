package ormconn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/internal/testenv"
)

// Tests against the real server of internal/testenv; they skip without
// one. Every keyspace is SimpleStrategy with replication factor 1, so any
// consistency level works on every setup (1 or 3 nodes, 5.0 or 2.1).

// configureFor returns an Options.Configure hook that sets the server's
// auth, TLS and protocol on a cluster, as the root package's tests do.
func configureFor(t testing.TB, e testenv.Env) func(*cassandra.Cluster) {
	t.Helper()
	var tlsConf *tls.Config
	if e.TLSCAFile != "" {
		pem, err := os.ReadFile(e.TLSCAFile)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			t.Fatalf("no certificate in %s", e.TLSCAFile)
		}
		tlsConf = &tls.Config{RootCAs: pool, ServerName: e.TLSServerName}
	}
	return func(c *cassandra.Cluster) {
		c.ContactPoints = e.Hosts
		if e.Username != "" {
			c.Auth = &cassandra.PasswordAuthenticator{Username: e.Username, Password: e.Password}
		}
		if tlsConf != nil {
			c.TLS = tlsConf.Clone()
		}
		if v, err := strconv.Atoi(os.Getenv("CASSANDRA_PROTOCOL")); err == nil {
			c.ProtocolVersion = v
		}
		c.Timeouts.Request = 30 * time.Second
		c.Logger = quietLogger()
	}
}

// itCluster returns a cluster for the server under test. It is closed at
// the end of the test (a no-op once a registry closed it).
func itCluster(t testing.TB, e testenv.Env) *cassandra.Cluster {
	t.Helper()
	c := cassandra.NewCluster()
	configureFor(t, e)(c)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c
}

// itSession connects a session of the test's own, outside any registry.
func itSession(t testing.TB, e testenv.Env) *cassandra.Session {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := itCluster(t, e).Connect(ctx)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	return s
}

// itKeyspace creates keyspace ks (replication factor 1) and runs the
// statements in it.
func itKeyspace(t testing.TB, s *cassandra.Session, ks string, stmts ...string) {
	t.Helper()
	ctx := testCtx(t)
	all := append([]string{"CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"}, stmts...)
	for _, q := range all {
		if _, err := s.Execute(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// itCloseAll closes the registry at the end of the test.
func itCloseAll(t testing.TB, r *Registry) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := r.CloseAll(ctx); err != nil {
			t.Errorf("CloseAll: %v", err)
		}
	})
}

// roundTrip writes a row through s and reads it back.
func roundTrip(t testing.TB, s *cassandra.Session, table string, id int, v string) {
	t.Helper()
	ctx := testCtx(t)
	if _, err := s.Execute(ctx, "INSERT INTO "+table+" (id, v) VALUES (?, ?)", id, v); err != nil {
		t.Fatalf("insert: %v", err)
	}
	rs, err := s.Execute(ctx, "SELECT v FROM "+table+" WHERE id = ?", id)
	if err != nil {
		t.Fatalf("select: %v", err)
	}
	var got string
	if !rs.Next() {
		t.Fatalf("no row %d in %s: %v", id, table, rs.Err())
	}
	if err := rs.Scan(&got); err != nil || got != v {
		t.Fatalf("row %d = %q, %v; want %q", id, got, err, v)
	}
}

func TestIntegrationRegisterGetDefaultUnregister(t *testing.T) {
	e := testenv.Require(t)
	const ks = "ormconn_it_basic"
	itKeyspace(t, itSession(t, e), ks, "CREATE TABLE IF NOT EXISTS "+ks+".kv (id int PRIMARY KEY, v text)")
	r := NewRegistry()
	itCloseAll(t, r)
	ctx := testCtx(t)

	var connects atomic.Int32
	if err := r.Setup(ctx, e.Hosts, ks, Options{Configure: configureFor(t, e), Consistency: cassandra.Quorum, OnConnect: counting(&connects)}); err != nil {
		t.Fatalf("Setup: %v", err)
	}
	cl := itCluster(t, e)
	if err := r.Register(ctx, "other", cl, Options{Keyspace: ks, Consistency: cassandra.One}); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if connects.Load() != 1 {
		t.Errorf("OnConnect ran %d times, want 1", connects.Load())
	}
	def, err := r.Get(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if def.Keyspace() != ks {
		t.Errorf("default session keyspace = %q, want %q", def.Keyspace(), ks)
	}
	roundTrip(t, def, "kv", 1, "through the default")
	other, err := r.Get(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	if other == def {
		t.Fatal("two connections share a session")
	}
	roundTrip(t, other, "kv", 2, "through other")
	if c, _ := r.Lookup("other"); c.Cluster() != cl {
		t.Error("Lookup(other).Cluster is not the registered cluster")
	}

	if err := r.SetDefault("nope"); err == nil {
		t.Error("SetDefault(nope) succeeded")
	}
	if err := r.SetDefault("other"); err != nil {
		t.Fatal(err)
	}
	if s, _ := r.Get(ctx, ""); s != other {
		t.Error("Get(\"\") is not other after SetDefault(other)")
	}
	if err := r.Register(ctx, "other", itCluster(t, e), Options{Lazy: true}); err == nil {
		t.Error("registering a taken name succeeded")
	}

	if err := r.Unregister(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Execute(ctx, "SELECT v FROM kv WHERE id = 2"); !errors.Is(err, cassandra.ErrClosed) {
		t.Errorf("query on the unregistered connection = %v, want ErrClosed", err)
	}
	if _, err := r.Get(ctx, ""); !errors.Is(err, ErrNoDefault) {
		t.Errorf("Get(\"\") after unregistering the default = %v, want ErrNoDefault", err)
	}
	var unknown *UnknownConnectionError
	if err := r.Unregister(ctx, "other"); !errors.As(err, &unknown) {
		t.Errorf("second Unregister = %v, want *UnknownConnectionError", err)
	}
	roundTrip(t, def, "kv", 3, "the other connection is untouched")
}

func TestIntegrationUserSessionSurvivesUnregister(t *testing.T) {
	e := testenv.Require(t)
	const ks = "ormconn_it_user"
	s := itSession(t, e)
	itKeyspace(t, s, ks, "CREATE TABLE IF NOT EXISTS "+ks+".kv (id int PRIMARY KEY, v text)")
	r := NewRegistry()
	itCloseAll(t, r)
	ctx := testCtx(t)
	if err := r.RegisterSession(ctx, "user", s, Options{Keyspace: ks, Consistency: cassandra.Quorum, Default: true}); err != nil {
		t.Fatal(err)
	}
	if s.Keyspace() != ks {
		t.Errorf("session keyspace = %q, want %q (switched by RegisterSession)", s.Keyspace(), ks)
	}
	got, err := r.Get(ctx, "")
	if err != nil || got != s {
		t.Fatalf("Get = %v, %v; want the user's session", got, err)
	}
	c, _ := r.Lookup("user")
	if level, ok := c.Consistency(); !ok || level != cassandra.Quorum {
		t.Errorf("Consistency = %v, %v; want QUORUM recorded", level, ok)
	}
	if _, err := s.ExecuteStatement(ctx, c.NewStatement("INSERT INTO kv (id, v) VALUES (?, ?)", 1, "quorum")); err != nil {
		t.Fatal(err)
	}
	if err := r.Unregister(ctx, "user"); err != nil {
		t.Fatal(err)
	}
	roundTrip(t, s, "kv", 2, "still open after Unregister")
	if err := r.RegisterSession(ctx, "again", s, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := r.CloseAll(ctx); err != nil {
		t.Fatal(err)
	}
	roundTrip(t, s, "kv", 3, "still open after CloseAll")
}

func TestIntegrationLazyConcurrentGetsConnectOnce(t *testing.T) {
	e := testenv.Require(t)
	r := NewRegistry()
	itCloseAll(t, r)
	ctx := testCtx(t)
	var connects atomic.Int32
	if err := r.Register(ctx, "lazy", itCluster(t, e), Options{Lazy: true, OnConnect: counting(&connects)}); err != nil {
		t.Fatal(err)
	}
	if connects.Load() != 0 {
		t.Fatal("a lazy Register connected")
	}
	const k = 32
	start := make(chan struct{})
	sessions := make([]*cassandra.Session, k)
	errs := make([]error, k)
	var wg sync.WaitGroup
	for i := range k {
		wg.Go(func() {
			<-start
			sessions[i], errs[i] = r.Get(ctx, "lazy")
		})
	}
	close(start)
	wg.Wait()
	for i := range k {
		if errs[i] != nil {
			t.Fatalf("Get %d: %v", i, errs[i])
		}
		if sessions[i] != sessions[0] {
			t.Fatalf("Get %d returned another session", i)
		}
	}
	c, _ := r.Lookup("lazy")
	if connects.Load() != 1 || c.attempts.Load() != 1 {
		t.Errorf("%d OnConnect calls and %d connects for %d concurrent Gets, want 1 and 1", connects.Load(), c.attempts.Load(), k)
	}
	if _, err := sessions[0].Execute(ctx, "SELECT release_version FROM system.local"); err != nil {
		t.Fatal(err)
	}
}

// runScript runs scripts/cassandra with the test's environment (which
// names the run directory), bounded by d.
func runScript(t testing.TB, e testenv.Env, d time.Duration, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	out, err := exec.CommandContext(ctx, e.Script, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %v: %w\n%s", e.Script, args, err, out)
	}
	return nil
}

func TestIntegrationLazyRetryConnectAcrossANodeRestart(t *testing.T) {
	e := testenv.Require(t)
	if e.Nodes != 1 || e.Script == "" {
		t.Skipf("stops the server's only node with scripts/cassandra: needs 1 node and CASSANDRA_SCRIPT (have %d nodes, script %q)", e.Nodes, e.Script)
	}
	r := NewRegistry()
	itCloseAll(t, r)
	ctx := testCtx(t)
	configure := configureFor(t, e)
	short := func(c *cassandra.Cluster) { configure(c); c.Timeouts.Connect = 5 * time.Second }
	if err := r.Register(ctx, "retry", cassandra.NewCluster(), Options{Lazy: true, RetryConnect: true, Configure: short}); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(ctx, "once", cassandra.NewCluster(), Options{Lazy: true, Configure: short}); err != nil {
		t.Fatal(err)
	}

	if err := runScript(t, e, 2*time.Minute, "stop-node", "1"); err != nil {
		t.Fatal(err)
	}
	stopped := true
	t.Cleanup(func() {
		if stopped {
			if err := runScript(t, e, 5*time.Minute, "start-node", "1"); err != nil {
				t.Errorf("restarting the node: %v", err)
			}
		}
	})

	step := func() context.Context {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		t.Cleanup(cancel)
		return ctx
	}
	var ce *ConnectError
	if _, err := r.Get(step(), "retry"); !errors.As(err, &ce) {
		t.Fatalf("Get(retry) with the node down = %v, want *ConnectError", err)
	}
	if _, err := r.Get(step(), "retry"); !errors.As(err, &ce) {
		t.Fatalf("second Get(retry) with the node down = %v, want *ConnectError", err)
	}
	retry, _ := r.Lookup("retry")
	if got := retry.attempts.Load(); got != 2 {
		t.Errorf("retry: %d connects for two Gets, want 2 (still lazy)", got)
	}
	_, onceErr := r.Get(step(), "once")
	if !errors.As(onceErr, &ce) {
		t.Fatalf("Get(once) with the node down = %v, want *ConnectError", onceErr)
	}

	if err := runScript(t, e, 5*time.Minute, "start-node", "1"); err != nil {
		t.Fatal(err)
	}
	stopped = false

	s, err := r.Get(step(), "retry")
	if err != nil {
		t.Fatalf("Get(retry) with the node back: %v", err)
	}
	if _, err := s.Execute(step(), "SELECT release_version FROM system.local"); err != nil {
		t.Fatalf("query after the retried connect: %v", err)
	}
	if _, err := r.Get(step(), "once"); err != onceErr {
		t.Errorf("Get(once) with the node back = %v, want the remembered %v", err, onceErr)
	}
	once, _ := r.Lookup("once")
	if got := once.attempts.Load(); got != 1 {
		t.Errorf("once: %d connects, want 1 (the failure is remembered)", got)
	}
}

// Address maps the user-defined type ormconn_it_udt.address.
type Address struct {
	Street string `cql:"street"`
	Zip    int    `cql:"zip"`
}

func TestIntegrationUserTypesAcrossTwoConnections(t *testing.T) {
	e := testenv.Require(t)
	const ks = "ormconn_it_udt"
	admin := itSession(t, e)
	itKeyspace(t, admin, ks,
		"CREATE TYPE IF NOT EXISTS "+ks+".address (street text, zip int)",
		"CREATE TABLE IF NOT EXISTS "+ks+".people (id int PRIMARY KEY, home frozen<address>)")
	r := NewRegistry()
	itCloseAll(t, r)
	ctx := testCtx(t)
	if err := r.Register(ctx, "a", itCluster(t, e), Options{Keyspace: ks}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterSession(ctx, "b", itSession(t, e), Options{Keyspace: ks}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterUserType(ctx, ks, "address", Address{}); err != nil {
		t.Fatalf("RegisterUserType on two connections: %v", err)
	}
	// A connection registered afterwards gets the type when it connects.
	if err := r.Register(ctx, "c", itCluster(t, e), Options{Keyspace: ks, Lazy: true}); err != nil {
		t.Fatal(err)
	}

	want := Address{Street: "1 Main St", Zip: 12345}
	a, _ := r.Get(ctx, "a")
	if _, err := a.Execute(ctx, "INSERT INTO people (id, home) VALUES (?, ?)", 1, want); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b", "c"} {
		s, err := r.Get(ctx, name)
		if err != nil {
			t.Fatalf("Get(%s): %v", name, err)
		}
		rs, err := s.Execute(ctx, "SELECT home FROM people WHERE id = 1")
		if err != nil {
			t.Fatalf("%s: select: %v", name, err)
		}
		if !rs.Next() {
			t.Fatalf("%s: no row: %v", name, rs.Err())
		}
		// With the type registered, a UDT scanned into any is the Go type.
		var got any
		if err := rs.Scan(&got); err != nil {
			t.Fatalf("%s: scan: %v", name, err)
		}
		v := reflect.ValueOf(got)
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			v = v.Elem()
		}
		if !v.IsValid() || v.Type() != reflect.TypeFor[Address]() || v.Interface() != want {
			t.Errorf("%s: home scanned into any = %#v, want %#v (the registered type)", name, got, want)
		}
	}

	// A type the server does not have is reported for every connection.
	err := r.RegisterUserType(ctx, ks, "no_such_type", Address{})
	named := map[string]bool{}
	if err != nil {
		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
			var ut *UserTypeError
			if errors.As(e, &ut) && ut.Type == "no_such_type" {
				named[ut.Connection] = true
			}
		}
	}
	if len(named) != 3 {
		t.Errorf("RegisterUserType of an unknown type = %v; want a *UserTypeError for each of a, b, c", err)
	}
}
