package frame

import "fmt"

// ColumnSpec describes one column of a result set or one bind marker of a
// prepared statement: <ksname><tablename><name><type> (section 4.2.5.2).
type ColumnSpec struct {
	Keyspace string
	Table    string
	Name     string
	Type     *Type
}

// Flags of result <metadata> (section 4.2.5.2).
const (
	// MetadataGlobalTablesSpec: one keyspace and table precede the column
	// specs instead of one pair per column.
	MetadataGlobalTablesSpec int32 = 0x0001
	// MetadataHasMorePages: a <paging_state> follows the column count.
	MetadataHasMorePages int32 = 0x0002
	// MetadataNoMetadata: no column specs follow (the query asked to skip
	// them); the column count is still sent.
	MetadataNoMetadata int32 = 0x0004
	// MetadataChanged (v5): the result metadata of a prepared statement
	// changed; <new_metadata_id> follows and the new specs are sent.
	MetadataChanged int32 = 0x0008
)

// RowsMetadata is the <metadata> of a Rows result and the <result_metadata>
// of a Prepared result:
//
//	<flags><columns_count>[<paging_state>][<new_metadata_id>][<global_table_spec>?<col_spec_1>...<col_spec_n>]
//
// Flags is kept as decoded and drives the encoding, so a re-encoded capture
// gives the same bytes; the encoder only adds MetadataHasMorePages when
// PagingState is set and MetadataChanged when NewMetadataID is set (v5).
// NewRowsMetadata builds the metadata of a result set by hand.
type RowsMetadata struct {
	Flags int32
	// ColumnCount is the number of columns of every row, sent even with
	// MetadataNoMetadata; otherwise it equals len(Columns).
	ColumnCount int
	// PagingState resumes the query at the next page; nil on the last page.
	// It is copied out of the frame.
	PagingState []byte
	// NewMetadataID (v5) identifies the changed result metadata; it is
	// copied out of the frame.
	NewMetadataID []byte
	// Columns is nil when the server sent MetadataNoMetadata.
	Columns []ColumnSpec
}

// NewRowsMetadata returns the metadata of a result set with cols, using the
// global table spec when every column has the same keyspace and table.
func NewRowsMetadata(cols ...ColumnSpec) RowsMetadata {
	m := RowsMetadata{ColumnCount: len(cols), Columns: cols}
	if sameTable(cols) {
		m.Flags |= MetadataGlobalTablesSpec
	}
	return m
}

func sameTable(cols []ColumnSpec) bool {
	if len(cols) == 0 {
		return false
	}
	for _, c := range cols[1:] {
		if c.Keyspace != cols[0].Keyspace || c.Table != cols[0].Table {
			return false
		}
	}
	return true
}

// ReadRowsMetadata reads a <metadata> for version v; errors are left in r.
func ReadRowsMetadata(r *Reader, v Version) RowsMetadata {
	var m RowsMetadata
	m.Flags = r.Int("metadata flags")
	noMeta := m.Flags&MetadataNoMetadata != 0
	global := m.Flags&MetadataGlobalTablesSpec != 0
	minSpec := 8 // two to four [string]s and an [option], each at least 2 bytes
	if global {
		minSpec = 4
	}
	if noMeta {
		// Nothing backs the count here; RowsResult checks it against the
		// cells present.
		minSpec = 0
	}
	m.ColumnCount = r.Count("columns_count", false, minSpec)
	if m.Flags&MetadataHasMorePages != 0 {
		m.PagingState = cloneBytes(r.Bytes("paging_state"))
	}
	if v >= V5 && m.Flags&MetadataChanged != 0 {
		m.NewMetadataID = cloneBytes(r.ShortBytes("new_metadata_id"))
	}
	if !noMeta {
		m.Columns = readColumnSpecs(r, m.ColumnCount, global)
	}
	return m
}

// readColumnSpecs reads [<global_table_spec>]<col_spec_1>...<col_spec_n>.
// Zero columns decode as nil.
func readColumnSpecs(r *Reader, n int, global bool) []ColumnSpec {
	var ks, table string
	if global {
		ks = r.String("global keyspace")
		table = r.String("global table")
	}
	if n == 0 || r.Err() != nil {
		return nil
	}
	cols := make([]ColumnSpec, n)
	for i := range cols {
		c := &cols[i]
		if global {
			c.Keyspace, c.Table = ks, table
		} else {
			c.Keyspace = r.String("column keyspace")
			c.Table = r.String("column table")
		}
		c.Name = r.String("column name")
		c.Type = r.ReadType("column type")
		if r.Err() != nil {
			return nil
		}
	}
	return cols
}

// AppendRowsMetadata appends m as a <metadata> for version v.
func AppendRowsMetadata(dst []byte, m *RowsMetadata, v Version) ([]byte, error) {
	e := newRspEnc(dst, "metadata")
	if rspEncVersion(&e, v) {
		m.encode(&e, v)
	}
	return e.done()
}

