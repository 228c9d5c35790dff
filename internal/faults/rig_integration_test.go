package faults

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cassandra "github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/internal/testenv"
	"github.com/cqlgo/cassandra/policy"
)

// The node every scenario faults: the second of CASSANDRA_HOSTS (node 2 of
// scripts/cassandra). Not the first, whose address under the default prefix
// is 127.0.0.1, the source address of every loopback connection.
const faulted = 1

// runLength is how long each scenario's load runs: CQLGO_FAULT_SECONDS,
// default 60.
func runLength(t testing.TB) time.Duration {
	t.Helper()
	if v := os.Getenv("CQLGO_FAULT_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 30 {
			t.Fatalf("CQLGO_FAULT_SECONDS=%q: want whole seconds, at least 30", v)
		}
		return time.Duration(n) * time.Second
	}
	return 60 * time.Second
}

// logBuffer collects the driver's log lines with their time.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines returns the lines that contain any of the words.
func (l *logBuffer) lines(words ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, line := range strings.Split(l.b.String(), "\n") {
		for _, w := range words {
			if strings.Contains(line, w) {
				out = append(out, line)
				break
			}
		}
	}
	return out
}

// rig is a connected session on the three-node server under test, with
// the prepared INSERT every scenario runs.
type rig struct {
	env      testenv.Env
	cluster  *cassandra.Cluster
	session  *cassandra.Session
	timeline *Timeline
	logs     *logBuffer
	addrs    []netip.AddrPort // the nodes, in CASSANDRA_HOSTS order
	ins      *cassandra.PreparedStatement
	value    []byte
}

func hostAddrs(t testing.TB, e testenv.Env) []netip.AddrPort {
	t.Helper()
	var out []netip.AddrPort
	for _, h := range e.Hosts {
		host, port := h, strconv.Itoa(cassandra.DefaultPort)
		if hh, pp, err := net.SplitHostPort(h); err == nil {
			host, port = hh, pp
		}
		a, err := netip.ParseAddr(host)
		if err != nil {
			ips, lerr := net.LookupIP(host)
			if lerr != nil || len(ips) == 0 {
				t.Fatalf("host %q: %v %v", h, err, lerr)
			}
			a, _ = netip.AddrFromSlice(ips[0].To4())
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			t.Fatalf("host %q: %v", h, err)
		}
		out = append(out, netip.AddrPortFrom(a.Unmap(), uint16(p)))
	}
	return out
}

// ips returns the nodes' addresses.
func (r *rig) ips() []netip.Addr {
	out := make([]netip.Addr, len(r.addrs))
	for i, a := range r.addrs {
		out[i] = a.Addr()
	}
	return out
}

// newCluster configures a cluster for the server under test, honouring its
// auth and TLS settings, as the root package's integration tests do.
func newCluster(t testing.TB, e testenv.Env) *cassandra.Cluster {
	t.Helper()
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
	c.Consistency = cassandra.Quorum
	return c
}

// connect opens a session (configure runs before Connect), creates the
// keyspace and table, prepares the INSERT and waits until every node
// coordinates a write at ALL: the cluster is whole again after the last
// scenario.
func connect(t *testing.T, e testenv.Env, configure ...func(*cassandra.Cluster)) *rig {
	t.Helper()
	if len(e.Hosts) < 3 {
		t.Skipf("needs 3 hosts in CASSANDRA_HOSTS, have %d", len(e.Hosts))
	}
	return connectKeyspace(t, e, "cqlgo_faults", 3, configure...)
}

