package cassandra

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/conn"
	"github.com/cqlgo/cassandra/policy"
)

// Execute runs a CQL string with positional values and waits for its
// first page. With values the text is prepared on first use and cached, so
// the values are checked against the server's types before anything is
// sent; without values it is sent as a plain QUERY. Use ExecuteStatement
// for statements with options, bound prepared statements and batches.
func (s *Session) Execute(ctx context.Context, cql string, args ...any) (*ResultSet, error) {
	if err := s.admit(); err != nil {
		return nil, err
	}
	defer s.active.Add(-1)
	req, err := s.newQueryRequest(ctx, cql, args)
	if err != nil {
		return nil, err
	}
	rs, err := req.do(ctx, ctx)
	req.recycle(rs, err)
	return rs, err
}

// ExecuteStatement runs a *SimpleStatement, a *BoundStatement or a *Batch
// and waits for its first page.
func (s *Session) ExecuteStatement(ctx context.Context, stmt Statement) (*ResultSet, error) {
	if err := s.admit(); err != nil {
		return nil, err
	}
	defer s.active.Add(-1)
	req, err := s.newRequest(ctx, stmt)
	if err != nil {
		return nil, err
	}
	rs, err := req.do(ctx, ctx)
	req.recycle(rs, err)
	return rs, err
}

// deadline returns when a request started now must end: its timeout, or
// the zero time for none (the context alone bounds it then).
func (req *request) deadline() time.Time { return req.deadlineFrom(time.Now()) }

// deadlineFrom is deadline for a request started at now.
func (req *request) deadlineFrom(now time.Time) time.Time {
	d := req.timeout()
	if d <= 0 {
		return time.Time{}
	}
	return now.Add(d)
}

// withDeadline derives a context ending at deadline, for the rare steps
// that need one (schema agreement, USE on every connection).
func withDeadline(ctx context.Context, deadline time.Time) (context.Context, context.CancelFunc) {
	if deadline.IsZero() {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, deadline)
}

// do runs req under its timeout and wraps the answer in a ResultSet. ctx
// bounds the request; pageCtx bounds what follows its answer (USE on every
// connection, schema agreement, later pages): a future passes the caller's
// context there, since its own is cancelled once it completes.
func (req *request) do(ctx, pageCtx context.Context) (*ResultSet, error) {
	s := req.s
	start := time.Now() // one clock read serves the deadline and the first attempt
	deadline := req.deadlineFrom(start)
	obs := s.cfg.Observer
	if obs != nil {
		req.observeStart(ctx, obs)
	}
	var rs *ResultSet
	var attempts int
	var err error
	for try := 0; ; try++ {
		var res attemptResult
		if try == 0 {
			req.now = start
		}
		res, _, err = s.run(ctx, deadline, req)
		// Counted now: once the ResultSet exists, a prefetch of the next
		// page owns req and rewrites its attempts.
		attempts += len(req.attempts)
		if err == nil {
			rs, err = req.resultSet(pageCtx, deadline, res)
		}
		if err == errStaleResult && try < maxStaleRetries {
			if err = req.freshMetadata(ctx, deadline, res); err == nil {
				req.attempts = req.attempts[:0]
				continue
			}
		}
		break
	}
	latency := time.Since(start)
	s.metrics.requestDone(latency, err)
	if obs != nil || (s.cfg.SlowRequest > 0 && latency >= s.cfg.SlowRequest) {
		req.observeEnd(ctx, obs, latency, attempts, err)
	}
	return rs, err
}

type reqKind int

const (
	reqQuery reqKind = iota
	reqExecute
	reqBatch
	reqPrepare
)

// Attempt is one try of a request on one host.
type Attempt struct {
	Host    *Host
	Err     error // nil for the attempt that succeeded
	Latency time.Duration
	// Speculative marks attempts of an extra execution started by the
	// speculative execution policy.
	Speculative bool
}

func (req *request) timeout() time.Duration {
	if req.opts.timeout != 0 {
		return req.opts.timeout
	}
	return req.prof.timeout
}

