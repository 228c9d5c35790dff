package cassandra

import (
	"errors"
	"fmt"
	"iter"
	"reflect"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
)

// Row is one row of a result: its columns and their encoded cells, decoded
// when read with Scan, ScanStruct, Map or Values.
//
// A Row yielded by ResultSet.Rows is a view of the ResultSet's current row:
// it costs nothing and is valid only until the loop moves on. Rows returned
// by One, All and CurrentPage own their cells and stay valid; they alias the
// page's response buffer, which the driver never reuses, so keeping one
// keeps its page in memory.
type Row struct {
	cols  []ColumnSpec
	cells [][]byte
	// raw, instead of cells, holds the row's encoded cells in one owned
	// copy (Session.QueryRow and QueryRowStatement: the ResultSet they
	// came from is reused); cellsOf splits it.
	raw  []byte
	memo *cqltype.PlanMemo  // the ResultSet's plan memo, for rows yielded by Rows
	ut   *cqltype.UserTypes // registered user types (usertypes.go)
	err  error              // Session.QueryRow: the request's error, or ErrNotFound
}

// Err returns the error of the request a Session.QueryRow row came from
// (ErrNotFound when it returned no row), or nil.
func (r Row) Err() error { return r.err }

// Columns describes the row's columns.
func (r Row) Columns() []ColumnSpec { return r.cols }

// Len returns the number of columns.
func (r Row) Len() int { return len(r.cols) }

// Scan copies the row's columns into dest, one pointer per column,
// converting as Unmarshal does. Errors name the column.
func (r Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	if r.cols == nil && r.cells == nil && r.raw == nil {
		return errors.New("cassandra: Scan on an empty Row")
	}
	if len(dest) != len(r.cols) {
		return fmt.Errorf("cassandra: Scan got %d destinations for %d columns", len(dest), len(r.cols))
	}
	var buf [rowCellsOnStack][]byte
	cells, err := r.cellsOf(buf[:])
	if err != nil {
		return err
	}
	for i, d := range dest {
		if err := r.ut.Unmarshal(r.cols[i].Type, cells[i], d); err != nil {
			return cqltype.WithColumn(err, r.cols[i].Name)
		}
	}
	return nil
}

// ScanStruct copies the row into the struct dst points to, by column name;
// the mapping is ScanAll's.
func (r Row) ScanStruct(dst any) error {
	if r.err != nil {
		return r.err
	}
	sv, err := cqltype.StructDest(dst)
	if err != nil {
		return err
	}
	var p *cqltype.StructPlan
	if r.memo != nil {
		p = r.memo.Plan(sv.Type(), r.cols)
	} else {
		p = cqltype.PlanFor(sv.Type(), r.cols)
	}
	var buf [rowCellsOnStack][]byte
	cells, err := r.cellsOf(buf[:])
	if err != nil {
		return err
	}
	return p.Scan(r.ut, sv, r.cols, cells)
}

// MapScan stores each column of the row in m under the column's name, as
// the Go value Unmarshal produces for a *any destination: int32 for int,
// int64 for bigint and counter, string for text, []byte for blob,
// time.Time for timestamp and date, uuid.UUID, netip.Addr, []T and
// map[K]V for collections, and so on: the "Produced into *any" column of
// docs/types.md. Null is nil.
func (r Row) MapScan(m map[string]any) error {
	if r.err != nil {
		return r.err
	}
	var buf [rowCellsOnStack][]byte
	cells, err := r.cellsOf(buf[:])
	if err != nil {
		return err
	}
	for i, c := range r.cols {
		v, err := r.ut.DecodeAny(c.Type, cells[i])
		if err != nil {
			return cqltype.WithColumn(err, c.Name)
		}
		m[c.Name] = v
	}
	return nil
}

// Map returns the row as a new map from column name to value (see MapScan).
func (r Row) Map() (map[string]any, error) {
	m := make(map[string]any, len(r.cols))
	if err := r.MapScan(m); err != nil {
		return nil, err
	}
	return m, nil
}

// Values returns the row's values in column order, decoded as MapScan
// does.
func (r Row) Values() ([]any, error) {
	if r.err != nil {
		return nil, r.err
	}
	var buf [rowCellsOnStack][]byte
	cells, err := r.cellsOf(buf[:])
	if err != nil {
		return nil, err
	}
	out := make([]any, len(r.cols))
	for i, c := range r.cols {
		v, err := r.ut.DecodeAny(c.Type, cells[i])
		if err != nil {
			return nil, cqltype.WithColumn(err, c.Name)
		}
		out[i] = v
	}
	return out, nil
}

// Bytes returns the encoded value of column i, nil for null (and for an i
// out of range). It aliases the response.
func (r Row) Bytes(i int) []byte {
	var buf [rowCellsOnStack][]byte
	cells, err := r.cellsOf(buf[:])
	if err != nil || i < 0 || i >= len(cells) {
		return nil
	}
	return cells[i]
}

