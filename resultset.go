package cassandra

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
)

// ColumnSpec describes a result column: keyspace, table, name and CQL type.
type ColumnSpec = frame.ColumnSpec

// ResultSet is the answer to a statement: its rows, page by page, and what
// the server said about it. Iterate with Next and Scan; further pages are
// fetched as the current one runs out, each under the request timeout, and
// a failed fetch ends the iteration with the error in Err (rows already
// read stay valid).
//
//	for rs.Next() {
//		if err := rs.Scan(&id, &name); err != nil { ... }
//	}
//	if err := rs.Err(); err != nil { ... }
//
// A ResultSet is not safe for concurrent use.
type ResultSet struct {
	sess *Session        // the session that ran the statement, for QueryTrace
	req  *request        // the request, for further pages; nil when none
	ctx  context.Context // the caller's context, bounding later pages
	cols []frame.ColumnSpec

	rows frame.RowsResult
	it   frame.RowIter
	// spans locate the current row's cells in the page; cells holds them
	// as slices once a reader needs that (rowCells), for this row only
	// while cellsOK.
	spans   []frame.CellSpan
	cells   [][]byte
	cellsOK bool
	onRow   bool
	err     error
	pages   int
	ps      *PreparedStatement
	host    *Host

	attempts []Attempt
	kind     frame.ResultKind
	x        *rsExtra // what few results have, allocated when one does

	spansBuf    [6]frame.CellSpan // rs.spans for up to 6 columns
	attemptsBuf [1]Attempt        // rs.attempts for a request answered at once
	// bodyBuf receives the first page's response body when it fits (a
	// row or two of small values): the request offers it to one attempt
	// only (runPlan), so no other answer can overwrite it.
	bodyBuf [64]byte

	scan cqltype.PlanMemo // the struct plan of the last ScanStruct/ScanAll (scan_struct.go)
}

// rsExtra holds the parts of a ResultSet most results do not have, so that
// the common one is a smaller allocation.
type rsExtra struct {
	warnings []string
	payload  map[string][]byte
	traceID  [16]byte
	traced   bool
	change   *frame.SchemaChange
	agreed   bool
	pending  chan prefetched // the next page, fetched ahead (Prefetch)

	// fetchHook, when set, replaces fetchNext: unit tests page through
	// hand-built results with it.
	fetchHook func(rs *ResultSet) error
}

// extra returns rs.x, allocating it.
func (rs *ResultSet) extra() *rsExtra {
	if rs.x == nil {
		rs.x = new(rsExtra)
	}
	return rs.x
}

// pendingPage returns the page being fetched ahead, or nil.
func (rs *ResultSet) pendingPage() chan prefetched {
	if rs.x == nil {
		return nil
	}
	return rs.x.pending
}

// resultSet makes the ResultSet of a successful attempt: rows are decoded
// straight into its first page; USE switches the session's connections; a
// schema change waits for the hosts to agree on it.
func (req *request) resultSet(userCtx context.Context, deadline time.Time, res attemptResult) (*ResultSet, error) {
	rs := req.rs
	if rs == nil {
		rs = resultSetPool.Get().(*ResultSet)
	}
	req.rs = nil
	rs.sess, rs.ctx, rs.ps, rs.host = req.s, userCtx, req.ps, res.host
	rs.setEnvelope(req, res)
	if res.void {
		rs.kind = frame.ResultVoid
		return rs, nil
	}
	v := res.conn.Version()
	body := res.fr.Body
	if len(body) >= 4 && frame.ResultKind(binary.BigEndian.Uint32(body)) == frame.ResultRows {
		rs.kind = frame.ResultRows
		if err := rs.rows.Decode(body, v); err != nil {
			return nil, &ConnError{Host: res.conn.Addr(), Op: "decode", Err: err}
		}
		if err := rs.setPage(req, &rs.rows); err != nil {
			return nil, err
		}
		return rs, nil
	}
	m, err := frame.DecodeResult(body, v)
	if err != nil {
		return nil, &ConnError{Host: res.conn.Addr(), Op: "decode", Err: err}
	}
	switch m := m.(type) {
	case *frame.SetKeyspaceResult:
		rs.kind = frame.ResultSetKeyspace
		ctx, cancel := withDeadline(userCtx, deadline)
		defer cancel()
		if err := req.s.SetKeyspace(ctx, m.Keyspace); err != nil {
			return rs, fmt.Errorf("cassandra: keyspace set to %q on %s but not on every connection: %w", m.Keyspace, res.host, err)
		}
	case *frame.SchemaChangeResult:
		rs.kind = frame.ResultSchemaChange
		ch := m.SchemaChange
		rs.extra().change = &ch
		req.s.req.schemaChanged([]frame.SchemaChange{ch})
		agreed, err := req.s.st.ctrl.waitSchemaAgreement(userCtx, res.conn)
		if err != nil {
			return rs, err
		}
		rs.extra().agreed = agreed
	case *frame.VoidResult:
		rs.kind = frame.ResultVoid
	default:
		return nil, &ConnError{Host: res.conn.Addr(), Op: "decode", Err: fmt.Errorf("unexpected result %T", m)}
	}
	return rs, nil
}

