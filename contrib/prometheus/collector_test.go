package cassandraprom

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

const (
	fastQuery = "SELECT v FROM shop.kv WHERE k = 1"
	hungQuery = "SELECT v FROM shop.kv WHERE k = 2"
)

// newSession connects to one simulated node that answers fastQuery at once
// and never answers hungQuery.
func newSession(t *testing.T) (*cassandra.Session, *cassandratest.Node) {
	t.Helper()
	nodes, err := cassandratest.StartClusterWith(cassandratest.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	n := nodes[0]
	t.Cleanup(func() { n.Close() })
	n.AddRule(cassandratest.Rule{Match: cassandratest.Query(hungQuery), Then: cassandratest.Hang()})
	c := cassandra.NewCluster(n.Addr().String())
	c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	s, err := c.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return s, n
}

// run makes ok requests that succeed and timeouts that time out on the client.
func run(t *testing.T, s *cassandra.Session, ok, timeouts int) {
	t.Helper()
	ctx := context.Background()
	for range ok {
		if _, err := s.Execute(ctx, fastQuery); err != nil {
			t.Fatal(err)
		}
	}
	for range timeouts {
		_, err := s.ExecuteStatement(ctx, cassandra.NewStatement(hungQuery).Timeout(50*time.Millisecond))
		var te *cassandra.TimeoutError
		if !errors.As(err, &te) {
			t.Fatalf("hung query: %v, want a *cassandra.TimeoutError", err)
		}
	}
}

func TestCollectorExportsCountsAfterRequestsAndTimeouts(t *testing.T) {
	s, n := newSession(t)
	run(t, s, 5, 2)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(s))

	node := n.Addr().String()
	want := `
# HELP cassandra_cql_client_timeouts_total Requests that ran out of time on the client side.
# TYPE cassandra_cql_client_timeouts_total counter
cassandra_cql_client_timeouts_total 2
# HELP cassandra_connected_nodes Hosts with an open connection.
# TYPE cassandra_connected_nodes gauge
cassandra_connected_nodes 1
# HELP cassandra_pool_open_connections Open connections to the node.
# TYPE cassandra_pool_open_connections gauge
cassandra_pool_open_connections{node="` + node + `"} 1
# HELP cassandra_pool_orphaned_streams Timed-out requests still holding a stream id on the node.
# TYPE cassandra_pool_orphaned_streams gauge
cassandra_pool_orphaned_streams{node="` + node + `"} 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"cassandra_cql_client_timeouts_total", "cassandra_connected_nodes",
		"cassandra_pool_open_connections", "cassandra_pool_orphaned_streams"); err != nil {
		t.Error(err)
	}

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	families := map[string]int{}
	for _, mf := range mfs {
		families[mf.GetName()] = len(mf.GetMetric())
		switch mf.GetName() {
		case "cassandra_cql_requests_seconds":
			h := mf.GetMetric()[0].GetHistogram()
			if h.GetSampleCount() != 7 {
				t.Errorf("cql_requests_seconds count = %d, want 7 (5 ok + 2 timed out)", h.GetSampleCount())
			}
			// The two timeouts alone took at least 100 ms.
			if h.GetSampleSum() < 0.1 {
				t.Errorf("cql_requests_seconds sum = %v s, want >= 0.1", h.GetSampleSum())
			}
			b := h.GetBucket()
			if len(b) == 0 || b[0].GetUpperBound() != 0.0001 {
				t.Fatalf("first bucket %v, want le=0.0001 (100µs in seconds)", b[:min(1, len(b))])
			}
			// The timed-out requests sit above 50 ms, the fast ones below.
			var at50ms uint64
			for _, bk := range b {
				if bk.GetUpperBound() <= 0.05 {
					at50ms = bk.GetCumulativeCount()
				}
			}
			if at50ms > 5 {
				t.Errorf("%d requests in buckets <= 50ms, want at most the 5 fast ones", at50ms)
			}
		case "cassandra_bytes_sent_total", "cassandra_bytes_received_total":
			if v := mf.GetMetric()[0].GetCounter().GetValue(); v <= 0 {
				t.Errorf("%s = %v, want > 0", mf.GetName(), v)
			}
		}
	}
	for _, name := range []string{
		"cassandra_cql_requests_seconds", "cassandra_cql_messages_seconds",
		"cassandra_bytes_sent_total", "cassandra_errors_request_read_timeouts_total",
		"cassandra_retries_total", "cassandra_pool_in_flight", "cassandra_throttling_errors_total",
	} {
		if families[name] != 1 {
			t.Errorf("%s has %d series, want 1 (families: %v)", name, families[name], families)
		}
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

func TestCollectorNamespaceAndConstLabels(t *testing.T) {
	s, _ := newSession(t)
	run(t, s, 1, 1)
	c := NewCollector(s, WithNamespace("shop"), WithConstLabels(prometheus.Labels{"session": "orders"}))
	want := `
# HELP shop_cql_client_timeouts_total Requests that ran out of time on the client side.
# TYPE shop_cql_client_timeouts_total counter
shop_cql_client_timeouts_total{session="orders"} 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "shop_cql_client_timeouts_total"); err != nil {
		t.Error(err)
	}
	if n, total := testutil.CollectAndCount(c, "shop_cql_requests_seconds"), testutil.CollectAndCount(c); n != 1 || total != len(s.Metrics()) {
		t.Errorf("CollectAndCount: %d request histograms, %d metrics; want 1 and %d", n, total, len(s.Metrics()))
	}
}

func TestName(t *testing.T) {
	for _, tc := range []struct {
		name, driver string
		kind         cassandra.MetricKind
		want         string
	}{
		{"histogram_in_seconds", cassandra.MetricRequests, cassandra.Histogram, "cassandra_cql_requests_seconds"},
		{"counter_total", cassandra.MetricClientTimeouts, cassandra.Counter, "cassandra_cql_client_timeouts_total"},
		{"dots_and_dashes", cassandra.MetricOpenConnections, cassandra.Gauge, "cassandra_pool_open_connections"},
		{"total_not_doubled", cassandra.MetricRetries, cassandra.Counter, "cassandra_retries_total"},
		{"nested_counter", cassandra.MetricErrorsWriteTimeouts, cassandra.Counter, "cassandra_errors_request_write_timeouts_total"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Name(DefaultNamespace, tc.driver, tc.kind); got != tc.want {
				t.Errorf("Name = %q, want %q", got, tc.want)
			}
		})
	}
}
