package cassandra

import (
	"context"
	"errors"
	"math/bits"
	"sync/atomic"
	"time"

	"github.com/cqlgo/cassandra/internal/conn"
	"github.com/cqlgo/cassandra/policy"
)

// Metric names, as the Java driver 4 names its session and node metrics,
// so that dashboards carry over.
const (
	// Session metrics.
	MetricRequests          = "cql-requests"            // histogram: latency of each request, retries included
	MetricClientTimeouts    = "cql-client-timeouts"     // counter: requests that ran out of time on the client side
	MetricBytesSent         = "bytes-sent"              // counter
	MetricBytesReceived     = "bytes-received"          // counter
	MetricConnectedNodes    = "connected-nodes"         // gauge: hosts with an open connection
	MetricPreparedCacheSize = "cql-prepared-cache-size" // gauge
	MetricThrottlingErrors  = "throttling.errors"       // counter: requests the throttler refused

	// Node metrics (Metric.Node is the host's address).
	MetricCQLMessages           = "cql-messages"                  // histogram: latency of each attempt on the node
	MetricOpenConnections       = "pool.open-connections"         // gauge
	MetricAvailableStreams      = "pool.available-streams"        // gauge
	MetricInFlight              = "pool.in-flight"                // gauge
	MetricOrphanedStreams       = "pool.orphaned-streams"         // gauge
	MetricErrorsUnsent          = "errors.request.unsent"         // counter: attempts that could not be sent
	MetricErrorsAborted         = "errors.request.aborted"        // counter: attempts whose connection broke
	MetricErrorsWriteTimeouts   = "errors.request.write-timeouts" // counter: server write timeouts
	MetricErrorsReadTimeouts    = "errors.request.read-timeouts"  // counter: server read timeouts
	MetricErrorsUnavailables    = "errors.request.unavailables"   // counter
	MetricErrorsOthers          = "errors.request.others"         // counter: other server errors
	MetricRetries               = "retries.total"                 // counter: retries decided after an attempt on the node
	MetricSpeculativeExecutions = "speculative-executions"        // counter: extra executions started on the node
	MetricConnectionInitErrors  = "errors.connection.init"        // counter
	MetricConnectionAuthErrors  = "errors.connection.auth"        // counter
)

// MetricKind tells how to read a Metric.
type MetricKind int

// Metric kinds.
const (
	Counter   MetricKind = iota // a total since the session started
	Gauge                       // a value now
	Histogram                   // latencies: see Metric.Histogram
)

// Metric is one sample of a session's metrics.
type Metric struct {
	Name  string
	Node  string // the host's address for node metrics, "" for session metrics
	Kind  MetricKind
	Value float64 // counters and gauges; a histogram's count
	// Histogram holds a latency distribution (Kind Histogram).
	Histogram *HistogramSnapshot
}

// HistogramSnapshot is a latency distribution: cumulative counts of
// observations at or below each bound, as Prometheus and OpenTelemetry
// explicit-bucket histograms take them.
type HistogramSnapshot struct {
	Count   uint64
	Sum     time.Duration
	Buckets []Bucket
}

// Bucket counts the observations at or below UpperBound.
type Bucket struct {
	UpperBound time.Duration
	Count      uint64 // cumulative
}

// MetricsSink receives pushed metrics (see Session.PushMetrics).
type MetricsSink interface {
	PushMetrics(ctx context.Context, metrics []Metric) error
}

