package cassandra

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/google/uuid"
)

// Query tracing: a statement run with Trace(true) makes the coordinator
// record its work in system_traces, under a session id the response
// carries (ResultSet.TraceID). The rows are written asynchronously, after
// the response, so reading them means waiting until the session row has a
// duration, which the coordinator writes last.

// DefaultTraceWait bounds how long QueryTrace waits for a trace to be
// complete when its context has no deadline.
const DefaultTraceWait = 5 * time.Second

// traceRetry is the pause between two reads of an incomplete trace.
const traceRetry = 100 * time.Millisecond

// The statements that read a trace; prepared on first use like any
// statement with values.
const (
	// SELECT *: Cassandra 2.1's sessions table has no client column.
	traceSessionCQL = "SELECT * FROM system_traces.sessions WHERE session_id = ?"
	traceEventsCQL  = "SELECT event_id, activity, source, source_elapsed, thread " +
		"FROM system_traces.events WHERE session_id = ?"
)

// ErrNotTraced is returned by QueryTrace for a statement that was not run
// with Trace(true).
var ErrNotTraced = errors.New("cassandra: the statement was not traced (run it with Trace(true))")

// TraceUnavailableError means a trace was not complete in system_traces
// before QueryTrace gave up: its context ended or DefaultTraceWait passed.
// Tracing is best effort, so the server may never complete it.
type TraceUnavailableError struct {
	TraceID uuid.UUID
	Waited  time.Duration
	// Err is the last error reading the trace, or the context's error
	// when the reads succeeded but the trace stayed incomplete.
	Err error
}

// Error names the trace, how long QueryTrace waited and why it stopped.
func (e *TraceUnavailableError) Error() string {
	return fmt.Sprintf("cassandra: trace %s not complete after %v: %v", e.TraceID, e.Waited.Round(time.Millisecond), e.Err)
}

// Unwrap returns the underlying error.
func (e *TraceUnavailableError) Unwrap() error { return e.Err }

// QueryTrace is a statement's trace: the system_traces.sessions row and its
// events, in order.
type QueryTrace struct {
	ID          uuid.UUID
	Request     string            // what was run, such as "Execute CQL3 query"
	Coordinator netip.Addr        // the node that coordinated the request
	Client      netip.Addr        // the client's address as the server saw it
	StartedAt   time.Time         // when the coordinator received the request
	Duration    time.Duration     // how long the coordinator took
	Parameters  map[string]string // the query, consistency level, page size...
	Events      []TraceEvent
}

// TraceEvent is one step of a trace: a row of system_traces.events.
type TraceEvent struct {
	ID            uuid.UUID     // a timeuuid: events sort by it
	Time          time.Time     // when it happened, from ID
	Activity      string        // what happened
	Source        netip.Addr    // the node it happened on
	SourceElapsed time.Duration // time since the request reached that node
	Thread        string        // the server thread that did it
}

// QueryTrace reads the trace of the statement that produced rs from
// system_traces, through the same session, waiting until the trace is
// complete: it retries every 100 ms until ctx's deadline, or for
// DefaultTraceWait when ctx has none, and then fails with a
// *TraceUnavailableError. For a statement that was not traced it returns
// ErrNotTraced.
func (rs *ResultSet) QueryTrace(ctx context.Context) (*QueryTrace, error) {
	id, traced := rs.TraceID()
	if !traced {
		return nil, ErrNotTraced
	}
	if rs.sess == nil {
		return nil, errors.New("cassandra: QueryTrace: the result has no session to read the trace with")
	}
	return rs.sess.queryTrace(ctx, uuid.UUID(id))
}

// QueryTrace waits for the request and reads its trace (see
// ResultSet.QueryTrace). ctx bounds both waits.
func (f *ResponseFuture) QueryTrace(ctx context.Context) (*QueryTrace, error) {
	rs, err := f.Result(ctx)
	if err != nil {
		return nil, err
	}
	return rs.QueryTrace(ctx)
}

func (s *Session) queryTrace(ctx context.Context, id uuid.UUID) (*QueryTrace, error) {
	start := time.Now()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTraceWait)
		defer cancel()
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	var lastErr error
	for {
		tr, err := s.readTraceSession(ctx, id)
		if err == nil && tr != nil {
			if tr.Events, err = s.readTraceEvents(ctx, id); err == nil {
				return tr, nil
			}
		}
		if err != nil {
			if permanentTraceErr(err) {
				return nil, &TraceUnavailableError{TraceID: id, Waited: time.Since(start), Err: err}
			}
			lastErr = err
		}
		timer.Reset(traceRetry)
		select {
		case <-timer.C:
		case <-ctx.Done():
			if lastErr == nil {
				lastErr = ctx.Err()
			}
			return nil, &TraceUnavailableError{TraceID: id, Waited: time.Since(start), Err: lastErr}
		}
	}
}

// permanentTraceErr reports errors that waiting will not cure.
func permanentTraceErr(err error) bool {
	var (
		inv   *InvalidError
		unau  *UnauthorizedError
		synt  *SyntaxError
		clErr = errors.Is(err, ErrClosed)
	)
	return clErr || errors.As(err, &inv) || errors.As(err, &unau) || errors.As(err, &synt)
}

// readTraceSession returns the session row, or nil while it is missing or
// has no duration yet.
func (s *Session) readTraceSession(ctx context.Context, id uuid.UUID) (*QueryTrace, error) {
	stmt := NewStatement(traceSessionCQL, id).Consistency(One).Idempotent(true)
	rs, err := s.ExecuteStatement(ctx, stmt)
	if err != nil {
		return nil, err
	}
	if !rs.Next() {
		return nil, rs.Err()
	}
	tr := &QueryTrace{ID: id}
	var micros *int32
	dest := map[string]any{
		"coordinator": &tr.Coordinator, "duration": &micros, "parameters": &tr.Parameters,
		"request": &tr.Request, "started_at": &tr.StartedAt, "client": &tr.Client,
	}
	for i, c := range rs.Columns() {
		if d, ok := dest[c.Name]; ok {
			if err := cqltype.Unmarshal(c.Type, rs.it.Cell(rs.spans[i]), d); err != nil {
				return nil, cqltype.WithColumn(err, c.Name)
			}
		}
	}
	if micros == nil {
		return nil, nil
	}
	tr.Duration = time.Duration(*micros) * time.Microsecond
	return tr, nil
}

func (s *Session) readTraceEvents(ctx context.Context, id uuid.UUID) ([]TraceEvent, error) {
	stmt := NewStatement(traceEventsCQL, id).Consistency(One).Idempotent(true)
	rs, err := s.ExecuteStatement(ctx, stmt)
	if err != nil {
		return nil, err
	}
	var events []TraceEvent
	for rs.Next() {
		var ev TraceEvent
		var micros int32
		if err := rs.Scan(&ev.ID, &ev.Activity, &ev.Source, &micros, &ev.Thread); err != nil {
			return nil, err
		}
		ev.SourceElapsed = time.Duration(micros) * time.Microsecond
		if ev.ID.Version() == 1 {
			sec, nsec := ev.ID.Time().UnixTime()
			ev.Time = time.Unix(sec, nsec).UTC()
		}
		events = append(events, ev)
	}
	return events, rs.Err()
}
