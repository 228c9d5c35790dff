package cassandra

import (
	"context"
	"errors"
	"os/exec"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/internal/testenv"
	"github.com/cqlgo/cassandra/policy"
)

func TestIntegrationCompression(t *testing.T) {
	for _, comp := range []Compression{LZ4, Snappy} {
		t.Run(comp.String(), func(t *testing.T) {
			c, s, e := testSession(t, func(c *Cluster) { c.Compression = comp })
			if comp == Snappy && c.state.ctrl.version() >= 5 {
				t.Log("v5 compresses with lz4 only: snappy falls back to no compression")
			}
			ks := testKeyspace(t, s, "it_cluster", e)
			mustExec(t, s, "CREATE TABLE IF NOT EXISTS "+ks+".blobs (k int PRIMARY KEY, v blob)")
			big := make([]byte, 300<<10) // spans several v5 segments
			for i := range big {
				big[i] = byte(i % 7)
			}
			mustExec(t, s, "INSERT INTO "+ks+".blobs (k, v) VALUES (?, ?)", 1, big)
			rs := mustExec(t, s, "SELECT v FROM "+ks+".blobs WHERE k = ?", 1)
			var got []byte
			if !rs.Next() || rs.Scan(&got) != nil || len(got) != len(big) {
				t.Fatalf("read back %d bytes: %v", len(got), rs.Err())
			}
			cn := c.state.ctrl.conn.Load()
			if cn.Compressor() == nil && !(comp == Snappy && cn.Version() >= 5) {
				t.Fatalf("connection not compressed with %v", comp)
			}
		})
	}
}

func TestIntegrationAuthentication(t *testing.T) {
	e := testenv.Require(t)
	if e.Username == "" {
		t.Skip("server runs without authentication (start it with --auth)")
	}
	_, s, _ := testSession(t)
	mustExec(t, s, "SELECT release_version FROM system.local")

	c := testCluster(t, e)
	c.Auth = &PasswordAuthenticator{Username: e.Username, Password: "wrong"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := c.Connect(ctx)
	var bad *BadCredentialsError
	if !errors.As(err, &bad) {
		t.Fatalf("wrong password gave %T %v, want *BadCredentialsError", err, err)
	}
	c.Close(ctx)

	c = testCluster(t, e)
	c.Auth = nil
	_, err = c.Connect(ctx)
	var ae *AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("no authenticator gave %T %v, want *AuthError", err, err)
	}
	c.Close(ctx)
}

func TestIntegrationTLSVerifiesTheServer(t *testing.T) {
	e := testenv.Require(t)
	if e.TLSCAFile == "" {
		t.Skip("server runs without TLS (start it with --tls)")
	}
	_, s, _ := testSession(t)
	mustExec(t, s, "SELECT release_version FROM system.local")

	// The same server, verified against the system roots, must fail.
	c := testCluster(t, e)
	c.TLS.RootCAs = nil
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := c.Connect(ctx)
	var ce *ConnError
	if !errors.As(err, &ce) || ce.Op != "tls" {
		t.Fatalf("unverifiable certificate gave %v, want a tls ConnError", err)
	}
	c.Close(ctx)
}

