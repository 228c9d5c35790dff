package frame

import (
	"bytes"
	"errors"
	"testing"
)

func TestRowsResultGolden(t *testing.T) {
	users := NewRowsMetadata(
		ColumnSpec{Keyspace: "ks", Table: "users", Name: "id", Type: &Type{ID: TypeInt}},
		ColumnSpec{Keyspace: "ks", Table: "users", Name: "name", Type: &Type{ID: TypeVarchar}},
	)
	usersRows := &RowsResult{Metadata: users, RowCount: 2, Data: rspHex(`
		00000004 00000001   // row 0, id: 1
		00000003 "bob"      // row 0, name: "bob"
		00000004 00000002   // row 1, id: 2
		ffffffff            // row 1, name: null
	`)}
	var cases []rspCase
	cases = append(cases, rspForVersions(rspVersions, "global_table_spec_with_null", usersRows, rspHex(`
		00000002            // kind: Rows
		00000001            // flags: global_tables_spec
		00000002            // columns_count
		0002 "ks"           // global keyspace
		0005 "users"        // global table
		0002 "id"   0009    // column "id": int
		0004 "name" 000d    // column "name": varchar
		00000002            // rows_count
		00000004 00000001   // row 0, id: 1
		00000003 "bob"      // row 0, name: "bob"
		00000004 00000002   // row 1, id: 2
		ffffffff            // row 1, name: null
	`))...)
	cases = append(cases, rspForVersions(rspVersions, "no_metadata_with_paging_state", &RowsResult{
		Metadata: RowsMetadata{Flags: MetadataHasMorePages | MetadataNoMetadata, ColumnCount: 2, PagingState: []byte{1, 2, 3}},
		RowCount: 1,
		Data:     rspHex(`00000000 ffffffff`),
	}, rspHex(`
		00000002            // kind: Rows
		00000006            // flags: has_more_pages | no_metadata
		00000002            // columns_count (still sent)
		00000003 010203     // paging_state [bytes]
		00000001            // rows_count
		00000000            // row 0, col 0: empty value
		ffffffff            // row 0, col 1: null
	`))...)
	cases = append(cases, rspForVersions([]Version{V3, V4}, "per_column_table_specs_no_rows", &RowsResult{
		Metadata: RowsMetadata{ColumnCount: 2, Columns: []ColumnSpec{
			{Keyspace: "ks1", Table: "t1", Name: "a", Type: &Type{ID: TypeInt}},
			{Keyspace: "ks2", Table: "t2", Name: "b", Type: &Type{ID: TypeMap, Elems: []*Type{{ID: TypeVarchar}, {ID: TypeUUID}}}},
		}},
		Data: []byte{},
	}, rspHex(`
		00000002            // kind: Rows
		00000000            // flags: none
		00000002            // columns_count
		0003 "ks1" 0002 "t1" 0001 "a" 0009           // ks1.t1.a int
		0003 "ks2" 0002 "t2" 0001 "b" 0021 000d 000c // ks2.t2.b map<varchar, uuid>
		00000000            // rows_count: 0
	`))...)
	cases = append(cases, rspCase{name: "metadata_changed_with_new_metadata_id", v: V5, msg: &RowsResult{
		Metadata: RowsMetadata{Flags: MetadataGlobalTablesSpec | MetadataChanged, ColumnCount: 1, NewMetadataID: []byte{0xab, 0xcd},
			Columns: []ColumnSpec{{Keyspace: "ks", Table: "t", Name: "v", Type: &Type{ID: TypeBigint}}}},
		RowCount: 1,
		Data:     rspHex(`00000008 000000000000002a`),
	}, body: rspHex(`
		00000002            // kind: Rows
		00000009            // flags: global_tables_spec | metadata_changed
		00000001            // columns_count
		0002 abcd           // new_metadata_id [short bytes] (v5)
		0002 "ks" 0001 "t"  // global table spec
		0001 "v" 0002       // column "v": bigint
		00000001            // rows_count
		00000008 000000000000002a // row 0: 42
	`)})
	cases = append(cases, rspCase{name: "paging_and_metadata_changed", v: V5, msg: &RowsResult{
		Metadata: RowsMetadata{Flags: MetadataHasMorePages | MetadataChanged | MetadataGlobalTablesSpec, ColumnCount: 1,
			PagingState: []byte{9}, NewMetadataID: []byte{1},
			Columns: []ColumnSpec{{Keyspace: "ks", Table: "t", Name: "v", Type: &Type{ID: TypeBoolean}}}},
		Data: []byte{},
	}, body: rspHex(`
		00000002            // kind: Rows
		0000000b            // flags: global | has_more_pages | metadata_changed
		00000001            // columns_count
		00000001 09         // paging_state comes first
		0001 01             // then new_metadata_id
		0002 "ks" 0001 "t"  // global table spec
		0001 "v" 0004       // column "v": boolean
		00000000            // rows_count
	`)})
	rspRunGolden(t, func() Message { return &RowsResult{} }, cases)
}