// newQueryRequest resolves a CQL string and its values into a request.
func (s *Session) newQueryRequest(ctx context.Context, cql string, args []any) (*request, error) {
	if s.isClosed() {
		return nil, ErrClosed
	}
	if len(args) > 0 {
		ps, err := s.Prepare(ctx, cql)
		if err != nil {
			return nil, err
		}
		return s.preparedRequest(ctx, ps, args, nil)
	}
	return s.queryRequest(&SimpleStatement{cql: cql})
}

// newRequest resolves a statement into a request, binding and checking its
// values.
func (s *Session) newRequest(ctx context.Context, stmt Statement) (*request, error) {
	if s.isClosed() {
		return nil, ErrClosed
	}
	switch st := stmt.(type) {
	case *SimpleStatement:
		if st == nil {
			break
		}
		if len(st.values) > 0 {
			ks := ""
			if s.version() >= frame.V5 {
				ks = st.o.keyspace
			}
			ps, err := s.prepare(ctx, st.cql, ks)
			if err != nil {
				return nil, err
			}
			return s.preparedRequest(ctx, ps, st.values, &st.o)
		}
		return s.queryRequest(st)
	case *BoundStatement:
		if st == nil || st.ps == nil {
			break
		}
		return s.boundRequest(ctx, st)
	case *Batch:
		if st == nil {
			break
		}
		return s.batchRequest(ctx, st)
	}
	return nil, errors.New("cassandra: ExecuteStatement: nil statement")
}

func (s *Session) baseRequest(o *stmtOptions, kind reqKind) (*request, error) {
	prof, err := s.req.profile(o.profile)
	if err != nil {
		return nil, err
	}
	req := requestPool.Get().(*request)
	req.s, req.prof, req.opts, req.kind, req.routing = s, prof, *o, kind, o.routing(s.Keyspace())
	req.rs = resultSetPool.Get().(*ResultSet)
	if cap(req.scratch) == 0 { // not a buffer kept by recycle
		req.scratch = req.scratchBuf[:0]
	}
	req.attempts = req.attemptsBuf[:0]
	return req, nil
}

func (s *Session) queryRequest(st *SimpleStatement) (*request, error) {
	req, err := s.baseRequest(&st.o, reqQuery)
	if err != nil {
		return nil, err
	}
	if req.opts.attemptTimeout == 0 && isSchemaStatement(st.cql) {
		// DDL can take the server seconds (DROP takes a snapshot): it gets
		// the whole request bound, not one attempt's.
		req.opts.attemptTimeout = -1
	}
	req.query.Query = st.cql
	st.o.params(&req.query.Params, req.prof, s.version())
	return req, nil
}

func (s *Session) boundRequest(ctx context.Context, b *BoundStatement) (*request, error) {
	return s.executeRequest(ctx, b.ps, b.args(), b.named, &b.o)
}

// defaultOptions are the options of a prepared statement executed without
// a BoundStatement.
var defaultOptions stmtOptions

// preparedRequest builds the EXECUTE of ps with values; o nil means
// default options.
func (s *Session) preparedRequest(ctx context.Context, ps *PreparedStatement, values []any, o *stmtOptions) (*request, error) {
	return s.executeRequest(ctx, ps, values, nil, o)
}

// executeRequest builds the EXECUTE of ps with values by position, or
// named by marker name.
func (s *Session) executeRequest(ctx context.Context, ps *PreparedStatement, values []any, named map[string]any, o *stmtOptions) (*request, error) {
	if o == nil {
		o = &defaultOptions
	}
	req, err := s.baseRequest(o, reqExecute)
	if err != nil {
		return nil, err
	}
	req.ps = ps
	v := s.version()
	if req.execute.Params.Values, req.scratch, err = s.bindPrepared(ctx, ps, values, named, req.scratch[:0], req.valsBuf[:0], v); err != nil {
		return nil, err
	}
	req.execute.ID = ps.id
	o.params(&req.execute.Params, req.prof, v)
	bm := ps.bind.Load()
	if req.routing.RoutingKey == nil {
		req.routing.RoutingKey = routingKey(bm, req.execute.Params.Values)
	}
	if len(bm.params) > 0 {
		req.routing.Keyspace, req.routing.Table = bm.params[0].Keyspace, bm.params[0].Table
	}
	return req, nil
}

