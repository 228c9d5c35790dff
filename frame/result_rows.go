package frame

import (
	"encoding/binary"
	"fmt"
)

// RowsResult is the Rows RESULT (section 4.2.5.2):
//
//	<metadata><rows_count><rows_content>
//
// Data holds <rows_content>, RowCount rows of Metadata.ColumnCount [bytes]
// cells each, aliasing the decoded body: the caller keeps the body intact
// while it reads the rows. Decode walks every cell once, so iterating with
// Rows never meets a malformed cell.
type RowsResult struct {
	Metadata RowsMetadata
	RowCount int
	Data     []byte
}

// Opcode returns OpResult.
func (*RowsResult) Opcode() Opcode { return OpResult }

// Kind returns ResultRows.
func (*RowsResult) Kind() ResultKind { return ResultRows }

// Encode appends the Rows result. Data must hold exactly RowCount rows of
// Metadata.ColumnCount cells (build it with AppendBytes per cell).
func (m *RowsResult) Encode(dst []byte, v Version) ([]byte, error) {
	e := startResultEnc(dst, v, ResultRows)
	if e.err != nil {
		return e.done()
	}
	m.Metadata.encode(&e, v)
	if e.err != nil {
		return e.done()
	}
	e.putCount("rows_count", m.RowCount, false)
	if e.err == nil {
		n, err := checkCells(m.Data, m.RowCount, m.Metadata.ColumnCount)
		switch {
		case err != nil:
			e.fail("rows_content", err)
		case n != len(m.Data):
			e.failf("rows_content", "%d bytes after the last cell", len(m.Data)-n)
		}
	}
	e.b = append(e.b, m.Data...)
	return e.done()
}

// Decode decodes a Rows result, checking that the body holds
// RowCount × ColumnCount well-formed cells and nothing after them. It
// allocates only for the metadata (and a paging state), never per row.
func (m *RowsResult) Decode(body []byte, v Version) error {
	var r Reader
	if !startResult(&r, body, v, ResultRows) {
		return r.Err()
	}
	md := ReadRowsMetadata(&r, v)
	rows := r.Count("rows_count", false, 0)
	if r.Err() != nil {
		return r.Err()
	}
	start := r.Offset()
	rest := r.Rest()
	n, err := checkCells(rest, rows, md.ColumnCount)
	if err != nil {
		if de, ok := err.(*DecodeError); ok {
			de.What = "RESULT Rows " + de.What
			de.Offset += start
			return de
		}
		return err
	}
	data := r.Raw(n, "rows_content")
	if err := r.Done(); err != nil {
		return err
	}
	m.Metadata = md
	m.RowCount = rows
	m.Data = data
	return nil
}

// checkCells walks rows × cols [bytes] cells at the start of b and returns
// the bytes they use. Counts that cannot fit in b (4 bytes per cell at
// least) fail before the walk.
func checkCells(b []byte, rows, cols int) (int, error) {
	if rows < 0 || cols < 0 {
		return 0, &DecodeError{What: "rows_count", Err: fmt.Errorf("negative count")}
	}
	if rows > 0 && cols == 0 {
		// Nothing would bound the row count: a hostile body could make the
		// caller iterate 2^31 empty rows. No CQL query selects no columns.
		return 0, &DecodeError{What: "rows_count", Err: fmt.Errorf("%d rows without columns", rows)}
	}
	cells := int64(rows) * int64(cols) // both below 2^31: no overflow
	if cells > int64(len(b)/4) {
		return 0, &DecodeError{What: "rows_count", Err: fmt.Errorf("%d rows of %d columns exceed the %d bytes left: %w", rows, cols, len(b), ErrTruncated)}
	}
	off := 0
	for i := int64(0); i < cells; i++ {
		if len(b)-off < 4 {
			return 0, cellError(i, cols, off)
		}
		n := int32(binary.BigEndian.Uint32(b[off:]))
		off += 4
		if n > 0 {
			if int(n) > len(b)-off {
				return 0, cellError(i, cols, off-4)
			}
			off += int(n)
		}
	}
	return off, nil
}

func cellError(i int64, cols, off int) error {
	return &DecodeError{
		What:   fmt.Sprintf("cell (row %d, column %d)", i/int64(cols), i%int64(cols)),
		Offset: off,
		Err:    ErrTruncated,
	}
}

// Rows returns an iterator over the rows of r.
func (r *RowsResult) Rows() RowIter {
	return RowIter{data: r.Data, cols: r.Metadata.ColumnCount, left: r.RowCount}
}

// RowsAs returns an iterator over the rows of r for a reader that decodes
// them with cols columns (cached result metadata, when the server skipped
// sending it). A page whose column count differs is refused with a
// *ColumnCountError before any row is read.
func (r *RowsResult) RowsAs(cols int) (RowIter, error) {
	if r.Metadata.ColumnCount != cols {
		return RowIter{}, &ColumnCountError{Rows: r.Metadata.ColumnCount, Want: cols}
	}
	return r.Rows(), nil
}