// rowCellsOnStack is how many cells of a raw Row are split without an
// allocation.
const rowCellsOnStack = 16

// cellsOf returns the row's cells: r.cells, or r.raw split into buf when
// it has room for them.
func (r *Row) cellsOf(buf [][]byte) ([][]byte, error) {
	if r.raw == nil {
		return r.cells, nil
	}
	var cells [][]byte
	if len(r.cols) <= len(buf) {
		cells = buf[:len(r.cols)]
	} else {
		cells = make([][]byte, len(r.cols))
	}
	if !frame.SplitRow(r.raw, cells) {
		return nil, &ConnError{Op: "decode", Err: fmt.Errorf("a row's cells do not match its %d columns", len(r.cols))}
	}
	return cells, nil
}

// MapScan stores the current row in m, column name to value, with the Go
// types described at Row.MapScan. Null is nil.
func (rs *ResultSet) MapScan(m map[string]any) error {
	if !rs.onRow {
		return errNoRow("MapScan")
	}
	return rs.current().MapScan(m)
}

// current is a view of the current row.
func (rs *ResultSet) current() Row {
	return Row{cols: rs.cols, cells: rs.rowCells(), memo: &rs.scan, ut: rs.userTypes()}
}

// Rows returns an iterator over the remaining rows, for range-over-func:
//
//	for row, err := range rs.Rows() {
//		if err != nil {
//			return err // a page failed to arrive; the rows before it were yielded
//		}
//		var id int64
//		var name string
//		if err := row.Scan(&id, &name); err != nil { ... }
//	}
//
// It fetches further pages as Next does and stops after the last row; when
// a page fetch fails it yields the error once (with a zero Row) and stops.
// Breaking out of the loop leaves the remaining rows for Next or another
// Rows. A yielded Row is valid until the next iteration.
func (rs *ResultSet) Rows() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for rs.Next() {
			if !yield(rs.current(), nil) {
				return
			}
		}
		if rs.err != nil {
			yield(Row{}, rs.err)
		}
	}
}

// One returns the next row, fetching a page if needed. It returns
// ErrNotFound when there is none, or the error that ended the iteration.
// The returned Row stays valid.
func (rs *ResultSet) One() (Row, error) {
	if !rs.Next() {
		if rs.err != nil {
			return Row{}, rs.err
		}
		return Row{}, ErrNotFound
	}
	cells := make([][]byte, len(rs.spans))
	for i, sp := range rs.spans {
		cells[i] = rs.it.Cell(sp)
	}
	return Row{cols: rs.cols, cells: cells, ut: rs.userTypes()}, nil
}

// All returns the remaining rows, across pages. When a page fails to
// arrive it returns the rows before it with the error.
func (rs *ResultSet) All() ([]Row, error) {
	var rows []Row
	for rs.err == nil {
		rows = rs.appendPage(rows)
		if rs.err != nil || rs.req == nil {
			break
		}
		if err := rs.fetchNext(); err != nil {
			rs.err = err
		}
	}
	return rows, rs.err
}

// CurrentPage returns the remaining rows of the current page without
// fetching another: with PagingState, it pages by hand.
//
//	page, state := rs.CurrentPage(), rs.PagingState()
//	// ... later, resume where the page ended:
//	rs, err = session.Execute(ctx, stmt.PagingState(state))
//
// The rows are consumed: Next continues with the next page.
func (rs *ResultSet) CurrentPage() []Row {
	return rs.appendPage(nil)
}

// appendPage appends the rest of the current page to rows, with one
// allocation for all their cells.
func (rs *ResultSet) appendPage(rows []Row) []Row {
	rs.onRow = false
	n, ncol := rs.it.Remaining(), len(rs.cols)
	if n == 0 || rs.err != nil {
		return rows
	}
	if rows == nil {
		rows = make([]Row, 0, n)
	}
	backing := make([][]byte, n*ncol)
	ut := rs.userTypes()
	for i := 0; i < n; i++ {
		cells := backing[i*ncol : (i+1)*ncol : (i+1)*ncol]
		if !rs.it.Next(cells) {
			break
		}
		rows = append(rows, Row{cols: rs.cols, cells: cells, ut: ut})
	}
	if err := rs.it.Err(); err != nil {
		rs.err = &ConnError{Op: "decode", Err: err}
	}
	return rows
}

// AppliedColumn is the name of the column that says whether a conditional
// statement (INSERT ... IF NOT EXISTS, UPDATE ... IF, a batch with
// conditions) was applied.
const AppliedColumn = "[applied]"

