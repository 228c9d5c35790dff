package cassandra

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/conn"
	"github.com/cqlgo/cassandra/policy"
)

// PreparedStatement is a statement the servers have parsed once; executing
// it sends only its id and values. Get one from Session.Prepare and run it
// with Bind. It is safe for concurrent use.
type PreparedStatement struct {
	cql      string
	keyspace string // the keyspace it was prepared in
	// explicitKeyspace: prepared with v5's per-statement keyspace, which a
	// re-prepare sends again.
	explicitKeyspace bool
	id               []byte
	bind             atomic.Pointer[bindMeta]
	result           atomic.Pointer[resultMeta]
	// refresh is set when a schema change may have changed the statement's
	// markers or columns (a table or user type altered, dropped or
	// re-created): its next execution prepares it again first.
	refresh atomic.Bool
}

// bindMeta is the bind markers of a prepared statement, replaced when the
// statement is prepared again after a schema change.
type bindMeta struct {
	params []frame.ColumnSpec
	pk     []uint16 // partition key positions among params (v4+)
}

// resultMeta is the result metadata of a prepared SELECT, replaced when the
// table changes (v5 reports a new metadata id; before v5 a schema event
// marks it stale so the next execution asks for fresh metadata).
type resultMeta struct {
	id    []byte // v5 result metadata id
	cols  []frame.ColumnSpec
	stale bool
	// hasUDT: a column is or holds a user type. Before v5 such results are
	// always asked for with their metadata: ALTER TYPE ADD changes the
	// values without changing the column count, so rows sent without
	// metadata could not be checked against the cache.
	hasUDT bool
}

func newResultMeta(id []byte, cols []frame.ColumnSpec, stale bool) *resultMeta {
	m := &resultMeta{id: id, cols: cols, stale: stale}
	for _, c := range cols {
		m.hasUDT = m.hasUDT || typeHasUDT(c.Type, 0)
	}
	return m
}

func typeHasUDT(t *frame.Type, depth int) bool {
	if t == nil || depth > 64 {
		return false
	}
	if t.ID == frame.TypeUDT {
		return true
	}
	for _, e := range t.Elems {
		if typeHasUDT(e, depth+1) {
			return true
		}
	}
	return false
}

// CQL returns the statement's text.
func (p *PreparedStatement) CQL() string { return p.cql }

// ID returns the server's id of the statement.
func (p *PreparedStatement) ID() []byte { return p.id }

// Params describes the bind markers: name and CQL type of each.
func (p *PreparedStatement) Params() []frame.ColumnSpec { return p.bind.Load().params }

// ResultColumns describes the columns the statement returns (none for
// statements other than SELECT).
func (p *PreparedStatement) ResultColumns() []frame.ColumnSpec { return p.result.Load().cols }

// Bind returns the statement with values for its markers, by position.
// Their number and types are checked when it is executed, before anything is
// sent.
func (p *PreparedStatement) Bind(values ...any) *BoundStatement {
	b := &BoundStatement{ps: p}
	// Copied, never kept: the caller's argument array then stays on its
	// stack (and so, usually, does the statement).
	if len(values) <= len(b.inline) {
		b.n = int8(copy(b.inline[:], values))
	} else {
		b.values = append(make([]any, 0, len(values)), values...)
	}
	return b
}

// BindMap returns the statement with values for its markers by name. A
// marker without a value is an error at execution; bind Unset to leave a
// column unchanged.
func (p *PreparedStatement) BindMap(values map[string]any) *BoundStatement {
	return &BoundStatement{ps: p, named: values}
}

// BoundStatement is a prepared statement with values and options.
type BoundStatement struct {
	o      stmtOptions
	ps     *PreparedStatement
	inline [6]any // up to six positional values, copied by Bind
	n      int8   // how many of inline are set
	values []any  // more positional values, copied
	named  map[string]any
}

// args returns the positional values.
func (b *BoundStatement) args() []any {
	if b.values != nil {
		return b.values
	}
	return b.inline[:b.n]
}

func (b *BoundStatement) options() *stmtOptions { return &b.o }
func (b *BoundStatement) batchEntry()           {}

// Prepared returns the statement it binds.
func (b *BoundStatement) Prepared() *PreparedStatement { return b.ps }