func TestRowIterScansCellsInOrder(t *testing.T) {
	body := rspHex(`
		00000002 00000006 00000002 00000000 00000002
		00000001 "a" ffffffff
		00000000     00000002 "bc"`)
	var m RowsResult
	if err := m.Decode(body, V4); err != nil {
		t.Fatal(err)
	}
	want := [][][]byte{{[]byte("a"), nil}, {{}, []byte("bc")}}
	cells := make([][]byte, 2)
	it := m.Rows()
	if it.Columns() != 2 || it.Remaining() != 2 {
		t.Fatalf("Columns %d Remaining %d", it.Columns(), it.Remaining())
	}
	for r := 0; it.Next(cells); r++ {
		for c := range cells {
			if !bytes.Equal(cells[c], want[r][c]) || (cells[c] == nil) != (want[r][c] == nil) {
				t.Fatalf("row %d col %d = %q (nil %v)", r, c, cells[c], cells[c] == nil)
			}
		}
	}
	if it.Err() != nil || it.Remaining() != 0 {
		t.Fatalf("Err %v Remaining %d", it.Err(), it.Remaining())
	}
	// A cells slice of another length yields nothing: a row is never read
	// with another result's column list.
	for _, n := range []int{1, 3} {
		other := make([][]byte, n)
		it = m.Rows()
		var cce *ColumnCountError
		if it.Next(other) || !errors.As(it.Err(), &cce) || cce.Rows != 2 || cce.Want != n {
			t.Fatalf("%d cells for 2 columns: Err %v, cells %q", n, it.Err(), other)
		}
		for _, c := range other {
			if c != nil {
				t.Fatalf("%d cells for 2 columns: a cell was set: %q", n, other)
			}
		}
		if _, err := m.RowsAs(n); !errors.As(err, &cce) {
			t.Fatalf("RowsAs(%d) of 2 columns: %v", n, err)
		}
	}
	if _, err := m.RowsAs(2); err != nil {
		t.Fatalf("RowsAs(2): %v", err)
	}
	if allocs := testing.AllocsPerRun(100, func() {
		it := m.Rows()
		for it.Next(cells) {
		}
	}); allocs != 0 {
		t.Fatalf("iteration allocated %v times", allocs)
	}
}

func TestRowIterStopsOnMalformedData(t *testing.T) {
	m := RowsResult{Metadata: RowsMetadata{ColumnCount: 2}, RowCount: 2, Data: rspHex(`00000001 aa 00000005 bb`)}
	it := m.Rows()
	if it.Next(make([][]byte, 2)) || it.Err() == nil {
		t.Fatal("malformed hand-built data iterated")
	}
}