// WasApplied reports whether a conditional statement, or a batch with
// conditions, was applied: the [applied] column of the current row, or of
// the first row when Next has not been called. It does not consume the row.
//
// When it was not applied, the row also holds the current values of the
// columns in the condition (for a batch, one row per conditional statement);
// read them with Next and Scan, MapScan or ScanStruct (tag a field
// `cql:"[applied]"` to take the flag). A statement without conditions has
// no [applied] column, and WasApplied returns an error.
func (rs *ResultSet) WasApplied() (bool, error) {
	col := -1
	for i, c := range rs.cols {
		if c.Name == AppliedColumn {
			col = i
			break
		}
	}
	if col < 0 {
		return false, errors.New("cassandra: WasApplied: the result has no [applied] column (the statement has no IF condition)")
	}
	var cell []byte
	if rs.onRow {
		cell = rs.it.Cell(rs.spans[col])
	} else {
		it := rs.it // a copy: peeking leaves the iteration where it was
		var buf [8][]byte
		cells := buf[:]
		if len(rs.cols) > len(cells) {
			cells = make([][]byte, len(rs.cols))
		}
		if !it.Next(cells[:len(rs.cols)]) {
			return false, errors.New("cassandra: WasApplied: the result has no row")
		}
		cell = cells[col]
	}
	if t := rs.cols[col].Type; t == nil || t.ID != frame.TypeBoolean {
		return false, fmt.Errorf("cassandra: WasApplied: the [applied] column has type %v, not boolean", rs.cols[col].Type)
	}
	if cell == nil {
		return false, errors.New("cassandra: WasApplied: [applied] is null")
	}
	var applied bool
	if err := cqltype.Unmarshal(rs.cols[col].Type, cell, &applied); err != nil {
		return false, cqltype.WithColumn(err, AppliedColumn)
	}
	return applied, nil
}

// ScanStruct copies the current row into the struct dst points to, by
// column name (see ScanAll for the mapping). The column → field plan is
// computed once per struct type and result metadata.
func (rs *ResultSet) ScanStruct(dst any) error {
	if !rs.onRow {
		return errNoRow("ScanStruct")
	}
	sv, err := cqltype.StructDest(dst)
	if err != nil {
		return err
	}
	return rs.scan.Plan(sv.Type(), rs.cols).Scan(rs.userTypes(), sv, rs.cols, rs.rowCells())
}

func errNoRow(method string) error {
	return fmt.Errorf("cassandra: %s called without a row (call Next first)", method)
}

// scanRow decodes the current row of rs into *dst.
func scanRow[T any](rs *ResultSet, kind cqltype.RowKind, dst *T) error {
	switch kind {
	case cqltype.RowStruct:
		sv := reflect.ValueOf(dst).Elem()
		return rs.scan.Plan(sv.Type(), rs.cols).Scan(rs.userTypes(), sv, rs.cols, rs.rowCells())
	case cqltype.RowPtrStruct:
		pv := reflect.ValueOf(dst).Elem()
		if pv.IsNil() {
			pv.Set(reflect.New(pv.Type().Elem()))
		}
		sv := pv.Elem()
		return rs.scan.Plan(sv.Type(), rs.cols).Scan(rs.userTypes(), sv, rs.cols, rs.rowCells())
	}
	if len(rs.cols) != 1 {
		return fmt.Errorf("cassandra: scanning rows into %T needs exactly one column, the result has %d", *dst, len(rs.cols))
	}
	if err := rs.userTypes().Unmarshal(rs.cols[0].Type, rs.it.Cell(rs.spans[0]), dst); err != nil {
		return cqltype.WithColumn(err, rs.cols[0].Name)
	}
	return nil
}

// ScanAll reads the remaining rows of rs, across pages, into a slice of T.
//
// T is usually a struct (or a pointer to one) whose fields take the columns
// by name: a `cql:"name"` tag names the column, `cql:"-"` skips the field,
// and an untagged exported field matches its lower-cased name or its
// snake_case form (UserID matches "userid" or "user_id"). Embedded structs
// are flattened. Every column must find a field, or the scan fails with an
// *UnmarshalError naming the column; fields without a column stay zero.
// When T is not a struct (a string, an int64, a time.Time, a type with its
// own codec...), the result must have exactly one column, decoded into T.
//
// Decoding follows Unmarshal; errors name the column. On an error — a
// value that does not fit, or a page that fails to arrive — ScanAll returns
// the rows decoded before it along with the error.
func ScanAll[T any](rs *ResultSet) ([]T, error) {
	kind := cqltype.KindOf(reflect.TypeFor[T]())
	out := make([]T, 0, rs.it.Remaining())
	for rs.Next() {
		var zero T
		out = append(out, zero)
		if err := scanRow(rs, kind, &out[len(out)-1]); err != nil {
			return out[:len(out)-1], err
		}
	}
	return out, rs.err
}

// ScanOne reads the next row of rs into a T (see ScanAll for how columns
// map to T). It returns ErrNotFound when there is no row, or the error that
// ended the iteration. Rows after the first are left unread.
func ScanOne[T any](rs *ResultSet) (T, error) {
	var v T
	if !rs.Next() {
		if rs.err != nil {
			return v, rs.err
		}
		return v, ErrNotFound
	}
	if err := scanRow(rs, cqltype.KindOf(reflect.TypeFor[T]()), &v); err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}
