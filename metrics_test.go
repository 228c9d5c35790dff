package cassandra

import (
	"context"
	"encoding/binary"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

func metricOf(ms []Metric, name, node string) (Metric, bool) {
	for _, m := range ms {
		if m.Name == name && m.Node == node {
			return m, true
		}
	}
	return Metric{}, false
}

// TestMetricsCountWhatTheTestControls: n requests, k of them timing out and
// u answered unavailable on a known node; the counters say exactly that.
func TestMetricsCountWhatTheTestControls(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.Timeouts.ProbeTimeout = -1 })
	const hung, unav = "SELECT hung FROM ks.t", "SELECT unav FROM ks.t"
	e.rule(cassandratest.Rule{Match: cassandratest.Query(hung), Then: cassandratest.Hang()})
	e.rule(cassandratest.Rule{Match: cassandratest.Query(unav), Then: cassandratest.Error(&frame.UnavailableError{Consistency: frame.Quorum, Required: 2, Alive: 1})})
	before := e.s.Metrics()
	reqs0, _ := metricOf(before, MetricRequests, "")
	const n, k, u = 20, 3, 2
	for range n - k - u {
		if _, err := e.s.Execute(rqCtx(t), rqWrite); err != nil {
			t.Fatal(err)
		}
	}
	for range k {
		if _, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(hung).AttemptTimeout(20*time.Millisecond).Timeout(50*time.Millisecond)); err == nil {
			t.Fatal("hung request succeeded")
		}
	}
	for range u {
		if _, err := e.s.Execute(rqCtx(t), unav); err == nil {
			t.Fatal("unavailable succeeded")
		}
	}
	ms := e.s.Metrics()
	node := e.nodes[0].Addr().String()
	check := func(name, node string, want float64) {
		t.Helper()
		m, ok := metricOf(ms, name, node)
		if !ok || m.Value != want {
			t.Errorf("%s %q = %v (found %v), want %v", name, node, m.Value, ok, want)
		}
	}
	reqs, _ := metricOf(ms, MetricRequests, "")
	if got := reqs.Value - reqs0.Value; got != n {
		t.Errorf("%s counted %v requests, want %d", MetricRequests, got, n)
	}
	if h := reqs.Histogram; h == nil || h.Buckets[len(h.Buckets)-1].Count != h.Count {
		t.Errorf("histogram %+v", h)
	}
	check(MetricClientTimeouts, "", k)
	check(MetricErrorsUnavailables, node, u)
	check(MetricOpenConnections, node, 1)
	check(MetricConnectedNodes, "", 1)
	check(MetricOrphanedStreams, node, k)
	if m, _ := metricOf(ms, MetricBytesSent, ""); m.Value == 0 {
		t.Error("no bytes sent counted")
	}
	if m, _ := metricOf(ms, MetricBytesReceived, ""); m.Value == 0 {
		t.Error("no bytes received counted")
	}
	if m, _ := metricOf(ms, MetricCQLMessages, node); m.Value < n {
		t.Errorf("%v attempts on the node, want at least %d", m.Value, n)
	}
}

type idObserver struct {
	mu       sync.Mutex
	requests []RequestEvent
	attempts []AttemptEvent
}

func (o *idObserver) ObserveRequest(_ context.Context, e RequestEvent) {
	o.mu.Lock()
	o.requests = append(o.requests, e)
	o.mu.Unlock()
}
func (o *idObserver) ObserveAttempt(_ context.Context, e AttemptEvent) {
	o.mu.Lock()
	o.attempts = append(o.attempts, e)
	o.mu.Unlock()
}

// TestRequestIDsAreUniquePerAttempt: with RequestIDs each attempt carries
// its own id in the payload, the one observers see, retries included.
func TestRequestIDsAreUniquePerAttempt(t *testing.T) {
	obs := &idObserver{}
	e := rqStart(t, 3, cassandratest.Config{}, func(c *Cluster) {
		c.RequestIDs = true
		c.Observer = obs
		c.ProtocolVersion = 4
	})
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Times(2, cassandratest.Error(&frame.OverloadedError{Msg: "busy"}))})
	if _, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqWrite).Idempotent(true)); err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, n := range e.nodes {
		for _, r := range n.Requests() {
			if r.Query == rqWrite {
				sent = append(sent, string(r.CustomPayload[RequestIDKey]))
			}
		}
	}
	seen := map[string]bool{}
	for _, id := range sent {
		if len(id) != 8 || seen[id] {
			t.Fatalf("request ids %q: want 3 distinct 8-byte ids", sent)
		}
		seen[id] = true
	}
	if len(sent) != 3 {
		t.Fatalf("%d attempts reached the nodes", len(sent))
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	var ends []AttemptEvent
	for _, a := range obs.attempts {
		if a.End {
			ends = append(ends, a)
		}
	}
	if len(ends) != 3 || len(obs.requests) != 2 || obs.requests[0].ID != obs.requests[1].ID || obs.requests[0].Kind != "QUERY" {
		t.Fatalf("events: %d attempt ends, requests %+v", len(ends), obs.requests)
	}
	for _, a := range ends {
		if a.RequestID != obs.requests[0].ID || !seen[string(binary.BigEndian.AppendUint64(nil, a.ID))] {
			t.Errorf("attempt %+v does not match the request or the payload", a)
		}
	}
}

// TestPoolMetricsDuringANodeStop: a stopped node's pool shows no open
// connection and the session one connected node fewer.
func TestPoolMetricsDuringANodeStop(t *testing.T) {
	e := rqStart(t, 2, cassandratest.Config{}, nil)
	node := e.nodes[1].Addr().String()
	open := func() (float64, float64) {
		ms := e.s.Metrics()
		m, _ := metricOf(ms, MetricOpenConnections, node)
		c, _ := metricOf(ms, MetricConnectedNodes, "")
		return m.Value, c.Value
	}
	if o, c := open(); o != 1 || c != 2 {
		t.Fatalf("before: open %v, connected %v", o, c)
	}
	e.nodes[1].Stop()
	rqWait(t, 5*time.Second, "the stopped node's pool to empty", func() bool { o, c := open(); return o == 0 && c == 1 })
	if err := e.nodes[1].Restart(); err != nil {
		t.Fatal(err)
	}
	rqWait(t, 10*time.Second, "the pool to refill", func() bool { o, c := open(); return o == 1 && c == 2 })
}

// TestSlowRequestLog: a request slower than SlowRequest is logged with its
// CQL text and hosts, and never with its values.
func TestSlowRequestLog(t *testing.T) {
	var buf syncBuffer
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) {
		c.SlowRequest = 30 * time.Millisecond
		c.Logger = slog.New(slog.NewTextHandler(&buf, nil))
	})
	e.prepareRules()
	e.rule(cassandratest.Rule{Match: cassandratest.Execute(rqInsert), Then: cassandratest.Delay(60*time.Millisecond, cassandratest.Void())})
	if _, err := e.s.Execute(rqCtx(t), rqInsert, 1, "secret-value"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Execute(rqCtx(t), rqWrite); err != nil { // fast: not logged
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "slow request") || !strings.Contains(out, "INSERT INTO ks.t") || !strings.Contains(out, e.nodes[0].Addr().String()) {
		t.Errorf("log: %s", out)
	}
	if strings.Contains(out, "secret-value") || strings.Count(out, "slow request") != 1 {
		t.Errorf("log has the value or more than the slow request: %s", out)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