func (rs *ResultSet) setEnvelope(req *request, res attemptResult) {
	if rs.pages == 0 {
		// A copy in the ResultSet's own storage: the request may be
		// recycled once the call returns.
		rs.attempts = append(rs.attemptsBuf[:0:len(rs.attemptsBuf)], req.attempts...)
	} else {
		// Later pages reuse the request: copy, so a slice returned by
		// Attempts for an earlier page does not change.
		rs.attempts = append([]Attempt(nil), req.attempts...)
	}
	tracing := res.fr.Header.Flags&frame.FlagTracing != 0
	if rs.x == nil && res.fr.Warnings == nil && res.fr.CustomPayload == nil && !tracing {
		return
	}
	x := rs.extra()
	x.warnings = res.fr.Warnings
	x.payload = res.fr.CustomPayload
	if tracing {
		x.traceID, x.traced = res.fr.TracingID, true
	}
}

// setPage installs a page of rows and remembers how to fetch the next.
func (rs *ResultSet) setPage(req *request, m *frame.RowsResult) error {
	if m != &rs.rows {
		rs.rows = *m
	}
	rs.pages++
	cols := m.Metadata.Columns
	if req.ps != nil {
		meta := req.ps.result.Load()
		switch {
		case m.Metadata.Flags&frame.MetadataChanged != 0 || (meta.stale && cols != nil):
			// The table changed: keep the new metadata for the next
			// executions (v5 sends a new id with it).
			id := m.Metadata.NewMetadataID
			if id == nil {
				id = meta.id
			}
			req.ps.result.Store(newResultMeta(id, cols, false))
		case cols == nil:
			if m.Metadata.ColumnCount != len(meta.cols) {
				// Another client prepared the statement again after the
				// table changed: these rows are not the cached columns.
				return errStaleResult
			}
			cols = meta.cols
		}
	}
	if cols == nil && m.Metadata.ColumnCount > 0 {
		return &ConnError{Op: "decode", Err: errors.New("rows without metadata for a statement whose columns are unknown")}
	}
	rs.cols = cols
	if len(rs.spans) != len(cols) {
		if len(cols) <= len(rs.spansBuf) {
			rs.spans = rs.spansBuf[:len(cols)]
		} else {
			rs.spans = make([]frame.CellSpan, len(cols))
		}
	}
	rs.cellsOK = false
	it, err := rs.rows.RowsAs(len(cols))
	if err != nil {
		return &ConnError{Op: "decode", Err: err}
	}
	rs.it = it
	if m.Metadata.PagingState != nil && req.params() != nil {
		rs.req = req
		if req.opts.prefetch {
			rs.startPrefetch()
		}
	} else {
		rs.req = nil
	}
	return nil
}

// Next advances to the next row, fetching the next page when the current
// one is used up. It returns false at the end or on an error (see Err).
func (rs *ResultSet) Next() bool {
	rs.onRow, rs.cellsOK = false, false
	if rs.err != nil {
		return false
	}
	for {
		if rs.it.NextSpans(rs.spans) {
			rs.onRow = true
			return true
		}
		if err := rs.it.Err(); err != nil {
			rs.err = &ConnError{Op: "decode", Err: err}
			return false
		}
		if rs.req == nil {
			return false
		}
		if err := rs.fetchNext(); err != nil {
			rs.err = err
			return false
		}
	}
}

