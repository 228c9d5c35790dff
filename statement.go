package cassandra

import (
	"time"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// Statement is a CQL string with positional values and per-statement
// options, run with Session.Execute. Build one with NewStatement; its option
// methods set a field and return the statement, so they chain:
//
//	stmt := cassandra.NewStatement("SELECT * FROM events WHERE day = ?", day).PageSize(500)
//
// A plain string passed to Execute is a Statement with default options.
type Statement struct {
	options[*Statement]
	cql    string
	values []any
}

// NewStatement returns a simple statement.
func NewStatement(cql string, values ...any) *Statement {
	s := &Statement{cql: cql, values: values}
	s.self = s
	return s
}

// CQL returns the statement's text.
func (s *Statement) CQL() string { return s.cql }

// Values returns the statement's bound values.
func (s *Statement) Values() []any { return s.values }

// options are the per-statement settings shared by Statement,
// BoundStatement and Batch. S is the embedding type, so each setter returns
// the statement it was called on.
type options[S any] struct {
	self S
	o    stmtOptions
}

// stmtOptions is the unexported option record the request path reads.
type stmtOptions struct {
	consistency     Consistency
	hasConsistency  bool
	serial          Consistency
	pageSize        int32 // 0: profile default; <0: no paging
	pagingState     []byte
	timestamp       int64
	hasTimestamp    bool
	idempotent      bool
	tracing         bool
	payload         map[string][]byte
	profile         string
	keyspace        string
	nowInSeconds    int32
	hasNowInSeconds bool
	routingKey      []byte
	host            *Host
	timeout         time.Duration
	prefetch        bool
}

// Consistency sets the consistency level.
func (x *options[S]) Consistency(c Consistency) S {
	x.o.consistency, x.o.hasConsistency = c, true
	return x.self
}

// SerialConsistency sets the consistency of the Paxos phase of conditional
// statements (Serial or LocalSerial).
func (x *options[S]) SerialConsistency(c Consistency) S { x.o.serial = c; return x.self }

// PageSize sets the number of rows per page; a negative size turns paging
// off (the whole result in one response).
func (x *options[S]) PageSize(n int) S { x.o.pageSize = int32(n); return x.self }

// PagingState resumes paging from a state saved with ResultSet.PagingState.
func (x *options[S]) PagingState(state []byte) S { x.o.pagingState = state; return x.self }

// Timestamp sets the write time sent with the statement, overriding the
// session's timestamp generator.
func (x *options[S]) Timestamp(t time.Time) S {
	x.o.timestamp, x.o.hasTimestamp = t.UnixMicro(), true
	return x.self
}

// Idempotent marks the statement as safe to run more than once, which lets
// the driver retry it on another host after a timeout or a broken
// connection, and run speculative executions.
func (x *options[S]) Idempotent(v bool) S { x.o.idempotent = v; return x.self }

// Trace asks the server to trace the statement; read the trace with
// ResponseFuture.QueryTrace.
func (x *options[S]) Trace(v bool) S { x.o.tracing = v; return x.self }

// CustomPayload sets the custom payload sent with the statement (v4+).
func (x *options[S]) CustomPayload(p map[string][]byte) S { x.o.payload = p; return x.self }

// Profile selects a named execution profile.
func (x *options[S]) Profile(name string) S { x.o.profile = name; return x.self }

// Keyspace sets the keyspace the statement runs in (protocol v5; earlier
// versions use the session's keyspace). It also routes the statement.
func (x *options[S]) Keyspace(ks string) S { x.o.keyspace = ks; return x.self }

// NowInSeconds stands for the server's clock in TTL and tombstone
// computations (protocol v5, for tests).
func (x *options[S]) NowInSeconds(sec int32) S {
	x.o.nowInSeconds, x.o.hasNowInSeconds = sec, true
	return x.self
}

// RoutingKey overrides the serialized partition key used to route the
// statement to a replica.
func (x *options[S]) RoutingKey(key []byte) S { x.o.routingKey = key; return x.self }

// Host pins the statement to one host: no other host is tried.
func (x *options[S]) Host(h *Host) S { x.o.host = h; return x.self }

// Timeout bounds the statement, retries included, when the context has no
// earlier deadline. It overrides the profile's request timeout.
func (x *options[S]) Timeout(d time.Duration) S { x.o.timeout = d; return x.self }

// Prefetch makes the ResultSet fetch the next page in the background as
// soon as a page arrives, so iteration rarely waits on the network. At most
// two pages are held at once.
func (x *options[S]) Prefetch(v bool) S { x.o.prefetch = v; return x.self }

// routing returns the routing information of a statement.
func (o *stmtOptions) routing(keyspace string) policy.RoutingInfo {
	ks := o.keyspace
	if ks == "" {
		ks = keyspace
	}
	return policy.RoutingInfo{Keyspace: ks, RoutingKey: o.routingKey, Idempotent: o.idempotent}
}

// params fills the query parameters from the options and the profile.
func (o *stmtOptions) params(p *frame.QueryParams, prof *profileSettings, v frame.Version) {
	p.Consistency = prof.consistency
	if o.hasConsistency {
		p.Consistency = o.consistency
	}
	p.SerialConsistency = prof.serial
	if o.serial != 0 {
		p.SerialConsistency = o.serial
	}
	switch {
	case o.pageSize > 0:
		p.PageSize = o.pageSize
	case o.pageSize == 0:
		p.PageSize = int32(prof.pageSize)
	}
	p.PagingState = o.pagingState
	if o.hasTimestamp {
		p.Timestamp, p.HasTimestamp = o.timestamp, true
	} else if prof.timestamps != nil {
		p.Timestamp, p.HasTimestamp = prof.timestamps.Next(), true
	}
	if v >= frame.V5 {
		p.Keyspace = o.keyspace
		p.NowInSeconds, p.HasNowInSeconds = o.nowInSeconds, o.hasNowInSeconds
	}
}