// bindValues marshals values by the marker types bm into scratch and
// returns them as frame values pointing into it, appended to vals.
func bindValues(ps *PreparedStatement, bm *bindMeta, values []any, scratch []byte, vals []frame.Value, v frame.Version, limit int) ([]frame.Value, []byte, error) {
	if len(values) != len(bm.params) {
		return nil, scratch, &BindError{CQL: ps.cql, Msg: fmt.Sprintf("%d values for %d markers", len(values), len(bm.params))}
	}
	if len(values) == 0 {
		return nil, scratch, nil
	}
	base := len(scratch)
	for i, val := range values {
		col := bm.params[i]
		if val == Unset && v < frame.V4 {
			return nil, scratch, &BindError{CQL: ps.cql, Column: col.Name, Msg: "unset values need protocol v4 or later"}
		}
		// A value that cannot fit in a frame is refused before it is
		// copied: nothing proportional to its size is allocated.
		if n := rawLen(val); n > limit-(len(scratch)-base) {
			return nil, scratch, &MarshalError{Column: col.Name, CQLType: col.Type.String(), GoType: fmt.Sprintf("%T", val),
				Err: fmt.Errorf("a value of %d bytes cannot fit in a frame of at most %d (Pool.MaxFrameLength)", n, limit)}
		}
		var err error
		if scratch, err = cqltype.AppendValue(scratch, col.Type, val); err != nil {
			return nil, scratch, cqltype.WithColumn(err, col.Name)
		}
		if len(scratch)-base > limit {
			return nil, scratch, &MarshalError{Column: col.Name, CQLType: col.Type.String(), GoType: fmt.Sprintf("%T", val),
				Err: fmt.Errorf("the values take more than a frame of at most %d bytes (Pool.MaxFrameLength)", limit)}
		}
	}
	// Slice the values out only now that scratch no longer grows.
	at := base
	for range values {
		n := int32(binary.BigEndian.Uint32(scratch[at:]))
		at += 4
		switch {
		case n == -2:
			vals = append(vals, frame.Value{Unset: true})
		case n < 0:
			vals = append(vals, frame.Value{})
		default:
			vals = append(vals, frame.Value{Bytes: scratch[at : at+int(n) : at+int(n)]})
			at += int(n)
		}
	}
	return vals, scratch, nil
}

// routingKey builds the serialized partition key from the bound values: the
// value itself for one key column, else each component as a [short] length,
// the bytes and a zero byte.
func routingKey(bm *bindMeta, vals []frame.Value) []byte {
	if len(bm.pk) == 0 {
		return nil
	}
	if len(bm.pk) == 1 {
		if int(bm.pk[0]) < len(vals) {
			return vals[bm.pk[0]].Bytes
		}
		return nil
	}
	var key []byte
	for _, i := range bm.pk {
		if int(i) >= len(vals) || vals[i].Bytes == nil {
			return nil
		}
		key = appendKeyComponent(key, vals[i].Bytes)
	}
	return key
}

// version is the protocol version requests are encoded for.
func (s *Session) version() frame.Version { return s.st.ctrl.version() }

// message returns the frame message of req for a connection of version v.
func (req *request) message(v frame.Version) frame.Message {
	switch req.kind {
	case reqExecute:
		meta := req.ps.result.Load()
		req.execute.ID = req.ps.id
		req.execute.Params.SkipMetadata = !meta.stale && len(meta.cols) > 0 && (v >= frame.V5 || !meta.hasUDT)
		req.execute.ResultMetadataID = nil
		if v >= frame.V5 {
			req.execute.ResultMetadataID = meta.id
		} else {
			clearV5(&req.execute.Params)
		}
		return &req.execute
	case reqBatch:
		if v < frame.V5 {
			req.batch.Keyspace, req.batch.HasNowInSeconds = "", false
		}
		return &req.batch
	case reqPrepare:
		return &req.prepare
	}
	if v < frame.V5 {
		clearV5(&req.query.Params)
	}
	return &req.query
}