func (m *RowsMetadata) encode(e *rspEnc, v Version) {
	flags := m.Flags
	if m.PagingState != nil {
		flags |= MetadataHasMorePages
	}
	if m.NewMetadataID != nil {
		if v < V5 {
			e.fail("new_metadata_id", fmt.Errorf("needs protocol v5, not %s", v))
			return
		}
		flags |= MetadataChanged
	}
	noMeta := flags&MetadataNoMetadata != 0
	if !noMeta && m.ColumnCount != len(m.Columns) {
		e.failf("columns_count", "ColumnCount %d with %d column specs", m.ColumnCount, len(m.Columns))
		return
	}
	e.putInt(flags)
	e.putCount("columns_count", m.ColumnCount, false)
	if flags&MetadataHasMorePages != 0 {
		e.putBytes("paging_state", m.PagingState)
	}
	if v >= V5 && flags&MetadataChanged != 0 {
		e.putShortBytes("new_metadata_id", m.NewMetadataID)
	}
	if !noMeta {
		putColumnSpecs(e, m.Columns, flags&MetadataGlobalTablesSpec != 0)
	}
}

func putColumnSpecs(e *rspEnc, cols []ColumnSpec, global bool) {
	if global {
		var ks, table string
		if len(cols) > 0 {
			ks, table = cols[0].Keyspace, cols[0].Table
		}
		for _, c := range cols {
			if c.Keyspace != ks || c.Table != table {
				e.failf("global table spec", "column %q is in %s.%s, not %s.%s", c.Name, c.Keyspace, c.Table, ks, table)
				return
			}
		}
		e.putString("global keyspace", ks)
		e.putString("global table", table)
	}
	for _, c := range cols {
		if !global {
			e.putString("column keyspace", c.Keyspace)
			e.putString("column table", c.Table)
		}
		e.putString("column name", c.Name)
		e.putType("column type", c.Type)
	}
}

// PreparedMetadata is the <metadata> of a Prepared result, describing the
// bind markers:
//
//	<flags><columns_count>[<pk_count><pk_index_1>...<pk_index_n>][<global_table_spec>?<col_spec_1>...<col_spec_n>]
//
// The partition key indexes exist from v4. Only MetadataGlobalTablesSpec
// shapes the layout; other flag bits are kept as sent.
type PreparedMetadata struct {
	Flags   int32
	Columns []ColumnSpec
	// PKIndexes (v4+) gives, for each partition key column in order, the
	// index of its bind marker in Columns; nil when some partition key
	// column has no bind marker. Decoding checks every index is in range.
	PKIndexes []uint16
}

// NewPreparedMetadata returns bind marker metadata for cols with the given
// partition key indexes, using the global table spec when every column has
// the same keyspace and table.
func NewPreparedMetadata(cols []ColumnSpec, pkIndexes ...uint16) PreparedMetadata {
	m := PreparedMetadata{Columns: cols, PKIndexes: pkIndexes}
	if sameTable(cols) {
		m.Flags |= MetadataGlobalTablesSpec
	}
	return m
}

// ReadPreparedMetadata reads the bind marker <metadata> of a Prepared result
// for version v; errors are left in r.
func ReadPreparedMetadata(r *Reader, v Version) PreparedMetadata {
	var m PreparedMetadata
	m.Flags = r.Int("prepared metadata flags")
	global := m.Flags&MetadataGlobalTablesSpec != 0
	minSpec := 8
	if global {
		minSpec = 4
	}
	n := r.Count("prepared columns_count", false, minSpec)
	if v >= V4 {
		pk := r.Count("pk_count", false, 2)
		if pk > 0 {
			m.PKIndexes = make([]uint16, pk)
			for i := range m.PKIndexes {
				m.PKIndexes[i] = r.Short("pk_index")
				if r.Err() == nil && int(m.PKIndexes[i]) >= n {
					r.Failf("pk_index", "index %d of a statement with %d bind markers", m.PKIndexes[i], n)
				}
			}
		}
	}
	m.Columns = readColumnSpecs(r, n, global)
	return m
}

// AppendPreparedMetadata appends m as the bind marker <metadata> of a
// Prepared result for version v.
func AppendPreparedMetadata(dst []byte, m *PreparedMetadata, v Version) ([]byte, error) {
	e := newRspEnc(dst, "prepared metadata")
	if rspEncVersion(&e, v) {
		m.encode(&e, v)
	}
	return e.done()
}

func (m *PreparedMetadata) encode(e *rspEnc, v Version) {
	if v < V4 && len(m.PKIndexes) > 0 {
		e.fail("pk_index", fmt.Errorf("partition key indexes need protocol v4, not %s", v))
		return
	}
	for _, i := range m.PKIndexes {
		if int(i) >= len(m.Columns) {
			e.failf("pk_index", "index %d of a statement with %d bind markers", i, len(m.Columns))
			return
		}
	}
	e.putInt(m.Flags)
	e.putCount("columns_count", len(m.Columns), false)
	if v >= V4 {
		e.putCount("pk_count", len(m.PKIndexes), false)
		for _, i := range m.PKIndexes {
			e.putShort(i)
		}
	}
	putColumnSpecs(e, m.Columns, m.Flags&MetadataGlobalTablesSpec != 0)
}
