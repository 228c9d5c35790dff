package cassandra

import (
	"fmt"
	"sync"
	"time"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// requestState is the request path's per-session state.
type requestState struct {
	s              *Session
	prepared       prepareCache
	defaultProfile *profileSettings
	timestamps     TimestampGenerator

	profMu   sync.RWMutex
	profiles map[string]*profileSettings // resolved named profiles
}

func (r *requestState) init(s *Session) {
	r.s = s
	set := s.cfg
	d := &profileSettings{
		consistency: set.Consistency,
		serial:      set.SerialConsistency,
		timeout:     set.Timeouts.Request,
		attempt:     set.Timeouts.Attempt,
		spec:        set.Policies.SpeculativeExecution,
		pageSize:    set.PageSize,
		lb:          set.Policies.LoadBalancing,
		retry:       set.Policies.Retry,
	}
	d.trackers = latencyTrackers(d.lb, d.spec)
	if !set.ServerTimestamps {
		d.timestamps = &r.timestamps
	}
	r.defaultProfile = d
	r.profiles = map[string]*profileSettings{}
}

// profile returns the resolved settings of a named profile.
func (r *requestState) profile(name string) (*profileSettings, error) {
	if name == "" {
		return r.defaultProfile, nil
	}
	r.profMu.RLock()
	p, ok := r.profiles[name]
	r.profMu.RUnlock()
	if ok {
		return p, nil
	}
	ep, ok := r.s.cluster.Profiles.Get(name)
	if !ok {
		return nil, fmt.Errorf("cassandra: no execution profile named %q", name)
	}
	p = resolveProfile(r.defaultProfile, ep)
	r.profMu.Lock()
	r.profiles[name] = p
	r.profMu.Unlock()
	return p, nil
}

// schemaChanged is told of schema changes as soon as they are known (the
// result of this session's own DDL, and every SCHEMA_CHANGE event, before
// the debounce). Prepared statements on a changed table or user type are
// marked: their next execution asks for fresh result metadata, and
// prepares them again first, so that neither their columns nor their
// markers' types are the old ones. Before v5 the server does not say that
// result metadata changed, and Cassandra 2.1 keeps serving a statement
// prepared before DROP and CREATE TABLE.
func (r *requestState) schemaChanged(changes []frame.SchemaChange) {
	for _, ps := range r.prepared.all() {
		if changes == nil {
			ps.markStale()
			ps.refresh.Store(true)
			continue
		}
		for _, ch := range changes {
			if affects(ps, ch) {
				ps.markStale()
				ps.refresh.Store(true)
				break
			}
		}
	}
}

// affects reports whether a schema change may change what ps returns or
// accepts.
func affects(ps *PreparedStatement, ch frame.SchemaChange) bool {
	bm, meta := ps.bind.Load(), ps.result.Load()
	switch ch.Target {
	case "KEYSPACE":
		if ch.Change == "UPDATED" {
			return false // replication or durable writes only
		}
		return onTable(bm.params, ch.Keyspace, "") || onTable(meta.cols, ch.Keyspace, "") || ps.keyspace == ch.Keyspace
	case "TABLE":
		return onTable(bm.params, ch.Keyspace, ch.Name) || onTable(meta.cols, ch.Keyspace, ch.Name)
	case "TYPE":
		return usesType(bm.params, ch.Keyspace, ch.Name) || usesType(meta.cols, ch.Keyspace, ch.Name)
	}
	return false
}

// onTable reports whether columns belong to keyspace ks and, when table is
// set, to that table.
func onTable(cols []frame.ColumnSpec, ks, table string) bool {
	for _, c := range cols {
		if c.Keyspace == ks && (table == "" || c.Table == table) {
			return true
		}
	}
	return false
}

// usesType reports whether a column's type is, or contains, the user type
// ks.name.
func usesType(cols []frame.ColumnSpec, ks, name string) bool {
	for _, c := range cols {
		if typeUses(c.Type, ks, name, 0) {
			return true
		}
	}
	return false
}

func typeUses(t *frame.Type, ks, name string, depth int) bool {
	if t == nil || depth > 64 {
		return false
	}
	if t.ID == frame.TypeUDT && t.Keyspace == ks && t.Name == name {
		return true
	}
	for _, e := range t.Elems {
		if typeUses(e, ks, name, depth+1) {
			return true
		}
	}
	return false
}

// request is one statement on its way: the message to send, its options and
// the record of its attempts. Attempts re-encode the message, so paging and
// retries change fields in place.
type request struct {
	s    *Session
	prof *profileSettings
	opts stmtOptions // a copy: later changes to the statement do not reach its pages
	kind reqKind

	query   frame.Query
	execute frame.Execute
	batch   frame.Batch
	prepare frame.Prepare

	ps      *PreparedStatement   // reqExecute
	batchPS []*PreparedStatement // reqBatch: the prepared statement of each entry, or nil
	// batchVals backs the bound values of every entry of a batch.
	batchVals []frame.Value

	routing  policy.RoutingInfo
	scratch  []byte
	attempts []Attempt
	started  time.Time // when the current run (first page, or a later one) began
	now      time.Time // a clock reading for run's start, taken by its caller; zero: run reads the clock
	id       uint64    // for observers: set by event

	// Inline storage, so that a request with a few small values needs no
	// allocation of its own. Requests come from requestPool.
	scratchBuf  [96]byte
	valsBuf     [6]frame.Value
	attemptsBuf [2]Attempt
	// rs is the first page's ResultSet, allocated with the request so that
	// its body buffer can be offered to an attempt (bodyOffered: once);
	// resultSet takes it. Copies of the request (speculative, prefetch)
	// have none.
	rs          *ResultSet
	bodyOffered bool
	bodyLent    bool // the attempt offered rs's body buffer failed: it may be written late
}

// What a recycled request keeps: the slices of batches up to maxKeptBatch
// statements and scratch buffers up to maxKeptScratch bytes.
const (
	maxKeptBatch   = 256
	maxKeptScratch = 64 << 10
)

// requestPool recycles the requests of synchronous calls (recycle): a
// request is ~1.2 KB, the largest allocation of a call otherwise.
var requestPool = sync.Pool{New: func() any { return new(request) }}

// recycle returns req to requestPool once nothing can reach it: the call
// succeeded (a failed request's attempts live on in its *RequestError) and
// its ResultSet has no further page to fetch with it (rs.req) or being
// fetched (rs.pendingPage). Its ResultSet keeps copies of what it needs from the
// request (setEnvelope). Requests of asynchronous calls, of pages after the
// first and of speculative or prefetch copies are left to the collector.
func (req *request) recycle(rs *ResultSet, err error) {
	if err != nil || rs == nil || rs.req != nil || rs.pendingPage() != nil {
		return
	}
	// A batch's slices and a grown scratch buffer stay with the pooled
	// request, cleared, up to a bound, so repeated batches reuse them.
	stmts, bps, bvals, scratch := req.batch.Statements, req.batchPS, req.batchVals, req.scratch
	*req = request{}
	if cap(stmts) <= maxKeptBatch {
		clear(stmts[:cap(stmts)])
		clear(bps[:cap(bps)])
		clear(bvals[:cap(bvals)])
		req.batch.Statements, req.batchPS, req.batchVals = stmts[:0], bps[:0], bvals[:0]
	}
	if cap(scratch) > len(req.scratchBuf) && cap(scratch) <= maxKeptScratch {
		req.scratch = scratch[:0]
	}
	requestPool.Put(req)
}