func clearV5(p *frame.QueryParams) {
	p.Keyspace, p.HasNowInSeconds = "", false
}

// params returns the query parameters of req, for paging.
func (req *request) params() *frame.QueryParams {
	switch req.kind {
	case reqExecute:
		return &req.execute.Params
	case reqQuery:
		return &req.query.Params
	}
	return nil
}

// attemptResult is a successful attempt's answer: a RESULT frame, decoded
// by whoever needs it (rows straight into the ResultSet).
type attemptResult struct {
	fr   frame.Frame
	conn *conn.Conn
	host *Host
	void bool // the retry policy chose to ignore the failure
}

// maxReprepares bounds the UNPREPARED → PREPARE → retry loops of one
// request.
const maxReprepares = 3

// releaser is implemented by query plans that can be recycled once the
// request is done with them.
type releaser interface{ Release() }

// run sends req to the hosts of its query plan until one answers or the
// retry policy gives up. It is the one place where the next host is chosen
// and a failed attempt judged. deadline (zero: none) and ctx bound it. For
// an idempotent statement the speculative execution policy may start more
// executions of it, each on the next host of the same plan; the first
// answer wins.
func (s *Session) run(ctx context.Context, deadline time.Time, req *request) (attemptResult, *Host, error) {
	now := req.now
	req.now = time.Time{}
	if now.IsZero() {
		now = time.Now()
	}
	req.started = now
	thr := s.cfg.Policies.Throttler
	if err := thr.Acquire(ctx); err != nil {
		return attemptResult{}, nil, err
	}
	defer thr.Release()
	if thr != policy.NoThrottle() {
		now = time.Time{} // Acquire may have waited: the attempt reads the clock
	}
	var plan policy.QueryPlan
	if req.opts.host != nil {
		plan = &pinnedPlan{h: req.opts.host}
	} else {
		// Paxos rounds of one partition should meet one coordinator.
		req.routing.Serial = req.consistency().IsSerial() || req.serialSet()
		plan = req.prof.lb.NewQueryPlan(&req.routing, s.st.hosts)
		if policy.LocalConsistency(req.consistency()) {
			// LOCAL_* levels never leave the local datacenter.
			plan = policy.LocalOnly(req.prof.lb, plan)
		}
	}
	if r, ok := plan.(releaser); ok {
		defer r.Release()
	}
	if req.opts.idempotent && req.opts.host == nil && req.prof.spec != nil {
		sched := req.prof.spec.NewSchedule(&req.routing)
		if d, ok := sched.NextDelay(1); ok {
			return s.runSpeculative(ctx, deadline, req, plan, sched, d)
		}
	}
	return s.runPlan(ctx, now, deadline, req, plan, false)
}

