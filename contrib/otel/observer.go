// Package cassandraotel connects the cqlgo Cassandra driver to
// OpenTelemetry: NewObserver makes a span for every request and a child span
// for every attempt of it, and records each request's duration in the
// db.client.operation.duration histogram; RegisterMetrics exports the
// session's own metrics (Session.Metrics) as asynchronous instruments.
//
// Attribute names follow the OpenTelemetry semantic conventions for
// Cassandra as of semconv v1.43.0 (db.system.name, db.namespace,
// db.collection.name, db.operation.name, cassandra.consistency.level,
// cassandra.query.idempotent, cassandra.speculative_execution.count,
// cassandra.coordinator.dc and .id, server.address, server.port,
// db.response.status_code, error.type). Statement text (db.query.text) is
// off by default: see WithStatementText.
package cassandraotel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/policy"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the tracer and meters.
const ScopeName = "github.com/cqlgo/cassandra/contrib/otel"

// Attribute keys this package adds where the conventions have none.
const (
	// AttemptNumberKey is the attempt's number within its request, from 1.
	AttemptNumberKey = attribute.Key("cassandra.attempt.number")
	// AttemptSpeculativeKey marks attempts of a speculative execution.
	AttemptSpeculativeKey = attribute.Key("cassandra.attempt.speculative")
	// AttemptCountKey is the number of attempts a request made.
	AttemptCountKey = attribute.Key("cassandra.attempt.count")
)

// DurationMetric is the histogram of request durations, in seconds.
const DurationMetric = "db.client.operation.duration"

// DefaultSpanTTL is how long a span waits for its end event before it is
// ended as lost (see WithSpanTTL).
const DefaultSpanTTL = 10 * time.Minute

// durationBuckets are the bucket bounds the conventions advise for
// db.client.operation.duration.
var durationBuckets = []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10}

// Option configures NewObserver.
type Option func(*config)

type config struct {
	tp            trace.TracerProvider
	mp            metric.MeterProvider
	statementText bool
	ttl           time.Duration
	now           func() time.Time
}

// WithTracerProvider sets the tracer provider. Default: otel.GetTracerProvider().
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithMeterProvider sets the meter provider of the duration histogram.
// Default: otel.GetMeterProvider().
func WithMeterProvider(mp metric.MeterProvider) Option { return func(c *config) { c.mp = mp } }

// WithStatementText puts the CQL text in db.query.text. The driver's
// events carry the text with bind markers, never the bound values, but
// simple statements without values may hold literals: default off.
func WithStatementText(on bool) Option { return func(c *config) { c.statementText = on } }

// WithSpanTTL bounds how long a started span waits for its end event. The
// driver sends one for every start, so this only matters if an observer
// call is lost (a panic elsewhere in a chain of observers): spans older
// than ttl are then ended with an error status when later spans start.
// Default: DefaultSpanTTL.
func WithSpanTTL(ttl time.Duration) Option { return func(c *config) { c.ttl = ttl } }

// Observer is a cassandra.RequestObserver that makes OpenTelemetry spans
// and records request durations. Make it with NewObserver; it is safe for
// concurrent use.
type Observer struct {
	tracer        trace.Tracer
	duration      metric.Float64Histogram
	statementText bool
	ttl           time.Duration
	now           func() time.Time

	requests  sync.Map // request ID -> *requestSpan
	attempts  sync.Map // attempt ID -> *attemptSpan
	nextSweep atomic.Int64
}

type requestSpan struct {
	span        trace.Span
	ctx         context.Context // carries span
	started     time.Time
	speculative atomic.Int32
	coordinator atomic.Pointer[policy.Host]
}

type attemptSpan struct {
	span    trace.Span
	started time.Time
}