// BindError reports values that do not fit a prepared statement's markers.
type BindError struct {
	CQL    string
	Column string // the marker, when one value is at fault
	Msg    string
}

// Error names the statement and, when one is at fault, the marker.
func (e *BindError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("cassandra: binding %q: column %q: %s", e.CQL, e.Column, e.Msg)
	}
	return fmt.Sprintf("cassandra: binding %q: %s", e.CQL, e.Msg)
}

// orderValues returns the values of an execution of ps in the order of the
// markers bm: values by position, or named by marker name.
func orderValues(ps *PreparedStatement, bm *bindMeta, values []any, named map[string]any) ([]any, error) {
	if named == nil {
		if len(values) != len(bm.params) {
			return nil, &BindError{CQL: ps.cql, Msg: fmt.Sprintf("%d values for %d markers", len(values), len(bm.params))}
		}
		return values, nil
	}
	out := make([]any, len(bm.params))
	used := 0
	for i, c := range bm.params {
		v, ok := named[c.Name]
		if !ok {
			return nil, &BindError{CQL: ps.cql, Column: c.Name, Msg: "no value bound (bind cassandra.Unset to leave it unchanged)"}
		}
		out[i] = v
		used++
	}
	if used != len(named) {
		for name := range named {
			found := false
			for _, c := range bm.params {
				found = found || c.Name == name
			}
			if !found {
				return nil, &BindError{CQL: ps.cql, Column: name, Msg: "the statement has no such marker"}
			}
		}
	}
	return out, nil
}

// prepareCache holds a session's prepared statements by keyspace and text.
// Concurrent prepares of one text share one request.
type prepareCache struct {
	mu      sync.Mutex
	entries map[prepareKey]*prepareEntry
}

// prepareKey identifies a cached statement: a struct of the strings as
// they are, so a lookup builds no key string.
type prepareKey struct {
	keyspace, cql string
	explicit      bool // prepared with v5's per-statement keyspace
}

type prepareEntry struct {
	done chan struct{}
	ps   *PreparedStatement
	err  error
}

func (c *prepareCache) all() []*PreparedStatement {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*PreparedStatement
	for _, e := range c.entries {
		select {
		case <-e.done:
			if e.ps != nil {
				out = append(out, e.ps)
			}
		default:
		}
	}
	return out
}

// Prepare prepares cql on a host of the query plan (and, with
// Cluster.PrepareOnAllHosts, on every other host that is up). Statements
// are cached per session by keyspace and text.
func (s *Session) Prepare(ctx context.Context, cql string) (*PreparedStatement, error) {
	return s.prepare(ctx, cql, "")
}

// prepare is Prepare in keyspace ks (protocol v5's per-statement keyspace)
// when ks is set, else in the session's keyspace.
func (s *Session) prepare(ctx context.Context, cql, ks string) (*PreparedStatement, error) {
	if s.isClosed() {
		return nil, ErrClosed
	}
	explicit := ks != ""
	if !explicit {
		ks = s.Keyspace()
	}
	key := prepareKey{keyspace: ks, cql: cql, explicit: explicit}
	c := &s.req.prepared
	c.mu.Lock()
	if e, ok := c.entries[key]; ok {
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			return nil, &TimeoutError{Err: ctx.Err()}
		}
		if e.err == nil {
			return e.ps, nil
		}
		// A failed prepare is not cached: try again below.
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
		return s.prepare(ctx, cql, ks)
	}
	e := &prepareEntry{done: make(chan struct{})}
	if c.entries == nil {
		c.entries = map[prepareKey]*prepareEntry{}
	}
	c.entries[key] = e
	c.mu.Unlock()

	e.ps, e.err = s.prepareNow(ctx, cql, ks, explicit)
	if e.err != nil {
		c.mu.Lock()
		delete(c.entries, key)
		c.mu.Unlock()
	}
	close(e.done)
	return e.ps, e.err
}