// Metrics returns a snapshot of the session's metrics: session metrics,
// then each host's. Collecting them costs the request path only atomic
// additions (no locks, no allocation).
func (s *Session) Metrics() []Metric {
	m := &s.metrics
	out := []Metric{
		{Name: MetricRequests, Kind: Histogram, Value: float64(m.requests.count.Load()), Histogram: m.requests.snapshot()},
		{Name: MetricClientTimeouts, Kind: Counter, Value: float64(m.clientTimeouts.Load())},
		{Name: MetricBytesSent, Kind: Counter, Value: float64(m.traffic.Sent.Load())},
		{Name: MetricBytesReceived, Kind: Counter, Value: float64(m.traffic.Received.Load())},
		{Name: MetricThrottlingErrors, Kind: Counter, Value: float64(m.throttled.Load())},
	}
	s.req.prepared.mu.Lock()
	prepared := len(s.req.prepared.entries)
	s.req.prepared.mu.Unlock()
	out = append(out, Metric{Name: MetricPreparedCacheSize, Kind: Gauge, Value: float64(prepared)})
	connected := 0
	var nodes []Metric
	for h, p := range *s.pools.Load() {
		node := h.Addr().String()
		var open, avail, inflight, orphaned int
		for _, cn := range p.openConns() {
			open++
			avail += cn.AvailableStreams()
			inflight += cn.InFlight()
			orphaned += cn.Orphaned()
		}
		if open > 0 {
			connected++
		}
		c := &p.metrics
		nodes = append(nodes,
			Metric{Name: MetricCQLMessages, Node: node, Kind: Histogram, Value: float64(c.messages.count.Load()), Histogram: c.messages.snapshot()},
			Metric{Name: MetricOpenConnections, Node: node, Kind: Gauge, Value: float64(open)},
			Metric{Name: MetricAvailableStreams, Node: node, Kind: Gauge, Value: float64(avail)},
			Metric{Name: MetricInFlight, Node: node, Kind: Gauge, Value: float64(inflight)},
			Metric{Name: MetricOrphanedStreams, Node: node, Kind: Gauge, Value: float64(orphaned)},
		)
		for _, ctr := range []struct {
			name string
			v    *atomic.Uint64
		}{
			{MetricErrorsUnsent, &c.unsent}, {MetricErrorsAborted, &c.aborted},
			{MetricErrorsWriteTimeouts, &c.writeTimeouts}, {MetricErrorsReadTimeouts, &c.readTimeouts},
			{MetricErrorsUnavailables, &c.unavailables}, {MetricErrorsOthers, &c.others},
			{MetricRetries, &c.retries}, {MetricSpeculativeExecutions, &c.speculative},
			{MetricConnectionInitErrors, &c.initErrors}, {MetricConnectionAuthErrors, &c.authErrors},
		} {
			nodes = append(nodes, Metric{Name: ctr.name, Node: node, Kind: Counter, Value: float64(ctr.v.Load())})
		}
	}
	out = append(out, Metric{Name: MetricConnectedNodes, Kind: Gauge, Value: float64(connected)})
	return append(out, nodes...)
}

// PushMetrics sends a snapshot to sink every interval until ctx ends or
// the session closes, and once more at the end. It returns the first
// error the sink reports, or ctx's.
func (s *Session) PushMetrics(ctx context.Context, sink MetricsSink, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closedCh:
			return sink.PushMetrics(context.WithoutCancel(ctx), s.Metrics())
		case <-t.C:
			if err := sink.PushMetrics(ctx, s.Metrics()); err != nil {
				return err
			}
		}
	}
}

// sessionMetrics are a session's counters.
type sessionMetrics struct {
	requests       latencyHist
	clientTimeouts atomic.Uint64
	throttled      atomic.Uint64
	traffic        conn.Traffic
}

// nodeMetrics are the counters of one session's pool to one host.
type nodeMetrics struct {
	messages                                     latencyHist
	unsent, aborted, writeTimeouts, readTimeouts atomic.Uint64
	unavailables, others, retries, speculative   atomic.Uint64
	initErrors, authErrors                       atomic.Uint64
}

// requestDone counts a finished request.
func (m *sessionMetrics) requestDone(d time.Duration, err error) {
	m.requests.observe(d)
	if err == nil {
		return
	}
	var te *TimeoutError
	var thr *policy.ThrottledError
	switch {
	case errors.As(err, &thr):
		m.throttled.Add(1)
	case errors.As(err, &te):
		m.clientTimeouts.Add(1)
	}
}

// attemptFailed counts a failed attempt by its kind.
func (m *nodeMetrics) attemptFailed(err error) {
	var (
		ce *ConnError
		wt *WriteTimeoutError
		rt *ReadTimeoutError
		un *UnavailableError
		se ServerError
		te *TimeoutError
	)
	switch {
	case errors.Is(err, ErrConnBusy) || errors.Is(err, errNoConnection):
		m.unsent.Add(1)
	case errors.As(err, &wt):
		m.writeTimeouts.Add(1)
	case errors.As(err, &rt):
		m.readTimeouts.Add(1)
	case errors.As(err, &un):
		m.unavailables.Add(1)
	case errors.As(err, &se):
		m.others.Add(1)
	case errors.As(err, &te):
		// counted by the session as a client timeout
	case errors.As(err, &ce):
		m.aborted.Add(1)
	}
}

