package cassandra

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// Statement is what Session.ExecuteStatement runs: a *SimpleStatement
// (NewStatement), a *BoundStatement (PreparedStatement.Bind) or a *Batch
// (NewBatch). Only this package implements it, so a wrong kind of value is
// a compile error, not a run-time one. A CQL string with values needs no
// Statement: Session.Execute takes it directly.
type Statement interface {
	options() *stmtOptions
}

// BatchEntry is a statement a Batch can hold: a *SimpleStatement or a
// *BoundStatement.
type BatchEntry interface {
	Statement
	batchEntry()
}

// SimpleStatement is a CQL string with positional values and
// per-statement options. Build one with NewStatement; its option methods
// set a field and return the statement, so they chain:
//
//	stmt := cassandra.NewStatement("SELECT * FROM events WHERE day = ?", day).PageSize(500)
//	rs, err := session.ExecuteStatement(ctx, stmt)
//
// With values it is prepared on first use (and cached), so the values are
// checked against the server's types before anything is sent; without, it
// is sent as a plain QUERY.
type SimpleStatement struct {
	o      stmtOptions
	cql    string
	values []any
}

// NewStatement returns a simple statement.
func NewStatement(cql string, values ...any) *SimpleStatement {
	return &SimpleStatement{cql: cql, values: values}
}

// CQL returns the statement's text.
func (s *SimpleStatement) CQL() string { return s.cql }

// Values returns the statement's bound values.
func (s *SimpleStatement) Values() []any { return s.values }

func (s *SimpleStatement) options() *stmtOptions { return &s.o }
func (s *SimpleStatement) batchEntry()           {}

// stmtOptions is the unexported option record the request path reads.
type stmtOptions struct {
	consistency     Consistency // Unset (zero): the profile's
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
	attemptTimeout  time.Duration
	prefetch        bool
}

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
	if o.consistency != 0 {
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

// TimestampGenerator hands out client-side write timestamps in microseconds
// since the epoch, strictly increasing even when the wall clock steps back
// or many calls land in one microsecond: a timestamp never repeats, so two
// writes of one client are never ordered by chance.
type TimestampGenerator struct {
	last atomic.Int64
	now  func() time.Time // for tests; nil means time.Now
}

// Next returns the next timestamp.
func (g *TimestampGenerator) Next() int64 {
	now := time.Now
	if g.now != nil {
		now = g.now
	}
	t := now().UnixMicro()
	for {
		last := g.last.Load()
		next := t
		if next <= last {
			next = last + 1
		}
		if g.last.CompareAndSwap(last, next) {
			return next
		}
	}
}

// isSchemaStatement reports CQL text that changes the schema or access
// rights (CREATE, ALTER, DROP, TRUNCATE, GRANT, REVOKE), after leading
// spaces and comments.
func isSchemaStatement(cql string) bool {
	s := strings.TrimLeft(cql, " \t\r\n")
	for strings.HasPrefix(s, "--") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/*") {
		if strings.HasPrefix(s, "/*") {
			end := strings.Index(s, "*/")
			if end < 0 {
				return false
			}
			s = s[end+2:]
		} else if nl := strings.IndexByte(s, '\n'); nl >= 0 {
			s = s[nl+1:]
		} else {
			return false
		}
		s = strings.TrimLeft(s, " \t\r\n")
	}
	word, _, _ := strings.Cut(s, " ")
	switch strings.ToUpper(word) {
	case "CREATE", "ALTER", "DROP", "TRUNCATE", "GRANT", "REVOKE":
		return true
	}
	return false
}