func (s *Session) prepareNow(ctx context.Context, cql, ks string, explicit bool) (*PreparedStatement, error) {
	req, err := s.baseRequest(&stmtOptions{idempotent: true}, reqPrepare)
	if err != nil {
		return nil, err
	}
	req.prepare = frame.Prepare{Query: cql}
	if explicit {
		req.prepare.Keyspace = ks
	}
	req.routing = policy.RoutingInfo{Keyspace: ks, Idempotent: true}
	res, host, err := s.run(ctx, req.deadline(), req)
	if err != nil {
		return nil, err
	}
	pr, err := decodePrepared(res.fr, res.conn)
	if err != nil {
		return nil, err
	}
	ps := newPrepared(cql, ks, pr)
	ps.explicitKeyspace = explicit
	if s.cfg.PrepareOnAllHosts {
		s.prepareOnOtherHosts(ps, host)
	}
	return ps, nil
}

func newPrepared(cql, ks string, pr *frame.PreparedResult) *PreparedStatement {
	ps := &PreparedStatement{cql: cql, keyspace: ks, id: pr.ID}
	ps.bind.Store(&bindMeta{params: pr.Params.Columns, pk: pr.Params.PKIndexes})
	ps.result.Store(newResultMeta(pr.ResultMetadataID, pr.Result.Columns, false))
	return ps
}

// update installs the metadata of a new PREPARE of ps, keeping the current
// objects where nothing changed (result sets and the struct-scan plans are
// keyed on them). A different id means the statement changed meaning.
func (ps *PreparedStatement) update(pr *frame.PreparedResult, host fmt.Stringer) error {
	if !bytes.Equal(pr.ID, ps.id) {
		return fmt.Errorf("cassandra: preparing %q again on %s gave id %x, not %x: the statement no longer means the same", ps.cql, host, pr.ID, ps.id)
	}
	if cur := ps.bind.Load(); !sameColumns(cur.params, pr.Params.Columns) || !slices.Equal(cur.pk, pr.Params.PKIndexes) {
		ps.bind.Store(&bindMeta{params: pr.Params.Columns, pk: pr.Params.PKIndexes})
	}
	if cur := ps.result.Load(); cur.stale || !bytes.Equal(cur.id, pr.ResultMetadataID) || !sameColumns(cur.cols, pr.Result.Columns) {
		ps.result.Store(newResultMeta(pr.ResultMetadataID, pr.Result.Columns, false))
	}
	return nil
}

// markStale makes the next execution of ps ask for result metadata.
func (ps *PreparedStatement) markStale() {
	if meta := ps.result.Load(); !meta.stale && len(meta.cols) > 0 {
		ps.result.Store(newResultMeta(meta.id, meta.cols, true))
	}
}

// refreshNow prepares ps again on a host of the query plan, if a schema
// change marked it (or force), and then on the other up hosts in the
// background (a server may keep a stale statement of the same id: Cassandra
// 2.1 does after DROP and CREATE TABLE).
func (s *Session) refreshNow(ctx context.Context, ps *PreparedStatement, force bool) error {
	if !ps.refresh.Swap(false) && !force {
		return nil
	}
	req, err := s.baseRequest(&stmtOptions{idempotent: true}, reqPrepare)
	if err != nil {
		ps.refresh.Store(true)
		return err
	}
	req.prepare = frame.Prepare{Query: ps.cql}
	if ps.explicitKeyspace {
		req.prepare.Keyspace = ps.keyspace
	}
	req.routing = policy.RoutingInfo{Keyspace: ps.keyspace, Idempotent: true}
	res, host, err := s.run(ctx, req.deadline(), req)
	if err == nil {
		var pr *frame.PreparedResult
		if pr, err = decodePrepared(res.fr, res.conn); err == nil {
			err = ps.update(pr, res.conn.Addr())
		}
	}
	if err != nil {
		ps.refresh.Store(true)
		return err
	}
	s.cfg.Logger.Debug("cassandra: prepared again after a schema change", "host", host, "cql", ps.cql)
	s.prepareOnOtherHosts(ps, host)
	return nil
}

