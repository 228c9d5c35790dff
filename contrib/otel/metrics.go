package cassandraotel

import (
	"context"
	"net/netip"
	"strings"
	"sync"

	"github.com/cqlgo/cassandra"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
)

// MetricPrefix starts the name of every instrument RegisterMetrics makes.
const MetricPrefix = "cassandra."

// sessionMetric describes how one of the driver's metrics is exported.
type sessionMetric struct {
	name, unit, desc string
	kind             cassandra.MetricKind
}

// exported lists the driver's metrics (cassandra.Metric* names). A metric
// a later driver adds and this list lacks is skipped, not guessed at.
var exported = []sessionMetric{
	{cassandra.MetricRequests, "s", "Requests, retries included: count and total duration.", cassandra.Histogram},
	{cassandra.MetricClientTimeouts, "{request}", "Requests that ran out of time on the client side.", cassandra.Counter},
	{cassandra.MetricBytesSent, "By", "Bytes written to connections.", cassandra.Counter},
	{cassandra.MetricBytesReceived, "By", "Bytes read from connections.", cassandra.Counter},
	{cassandra.MetricConnectedNodes, "{node}", "Hosts with an open connection.", cassandra.Gauge},
	{cassandra.MetricPreparedCacheSize, "{statement}", "Prepared statements in the session's cache.", cassandra.Gauge},
	{cassandra.MetricThrottlingErrors, "{request}", "Requests the throttler refused.", cassandra.Counter},
	{cassandra.MetricCQLMessages, "s", "Attempts on the node: count and total duration.", cassandra.Histogram},
	{cassandra.MetricOpenConnections, "{connection}", "Open connections to the node.", cassandra.Gauge},
	{cassandra.MetricAvailableStreams, "{stream}", "Free stream ids on the node's connections.", cassandra.Gauge},
	{cassandra.MetricInFlight, "{request}", "Requests in flight on the node.", cassandra.Gauge},
	{cassandra.MetricOrphanedStreams, "{stream}", "Timed-out requests still holding a stream id.", cassandra.Gauge},
	{cassandra.MetricErrorsUnsent, "{attempt}", "Attempts that could not be sent.", cassandra.Counter},
	{cassandra.MetricErrorsAborted, "{attempt}", "Attempts whose connection broke.", cassandra.Counter},
	{cassandra.MetricErrorsWriteTimeouts, "{attempt}", "Server write timeouts.", cassandra.Counter},
	{cassandra.MetricErrorsReadTimeouts, "{attempt}", "Server read timeouts.", cassandra.Counter},
	{cassandra.MetricErrorsUnavailables, "{attempt}", "Server unavailable errors.", cassandra.Counter},
	{cassandra.MetricErrorsOthers, "{attempt}", "Other server errors.", cassandra.Counter},
	{cassandra.MetricRetries, "{retry}", "Retries decided after an attempt on the node.", cassandra.Counter},
	{cassandra.MetricSpeculativeExecutions, "{execution}", "Speculative executions started on the node.", cassandra.Counter},
	{cassandra.MetricConnectionInitErrors, "{connection}", "Connections that failed to open.", cassandra.Counter},
	{cassandra.MetricConnectionAuthErrors, "{connection}", "Connections that failed to authenticate.", cassandra.Counter},
}

// InstrumentName maps a driver metric name to its instrument's name:
// MetricPrefix, then the name with dashes as underscores
// ("pool.open-connections" becomes "cassandra.pool.open_connections").
// Histograms become two counters, name+".count" and name+".sum" (seconds).
func InstrumentName(driverName string) string {
	return MetricPrefix + strings.ReplaceAll(driverName, "-", "_")
}

// RegisterMetrics exports session.Metrics() through mp as asynchronous
// instruments, all read in one callback per collection: counters as
// observable counters, gauges as observable gauges, and the two latency
// histograms (cql-requests, cql-messages) as a ".count" and a ".sum"
// (seconds) observable counter each, since OpenTelemetry has no observable
// histogram; the distribution itself is Observer's db.client.operation.duration.
// Node metrics carry server.address and server.port. Call Unregister on
// the result before or after closing the session.
func RegisterMetrics(session *cassandra.Session, mp metric.MeterProvider) (metric.Registration, error) {
	meter := mp.Meter(ScopeName)
	type inst struct {
		counter, sum metric.Float64ObservableCounter
		gauge        metric.Float64ObservableGauge
	}
	insts := make(map[string]inst, len(exported))
	var all []metric.Observable
	for _, m := range exported {
		name := InstrumentName(m.name)
		var in inst
		var err error
		switch m.kind {
		case cassandra.Counter:
			in.counter, err = meter.Float64ObservableCounter(name, metric.WithUnit(m.unit), metric.WithDescription(m.desc))
			all = append(all, in.counter)
		case cassandra.Gauge:
			in.gauge, err = meter.Float64ObservableGauge(name, metric.WithUnit(m.unit), metric.WithDescription(m.desc))
			all = append(all, in.gauge)
		case cassandra.Histogram:
			in.counter, err = meter.Float64ObservableCounter(name+".count", metric.WithUnit("{request}"), metric.WithDescription(m.desc))
			if err == nil {
				in.sum, err = meter.Float64ObservableCounter(name+".sum", metric.WithUnit("s"), metric.WithDescription(m.desc))
			}
			all = append(all, in.counter, in.sum)
		}
		if err != nil {
			return nil, err
		}
		insts[m.name] = in
	}
	var nodeAttrs sync.Map // node -> metric.MeasurementOption
	return meter.RegisterCallback(func(_ context.Context, obs metric.Observer) error {
		for _, m := range session.Metrics() {
			in, ok := insts[m.Name]
			if !ok {
				continue
			}
			opt := nodeOption(&nodeAttrs, m.Node)
			switch {
			case in.gauge != nil:
				obs.ObserveFloat64(in.gauge, m.Value, opt)
			case in.sum != nil:
				var count, sum float64
				if h := m.Histogram; h != nil {
					count, sum = float64(h.Count), h.Sum.Seconds()
				}
				obs.ObserveFloat64(in.counter, count, opt)
				obs.ObserveFloat64(in.sum, sum, opt)
			default:
				obs.ObserveFloat64(in.counter, m.Value, opt)
			}
		}
		return nil
	}, all...)
}

// nodeOption returns the attributes of a node, cached per node (several
// readers may run the callback concurrently).
func nodeOption(cache *sync.Map, node string) metric.MeasurementOption {
	if o, ok := cache.Load(node); ok {
		return o.(metric.MeasurementOption)
	}
	var attrs []attribute.KeyValue
	if node != "" {
		if ap, err := netip.ParseAddrPort(node); err == nil {
			attrs = append(attrs, semconv.ServerAddress(ap.Addr().String()), semconv.ServerPort(int(ap.Port())))
		} else {
			attrs = append(attrs, semconv.ServerAddress(node))
		}
	}
	o := metric.WithAttributes(attrs...)
	cache.Store(node, o)
	return o
}
