package cassandraotel

import (
	"context"
	"testing"

	"github.com/cqlgo/cassandra"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestRegisterMetricsExportsSessionMetrics(t *testing.T) {
	r := newRig(t)
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	reg, err := RegisterMetrics(r.session, mp)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const requests = 3
	for i := range requests {
		if _, err := r.session.ExecuteStatement(ctx, cassandra.NewStatement(getUser, i).Idempotent(true)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.session.Execute(ctx, "SELECT nope FROM shop.users"); err == nil {
		t.Fatal("query of an undefined column succeeded")
	}

	// Nothing runs now, so the exported values equal a snapshot.
	want := map[string]float64{}
	nodeRetries := 0.0
	for _, m := range r.session.Metrics() {
		if m.Node == "" {
			want[m.Name] = m.Value
		} else if m.Name == cassandra.MetricRetries {
			nodeRetries += m.Value
		}
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	gotNodes := map[string]int{}
	var requestSum float64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			var dps []metricdata.DataPoint[float64]
			switch d := m.Data.(type) {
			case metricdata.Sum[float64]:
				if !d.IsMonotonic {
					t.Errorf("%s is a non-monotonic sum, want a counter", m.Name)
				}
				dps = d.DataPoints
			case metricdata.Gauge[float64]:
				dps = d.DataPoints
			default:
				t.Errorf("%s: unexpected data %T", m.Name, m.Data)
			}
			for _, dp := range dps {
				if _, ok := dp.Attributes.Value("server.address"); ok {
					gotNodes[m.Name]++
					if m.Name == InstrumentName(cassandra.MetricRetries) {
						got["node retries"] += dp.Value
					}
					continue
				}
				got[m.Name] += dp.Value
				if m.Name == InstrumentName(cassandra.MetricRequests)+".sum" {
					requestSum = dp.Value
				}
			}
		}
	}
	for _, name := range []string{cassandra.MetricBytesSent, cassandra.MetricBytesReceived, cassandra.MetricConnectedNodes, cassandra.MetricClientTimeouts} {
		if got[InstrumentName(name)] != want[name] {
			t.Errorf("%s = %v, want %v (Session.Metrics)", InstrumentName(name), got[InstrumentName(name)], want[name])
		}
	}
	if c := got[InstrumentName(cassandra.MetricRequests)+".count"]; c != want[cassandra.MetricRequests] || c < requests+1 {
		t.Errorf("cql_requests.count = %v, want %v and at least %d", c, want[cassandra.MetricRequests], requests+1)
	}
	if requestSum <= 0 {
		t.Errorf("cql_requests.sum = %v s, want > 0", requestSum)
	}
	if got[InstrumentName(cassandra.MetricConnectedNodes)] != 2 {
		t.Errorf("connected_nodes = %v, want 2", got[InstrumentName(cassandra.MetricConnectedNodes)])
	}
	if got["node retries"] != nodeRetries || nodeRetries < 1 {
		t.Errorf("retries over nodes = %v, want %v (>= 1: the overloaded attempt)", got["node retries"], nodeRetries)
	}
	if n := gotNodes[InstrumentName(cassandra.MetricOpenConnections)]; n != 2 {
		t.Errorf("pool.open_connections has %d node series, want 2", n)
	}

	if err := reg.Unregister(); err != nil {
		t.Fatal(err)
	}
	rm = metricdata.ResourceMetrics{}
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if n := dataPoints(m); n > 0 {
				t.Errorf("after Unregister, %s still has %d points", m.Name, n)
			}
		}
	}
}

func TestInstrumentName(t *testing.T) {
	for in, want := range map[string]string{
		cassandra.MetricRequests:           "cassandra.cql_requests",
		cassandra.MetricOpenConnections:    "cassandra.pool.open_connections",
		cassandra.MetricErrorsReadTimeouts: "cassandra.errors.request.read_timeouts",
	} {
		if got := InstrumentName(in); got != want {
			t.Errorf("InstrumentName(%q) = %q, want %q", in, got, want)
		}
	}
}

func dataPoints(m metricdata.Metrics) int {
	switch d := m.Data.(type) {
	case metricdata.Sum[float64]:
		return len(d.DataPoints)
	case metricdata.Gauge[float64]:
		return len(d.DataPoints)
	}
	return 0
}