// bindPrepared marshals the values of an execution of ps (by position, or
// by name when named is set). A statement marked by a schema change
// is prepared again first; a value naming a user-type field that the
// markers lack (the type gained it since) makes it prepare once more before
// the error is final.
func (s *Session) bindPrepared(ctx context.Context, ps *PreparedStatement, values []any, named map[string]any, scratch []byte, vals []frame.Value, v frame.Version) ([]frame.Value, []byte, error) {
	if err := s.refreshNow(ctx, ps, false); err != nil {
		return nil, scratch, err
	}
	for try := 0; ; try++ {
		bm := ps.bind.Load()
		ordered, err := orderValues(ps, bm, values, named)
		if err != nil {
			return nil, scratch, err
		}
		base := len(scratch)
		out, sc, err := bindValues(ps, bm, ordered, scratch, vals, v, s.cfg.Pool.MaxFrameLength)
		if err == nil || try > 0 || !errors.Is(err, cqltype.ErrNotAField) {
			return out, sc, err
		}
		if rerr := s.refreshNow(ctx, ps, true); rerr != nil {
			return nil, sc, err
		}
		if ps.bind.Load() == bm {
			// Prepared again, same markers: the server's type lacks the
			// field too.
			return nil, sc, fmt.Errorf("%w (the server still reports the statement's markers without it)", err)
		}
		scratch = sc[:base]
	}
}

// prepareOn prepares ps on one connection and checks the server gives the
// same id (it is a hash of the text and keyspace, so a different one means
// the statement changed meaning: fail rather than run the wrong one).
func (s *Session) prepareOn(ctx context.Context, cn *conn.Conn, ps *PreparedStatement) error {
	p := &frame.Prepare{Query: ps.cql}
	if ps.explicitKeyspace && cn.Version() >= frame.V5 {
		p.Keyspace = ps.keyspace
	}
	f, err := cn.Exec(ctx, p, nil, false)
	if err != nil {
		return err
	}
	pr, err := decodePrepared(f, cn)
	if err != nil {
		return err
	}
	if err := ps.update(pr, cn.Addr()); err != nil {
		return err
	}
	s.cfg.Logger.Debug("cassandra: re-prepared", "host", cn.Addr(), "cql", ps.cql)
	return nil
}

// prepareOnOtherHosts prepares ps on every up host but skip, in the
// background; failures are logged (the statement is re-prepared on demand).
func (s *Session) prepareOnOtherHosts(ps *PreparedStatement, skip *Host) {
	for h, p := range *s.pools.Load() {
		if h == skip || !h.IsUp() {
			continue
		}
		s.reprepareOn(p, []*PreparedStatement{ps})
	}
}

// reprepareOn prepares statements on a pool's host in the background.
func (s *Session) reprepareOn(p *hostPool, list []*PreparedStatement) {
	if len(list) == 0 || !s.goBackground() {
		return
	}
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(s.bg, s.req.defaultProfile.timeout)
		defer cancel()
		for _, ps := range list {
			cn := p.pick()
			if cn == nil {
				return
			}
			if err := s.prepareOn(ctx, cn, ps); err != nil {
				s.cfg.Logger.Debug("cassandra: prepare on host failed", "host", p.host, "cql", ps.cql, "err", err)
			}
		}
	}()
}

// decodePrepared decodes the answer to a PREPARE.
func decodePrepared(f frame.Frame, cn *conn.Conn) (*frame.PreparedResult, error) {
	m, err := frame.DecodeResult(f.Body, cn.Version())
	if err != nil {
		return nil, &ConnError{Host: cn.Addr(), Op: "decode", Err: err}
	}
	pr, ok := m.(*frame.PreparedResult)
	if !ok {
		return nil, &ConnError{Host: cn.Addr(), Op: "decode", Err: fmt.Errorf("PREPARE answered with %T", m)}
	}
	return pr, nil
}

// sameColumns reports whether two column lists describe the same result.
func sameColumns(a, b []frame.ColumnSpec) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Keyspace != b[i].Keyspace || a[i].Table != b[i].Table || !sameType(a[i].Type, b[i].Type, 0) {
			return false
		}
	}
	return true
}

// sameType compares two types fully: a user type's fields too, which its
// String (keyspace.name) leaves out.
func sameType(a, b *frame.Type, depth int) bool {
	if a == nil || b == nil || depth > 64 {
		return a == b
	}
	if a.ID != b.ID || a.Custom != b.Custom || a.Keyspace != b.Keyspace || a.Name != b.Name ||
		a.Dimensions != b.Dimensions || !slices.Equal(a.FieldNames, b.FieldNames) || len(a.Elems) != len(b.Elems) {
		return false
	}
	for i := range a.Elems {
		if !sameType(a.Elems[i], b.Elems[i], depth+1) {
			return false
		}
	}
	return true
}