func TestIntegrationCloseLeavesNoGoroutines(t *testing.T) {
	e := testenv.Require(t)
	before := runtime.NumGoroutine()
	c := testCluster(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := c.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := c.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		s.ExecuteAsync(ctx, "SELECT release_version FROM system.local")
	}
	if _, err := s2.Execute(ctx, "SELECT release_version FROM system.local"); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := c.Connect(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("Connect after Close: %v", err)
	}
	if _, err := s.Execute(ctx, "SELECT release_version FROM system.local"); !errors.Is(err, ErrClosed) {
		t.Fatalf("Execute after Close: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
}

// script runs scripts/cassandra with args.
func script(t *testing.T, e testenv.Env, args ...string) {
	t.Helper()
	if e.Script == "" {
		t.Skip("CASSANDRA_SCRIPT is not set")
	}
	out, err := exec.Command(e.Script, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/cassandra %v: %v\n%s", args, err, out)
	}
}

func eventually(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

func hostAt(c *Cluster, ip string) *Host {
	for _, h := range c.Hosts() {
		if h.Addr().Addr().String() == ip {
			return h
		}
	}
	return nil
}

// TestIntegrationNodeDownAndBackUp stops node 3 of three, expects it marked
// down, then restarts it and expects it back up, timing both.
func TestIntegrationNodeDownAndBackUp(t *testing.T) {
	e := testenv.RequireNodes(t, 3)
	c, s, _ := testSession(t, func(c *Cluster) {
		c.ContactPoints = e.Hosts[:1]
		c.Policies.Reconnection = policy.Exponential(500*time.Millisecond, 2*time.Second)
	})
	if len(c.Hosts()) != 3 {
		t.Fatalf("discovered %d hosts from one contact point, want 3", len(c.Hosts()))
	}
	h := hostAt(c, "127.0.0.3")
	if h == nil {
		t.Fatal("no host 127.0.0.3")
	}
	eventually(t, 30*time.Second, "host 3 up", h.IsUp)
	// watch records when the host's state first satisfies cond, polling
	// every millisecond while the script runs.
	watch := func(cond func() bool) func() time.Time {
		var at time.Time
		done := make(chan struct{})
		stop := make(chan struct{})
		go func() {
			defer close(done)
			for {
				if cond() {
					at = time.Now()
					return
				}
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
			}
		}()
		return func() time.Time {
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				close(stop)
				<-done
			}
			return at
		}
	}
	downAt := watch(func() bool { return h.State() == policy.StateDown })
	stopAt := time.Now()
	script(t, e, "stop-node", "3")
	stopped := time.Since(stopAt)
	t.Cleanup(func() { exec.Command(e.Script, "start-node", "3").Run() })
	at := downAt()
	if at.IsZero() {
		t.Fatal("host 3 not marked down within 60s")
	}
	t.Logf("stopped node marked down %v after the stop command began (the command took %v)", at.Sub(stopAt).Round(time.Millisecond), stopped.Round(time.Millisecond))
	// Requests keep working on the other hosts.
	for i := 0; i < 20; i++ {
		mustExec(t, s, NewStatement("SELECT release_version FROM system.local").Idempotent(true))
	}
	upAt := watch(h.IsUp)
	start := time.Now()
	script(t, e, "start-node", "3")
	started := time.Since(start)
	at = upAt()
	if at.IsZero() {
		t.Fatal("host 3 not back up within 60s")
	}
	t.Logf("restarted node back up %v after the start command began (the command, which returns once the node answers CQL, took %v)", at.Sub(start).Round(time.Millisecond), started.Round(time.Millisecond))
}

// TestIntegrationControlConnectionFailover stops the control connection's
// node and expects it to move to another.
func TestIntegrationControlConnectionFailover(t *testing.T) {
	e := testenv.RequireNodes(t, 3)
	c, s, _ := testSession(t, func(c *Cluster) {
		c.Policies.Reconnection = policy.Exponential(500*time.Millisecond, 2*time.Second)
	})
	cn := c.state.ctrl.conn.Load()
	ip := cn.Addr().Addr().String()
	node := ip[len("127.0.0."):]
	if _, err := strconv.Atoi(node); err != nil {
		t.Fatalf("control connection on %s", ip)
	}
	script(t, e, "stop-node", node)
	t.Cleanup(func() {
		exec.Command(e.Script, "start-node", node).Run()
	})
	d := eventually(t, 30*time.Second, "control connection moved", func() bool {
		n := c.state.ctrl.conn.Load()
		return n != nil && n != cn && n.Addr().Addr().String() != ip
	})
	t.Logf("control connection moved from %s to %s in %v", ip, c.state.ctrl.conn.Load().Addr(), d)
	mustExec(t, s, NewStatement("SELECT release_version FROM system.local").Idempotent(true))
	script(t, e, "start-node", node)
	h := hostAt(c, ip)
	eventually(t, 60*time.Second, "stopped host back up", h.IsUp)
}

// TestIntegrationPausedNodeFailsByDeadline pauses a node (SIGSTOP): its
// requests must fail by their deadline, and requests to other nodes go on.
func TestIntegrationPausedNodeFailsByDeadline(t *testing.T) {
	e := testenv.RequireNodes(t, 3)
	c, s, _ := testSession(t, func(c *Cluster) { c.Timeouts.Heartbeat = time.Second; c.Timeouts.HeartbeatTimeout = time.Second })
	h := hostAt(c, "127.0.0.2")
	eventually(t, 30*time.Second, "host 2 up", h.IsUp)
	script(t, e, "pause-node", "2")
	t.Cleanup(func() { exec.Command(e.Script, "resume-node", "2").Run() })

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := s.ExecuteStatement(ctx, NewStatement("SELECT release_version FROM system.local").Host(h))
	if err == nil {
		t.Fatal("request to a paused node succeeded")
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("request to a paused node took %v, deadline was 2s", el)
	}
	var te *TimeoutError
	var ce *ConnError
	if !errors.As(err, &te) && !errors.As(err, &ce) && !errors.Is(err, ErrNoHosts) {
		t.Fatalf("paused node gave %T %v", err, err)
	}
	// Meanwhile the other nodes answer.
	for _, ip := range []string{"127.0.0.1", "127.0.0.3"} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if _, err := s.ExecuteStatement(ctx, NewStatement("SELECT release_version FROM system.local").Host(hostAt(c, ip))); err != nil {
			t.Fatalf("%s while node 2 is paused: %v", ip, err)
		}
		cancel()
	}
	script(t, e, "resume-node", "2")
}
