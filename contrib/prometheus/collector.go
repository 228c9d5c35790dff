// Package cassandraprom exports the metrics of a cqlgo Cassandra session
// (Session.Metrics) to Prometheus: NewCollector returns a
// prometheus.Collector that takes a snapshot on every scrape, so the
// request path pays nothing for it beyond the driver's own atomic counters.
//
// Names are the driver's (the Java driver 4's) in Prometheus style, under a
// namespace ("cassandra" by default): dots and dashes become underscores,
// counters end in _total, latency histograms in _seconds, and node
// metrics carry a "node" label with the host's address:
//
//	cassandra_cql_requests_seconds{le="..."}            histogram
//	cassandra_cql_client_timeouts_total                 counter
//	cassandra_bytes_sent_total, cassandra_bytes_received_total
//	cassandra_connected_nodes, cassandra_cql_prepared_cache_size
//	cassandra_cql_messages_seconds{node="10.0.0.1:9042",le="..."}
//	cassandra_pool_open_connections{node="..."}         gauge
//	cassandra_errors_request_read_timeouts_total{node="..."}
package cassandraprom

import (
	"strings"

	"github.com/cqlgo/cassandra"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultNamespace prefixes every metric name unless WithNamespace says
// otherwise.
const DefaultNamespace = "cassandra"

// NodeLabel is the label of node metrics: the host's address and port.
const NodeLabel = "node"

// Option configures NewCollector.
type Option func(*config)

type config struct {
	namespace   string
	constLabels prometheus.Labels
}

// WithNamespace sets the prefix of the metric names; "" means none.
// Default: DefaultNamespace.
func WithNamespace(ns string) Option { return func(c *config) { c.namespace = ns } }

// WithConstLabels adds labels with fixed values to every metric, for
// example the session's name when a process has several.
func WithConstLabels(l prometheus.Labels) Option { return func(c *config) { c.constLabels = l } }

// metricHelp describes the driver's metrics; names not listed (added by a
// later driver) are exported with a generic help text.
var metricHelp = map[string]string{
	cassandra.MetricRequests:              "Latency of requests, retries included.",
	cassandra.MetricClientTimeouts:        "Requests that ran out of time on the client side.",
	cassandra.MetricBytesSent:             "Bytes written to connections.",
	cassandra.MetricBytesReceived:         "Bytes read from connections.",
	cassandra.MetricConnectedNodes:        "Hosts with an open connection.",
	cassandra.MetricPreparedCacheSize:     "Prepared statements in the session's cache.",
	cassandra.MetricThrottlingErrors:      "Requests the throttler refused.",
	cassandra.MetricCQLMessages:           "Latency of attempts on the node.",
	cassandra.MetricOpenConnections:       "Open connections to the node.",
	cassandra.MetricAvailableStreams:      "Free stream ids on the node's connections.",
	cassandra.MetricInFlight:              "Requests in flight on the node.",
	cassandra.MetricOrphanedStreams:       "Timed-out requests still holding a stream id on the node.",
	cassandra.MetricErrorsUnsent:          "Attempts that could not be sent to the node.",
	cassandra.MetricErrorsAborted:         "Attempts whose connection to the node broke.",
	cassandra.MetricErrorsWriteTimeouts:   "Write timeouts reported by the node.",
	cassandra.MetricErrorsReadTimeouts:    "Read timeouts reported by the node.",
	cassandra.MetricErrorsUnavailables:    "Unavailable errors reported by the node.",
	cassandra.MetricErrorsOthers:          "Other server errors reported by the node.",
	cassandra.MetricRetries:               "Retries decided after an attempt on the node.",
	cassandra.MetricSpeculativeExecutions: "Speculative executions started on the node.",
	cassandra.MetricConnectionInitErrors:  "Connections to the node that failed to open.",
	cassandra.MetricConnectionAuthErrors:  "Connections to the node that failed to authenticate.",
}

// Collector is a prometheus.Collector over one session's metrics. It is
// unchecked (Describe sends nothing): the set of nodes, and so of series,
// changes with the cluster.
type Collector struct {
	session *cassandra.Session
	cfg     config
}

// NewCollector returns a Collector of session's metrics; register it with
// prometheus.MustRegister or a prometheus.Registry.
func NewCollector(session *cassandra.Session, opts ...Option) *Collector {
	c := &Collector{session: session, cfg: config{namespace: DefaultNamespace}}
	for _, o := range opts {
		o(&c.cfg)
	}
	return c
}

var _ prometheus.Collector = (*Collector)(nil)

// Name maps a driver metric name and kind to the Prometheus name under
// namespace: "cql-requests" (a histogram) is "cassandra_cql_requests_seconds",
// "bytes-sent" (a counter) "cassandra_bytes_sent_total",
// "pool.open-connections" (a gauge) "cassandra_pool_open_connections",
// "retries.total" (a counter) "cassandra_retries_total".
func Name(namespace, driverName string, kind cassandra.MetricKind) string {
	n := strings.NewReplacer(".", "_", "-", "_").Replace(driverName)
	switch kind {
	case cassandra.Counter:
		if !strings.HasSuffix(n, "_total") { // retries.total
			n += "_total"
		}
	case cassandra.Histogram:
		n += "_seconds"
	}
	return prometheus.BuildFQName(namespace, "", n)
}

// Describe sends nothing: the Collector is unchecked.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// Collect sends a snapshot of the session's metrics.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	descs := map[string]*prometheus.Desc{}
	for _, m := range c.session.Metrics() {
		name := Name(c.cfg.namespace, m.Name, m.Kind)
		d := descs[name]
		if d == nil {
			help := metricHelp[m.Name]
			if help == "" {
				help = "Cassandra driver metric " + m.Name + "."
			}
			var labels []string
			if m.Node != "" {
				labels = []string{NodeLabel}
			}
			d = prometheus.NewDesc(name, help, labels, c.cfg.constLabels)
			descs[name] = d
		}
		var lv []string
		if m.Node != "" {
			lv = []string{m.Node}
		}
		var pm prometheus.Metric
		var err error
		switch m.Kind {
		case cassandra.Counter:
			pm, err = prometheus.NewConstMetric(d, prometheus.CounterValue, m.Value, lv...)
		case cassandra.Gauge:
			pm, err = prometheus.NewConstMetric(d, prometheus.GaugeValue, m.Value, lv...)
		case cassandra.Histogram:
			h := m.Histogram
			if h == nil {
				h = &cassandra.HistogramSnapshot{}
			}
			buckets := make(map[float64]uint64, len(h.Buckets))
			for _, b := range h.Buckets {
				buckets[b.UpperBound.Seconds()] = b.Count
			}
			pm, err = prometheus.NewConstHistogram(d, h.Count, h.Sum.Seconds(), buckets, lv...)
		default:
			continue
		}
		if err != nil {
			pm = prometheus.NewInvalidMetric(d, err)
		}
		ch <- pm
	}
}