// ColumnCountError reports rows whose column count differs from the column
// list they were to be decoded with: the result metadata is stale (the
// table changed since it was cached), and decoding would put values under
// the wrong columns.
type ColumnCountError struct {
	Rows int // cells per row in the page
	Want int // columns of the metadata it was to be decoded with
}

// Error says both counts.
func (e *ColumnCountError) Error() string {
	return fmt.Sprintf("rows have %d columns, the metadata they would be decoded with %d: stale result metadata", e.Rows, e.Want)
}

// RowIter iterates over the rows of a RowsResult without allocating. The
// cells it returns alias RowsResult.Data.
//
//	cells := make([][]byte, rows.Metadata.ColumnCount)
//	it := rows.Rows()
//	for it.Next(cells) {
//		// cells[i] is column i of this row: nil for null, else the value
//		// (possibly empty).
//	}
//	if err := it.Err(); err != nil { … }
type RowIter struct {
	data []byte
	off  int
	row  int // where the row Next last returned starts
	cols int
	left int
	err  error
}

// Next advances to the next row and stores its cells in cells, nil for a
// null cell. cells must have exactly one entry per column: a slice of
// another length is a *ColumnCountError and yields nothing, so a row is
// never read with the column list of another result (a cached metadata
// whose table changed). Next returns false after the last row or on
// malformed data (which Decode has ruled out; see Err).
func (it *RowIter) Next(cells [][]byte) bool {
	if it.left <= 0 || it.err != nil {
		return false
	}
	if len(cells) != it.cols {
		it.err = &ColumnCountError{Rows: it.cols, Want: len(cells)}
		it.left = 0
		return false
	}
	it.left--
	d := it.data
	it.row = it.off
	for c := 0; c < it.cols; c++ {
		if len(d)-it.off < 4 {
			it.fail()
			return false
		}
		n := int32(binary.BigEndian.Uint32(d[it.off:]))
		it.off += 4
		var cell []byte
		if n >= 0 {
			if int(n) > len(d)-it.off {
				it.fail()
				return false
			}
			end := it.off + int(n)
			cell = d[it.off:end:end]
			it.off = end
		}
		cells[c] = cell
	}
	return true
}

// CellSpan locates one cell of a row in RowsResult.Data: Len bytes at Off,
// or Len -1 for null. Spans hold no pointers, so a reader that keeps them
// in a heap object stores them without the garbage collector's write
// barrier (cells as slices would need one per cell while a collection
// runs).
type CellSpan struct{ Off, Len int32 }

// NextSpans is Next that stores where each cell is rather than the cell:
// spans must have exactly one entry per column, as cells for Next. Cell
// turns a span into its bytes.
func (it *RowIter) NextSpans(spans []CellSpan) bool {
	if it.left <= 0 || it.err != nil {
		return false
	}
	if len(spans) != it.cols {
		it.err = &ColumnCountError{Rows: it.cols, Want: len(spans)}
		it.left = 0
		return false
	}
	it.left--
	d := it.data
	off := it.off
	it.row = off
	for c := range spans {
		if len(d)-off < 4 {
			it.off = off
			it.fail()
			return false
		}
		n := int32(binary.BigEndian.Uint32(d[off:]))
		off += 4
		if n >= 0 {
			if int(n) > len(d)-off {
				it.off = off
				it.fail()
				return false
			}
			spans[c] = CellSpan{Off: int32(off), Len: n}
			off += int(n)
		} else {
			spans[c] = CellSpan{Off: int32(off), Len: -1}
		}
	}
	it.off = off
	return true
}

// Cell returns the cell s locates (from NextSpans), nil for null. It
// aliases RowsResult.Data.
func (it *RowIter) Cell(s CellSpan) []byte {
	if s.Len < 0 {
		return nil
	}
	end := int(s.Off) + int(s.Len)
	return it.data[s.Off:end:end]
}

func (it *RowIter) fail() {
	it.err = &DecodeError{What: "RESULT Rows cell", Offset: it.off, Err: ErrTruncated}
	it.left = 0
}

// Raw returns the encoded cells of the row Next last returned, as they are
// on the wire (each an [int] length, -1 for null, and its bytes); it
// aliases RowsResult.Data. SplitRow decodes it again.
func (it *RowIter) Raw() []byte { return it.data[it.row:it.off:it.off] }

// SplitRow splits raw, the encoded cells of one row (RowIter.Raw), into
// cells, which must have one entry per cell. It reports false when raw
// holds a different number of cells or is malformed.
func SplitRow(raw []byte, cells [][]byte) bool {
	for c := range cells {
		if len(raw) < 4 {
			return false
		}
		n := int32(binary.BigEndian.Uint32(raw))
		raw = raw[4:]
		if n < 0 {
			cells[c] = nil
			continue
		}
		if int(n) > len(raw) {
			return false
		}
		cells[c] = raw[:n:n]
		raw = raw[n:]
	}
	return len(raw) == 0
}

// Columns returns the number of cells in each row.
func (it *RowIter) Columns() int { return it.cols }

// Remaining returns the number of rows Next has yet to return.
func (it *RowIter) Remaining() int { return it.left }

// Err returns the error that stopped the iteration early, if any. It is
// always nil for a RowsResult that Decode accepted.
func (it *RowIter) Err() error { return it.err }