// runPlan is one execution of req: attempts on the plan's hosts, one after
// the other, as the retry policy decides.
//
// now, when not zero, is a clock reading taken just before: the first
// attempt starts at it.
func (s *Session) runPlan(ctx context.Context, now, deadline time.Time, req *request, plan policy.QueryPlan, speculative bool) (attemptResult, *Host, error) {
	var fs failureState
	obs := s.cfg.Observer
	host := plan.Next()
	for {
		if host == nil {
			return attemptResult{}, nil, req.final(req.exhausted())
		}
		if err := ctx.Err(); err != nil {
			return attemptResult{}, host, req.final(req.timedOut(err))
		}
		if now.IsZero() { // every attempt after the first
			now = time.Now()
		}
		if !deadline.IsZero() && !now.Before(deadline) {
			return attemptResult{}, host, req.final(req.timedOut(conn.ErrDeadline))
		}
		if s.isClosed() {
			return attemptResult{}, host, req.final(ErrClosed)
		}
		var cn *conn.Conn
		p := s.pool(host)
		if p != nil {
			cn = p.pick()
		}
		if cn == nil {
			if p != nil {
				p.metrics.unsent.Add(1)
			}
			req.record(host, errNoConnection, 0, speculative)
			host = plan.Next()
			continue
		}
		if speculative && len(req.attempts) == 0 {
			p.metrics.speculative.Add(1)
		}
		start := now
		now = time.Time{}
		var attemptID uint64
		if obs != nil || s.cfg.RequestIDs {
			attemptID = nextID.Add(1)
		}
		if obs != nil {
			req.observeAttempt(ctx, obs, attemptID, host, speculative, false, 0, nil)
		}
		payload := req.opts.payload
		if (req.prof.payload != nil || s.cfg.RequestIDs) && cn.Version() >= frame.V4 { // custom payloads are v4+
			payload = s.attemptPayload(req, attemptID)
		}
		attemptDeadline, bounded := req.attemptDeadline(start, deadline)
		load := s.st.hosts.loadOf(host)
		load.inFlight.Add(1)
		// One attempt's answer may go into the ResultSet's body buffer;
		// no other's, since an attempt that gave up may still be answered.
		var dst []byte
		if req.rs != nil && !req.bodyOffered && !speculative {
			dst, req.bodyOffered = req.rs.bodyBuf[:], true
		}
		fr, err := cn.ExecAt(ctx, start, attemptDeadline, dst, req.message(cn.Version()), payload, req.opts.tracing)
		if dst != nil && err != nil {
			// The connection may still write dst (a late answer): the
			// ResultSet holding it is never reused (releaseResultSet).
			req.bodyLent = true
		}
		load.inFlight.Add(-1)
		if err == nil && fr.Header.Opcode != frame.OpResult {
			err = unexpectedAnswer(cn, fr, req)
		}
		latency := time.Since(start)
		p.metrics.messages.observe(latency)
		if err != nil {
			p.metrics.attemptFailed(err)
		}
		if obs != nil {
			req.observeAttempt(ctx, obs, attemptID, host, speculative, true, latency, err)
		}
		if err == nil {
			req.attempts = append(req.attempts, Attempt{Host: host, Latency: latency, Speculative: speculative})
			for _, tr := range req.prof.trackers {
				tr.Record(host, latency)
			}
			return attemptResult{fr: fr, conn: cn, host: host}, host, nil
		}
		next, void, err := s.afterFailure(ctx, deadline, req, &fs, attempt{host: host, cn: cn, p: p, load: load, err: err, latency: latency, bounded: bounded, speculative: speculative}, plan)
		switch {
		case err != nil:
			return attemptResult{}, host, err
		case void:
			return attemptResult{host: host, void: true}, host, nil
		}
		host = next
	}
}

// timedOut is the error of a request whose time ran out between attempts:
// it names the last host tried (not the next one), and may have been
// applied only if an attempt may have reached a server.
func (req *request) timedOut(reason error) *TimeoutError {
	te := &TimeoutError{Err: reason, Elapsed: time.Since(req.started)}
	for _, a := range req.attempts {
		if a.Err != nil && maybeSent(a.Err) {
			te.MaybeApplied = true
		}
		te.Host = a.Host.Addr()
	}
	return te
}

// attemptDeadline returns when an attempt started at start must end: the
// attempt timeout, or the request's deadline when that comes first.
// bounded reports that the attempt timeout set it.
func (req *request) attemptDeadline(start, deadline time.Time) (time.Time, bool) {
	d := req.prof.attempt
	if !req.opts.idempotent {
		// No retry can follow a non-idempotent attempt once it is sent:
		// cutting it short would only lose the answer. It gets the whole
		// request bound unless the statement sets its own.
		d = 0
	}
	if req.opts.attemptTimeout != 0 {
		d = req.opts.attemptTimeout
	}
	if d <= 0 {
		return deadline, false
	}
	if t := start.Add(d); deadline.IsZero() || t.Before(deadline) {
		return t, true
	}
	return deadline, false
}

