package cassandra

import (
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