// fetchNext replaces the current page with the next, under its own
// deadline bounded by the caller's context.
func (rs *ResultSet) fetchNext() error {
	if rs.x != nil && rs.x.fetchHook != nil {
		return rs.x.fetchHook(rs)
	}
	if rs.pendingPage() != nil {
		return rs.takePrefetched()
	}
	req := rs.req
	req.params().PagingState = rs.rows.Metadata.PagingState
	for try := 0; ; try++ {
		req.attempts = req.attempts[:0]
		deadline := req.deadline()
		res, _, err := req.s.run(rs.ctx, deadline, req)
		if err != nil {
			return err
		}
		if res.void || len(res.fr.Body) < 4 || frame.ResultKind(binary.BigEndian.Uint32(res.fr.Body)) != frame.ResultRows {
			return &ConnError{Op: "decode", Err: errors.New("next page answered without rows")}
		}
		rs.setEnvelope(req, res)
		if err := rs.rows.Decode(res.fr.Body, res.conn.Version()); err != nil {
			return &ConnError{Host: res.conn.Addr(), Op: "decode", Err: err}
		}
		err = rs.setPage(req, &rs.rows)
		if err != errStaleResult || try >= maxStaleRetries {
			return err
		}
		if err := req.freshMetadata(rs.ctx, deadline, res); err != nil {
			return err
		}
	}
}

// errStaleResult reports rows sent without metadata whose column count
// differs from the cached result metadata they would be decoded with.
var errStaleResult = &ConnError{Op: "decode", Err: errors.New("rows do not match the statement's cached result metadata (the table changed)")}

// maxStaleRetries bounds how often one page is fetched again for fresh
// result metadata.
const maxStaleRetries = 2

// freshMetadata prepares req's statement again on the connection that
// answered with rows of another shape, and makes the next attempt ask for
// the result metadata with the rows.
func (req *request) freshMetadata(ctx context.Context, deadline time.Time, res attemptResult) error {
	ps := req.ps
	pctx, cancel := withDeadline(ctx, deadline)
	defer cancel()
	if err := req.s.prepareOn(pctx, res.conn, ps); err != nil {
		return err
	}
	ps.markStale()
	req.s.cfg.Logger.Debug("cassandra: rows did not match the cached result metadata; fetching it again", "host", res.host, "cql", ps.cql)
	return nil
}

// Scan copies the current row's columns into dest, one pointer per column,
// converting as the type mapping allows (see docs/types.md).
func (rs *ResultSet) Scan(dest ...any) error {
	if !rs.onRow {
		return errors.New("cassandra: Scan called without a row (call Next first)")
	}
	if len(dest) != len(rs.cols) {
		return fmt.Errorf("cassandra: Scan got %d destinations for %d columns", len(dest), len(rs.cols))
	}
	ut := rs.userTypes()
	for i, d := range dest {
		if err := ut.Unmarshal(rs.cols[i].Type, rs.it.Cell(rs.spans[i]), d); err != nil {
			return cqltype.WithColumn(err, rs.cols[i].Name)
		}
	}
	return nil
}

// rowCells returns the current row's cells as slices, made from their
// spans on the first call for the row (Scan reads the spans directly: a
// slice stored in the ResultSet costs a write barrier while the collector
// runs, a span does not).
func (rs *ResultSet) rowCells() [][]byte {
	if !rs.cellsOK {
		if cap(rs.cells) < len(rs.spans) {
			rs.cells = make([][]byte, len(rs.spans))
		}
		rs.cells = rs.cells[:len(rs.spans)]
		for i, sp := range rs.spans {
			rs.cells[i] = rs.it.Cell(sp)
		}
		rs.cellsOK = true
	}
	return rs.cells
}

// userTypes returns the user types registered for the session, or nil.
func (rs *ResultSet) userTypes() *cqltype.UserTypes {
	if rs.sess == nil {
		return nil
	}
	return rs.sess.userTypes()
}