// connectFailed counts a failed connection attempt.
func (m *nodeMetrics) connectFailed(err error) {
	var ae *AuthError
	var bc *BadCredentialsError
	if errors.As(err, &ae) || errors.As(err, &bc) {
		m.authErrors.Add(1)
		return
	}
	m.initErrors.Add(1)
}

// histBuckets bound latencies from 100 µs doubling up to about 100 s.
const histBuckets = 22

// latencyHist is a lock-free latency histogram with doubling buckets.
type latencyHist struct {
	buckets [histBuckets]atomic.Uint64
	count   atomic.Uint64
	sum     atomic.Int64
}

func (h *latencyHist) observe(d time.Duration) {
	i := 0
	if us := d.Microseconds(); us >= 100 {
		i = min(bits.Len64(uint64(us/100)), histBuckets-1)
	}
	h.buckets[i].Add(1)
	h.count.Add(1)
	h.sum.Add(int64(d))
}

func (h *latencyHist) snapshot() *HistogramSnapshot {
	s := &HistogramSnapshot{Count: h.count.Load(), Sum: time.Duration(h.sum.Load()), Buckets: make([]Bucket, histBuckets)}
	var cum uint64
	for i := range h.buckets {
		cum += h.buckets[i].Load()
		s.Buckets[i] = Bucket{UpperBound: 100 * time.Microsecond << i, Count: cum}
	}
	return s
}

// ControlConnection is a read-only view of the cluster's control
// connection: the one connection that follows topology, status and schema
// events and answers the discovery queries. Get it from
// Cluster.ControlConnection; it cannot be built or steered by users.
type ControlConnection struct{ cc *controlConn }

// ControlConnection returns the control connection's view, or nil before
// the first Connect.
func (c *Cluster) ControlConnection() *ControlConnection {
	c.state.mu.Lock()
	cc := c.state.ctrl
	c.state.mu.Unlock()
	if cc == nil {
		return nil
	}
	return &ControlConnection{cc: cc}
}

// Host returns the host the control connection is open to, or nil while it
// is reconnecting.
func (v *ControlConnection) Host() *Host {
	if v.cc.conn.Load() == nil {
		return nil
	}
	return v.cc.host.Load()
}

// ProtocolVersion returns the protocol version in use (3, 4 or 5), 0 while
// disconnected.
func (v *ControlConnection) ProtocolVersion() int {
	if cn := v.cc.conn.Load(); cn != nil {
		return int(cn.Version())
	}
	return 0
}

// Connects returns how many times a control connection was established.
func (v *ControlConnection) Connects() uint64 { return v.cc.connects.Load() }

// LastTopologyRefresh returns when the hosts were last read from
// system.local and system.peers (zero before the first time).
func (v *ControlConnection) LastTopologyRefresh() time.Time { return unixNano(v.cc.lastRefresh.Load()) }

// LastSchemaChange returns when the last SCHEMA_CHANGE event arrived (zero
// if none did).
func (v *ControlConnection) LastSchemaChange() time.Time { return unixNano(v.cc.lastSchema.Load()) }

// EventCounts counts the server events the control connection received.
type EventCounts struct {
	Topology, Status, Schema uint64
}

// Events returns how many events of each kind arrived.
func (v *ControlConnection) Events() EventCounts {
	return EventCounts{Topology: v.cc.topologyEvents.Load(), Status: v.cc.statusEvents.Load(), Schema: v.cc.schemaEvents.Load()}
}

func unixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// PoolStats describes a session's connection pool to one host.
type PoolStats struct {
	Host             *Host
	OpenConnections  int // connections open and usable
	InFlight         int // requests sent and not yet answered, orphans included
	Orphaned         int // requests whose caller gave up before the answer came
	AvailableStreams int // stream ids free across the open connections
}

// PoolStats returns a snapshot of the session's pools, one per host with a
// pool (hosts the load-balancing policy ignores have none).
func (s *Session) PoolStats() []PoolStats {
	pools := *s.pools.Load()
	out := make([]PoolStats, 0, len(pools))
	for h, p := range pools {
		ps := PoolStats{Host: h}
		for _, cn := range p.openConns() {
			ps.OpenConnections++
			ps.InFlight += cn.InFlight()
			ps.Orphaned += cn.Orphaned()
			ps.AvailableStreams += cn.AvailableStreams()
		}
		out = append(out, ps)
	}
	return out
}