// connectKeyspace is connect with the keyspace's name and replication
// factor.
func connectKeyspace(t *testing.T, e testenv.Env, ks string, rf int, configure ...func(*cassandra.Cluster)) *rig {
	t.Helper()
	r := &rig{env: e, timeline: &Timeline{}, logs: &logBuffer{}, addrs: hostAddrs(t, e), value: bytes.Repeat([]byte("x"), 100)}
	c := newCluster(t, e)
	c.Logger = slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, f := range configure {
		f(c)
	}
	c.AddHostListener(r.timeline)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := c.Connect(ctx)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	r.cluster, r.session = c, s
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	for _, q := range []string{
		"CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " + strconv.Itoa(rf) + "}",
		"CREATE TABLE IF NOT EXISTS " + ks + ".kv (k bigint PRIMARY KEY, v blob)",
	} {
		if _, err := s.ExecuteStatement(ctx, cassandra.NewStatement(q).Timeout(30*time.Second)); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	r.ins, err = s.Prepare(ctx, "INSERT INTO "+ks+".kv (k, v) VALUES (?, ?)")
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	r.waitWhole(t)
	return r
}

// waitWhole waits, up to two minutes, until the driver sees every node up
// and each node coordinates a write at consistency ALL.
func (r *rig) waitWhole(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	var last error
	for _, a := range r.addrs {
		for {
			last = r.writeAllVia(a)
			if last == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the cluster is not whole after 2 minutes: a write at ALL coordinated by %s: %v", a, last)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
}

func (r *rig) writeAllVia(a netip.AddrPort) error {
	var host *cassandra.Host
	for _, h := range r.cluster.Hosts() {
		if h.Addr() == a {
			host = h
		}
	}
	if host == nil {
		return fmt.Errorf("the driver does not know %s", a)
	}
	if !host.IsUp() {
		return fmt.Errorf("the driver has %s %s", a, host.State())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := r.session.ExecuteStatement(ctx, r.ins.Bind(int64(-1), r.value).Host(host).Consistency(cassandra.All).Idempotent(true))
	return err
}

// statement is the load: an idempotent INSERT of a new key per request.
func (r *rig) statement(w int, n uint64) cassandra.Statement {
	return r.ins.Bind(int64(w)<<40|int64(n), r.value).Idempotent(true)
}

// run applies steps under the standard load and logs the report.
func (r *rig) run(t *testing.T, d time.Duration, steps []Step) *Report {
	t.Helper()
	l := &Load{Session: r.session, Statement: r.statement, Duration: d, Hosts: r.ips(), Steps: steps}
	ctx, cancel := context.WithTimeout(context.Background(), d+3*time.Minute)
	defer cancel()
	rep, err := l.Run(ctx)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	t.Logf("load of %d workers for %s, faulted node %s\n%s", 64, d, r.addrs[faulted], rep.Table())
	t.Logf("host events:\n%s", r.timeline.Format(rep.Start))
	if lines := r.logs.lines("host down", "host up"); len(lines) > 0 {
		t.Logf("driver log (host lines):\n%s", strings.Join(lines, "\n"))
	}
	return rep
}

// requireNoFailures fails t with every kept failure and its attempts.
func requireNoFailures(t *testing.T, rep *Report) {
	t.Helper()
	if rep.Failed != 0 || rep.Abandoned != 0 {
		t.Errorf("%d idempotent requests failed (%d abandoned), want none; first ones:\n%s", rep.Failed, rep.Abandoned, rep.FailureSummary())
	}
	for _, s := range rep.Steps {
		if s.Err != nil {
			t.Errorf("step %q: %v", s.Name, s.Err)
		}
	}
}

// requireBack fails t unless the faulted node coordinated requests in each
// of the last two windows, which must start 5 s or more after healAt.
func requireBack(t *testing.T, rep *Report, healAt time.Duration) {
	t.Helper()
	var after []Window
	for _, w := range rep.Windows {
		if w.Start >= healAt+5*time.Second {
			after = append(after, w)
		}
	}
	if len(after) == 0 {
		t.Fatalf("no window starts 5 s after the heal at %s: the run is too short (CQLGO_FAULT_SECONDS)", healAt)
	}
	for _, w := range after[max(len(after)-2, 0):] {
		if w.ByHost[faulted] == 0 {
			t.Errorf("window %s-%s: no request coordinated by %s, want traffic back on it after the heal at %s", w.Start, w.End, rep.Hosts[faulted], healAt)
		}
	}
}

// markTimes logs when the driver marked the faulted node down after
// faultAt and up after healAt, and returns the delays (negative: never).
func (r *rig) markTimes(t *testing.T, rep *Report, faultAt, healAt time.Duration) (down, up time.Duration) {
	t.Helper()
	ip := r.addrs[faulted].Addr()
	down, up = -1, -1
	if e, ok := r.timeline.First("down", ip, rep.Start.Add(faultAt)); ok {
		down = e.Time.Sub(rep.Start) - faultAt
	}
	if e, ok := r.timeline.First("up", ip, rep.Start.Add(healAt)); ok {
		up = e.Time.Sub(rep.Start) - healAt
	}
	t.Logf("%s marked down %s after the fault (at %s), up %s after the heal (at %s) (-1: never)", ip, down, faultAt, up, healAt)
	return down, up
}

// requireNet returns the fault injector, skipping t when this machine
// cannot filter packets, and removes every fault before and after t.
func requireNet(t *testing.T, e testenv.Env) *Net {
	t.Helper()
	script := filepath.Join("..", "..", "scripts", "netfault")
	if e.Script != "" {
		script = filepath.Join(filepath.Dir(e.Script), "netfault")
	}
	n := &Net{Script: script}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := n.Check(ctx); err != nil {
		var ue *UnavailableError
		if errors.As(err, &ue) {
			t.Skip(ue.Reason)
		}
		t.Fatal(err)
	}
	if err := n.Clean(ctx); err != nil {
		t.Fatalf("removing leftovers of an earlier run: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := n.Clean(ctx); err != nil {
			t.Errorf("netfault clean: %v", err)
		}
	})
	return n
}

// nodePID returns the pid of node i (from 1) of the scripts/cassandra run.
func nodePID(t testing.TB, e testenv.Env, i int) int {
	t.Helper()
	if e.RunDir == "" {
		t.Skip("CASSANDRA_RUN_DIR is not set: cutting a node's own connections needs its pid")
	}
	b, err := os.ReadFile(filepath.Join(e.RunDir, "node"+strconv.Itoa(i), "pid"))
	if err != nil {
		t.Fatalf("node %d's pid: %v", i, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("node %d's pid file: %v", i, err)
	}
	return pid
}

// nodeScript runs scripts/cassandra with args (the run's variables come
// from the environment, as scripts/cassandra env set them).
func nodeScript(ctx context.Context, e testenv.Env, args ...string) error {
	if e.Script == "" {
		return errors.New("CASSANDRA_SCRIPT is not set (eval \"$(scripts/cassandra env)\")")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, e.Script, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", filepath.Base(e.Script), strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// percentileSpeculation configures the cluster with p99 speculative
// executions (two at most), fed by a latency tracker.
func percentileSpeculation(c *cassandra.Cluster) {
	c.Policies.SpeculativeExecution = policy.PercentileSpeculativeExecution(policy.NewLatencyTracker(), 99, 2)
}