func TestRowsResultRejectsHostileCounts(t *testing.T) {
	tests := map[string]string{
		"column_count_huge_with_metadata": `00000002 00000001 7fffffff 0002 "ks" 0001 "t" 0001 "a" 0009 00000000`,
		"column_count_huge_no_metadata":   `00000002 00000004 7fffffff 00000001 00000000`,
		"row_count_huge":                  `00000002 00000004 00000001 7fffffff 00000000`,
		"row_times_column_overflow":       `00000002 00000004 7fffffff 7fffffff 00000000 00000000`,
		"rows_without_columns":            `00000002 00000004 00000000 7fffffff`,
		"negative_rows":                   `00000002 00000004 00000001 ffffffff`,
		"negative_columns":                `00000002 00000004 ffffffff 00000000`,
		"cell_longer_than_body":           `00000002 00000004 00000001 00000001 7ffffff0 00`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			b := rspHex(body)
			var m RowsResult
			err := m.Decode(b, V4)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a *DecodeError", err)
			}
			if n := rspAllocBytes(func() { _ = m.Decode(b, V4) }); n > 1024 {
				t.Fatalf("allocated %d bytes", n)
			}
		})
	}
}

func TestRowsResultDecodeErrorSaysWhere(t *testing.T) {
	body := rspHex(`00000002 00000004 00000002 00000001 00000001 aa 00000009 bb`)
	var m RowsResult
	err := m.Decode(body, V4)
	var de *DecodeError
	if !errors.As(err, &de) || de.Offset != 21 || !errors.Is(err, ErrTruncated) {
		t.Fatalf("got %v", err)
	}
	if want := "frame: decoding RESULT Rows cell (row 0, column 1) at offset 21: truncated"; err.Error() != want {
		t.Fatalf("got %q\nwant %q", err.Error(), want)
	}
}

