package cassandraotel

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"testing"
	"time"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

const getUser = "SELECT name FROM shop.users WHERE id = ?"

// rig is a session against two simulated nodes, observed by an Observer
// that records into in-memory exporters.
type rig struct {
	nodes    []*cassandratest.Node
	session  *cassandra.Session
	spans    *tracetest.SpanRecorder
	tp       *sdktrace.TracerProvider
	reader   *sdkmetric.ManualReader
	observer *Observer
}

func newRig(t *testing.T, opts ...Option) *rig {
	t.Helper()
	nodes, err := cassandratest.StartClusterWith(cassandratest.Config{Addr: "127.0.0.1:0"}, cassandratest.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, n := range nodes {
			n.Close()
		}
	})
	intType, textType := &frame.Type{ID: frame.TypeInt}, &frame.Type{ID: frame.TypeVarchar}
	params := frame.NewPreparedMetadata([]frame.ColumnSpec{{Keyspace: "shop", Table: "users", Name: "id", Type: intType}}, 0)
	result := frame.NewRowsMetadata(frame.ColumnSpec{Keyspace: "shop", Table: "users", Name: "name", Type: textType})
	// One Once shared by both nodes: the first execution fails wherever
	// it goes, the retry on the other node succeeds.
	overloaded := cassandratest.Once(cassandratest.Error(&frame.OverloadedError{Msg: "overloaded"}))
	for _, n := range nodes {
		n.AddRule(cassandratest.Rule{Match: cassandratest.Prepare(getUser), Then: cassandratest.Prepared(params, result)})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(getUser), Then: overloaded})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(getUser), Then: cassandratest.Rows(result, [][][]byte{{cassandratest.TextCell("ann")}})})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT nope FROM shop.users"), Then: cassandratest.Error(&frame.InvalidError{Msg: "Undefined column name nope"})})
	}

	r := &rig{nodes: nodes, spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	r.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	r.observer = NewObserver(append([]Option{WithTracerProvider(r.tp), WithMeterProvider(mp)}, opts...)...)

	ctx := context.Background()
	c := cassandra.NewCluster(nodes[0].Addr().String())
	c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	c.Timeouts.Request = 5 * time.Second
	c.Observer = r.observer
	s, err := c.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	waitForPools(t, s, len(nodes))
	r.session = s
	return r
}