// NewObserver returns an Observer; set it as Cluster.Observer.
func NewObserver(opts ...Option) *Observer {
	c := config{ttl: DefaultSpanTTL, now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	if c.tp == nil {
		c.tp = otel.GetTracerProvider()
	}
	if c.mp == nil {
		c.mp = otel.GetMeterProvider()
	}
	if c.ttl <= 0 {
		c.ttl = DefaultSpanTTL
	}
	o := &Observer{
		tracer:        c.tp.Tracer(ScopeName),
		statementText: c.statementText,
		ttl:           c.ttl,
		now:           c.now,
	}
	h, err := c.mp.Meter(ScopeName).Float64Histogram(DurationMetric,
		metric.WithUnit("s"),
		metric.WithDescription("Duration of Cassandra requests, retries included."),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	if err != nil {
		otel.Handle(err)
	}
	o.duration = h // a no-op instrument when err != nil
	return o
}

var _ cassandra.RequestObserver = (*Observer)(nil)

// ObserveRequest starts the request's span (a child of the span in ctx)
// or ends it.
func (o *Observer) ObserveRequest(ctx context.Context, e cassandra.RequestEvent) {
	if !e.End {
		o.sweep()
		ctx, span := o.tracer.Start(ctx, spanName(e), trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(o.requestAttrs(e)...))
		o.requests.Store(e.ID, &requestSpan{span: span, ctx: ctx, started: o.now()})
		return
	}
	v, ok := o.requests.LoadAndDelete(e.ID)
	if !ok {
		return
	}
	r := v.(*requestSpan)
	attrs := []attribute.KeyValue{AttemptCountKey.Int(e.Attempts)}
	if n := r.speculative.Load(); n > 0 {
		attrs = append(attrs, semconv.CassandraSpeculativeExecutionCount(int(n)))
	}
	metricAttrs := []attribute.KeyValue{semconv.DBSystemNameCassandra}
	if e.Keyspace != "" {
		metricAttrs = append(metricAttrs, semconv.DBNamespace(e.Keyspace))
	}
	if e.Table != "" {
		metricAttrs = append(metricAttrs, semconv.DBCollectionName(e.Table))
	}
	if op := operationName(e); op != "" {
		metricAttrs = append(metricAttrs, semconv.DBOperationName(op))
	}
	if h := r.coordinator.Load(); h != nil {
		host := hostAttrs(h)
		attrs = append(attrs, host...)
		metricAttrs = append(metricAttrs, host[:2]...) // server.address, server.port
	}
	if e.Err != nil {
		errAttrs := errorAttrs(e.Err)
		attrs = append(attrs, errAttrs...)
		metricAttrs = append(metricAttrs, errAttrs...)
		r.span.RecordError(e.Err)
		r.span.SetStatus(codes.Error, e.Err.Error())
	}
	r.span.SetAttributes(attrs...)
	r.span.End()
	o.duration.Record(ctx, e.Latency.Seconds(), metric.WithAttributes(metricAttrs...))
}

// ObserveAttempt starts an attempt's span (a child of its request's span)
// or ends it.
func (o *Observer) ObserveAttempt(ctx context.Context, e cassandra.AttemptEvent) {
	var req *requestSpan
	if v, ok := o.requests.Load(e.RequestID); ok {
		req = v.(*requestSpan)
		ctx = req.ctx
	}
	if !e.End {
		if e.Speculative && req != nil {
			req.speculative.Add(1)
		}
		attrs := []attribute.KeyValue{semconv.DBSystemNameCassandra, AttemptNumberKey.Int(e.Attempt), AttemptSpeculativeKey.Bool(e.Speculative)}
		if e.Host != nil {
			attrs = append(attrs, hostAttrs(e.Host)...)
		}
		_, span := o.tracer.Start(ctx, "cassandra attempt", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
		o.attempts.Store(e.ID, &attemptSpan{span: span, started: o.now()})
		return
	}
	v, ok := o.attempts.LoadAndDelete(e.ID)
	if !ok {
		return
	}
	a := v.(*attemptSpan)
	if e.Err != nil {
		a.span.SetAttributes(errorAttrs(e.Err)...)
		a.span.RecordError(e.Err)
		a.span.SetStatus(codes.Error, e.Err.Error())
	} else if req != nil && e.Host != nil {
		req.coordinator.Store(e.Host)
	}
	a.span.End()
}

// sweep ends spans whose end event is overdue, at most once per ttl/10.
func (o *Observer) sweep() {
	now := o.now()
	next := o.nextSweep.Load()
	if now.UnixNano() < next || !o.nextSweep.CompareAndSwap(next, now.Add(o.ttl/10).UnixNano()) {
		return
	}
	cutoff := now.Add(-o.ttl)
	lost := func(span trace.Span) {
		span.SetStatus(codes.Error, "cassandraotel: no end event within the span TTL")
		span.End()
	}
	o.requests.Range(func(k, v any) bool {
		if r := v.(*requestSpan); r.started.Before(cutoff) {
			if _, ok := o.requests.LoadAndDelete(k); ok {
				lost(r.span)
			}
		}
		return true
	})
	o.attempts.Range(func(k, v any) bool {
		if a := v.(*attemptSpan); a.started.Before(cutoff) {
			if _, ok := o.attempts.LoadAndDelete(k); ok {
				lost(a.span)
			}
		}
		return true
	})
}

// pending reports the spans waiting for their end event (for tests).
func (o *Observer) pending() (requests, attempts int) {
	o.requests.Range(func(any, any) bool { requests++; return true })
	o.attempts.Range(func(any, any) bool { attempts++; return true })
	return requests, attempts
}

func (o *Observer) requestAttrs(e cassandra.RequestEvent) []attribute.KeyValue {
	attrs := []attribute.KeyValue{
		semconv.DBSystemNameCassandra,
		semconv.CassandraConsistencyLevelKey.String(strings.ToLower(e.Consistency.String())),
		semconv.CassandraQueryIdempotent(e.Idempotent),
	}
	if e.Keyspace != "" {
		attrs = append(attrs, semconv.DBNamespace(e.Keyspace))
	}
	if e.Table != "" {
		attrs = append(attrs, semconv.DBCollectionName(e.Table))
	}
	if op := operationName(e); op != "" {
		attrs = append(attrs, semconv.DBOperationName(op))
	}
	if o.statementText && e.Statement != "" && e.Kind != "BATCH" {
		attrs = append(attrs, semconv.DBQueryText(e.Statement))
	}
	return attrs
}

// operationName is the statement's first keyword (SELECT, INSERT...),
// BATCH for batches and PREPARE for preparations.
func operationName(e cassandra.RequestEvent) string {
	switch e.Kind {
	case "BATCH", "PREPARE":
		return e.Kind
	}
	s := strings.TrimLeft(e.Statement, " \t\r\n(")
	if i := strings.IndexAny(s, " \t\r\n("); i >= 0 {
		s = s[:i]
	}
	return strings.ToUpper(s)
}

// spanName follows the database span name convention: the operation and
// its target (keyspace.table, or the keyspace), else the system's name.
func spanName(e cassandra.RequestEvent) string {
	target := e.Table
	if e.Keyspace != "" && e.Table != "" {
		target = e.Keyspace + "." + e.Table
	} else if target == "" {
		target = e.Keyspace
	}
	op := operationName(e)
	switch {
	case op != "" && target != "":
		return op + " " + target
	case op != "":
		return op
	case target != "":
		return target
	}
	return "cassandra"
}

// hostAttrs starts with server.address and server.port.
func hostAttrs(h *cassandra.Host) []attribute.KeyValue {
	ap := h.Addr()
	attrs := []attribute.KeyValue{semconv.ServerAddress(ap.Addr().String()), semconv.ServerPort(int(ap.Port()))}
	if dc := h.DC(); dc != "" {
		attrs = append(attrs, semconv.CassandraCoordinatorDC(dc))
	}
	if id := h.ID(); id != ([16]byte{}) {
		attrs = append(attrs, semconv.CassandraCoordinatorID(fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:16])))
	}
	return attrs
}

// errorAttrs classifies err: a server error gives its protocol code as
// db.response.status_code and error.type (hex, as the protocol spec writes
// codes: "0x1001"); client-side failures get a short class.
func errorAttrs(err error) []attribute.KeyValue {
	var (
		se  cassandra.ServerError
		te  *cassandra.TimeoutError
		ce  *cassandra.ConnError
		nh  *cassandra.NoHostAvailableError
		thr *policy.ThrottledError
	)
	switch {
	case errors.As(err, &se):
		code := fmt.Sprintf("0x%04x", int32(se.Code()))
		return []attribute.KeyValue{semconv.DBResponseStatusCode(code), semconv.ErrorTypeKey.String(code)}
	case errors.As(err, &thr):
		return []attribute.KeyValue{semconv.ErrorTypeKey.String("throttled")}
	case errors.Is(err, context.Canceled):
		return []attribute.KeyValue{semconv.ErrorTypeKey.String("cancelled")}
	case errors.As(err, &te), errors.Is(err, context.DeadlineExceeded):
		return []attribute.KeyValue{semconv.ErrorTypeKey.String("timeout")}
	case errors.As(err, &ce):
		return []attribute.KeyValue{semconv.ErrorTypeKey.String("connection")}
	case errors.As(err, &nh), errors.Is(err, cassandra.ErrNoHosts):
		return []attribute.KeyValue{semconv.ErrorTypeKey.String("no_host_available")}
	}
	return []attribute.KeyValue{semconv.ErrorType(err)}
}