func TestRowsResultEncodeChecksData(t *testing.T) {
	md := RowsMetadata{Flags: MetadataNoMetadata, ColumnCount: 1}
	for name, m := range map[string]*RowsResult{
		"missing_cells":  {Metadata: md, RowCount: 2, Data: rspHex(`00000000`)},
		"extra_bytes":    {Metadata: md, RowCount: 1, Data: rspHex(`00000000 00`)},
		"count_mismatch": {Metadata: RowsMetadata{ColumnCount: 2}, Data: []byte{}},
		"nil_type":       {Metadata: NewRowsMetadata(ColumnSpec{Name: "a"}), Data: []byte{}},
		"mixed_tables_under_global_flag": {Metadata: RowsMetadata{Flags: MetadataGlobalTablesSpec, ColumnCount: 2, Columns: []ColumnSpec{
			{Keyspace: "a", Table: "t", Name: "x", Type: &Type{ID: TypeInt}}, {Keyspace: "b", Table: "t", Name: "y", Type: &Type{ID: TypeInt}}}}},
		"new_metadata_id_before_v5": {Metadata: RowsMetadata{NewMetadataID: []byte{1}}, Data: []byte{}},
	} {
		if _, err := m.Encode(nil, V4); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}

func TestNewRowsMetadataPicksGlobalSpec(t *testing.T) {
	a := ColumnSpec{Keyspace: "ks", Table: "t", Name: "a", Type: &Type{ID: TypeInt}}
	b := ColumnSpec{Keyspace: "ks", Table: "u", Name: "b", Type: &Type{ID: TypeInt}}
	if m := NewRowsMetadata(a, a); m.Flags != MetadataGlobalTablesSpec || m.ColumnCount != 2 {
		t.Fatalf("same table: %+v", m)
	}
	if m := NewRowsMetadata(a, b); m.Flags != 0 {
		t.Fatalf("two tables: %+v", m)
	}
	if m := NewPreparedMetadata([]ColumnSpec{a}, 0); m.Flags != MetadataGlobalTablesSpec || len(m.PKIndexes) != 1 {
		t.Fatalf("prepared: %+v", m)
	}
}

func TestRowIterRawSplitsBackIntoTheSameCells(t *testing.T) {
	body := rspHex(`
		00000002 00000006 00000002 00000000 00000003
		00000001 "a" ffffffff
		00000000     00000002 "bc"
		ffffffff     ffffffff`)
	var m RowsResult
	if err := m.Decode(body, V4); err != nil {
		t.Fatal(err)
	}
	wantRaw := []string{"00000001 61 ffffffff", "00000000 00000002 6263", "ffffffff ffffffff"}
	cells, again := make([][]byte, 2), make([][]byte, 2)
	it := m.Rows()
	for r := 0; it.Next(cells); r++ {
		raw := it.Raw()
		if want := rspHex(wantRaw[r]); !bytes.Equal(raw, want) {
			t.Fatalf("row %d Raw = %x, want %x", r, raw, want)
		}
		if !SplitRow(raw, again) {
			t.Fatalf("row %d: SplitRow refused its own Raw", r)
		}
		for c := range cells {
			if !bytes.Equal(cells[c], again[c]) || (cells[c] == nil) != (again[c] == nil) {
				t.Fatalf("row %d col %d: SplitRow %q (nil %v), Next %q (nil %v)", r, c, again[c], again[c] == nil, cells[c], cells[c] == nil)
			}
		}
		// Raw's capacity ends with the row: appending to it cannot write
		// over the next row.
		if cap(raw) != len(raw) {
			t.Fatalf("row %d: Raw has spare capacity %d", r, cap(raw)-len(raw))
		}
	}
	raw := rspHex(`00000001 61 ffffffff`)
	for name, c := range map[string][][]byte{"fewer cells": make([][]byte, 1), "more cells": make([][]byte, 3)} {
		if SplitRow(raw, c) {
			t.Errorf("%s: SplitRow accepted a row of 2 cells", name)
		}
	}
	if SplitRow(rspHex(`00000005 61`), make([][]byte, 1)) {
		t.Error("SplitRow accepted a cell longer than the data")
	}
}

// NextSpans locates the cells Next returns, row for row, null and empty
// cells included, and refuses what Next refuses.
func TestRowIterSpansLocateTheCellsNextReturns(t *testing.T) {
	body := rspHex(`
		00000002 00000006 00000002 00000000 00000003
		00000001 "a" ffffffff
		00000000     00000002 "bc"
		ffffffff     00000003 "def"`)
	var m RowsResult
	if err := m.Decode(body, V4); err != nil {
		t.Fatal(err)
	}
	cells := make([][]byte, 2)
	spans := make([]CellSpan, 2)
	a, b := m.Rows(), m.Rows()
	rows := 0
	for a.Next(cells) {
		if !b.NextSpans(spans) {
			t.Fatalf("row %d: NextSpans ended early: %v", rows, b.Err())
		}
		for c := range cells {
			got := b.Cell(spans[c])
			if !bytes.Equal(got, cells[c]) || (got == nil) != (cells[c] == nil) {
				t.Fatalf("row %d col %d: span %+v is %q (nil %v), Next %q (nil %v)", rows, c, spans[c], got, got == nil, cells[c], cells[c] == nil)
			}
		}
		if !bytes.Equal(a.Raw(), b.Raw()) {
			t.Fatalf("row %d: Raw differs: %x vs %x", rows, a.Raw(), b.Raw())
		}
		rows++
	}
	if rows != 3 || b.NextSpans(spans) || b.Err() != nil {
		t.Fatalf("%d rows; NextSpans after the last: err %v", rows, b.Err())
	}
	var cce *ColumnCountError
	if it := m.Rows(); it.NextSpans(make([]CellSpan, 3)) || !errors.As(it.Err(), &cce) {
		t.Fatalf("3 spans for 2 columns: %v", it.Err())
	}
	bad := RowsResult{Metadata: RowsMetadata{ColumnCount: 2}, RowCount: 2, Data: rspHex(`00000001 aa 00000005 bb`)}
	if it := bad.Rows(); it.NextSpans(spans) || it.Err() == nil {
		t.Fatal("malformed hand-built data iterated")
	}
	if allocs := testing.AllocsPerRun(100, func() {
		it := m.Rows()
		for it.NextSpans(spans) {
		}
	}); allocs != 0 {
		t.Fatalf("iteration allocated %v times", allocs)
	}
}