// Err returns the error that ended the iteration, if any.
func (rs *ResultSet) Err() error { return rs.err }

// Columns describes the result's columns.
func (rs *ResultSet) Columns() []ColumnSpec { return rs.cols }

// PagingState returns the state that resumes the query after the current
// page (pass it to a statement's PagingState), or nil on the last page.
func (rs *ResultSet) PagingState() []byte { return rs.rows.Metadata.PagingState }

// HasMorePages reports whether the server has rows after the current page.
func (rs *ResultSet) HasMorePages() bool { return rs.rows.Metadata.PagingState != nil }

// Warnings returns the server's warnings about the statement (v4+).
func (rs *ResultSet) Warnings() []string {
	if rs.x == nil {
		return nil
	}
	return rs.x.warnings
}

// CustomPayload returns the custom payload of the response (v4+).
func (rs *ResultSet) CustomPayload() map[string][]byte {
	if rs.x == nil {
		return nil
	}
	return rs.x.payload
}

// TraceID returns the tracing session id, when the statement was traced.
func (rs *ResultSet) TraceID() ([16]byte, bool) {
	if rs.x == nil {
		return [16]byte{}, false
	}
	return rs.x.traceID, rs.x.traced
}

// Attempts returns the attempts of the request that produced the current
// page: hosts tried, errors and latencies.
func (rs *ResultSet) Attempts() []Attempt { return rs.attempts }

// Host returns the host that answered.
func (rs *ResultSet) Host() *Host { return rs.host }

// SchemaAgreed reports, for a schema change, whether every host that is up
// agreed on the new schema within Timeouts.SchemaAgreement.
func (rs *ResultSet) SchemaAgreed() bool { return rs.x != nil && rs.x.agreed }

// SchemaChange returns the change a DDL statement made, or nil.
func (rs *ResultSet) SchemaChange() *frame.SchemaChange {
	if rs.x == nil {
		return nil
	}
	return rs.x.change
}

// prefetched is a page fetched ahead of need.
type prefetched struct {
	req      *request // the copy of the request that fetched it
	rows     frame.RowsResult
	res      attemptResult
	attempts []Attempt
	err      error
}

// startPrefetch fetches the page after the current one in the background.
// The fetch runs on a copy of the request, which becomes the ResultSet's
// when Next takes the page: the iterating goroutine (and
// FetchNextPageAsync, which copies rs.req) never share a field with the
// fetch; the page being read is not affected.
func (rs *ResultSet) startPrefetch() {
	if rs.pendingPage() != nil || !rs.req.s.goBackground() {
		return
	}
	req := new(request)
	*req = *rs.req
	req.attempts = nil // the current page's ResultSet keeps its own
	req.params().PagingState = rs.rows.Metadata.PagingState
	ctx := rs.ctx
	ch := make(chan prefetched, 1)
	rs.extra().pending = ch
	go func() {
		defer req.s.wg.Done()
		p := prefetched{req: req}
		p.res, _, p.err = req.s.run(ctx, req.deadline(), req)
		p.attempts = req.attempts
		if p.err == nil {
			body := p.res.fr.Body
			if p.res.void || len(body) < 4 || frame.ResultKind(binary.BigEndian.Uint32(body)) != frame.ResultRows {
				p.err = &ConnError{Op: "decode", Err: errors.New("next page answered without rows")}
			} else if err := p.rows.Decode(body, p.res.conn.Version()); err != nil {
				p.err = &ConnError{Host: p.res.conn.Addr(), Op: "decode", Err: err}
			}
		}
		ch <- p
	}()
}

// takePrefetched waits for the page fetched ahead and makes it current,
// which starts fetching the one after it.
func (rs *ResultSet) takePrefetched() error {
	p := <-rs.x.pending // bounded: the fetch runs under the request's deadline
	rs.x.pending = nil
	if p.err != nil {
		return p.err
	}
	req := p.req
	rs.req = req
	req.attempts = p.attempts
	rs.setEnvelope(req, p.res)
	rs.rows = p.rows
	return rs.setPage(req, &rs.rows)
}
