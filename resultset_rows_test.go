package cassandra

import (
	"context"
	"errors"
	"maps"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
)

// testCols builds column specs of table ks.t from alternating names and types.
func testCols(nameTypes ...any) []frame.ColumnSpec {
	var out []frame.ColumnSpec
	for i := 0; i < len(nameTypes); i += 2 {
		out = append(out, frame.ColumnSpec{Keyspace: "ks", Table: "t", Name: nameTypes[i].(string), Type: nameTypes[i+1].(*frame.Type)})
	}
	return out
}

// encodePage encodes rows as a Rows result and decodes it again, as a
// connection would; more adds a paging state.
func encodePage(t testing.TB, cs []frame.ColumnSpec, rows [][]any, more bool, n int) *frame.RowsResult {
	t.Helper()
	var data []byte
	for _, r := range rows {
		if len(r) != len(cs) {
			t.Fatalf("row %v has %d values for %d columns", r, len(r), len(cs))
		}
		for i, v := range r {
			b, err := cqltype.Marshal(cs[i].Type, v)
			if err != nil {
				t.Fatal(err)
			}
			data = frame.AppendBytes(data, b)
		}
	}
	md := frame.NewRowsMetadata(cs...)
	if more {
		md.PagingState = []byte{'p', byte(n)}
	}
	m := &frame.RowsResult{Metadata: md, RowCount: len(rows), Data: data}
	body, err := m.Encode(nil, frame.V4)
	if err != nil {
		t.Fatal(err)
	}
	dec, err := frame.DecodeResult(body, frame.V4)
	if err != nil {
		t.Fatal(err)
	}
	return dec.(*frame.RowsResult)
}

// testPages is a hand-built result: its pages, and the fetch that installs
// the next one or fails with failAt's error.
type testPages struct {
	pages  []*frame.RowsResult
	next   int
	failAt int // index of the page whose fetch fails; 0 for none
}

var errPageFailed = errors.New("page fetch failed")

// newTestResultSet builds a ResultSet over pages of rows, each page
// decoded on its own (so each has its own metadata, as for a simple
// statement), without a server.
func newTestResultSet(t testing.TB, cs []frame.ColumnSpec, pages ...[][]any) *ResultSet {
	return buildResultSet(t, cs, false, 0, pages...)
}

// buildResultSet is newTestResultSet with options: shared gives every page
// the first page's metadata (as a prepared statement's pages have), and
// failAt makes the fetch of that page fail with errPageFailed.
func buildResultSet(t testing.TB, cs []frame.ColumnSpec, shared bool, failAt int, pages ...[][]any) *ResultSet {
	t.Helper()
	if len(pages) == 0 {
		pages = [][][]any{nil}
	}
	tp := &testPages{failAt: failAt, next: 1}
	for i, p := range pages {
		m := encodePage(t, cs, p, i < len(pages)-1, i)
		if shared && i > 0 {
			m.Metadata.Columns = tp.pages[0].Metadata.Columns
		}
		tp.pages = append(tp.pages, m)
	}
	req := &request{kind: reqQuery, opts: stmtOptions{}}
	rs := &ResultSet{ctx: context.Background(), kind: frame.ResultRows}
	if err := rs.setPage(req, tp.pages[0]); err != nil {
		t.Fatal(err)
	}
	rs.extra().fetchHook = func(rs *ResultSet) error {
		if tp.next == tp.failAt {
			return errPageFailed
		}
		p := tp.pages[tp.next]
		tp.next++
		return rs.setPage(req, p)
	}
	return rs
}

var kvCols = testCols("k", tInt, "v", tText)

func kvRows(from, to int) [][]any {
	var out [][]any
	for i := from; i < to; i++ {
		out = append(out, []any{int32(i), "v" + string(rune('a'+i%26))})
	}
	return out
}

func collectKeys(t *testing.T, rs *ResultSet) []int32 {
	t.Helper()
	var ks []int32
	for rs.Next() {
		var k int32
		var v string
		if err := rs.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k)
	}
	return ks
}