// waitForPools waits (bounded) until the session has a connection to
// every node, so that a retry has a next host.
func waitForPools(t *testing.T, s *cassandra.Session, hosts int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		open := 0
		for _, p := range s.PoolStats() {
			if p.OpenConnections > 0 {
				open++
			}
		}
		if open >= hosts {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d pools open after 5s", open, hosts)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func attrsOf(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func wantAttrs(t *testing.T, what string, got map[attribute.Key]attribute.Value, want map[string]any) {
	t.Helper()
	for k, w := range want {
		v, ok := got[attribute.Key(k)]
		if !ok {
			t.Errorf("%s: no attribute %s (have %v)", what, k, got)
			continue
		}
		if fmt.Sprint(v.AsInterface()) != fmt.Sprint(w) {
			t.Errorf("%s: %s = %v, want %v", what, k, v.AsInterface(), w)
		}
	}
}

func TestRetriedRequestIsOneSpanWithAnAttemptSpanPerTry(t *testing.T) {
	r := newRig(t)
	ctx, parent := r.tp.Tracer("test").Start(context.Background(), "handler")
	rs, err := r.session.ExecuteStatement(ctx, cassandra.NewStatement(getUser, 42).Idempotent(true))
	if err != nil {
		t.Fatal(err)
	}
	name, err := cassandra.ScanOne[string](rs)
	if err != nil || name != "ann" {
		t.Fatalf("ScanOne = %q, %v", name, err)
	}
	parent.End()

	var req sdktrace.ReadOnlySpan
	var attempts []sdktrace.ReadOnlySpan
	for _, s := range r.spans.Ended() {
		switch s.Name() {
		case "SELECT shop.users":
			req = s
		}
	}
	if req == nil {
		t.Fatalf("no span SELECT shop.users among %v", spanNames(r.spans.Ended()))
	}
	for _, s := range r.spans.Ended() {
		if s.Name() == "cassandra attempt" && s.Parent().SpanID() == req.SpanContext().SpanID() {
			attempts = append(attempts, s)
		}
	}
	if got, want := req.Parent().SpanID(), parent.SpanContext().SpanID(); got != want {
		t.Errorf("request span's parent = %v, want the caller's span %v", got, want)
	}
	if req.SpanKind().String() != "client" {
		t.Errorf("request span kind = %v, want client", req.SpanKind())
	}
	if req.Status().Code != codes.Unset {
		t.Errorf("request span status = %v, want unset", req.Status())
	}
	ra := attrsOf(req)
	wantAttrs(t, "request", ra, map[string]any{
		"db.system.name":              "cassandra",
		"db.namespace":                "shop",
		"db.collection.name":          "users",
		"db.operation.name":           "SELECT",
		"cassandra.consistency.level": "local_one",
		"cassandra.query.idempotent":  true,
		"server.address":              "127.0.0.1",
	})
	if _, ok := ra["db.query.text"]; ok {
		t.Error("db.query.text set without WithStatementText")
	}
	if _, ok := ra["error.type"]; ok {
		t.Error("error.type set on a request that succeeded")
	}
	// The overloaded attempt, then the retry on the other node; a node
	// that has not prepared the statement yet may add an UNPREPARED
	// attempt before either.
	if len(attempts) < 2 {
		t.Fatalf("%d attempt spans under the request span, want at least 2 (all: %v)", len(attempts), spanNames(r.spans.Ended()))
	}
	sort.Slice(attempts, func(i, j int) bool { return attempts[i].StartTime().Before(attempts[j].StartTime()) })
	wantAttrs(t, "request", ra, map[string]any{"cassandra.attempt.count": len(attempts)})
	var overloaded map[attribute.Key]attribute.Value
	for i, a := range attempts {
		aa := attrsOf(a)
		wantAttrs(t, fmt.Sprintf("attempt %d", i+1), aa, map[string]any{
			"cassandra.attempt.number":      i + 1,
			"cassandra.attempt.speculative": false,
			"server.address":                "127.0.0.1",
		})
		if i < len(attempts)-1 && a.Status().Code != codes.Error {
			t.Errorf("attempt %d was retried but its status is %v", i+1, a.Status())
		}
		if v, ok := aa["error.type"]; ok && v.AsString() == "0x1001" {
			overloaded = aa
			wantAttrs(t, "overloaded attempt", aa, map[string]any{"db.response.status_code": "0x1001"})
		}
	}
	if overloaded == nil {
		t.Fatal("no attempt span with error.type 0x1001 (overloaded)")
	}
	last := attempts[len(attempts)-1]
	lastAttrs := attrsOf(last)
	if _, ok := lastAttrs["error.type"]; ok || last.Status().Code == codes.Error {
		t.Errorf("successful attempt has an error: %v %v", lastAttrs["error.type"].AsInterface(), last.Status())
	}
	if overloaded["server.port"] == lastAttrs["server.port"] {
		t.Errorf("overloaded and successful attempts both on port %v, want the retry on the other node", lastAttrs["server.port"].AsInterface())
	}
	if ra["server.port"] != lastAttrs["server.port"] {
		t.Errorf("request server.port = %v, want the coordinator that answered, %v", ra["server.port"].AsInterface(), lastAttrs["server.port"].AsInterface())
	}
	if reqs, atts := r.observer.pending(); reqs != 0 || atts != 0 {
		t.Errorf("after the request, %d request and %d attempt spans still pending", reqs, atts)
	}
}

func TestFailedRequestSpanHasErrorStatusAndDurationIsRecorded(t *testing.T) {
	r := newRig(t, WithStatementText(true))
	ctx := context.Background()
	if _, err := r.session.ExecuteStatement(ctx, cassandra.NewStatement(getUser, 1).Idempotent(true)); err != nil {
		t.Fatal(err)
	}
	_, err := r.session.Execute(ctx, "SELECT nope FROM shop.users")
	if err == nil {
		t.Fatal("query of an undefined column succeeded")
	}
	var failed sdktrace.ReadOnlySpan
	for _, s := range r.spans.Ended() {
		if v, ok := attrsOf(s)["db.query.text"]; ok && v.AsString() == "SELECT nope FROM shop.users" && s.Name() != "cassandra attempt" {
			failed = s
		}
	}
	if failed == nil {
		t.Fatalf("no request span with the failed statement's text among %v", spanNames(r.spans.Ended()))
	}
	if failed.Parent().IsValid() {
		t.Errorf("request without a span in ctx has parent %v, want a root span", failed.Parent().SpanID())
	}
	if failed.Status().Code != codes.Error {
		t.Errorf("failed request status = %v, want error", failed.Status())
	}
	wantAttrs(t, "failed request", attrsOf(failed), map[string]any{
		"error.type":              "0x2200",
		"db.response.status_code": "0x2200",
		"db.operation.name":       "SELECT",
		"cassandra.attempt.count": 1,
	})
	if len(failed.Events()) == 0 || failed.Events()[0].Name != "exception" {
		t.Errorf("failed request span events = %v, want the recorded error", failed.Events())
	}

	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	var ok, bad uint64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != DurationMetric {
				continue
			}
			if m.Unit != "s" {
				t.Errorf("%s unit %q, want s", m.Name, m.Unit)
			}
			h := m.Data.(metricdata.Histogram[float64])
			for _, dp := range h.DataPoints {
				if op, _ := dp.Attributes.Value("db.operation.name"); op.AsString() != "SELECT" {
					continue
				}
				if et, has := dp.Attributes.Value("error.type"); has {
					if et.AsString() != "0x2200" {
						t.Errorf("error.type = %v", et.AsString())
					}
					bad += dp.Count
				} else {
					ok += dp.Count
					if ns, _ := dp.Attributes.Value("db.namespace"); ns.AsString() != "shop" {
						t.Errorf("db.namespace of the successful SELECT = %q", ns.AsString())
					}
				}
			}
		}
	}
	if ok != 1 || bad != 1 {
		t.Errorf("%s SELECT counts: %d ok, %d failed; want 1 and 1", DurationMetric, ok, bad)
	}
}

