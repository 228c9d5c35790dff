package cassandra

import (
	"fmt"
	"reflect"

	"github.com/cqlgo/cassandra/cqltype"
)

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
	return rs.scan.Plan(sv.Type(), rs.cols).Scan(sv, rs.cols, rs.cells)
}

func errNoRow(method string) error {
	return fmt.Errorf("cassandra: %s called without a row (call Next first)", method)
}

// scanRow decodes the current row of rs into *dst.
func scanRow[T any](rs *ResultSet, kind cqltype.RowKind, dst *T) error {
	switch kind {
	case cqltype.RowStruct:
		sv := reflect.ValueOf(dst).Elem()
		return rs.scan.Plan(sv.Type(), rs.cols).Scan(sv, rs.cols, rs.cells)
	case cqltype.RowPtrStruct:
		pv := reflect.ValueOf(dst).Elem()
		if pv.IsNil() {
			pv.Set(reflect.New(pv.Type().Elem()))
		}
		sv := pv.Elem()
		return rs.scan.Plan(sv.Type(), rs.cols).Scan(sv, rs.cols, rs.cells)
	}
	if len(rs.cols) != 1 {
		return fmt.Errorf("cassandra: scanning rows into %T needs exactly one column, the result has %d", *dst, len(rs.cols))
	}
	if err := cqltype.Unmarshal(rs.cols[0].Type, rs.cells[0], dst); err != nil {
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