func TestNextSkipsEmptyPages(t *testing.T) {
	rs := newTestResultSet(t, kvCols, kvRows(0, 2), nil, nil, kvRows(2, 3), nil)
	got := collectKeys(t, rs)
	if want := []int32{0, 1, 2}; !slices.Equal(got, want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
	if rs.Err() != nil {
		t.Fatal(rs.Err())
	}
	if rs.PagingState() != nil {
		t.Fatalf("paging state %q on the last page", rs.PagingState())
	}
}

func TestNextFirstPageEmpty(t *testing.T) {
	rs := newTestResultSet(t, kvCols, nil, kvRows(0, 1))
	if got := collectKeys(t, rs); !slices.Equal(got, []int32{0}) {
		t.Fatalf("keys %v", got)
	}
}

func TestFailedPageKeepsEarlierRows(t *testing.T) {
	rs := buildResultSet(t, kvCols, false, 2, kvRows(0, 2), kvRows(2, 4), kvRows(4, 6))
	got := collectKeys(t, rs)
	if want := []int32{0, 1, 2, 3}; !slices.Equal(got, want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
	if !errors.Is(rs.Err(), errPageFailed) {
		t.Fatalf("Err() = %v", rs.Err())
	}
	if rs.Next() {
		t.Fatal("Next after an error")
	}
}

func TestRowsIterator(t *testing.T) {
	t.Run("all_rows_across_pages", func(t *testing.T) {
		rs := newTestResultSet(t, kvCols, kvRows(0, 3), nil, kvRows(3, 5))
		var ks []int32
		for row, err := range rs.Rows() {
			if err != nil {
				t.Fatal(err)
			}
			var k int32
			var v string
			if err := row.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			ks = append(ks, k)
		}
		if !slices.Equal(ks, []int32{0, 1, 2, 3, 4}) {
			t.Fatalf("keys %v", ks)
		}
	})
	t.Run("early_break_leaves_the_rest", func(t *testing.T) {
		rs := newTestResultSet(t, kvCols, kvRows(0, 3), kvRows(3, 5))
		n := 0
		for _, err := range rs.Rows() {
			if err != nil {
				t.Fatal(err)
			}
			if n++; n == 2 {
				break
			}
		}
		if got := collectKeys(t, rs); !slices.Equal(got, []int32{2, 3, 4}) {
			t.Fatalf("after break: %v", got)
		}
	})
	t.Run("error_yielded_once_after_the_rows", func(t *testing.T) {
		rs := buildResultSet(t, kvCols, false, 1, kvRows(0, 2), kvRows(2, 4))
		var ks []int32
		var errs []error
		for row, err := range rs.Rows() {
			if err != nil {
				errs = append(errs, err)
				if row.Len() != 0 {
					t.Errorf("error with a row of %d columns", row.Len())
				}
				continue
			}
			m, err := row.Map()
			if err != nil {
				t.Fatal(err)
			}
			ks = append(ks, m["k"].(int32))
		}
		if !slices.Equal(ks, []int32{0, 1}) || len(errs) != 1 || !errors.Is(errs[0], errPageFailed) {
			t.Fatalf("keys %v errors %v", ks, errs)
		}
	})
	t.Run("row_values_and_struct", func(t *testing.T) {
		rs := newTestResultSet(t, kvCols, kvRows(7, 8))
		for row, err := range rs.Rows() {
			if err != nil {
				t.Fatal(err)
			}
			vals, err := row.Values()
			if err != nil || !reflect.DeepEqual(vals, []any{int32(7), "vh"}) {
				t.Fatalf("Values() = %v, %v", vals, err)
			}
			var kv struct {
				K int32
				V string
			}
			if err := row.ScanStruct(&kv); err != nil || kv.K != 7 || kv.V != "vh" {
				t.Fatalf("ScanStruct: %+v %v", kv, err)
			}
		}
	})
}

func TestMapScanTypes(t *testing.T) {
	id := uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	ts := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	cs := testCols("i", tInt, "b", tBigint, "s", tText, "blob", tBlob, "ok", tBoolean,
		"id", tUUID, "ts", tTimestamp, "ip", tInet, "l", listOf(tInt), "m", mapOf(tText, tInt), "n", tText, "d", tDouble)
	rs := newTestResultSet(t, cs, [][]any{{
		int32(1), int64(2), "three", []byte{4}, true, id, ts, netip.MustParseAddr("10.0.0.1"),
		[]int32{5, 6}, map[string]int32{"x": 7}, nil, 1.5,
	}})
	if err := rs.MapScan(map[string]any{}); err == nil {
		t.Fatal("MapScan before Next succeeded")
	}
	if !rs.Next() {
		t.Fatal(rs.Err())
	}
	got := map[string]any{"stale": 1}
	if err := rs.MapScan(got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"stale": 1, "i": int32(1), "b": int64(2), "s": "three", "blob": []byte{4}, "ok": true,
		"id": id, "ts": ts, "ip": netip.MustParseAddr("10.0.0.1"),
		"l": []int32{5, 6}, "m": map[string]int32{"x": 7}, "n": nil, "d": 1.5,
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if !reflect.DeepEqual(got[k], want[k]) {
			t.Errorf("%s: got %#v (%T), want %#v (%T)", k, got[k], got[k], want[k], want[k])
		}
	}
}

func TestMapScanErrorNamesColumn(t *testing.T) {
	cs := testCols("k", tInt, "bad", tBigint)
	m := &frame.RowsResult{Metadata: frame.NewRowsMetadata(cs...), RowCount: 1}
	m.Data = frame.AppendBytes(frame.AppendBytes(nil, []byte{0, 0, 0, 1}), []byte{1, 2, 3}) // 3-byte bigint
	rs := &ResultSet{ctx: context.Background()}
	if err := rs.setPage(&request{kind: reqQuery, opts: stmtOptions{}}, m); err != nil {
		t.Fatal(err)
	}
	rs.Next()
	err := rs.MapScan(map[string]any{})
	var ue *UnmarshalError
	if !errors.As(err, &ue) || ue.Column != "bad" {
		t.Fatalf("err = %v, want an UnmarshalError for column bad", err)
	}
}

func TestOneAllCurrentPage(t *testing.T) {
	t.Run("one_then_all", func(t *testing.T) {
		rs := newTestResultSet(t, kvCols, kvRows(0, 2), nil, kvRows(2, 4))
		one, err := rs.One()
		if err != nil {
			t.Fatal(err)
		}
		all, err := rs.All()
		if err != nil {
			t.Fatal(err)
		}
		// one stays valid after the ResultSet moved on.
		var k int32
		var v string
		if err := one.Scan(&k, &v); err != nil || k != 0 {
			t.Fatalf("One: %d %v", k, err)
		}
		var ks []int32
		for _, r := range all {
			m, err := r.Map()
			if err != nil {
				t.Fatal(err)
			}
			ks = append(ks, m["k"].(int32))
		}
		if !slices.Equal(ks, []int32{1, 2, 3}) {
			t.Fatalf("All: %v", ks)
		}
		if _, err := rs.One(); !errors.Is(err, ErrNotFound) {
			t.Fatalf("One at the end: %v", err)
		}
	})
	t.Run("all_keeps_rows_before_a_failed_page", func(t *testing.T) {
		rs := buildResultSet(t, kvCols, false, 2, kvRows(0, 2), nil, kvRows(2, 4))
		all, err := rs.All()
		if len(all) != 2 || !errors.Is(err, errPageFailed) {
			t.Fatalf("All: %d rows, %v", len(all), err)
		}
	})
	t.Run("one_surfaces_a_failed_page", func(t *testing.T) {
		rs := buildResultSet(t, kvCols, false, 1, nil, kvRows(0, 1))
		if _, err := rs.One(); !errors.Is(err, errPageFailed) {
			t.Fatalf("One: %v", err)
		}
	})
	t.Run("current_page_does_not_fetch", func(t *testing.T) {
		rs := newTestResultSet(t, kvCols, kvRows(0, 3), kvRows(3, 5))
		rs.Next() // row 0 is read; the page's rest follows
		page, state := rs.CurrentPage(), rs.PagingState()
		if len(page) != 2 || string(state) != "p\x00" {
			t.Fatalf("page of %d rows, state %q", len(page), state)
		}
		var k int32
		var v string
		if err := page[1].Scan(&k, &v); err != nil || k != 2 {
			t.Fatalf("page[1]: %d %v", k, err)
		}
		if rs.Scan(&k, &v) == nil {
			t.Fatal("Scan after CurrentPage consumed the row")
		}
		if got := collectKeys(t, rs); !slices.Equal(got, []int32{3, 4}) {
			t.Fatalf("after CurrentPage: %v", got)
		}
		if len(rs.CurrentPage()) != 0 {
			t.Fatal("second CurrentPage not empty")
		}
	})
}

func TestWasApplied(t *testing.T) {
	lwt := testCols("[applied]", tBoolean)
	notApplied := testCols("[applied]", tBoolean, "k", tInt, "v", tText)
	tests := []struct {
		name    string
		cols    []frame.ColumnSpec
		rows    [][]any
		want    bool
		wantErr bool
	}{
		{"applied", lwt, [][]any{{true}}, true, false},
		{"not_applied_with_current_values", notApplied, [][]any{{false, int32(1), "old"}}, false, false},
		{"batch_not_applied_one_row_per_statement", notApplied, [][]any{{false, int32(1), "a"}, {false, int32(2), "b"}}, false, false},
		{"batch_applied", lwt, [][]any{{true}}, true, false},
		{"not_conditional", kvCols, kvRows(0, 1), false, true},
		{"no_row", lwt, nil, false, true},
		{"null_applied", lwt, [][]any{{nil}}, false, true},
		{"applied_not_boolean", testCols("[applied]", tInt), [][]any{{int32(1)}}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := newTestResultSet(t, tc.cols, tc.rows)
			got, err := rs.WasApplied()
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("WasApplied() = %v, %v", got, err)
			}
			// It did not consume the row.
			if n := len(collectRows(t, rs)); n != len(tc.rows) {
				t.Fatalf("%d rows left after WasApplied, want %d", n, len(tc.rows))
			}
		})
	}
	t.Run("on_the_current_row", func(t *testing.T) {
		rs := newTestResultSet(t, notApplied, [][]any{{false, int32(1), "a"}, {true, int32(2), "b"}})
		rs.Next()
		rs.Next()
		if ok, err := rs.WasApplied(); !ok || err != nil {
			t.Fatalf("second row: %v %v", ok, err)
		}
	})
	t.Run("void_result", func(t *testing.T) {
		rs := &ResultSet{kind: frame.ResultVoid}
		if _, err := rs.WasApplied(); err == nil {
			t.Fatal("WasApplied on a void result succeeded")
		}
	})
}