func TestLostEndEventIsEndedAfterTTL(t *testing.T) {
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	now := time.Unix(1000, 0)
	o := NewObserver(WithTracerProvider(tp), WithSpanTTL(time.Minute))
	o.now = func() time.Time { return now }
	ctx := context.Background()
	o.ObserveRequest(ctx, cassandra.RequestEvent{ID: 1, Kind: "QUERY", Statement: "SELECT 1"})
	o.ObserveAttempt(ctx, cassandra.AttemptEvent{RequestID: 1, ID: 10, Attempt: 1})
	if n := len(sr.Ended()); n != 0 {
		t.Fatalf("%d spans ended before any end event", n)
	}
	now = now.Add(2 * time.Minute)
	o.ObserveRequest(ctx, cassandra.RequestEvent{ID: 2, Kind: "QUERY", Statement: "SELECT 2"})
	ended := sr.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans ended by the sweep, want the 2 lost ones", len(ended))
	}
	for _, s := range ended {
		if s.Status().Code != codes.Error {
			t.Errorf("lost span %s status = %v, want error", s.Name(), s.Status())
		}
	}
	if reqs, atts := o.pending(); reqs != 1 || atts != 0 {
		t.Errorf("pending = %d requests, %d attempts; want only request 2", reqs, atts)
	}
	// A late end event for a swept span is ignored.
	o.ObserveRequest(ctx, cassandra.RequestEvent{ID: 1, End: true})
	o.ObserveRequest(ctx, cassandra.RequestEvent{ID: 2, End: true})
	if reqs, _ := o.pending(); reqs != 0 {
		t.Errorf("%d requests pending after their end", reqs)
	}
}

func TestSpanNameAndOperation(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    cassandra.RequestEvent
		want string
	}{
		{"keyspace_and_table", cassandra.RequestEvent{Kind: "EXECUTE", Statement: "select * from t", Keyspace: "ks", Table: "t"}, "SELECT ks.t"},
		{"keyspace_only", cassandra.RequestEvent{Kind: "QUERY", Statement: " INSERT INTO t (a) VALUES (1)", Keyspace: "ks"}, "INSERT ks"},
		{"no_target", cassandra.RequestEvent{Kind: "QUERY", Statement: "TRUNCATE x"}, "TRUNCATE"},
		{"batch_is_BATCH", cassandra.RequestEvent{Kind: "BATCH", Statement: "BATCH", Keyspace: "ks"}, "BATCH ks"},
		{"empty_is_cassandra", cassandra.RequestEvent{}, "cassandra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := spanName(tc.e); got != tc.want {
				t.Errorf("spanName = %q, want %q", got, tc.want)
			}
		})
	}
}

func spanNames(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}