// maybeSent reports whether a failed attempt may have reached the server:
// everything but errors raised before the frame was written.
func maybeSent(err error) bool {
	var te *TimeoutError
	if errors.As(err, &te) {
		return te.MaybeApplied
	}
	return !errors.Is(err, ErrConnBusy) && !errors.Is(err, errNoConnection)
}

// consistency returns the consistency level the request is sent with.
func (req *request) consistency() Consistency {
	switch req.kind {
	case reqExecute:
		return req.execute.Params.Consistency
	case reqBatch:
		return req.batch.Consistency
	case reqQuery:
		return req.query.Params.Consistency
	}
	return 0
}

var errNoConnection = errors.New("no open connection to the host")

// isClientSide reports errors raised by the driver rather than the server.
func isClientSide(err error) bool {
	var ce *ConnError
	var te *TimeoutError
	return errors.As(err, &ce) || errors.As(err, &te) || errors.Is(err, ErrClosed)
}

// unprepared returns the prepared statement with the given id that req
// uses, if any.
func (req *request) unprepared(id []byte) *PreparedStatement {
	if req.ps != nil {
		return req.ps
	}
	for _, ps := range req.batchPS {
		if ps != nil && string(ps.id) == string(id) {
			return ps
		}
	}
	return nil
}

func (req *request) setConsistency(c Consistency) {
	if c == 0 {
		return
	}
	req.query.Params.Consistency = c
	req.execute.Params.Consistency = c
	req.batch.Consistency = c
}

func (req *request) record(h *Host, err error, d time.Duration, speculative bool) {
	req.attempts = append(req.attempts, Attempt{Host: h, Err: err, Latency: d, Speculative: speculative})
}

// final wraps the error ending a request with its attempts.
func (req *request) final(err error) error {
	return &RequestError{Attempts: req.attempts, Last: err}
}

func (req *request) exhausted() error {
	errs := make([]HostError, 0, len(req.attempts))
	for _, a := range req.attempts {
		errs = append(errs, HostError{Host: a.Host.Addr(), Err: a.Err})
	}
	return &NoHostAvailableError{Msg: "no host could run the request", Errors: errs}
}

// RequestError is the error of a request that failed: the last attempt's
// error, with every attempt made. errors.As reaches the last error's type
// (for example *UnavailableError).
type RequestError struct {
	Attempts []Attempt
	Last     error
}

// Error is the last attempt's error, followed by every attempt when there were several.
func (e *RequestError) Error() string {
	var nh *NoHostAvailableError
	if len(e.Attempts) <= 1 || errors.As(e.Last, &nh) {
		return e.Last.Error() // a NoHostAvailableError lists the hosts itself
	}
	var b strings.Builder
	b.WriteString(e.Last.Error())
	fmt.Fprintf(&b, " (after %d attempts:", len(e.Attempts))
	for i, a := range e.Attempts {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, " %s: %v", a.Host.Addr(), a.Err)
	}
	b.WriteByte(')')
	return b.String()
}

// Unwrap returns the last attempt's error.
func (e *RequestError) Unwrap() error { return e.Last }

// pinnedPlan is the plan of a statement pinned to one host.
type pinnedPlan struct {
	h    *Host
	done bool
}

func (p *pinnedPlan) Next() *Host {
	if p.done {
		return nil
	}
	p.done = true
	return p.h
}

// rawLen is the encoded size of a value whose size is known without
// encoding it (bytes and strings), else -1.
func rawLen(v any) int {
	switch x := v.(type) {
	case []byte:
		return len(x)
	case string:
		return len(x)
	}
	return -1
}

// serialSet reports a statement sent with a serial consistency for its
// conditions: a lightweight transaction, as far as the driver can tell
// without parsing the CQL.
func (req *request) serialSet() bool { return req.opts.serial != 0 }