func collectRows(t *testing.T, rs *ResultSet) []Row {
	t.Helper()
	rows, err := rs.All()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestRowScanErrors(t *testing.T) {
	rs := newTestResultSet(t, kvCols, kvRows(0, 1))
	row, err := rs.One()
	if err != nil {
		t.Fatal(err)
	}
	var k int32
	if err := row.Scan(&k); err == nil {
		t.Fatal("Scan with too few destinations succeeded")
	}
	var wrong int32
	err = row.Scan(&k, &wrong)
	var ue *UnmarshalError
	if !errors.As(err, &ue) || ue.Column != "v" {
		t.Fatalf("err = %v, want an UnmarshalError for column v", err)
	}
	if err := (Row{}).Scan(); err == nil {
		t.Fatal("Scan on a zero Row succeeded")
	}
}

func BenchmarkRowsIterator(b *testing.B) {
	rs := benchResultSet(b)
	var (
		id   int64
		k    int32
		name string
		ok   bool
		ts   time.Time
	)
	b.ReportAllocs()
	for b.Loop() {
		rs.it, rs.onRow = rs.rows.Rows(), false
		for row, err := range rs.Rows() {
			if err != nil {
				b.Fatal(err)
			}
			if err := row.Scan(&id, &k, &name, &ok, &ts); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkScanPage reads a 5,000-row page of (int, int, text), the
// page10k workload's shape, with Next and Scan: ns/row is the driver's
// decoding cost per row, the string allocation included.
func BenchmarkScanPage(b *testing.B) {
	cols := []ColumnSpec{
		{Keyspace: "ks", Table: "t", Name: "p", Type: &frame.Type{ID: frame.TypeInt}},
		{Keyspace: "ks", Table: "t", Name: "c", Type: &frame.Type{ID: frame.TypeInt}},
		{Keyspace: "ks", Table: "t", Name: "v", Type: &frame.Type{ID: frame.TypeVarchar}},
	}
	var rows [][]any
	for i := range 5000 {
		rows = append(rows, []any{int32(0), int32(i), "a value of some twenty bytes"})
	}
	rs := newTestResultSet(b, cols, rows)
	var p, c int
	var v string
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		rs.it, rs.onRow = rs.rows.Rows(), false
		for rs.Next() {
			if err := rs.Scan(&p, &c, &v); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/row")
}
