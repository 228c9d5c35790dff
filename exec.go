package cassandra

import (
	"context"
	"sync"
)

// Exec runs a CQL string with positional values, for a statement whose
// rows are not wanted (INSERT, UPDATE, DELETE, DDL), and returns its
// error only. It is Execute without the ResultSet: the driver reuses the
// result's memory, so a write allocates nothing of its own. A conditional
// statement's outcome (WasApplied) needs Execute; Exec reports success
// whether or not the condition held, as gocql's Query.Exec does.
func (s *Session) Exec(ctx context.Context, cql string, args ...any) error {
	if err := s.admit(); err != nil {
		return err
	}
	defer s.active.Add(-1)
	req, err := s.newQueryRequest(ctx, cql, args)
	if err != nil {
		return err
	}
	return req.exec(ctx)
}

// ExecStatement is Exec for a *SimpleStatement, a *BoundStatement or a
// *Batch.
func (s *Session) ExecStatement(ctx context.Context, stmt Statement) error {
	if err := s.admit(); err != nil {
		return err
	}
	defer s.active.Add(-1)
	req, err := s.newRequest(ctx, stmt)
	if err != nil {
		return err
	}
	return req.exec(ctx)
}

// QueryRow runs a CQL string with positional values and returns its first
// row, for the common read of one row by key:
//
//	var name string
//	err := session.QueryRow(ctx, "SELECT name FROM users WHERE id = ?", id).Scan(&name)
//
// The Row carries the error, if any; with no row its Scan returns
// ErrNotFound. The Row owns a copy of its cells, so it stays valid; the
// rest of the result's memory is reused.
func (s *Session) QueryRow(ctx context.Context, cql string, args ...any) Row {
	if err := s.admit(); err != nil {
		return Row{err: err}
	}
	defer s.active.Add(-1)
	req, err := s.newQueryRequest(ctx, cql, args)
	if err != nil {
		return Row{err: err}
	}
	return req.row(ctx)
}

// QueryRowStatement is QueryRow for a *SimpleStatement or a
// *BoundStatement:
//
//	err := session.QueryRowStatement(ctx, byID.Bind(id)).Scan(&name)
func (s *Session) QueryRowStatement(ctx context.Context, stmt Statement) Row {
	if err := s.admit(); err != nil {
		return Row{err: err}
	}
	defer s.active.Add(-1)
	req, err := s.newRequest(ctx, stmt)
	if err != nil {
		return Row{err: err}
	}
	return req.row(ctx)
}

// exec runs req for its error alone, then recycles the request and its
// ResultSet.
func (req *request) exec(ctx context.Context) error {
	rs, err := req.do(ctx, ctx)
	lent := req.bodyLent
	req.recycle(rs, err)
	if err == nil && !lent {
		releaseResultSet(rs)
	}
	return err
}

// row runs req and returns its first row as an owned copy, then recycles
// the request and its ResultSet.
func (req *request) row(ctx context.Context) Row {
	rs, err := req.do(ctx, ctx)
	lent := req.bodyLent
	req.recycle(rs, err)
	if err != nil {
		return Row{err: err}
	}
	r, err := rs.ownedFirstRow()
	if !lent {
		releaseResultSet(rs)
	}
	if err != nil {
		return Row{err: err}
	}
	return r
}

// ownedFirstRow advances rs to its first row and returns it with a copy of
// its encoded cells, valid after rs is reused.
func (rs *ResultSet) ownedFirstRow() (Row, error) {
	if !rs.Next() {
		if rs.err != nil {
			return Row{}, rs.err
		}
		return Row{}, ErrNotFound
	}
	raw := rs.it.Raw()
	if len(raw) == 0 {
		// No cells to own (a row of no columns).
		return Row{cols: rs.cols, cells: [][]byte{}, ut: rs.userTypes()}, nil
	}
	return Row{cols: rs.cols, raw: append([]byte(nil), raw...), ut: rs.userTypes()}, nil
}

// resultSetPool recycles the ResultSets that no caller sees (Exec,
// QueryRow): requests take theirs from it (baseRequest).
var resultSetPool = sync.Pool{New: func() any { return new(ResultSet) }}

// releaseResultSet returns rs to resultSetPool unless something may still
// reach it: a later page to fetch or being fetched (rs.req, the prefetch
// in rs.x), or the warnings, payload and schema change of rs.x, which are
// handed out by reference. The caller also makes sure that no connection
// can still write its body buffer (request.bodyLent).
func releaseResultSet(rs *ResultSet) {
	if rs == nil || rs.req != nil || rs.x != nil {
		return
	}
	*rs = ResultSet{}
	resultSetPool.Put(rs)
}
