package cassandra

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/google/uuid"
)

type scanBase struct {
	CreatedAt time.Time // untagged: "created_at" or "createdat"
	Owner     string    `cql:"owner_name"`
}

type scanUser struct {
	scanBase
	*ScanEmail           // an embedded pointer, allocated when a column needs it
	ID         uuid.UUID `cql:"id"`
	Name       string
	Age        *int32 // a pointer: nil for null
	Score      int64  `cql:"score"`
	Skipped    string `cql:"-"`
	private    string //nolint:unused // unexported fields are ignored
	UserTags   []string
}

// ScanEmail is exported: an unexported embedded pointer could not be
// allocated, and its fields are ignored.
type ScanEmail struct {
	Email string `cql:"email"`
}

var userCols = testCols("id", tUUID, "name", tText, "age", tInt, "score", tBigint,
	"created_at", tTimestamp, "owner_name", tText, "email", tText, "user_tags", listOf(tText))

func TestScanStructMapping(t *testing.T) {
	id := uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	rs := newTestResultSet(t, userCols, [][]any{
		{id, "ann", int32(41), int64(7), ts, "root", "a@x", []string{"x", "y"}},
		{id, nil, nil, nil, nil, nil, nil, nil},
	})
	if !rs.Next() {
		t.Fatal(rs.Err())
	}
	u := scanUser{Skipped: "kept", private: "kept"}
	if err := rs.ScanStruct(&u); err != nil {
		t.Fatal(err)
	}
	if u.ID != id || u.Name != "ann" || u.Age == nil || *u.Age != 41 || u.Score != 7 ||
		!u.CreatedAt.Equal(ts) || u.Owner != "root" || u.ScanEmail == nil || u.Email != "a@x" ||
		!reflect.DeepEqual(u.UserTags, []string{"x", "y"}) || u.Skipped != "kept" || u.private != "kept" {
		t.Fatalf("first row: %+v", u)
	}
	// Nulls reset the fields: pointers to nil, values to zero.
	if !rs.Next() {
		t.Fatal(rs.Err())
	}
	if err := rs.ScanStruct(&u); err != nil {
		t.Fatal(err)
	}
	if u.Name != "" || u.Age != nil || u.Score != 0 || !u.CreatedAt.IsZero() || u.Email != "" || u.UserTags != nil {
		t.Fatalf("null row: %+v", u)
	}
}

func TestScanStructNames(t *testing.T) {
	type T struct {
		UserID    int32 // user_id or userid
		HTTPCode  int32 // http_code or httpcode
		MixedCase int32 // a quoted column "MixedCase" finds it lower-cased
		Tagged    int32 `cql:"Exact,omitempty"`
		Ignored   int32 `cql:"-"`
	}
	for _, tc := range []struct {
		col  string
		ok   bool
		want func(T) int32
	}{
		{"user_id", true, func(v T) int32 { return v.UserID }},
		{"userid", true, func(v T) int32 { return v.UserID }},
		{"http_code", true, func(v T) int32 { return v.HTTPCode }},
		{"MixedCase", true, func(v T) int32 { return v.MixedCase }},
		{"mixed_case", true, func(v T) int32 { return v.MixedCase }},
		{"Exact", true, func(v T) int32 { return v.Tagged }},
		{"exact", true, func(v T) int32 { return v.Tagged }},
		{"tagged", false, nil},
		{"ignored", false, nil},
		{"missing", false, nil},
	} {
		t.Run(tc.col, func(t *testing.T) {
			rs := newTestResultSet(t, testCols(tc.col, tInt), [][]any{{int32(5)}})
			v, err := ScanOne[T](rs)
			if !tc.ok {
				var ue *UnmarshalError
				if !errors.As(err, &ue) || ue.Column != tc.col || !errors.Is(err, cqltype.ErrNoField) {
					t.Fatalf("err = %v, want no field for %q", err, tc.col)
				}
				return
			}
			if err != nil || tc.want(v) != 5 {
				t.Fatalf("%+v %v", v, err)
			}
		})
	}
}

func TestScanStructEmbeddingRules(t *testing.T) {
	type Inner struct {
		Name string
		Deep string `cql:"deep"`
	}
	type Other struct {
		Deep string `cql:"deep"`
	}
	type Outer struct {
		Inner
		Other
		Name string // shallower: hides Inner.Name
	}
	rs := newTestResultSet(t, testCols("name", tText), [][]any{{"top"}})
	v, err := ScanOne[Outer](rs)
	if err != nil || v.Name != "top" || v.Inner.Name != "" {
		t.Fatalf("%+v %v", v, err)
	}
	rs = newTestResultSet(t, testCols("deep", tText), [][]any{{"x"}})
	if _, err := ScanOne[Outer](rs); !errors.Is(err, cqltype.ErrAmbiguousField) {
		t.Fatalf("ambiguous column: %v", err)
	}
	type Tagged struct {
		Inner
		Deep string `cql:"deep"` // shallower and tagged
	}
	rs = newTestResultSet(t, testCols("deep", tText), [][]any{{"x"}})
	if v, err := ScanOne[Tagged](rs); err != nil || v.Deep != "x" {
		t.Fatalf("%+v %v", v, err)
	}
	// Embedded structs away from offset 0, two levels deep.
	type Leaf struct {
		X int32
		Y string
	}
	type Mid struct {
		B bool
		Leaf
	}
	type Top struct {
		A int64
		Mid
		Z string
	}
	rs = newTestResultSet(t, testCols("z", tText, "y", tText, "x", tInt, "b", tBoolean, "a", tBigint),
		[][]any{{"z", "y", int32(3), true, int64(9)}})
	want := Top{A: 9, Mid: Mid{B: true, Leaf: Leaf{X: 3, Y: "y"}}, Z: "z"}
	if v, err := ScanOne[Top](rs); err != nil || v != want {
		t.Fatalf("%+v %v", v, err)
	}
}

func TestScanStructErrorsNameColumns(t *testing.T) {
	type T struct {
		ID   uuid.UUID `cql:"id"`
		Name int64     `cql:"name"` // text into int64 fails
	}
	rs := newTestResultSet(t, testCols("id", tUUID, "name", tText), [][]any{{uuid.New(), "ann"}})
	_, err := ScanOne[T](rs)
	var ue *UnmarshalError
	if !errors.As(err, &ue) || ue.Column != "name" {
		t.Fatalf("err = %v, want an UnmarshalError for column name", err)
	}
	if !strings.Contains(err.Error(), `column "name"`) {
		t.Fatalf("message %q does not name the column", err)
	}
	rs = newTestResultSet(t, kvCols, kvRows(0, 1))
	rs.Next()
	var notStruct int
	if err := rs.ScanStruct(&notStruct); err == nil {
		t.Fatal("ScanStruct into an int succeeded")
	}
	if err := rs.ScanStruct(nil); err == nil {
		t.Fatal("ScanStruct into nil succeeded")
	}
}

type kv struct {
	K int32  `cql:"k"`
	V string `cql:"v"`
}

func TestScanAll(t *testing.T) {
	t.Run("structs_across_pages", func(t *testing.T) {
		rs := newTestResultSet(t, kvCols, kvRows(0, 3), nil, kvRows(3, 5))
		got, err := ScanAll[kv](rs)
		if err != nil || len(got) != 5 || got[4].K != 4 || got[4].V != "ve" {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("pointers_to_structs", func(t *testing.T) {
		rs := newTestResultSet(t, kvCols, kvRows(0, 2))
		got, err := ScanAll[*kv](rs)
		if err != nil || len(got) != 2 || got[0] == got[1] || got[1].K != 1 {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("single_column_values", func(t *testing.T) {
		rs := newTestResultSet(t, testCols("v", tText), [][]any{{"a"}, {"b"}})
		got, err := ScanAll[string](rs)
		if err != nil || !reflect.DeepEqual(got, []string{"a", "b"}) {
			t.Fatalf("%v %v", got, err)
		}
		rs = newTestResultSet(t, testCols("ts", tTimestamp), [][]any{{time.UnixMilli(5)}})
		ts, err := ScanAll[time.Time](rs)
		if err != nil || len(ts) != 1 || ts[0].UnixMilli() != 5 {
			t.Fatalf("%v %v", ts, err)
		}
	})
	t.Run("values_need_one_column", func(t *testing.T) {
		rs := newTestResultSet(t, kvCols, kvRows(0, 1))
		if _, err := ScanAll[string](rs); err == nil {
			t.Fatal("two columns into []string succeeded")
		}
	})
	t.Run("failed_page_returns_earlier_rows", func(t *testing.T) {
		rs := buildResultSet(t, kvCols, false, 1, kvRows(0, 2), kvRows(2, 4))
		got, err := ScanAll[kv](rs)
		if len(got) != 2 || !errors.Is(err, errPageFailed) {
			t.Fatalf("%d rows, %v", len(got), err)
		}
	})
	t.Run("decode_error_returns_earlier_rows", func(t *testing.T) {
		type strict struct {
			K int8   `cql:"k"` // 300 does not fit
			V string `cql:"v"`
		}
		rs := newTestResultSet(t, kvCols, [][]any{{int32(1), "a"}, {int32(300), "b"}})
		got, err := ScanAll[strict](rs)
		var ue *UnmarshalError
		if len(got) != 1 || !errors.As(err, &ue) || ue.Column != "k" {
			t.Fatalf("%v %v", got, err)
		}
	})
}

func TestScanOne(t *testing.T) {
	rs := newTestResultSet(t, kvCols, nil)
	if _, err := ScanOne[kv](rs); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty result: %v", err)
	}
	rs = buildResultSet(t, kvCols, false, 1, nil, kvRows(0, 1))
	if _, err := ScanOne[kv](rs); !errors.Is(err, errPageFailed) {
		t.Fatalf("failed page: %v", err)
	}
	rs = newTestResultSet(t, kvCols, nil, kvRows(4, 6))
	v, err := ScanOne[kv](rs)
	if err != nil || v.K != 4 {
		t.Fatalf("%+v %v", v, err)
	}
	if v, err := ScanOne[kv](rs); err != nil || v.K != 5 {
		t.Fatalf("second: %+v %v", v, err)
	}
}

// Plans are built once per (type, metadata): pages sharing a prepared
// statement's metadata reuse one; a simple statement's pages, each with
// its own decoded metadata, build one each; another result over the same
// metadata finds it in the cache.
func TestScanPlanBuiltOncePerMetadata(t *testing.T) {
	type planKV struct {
		K int32
		V string
	}
	before := cqltype.PlanBuilds()
	rs := buildResultSet(t, kvCols, true, 0, kvRows(0, 10), kvRows(10, 20), kvRows(20, 30))
	if got, err := ScanAll[planKV](rs); err != nil || len(got) != 30 {
		t.Fatalf("%d rows, %v", len(got), err)
	}
	if n := cqltype.PlanBuilds() - before; n != 1 {
		t.Fatalf("%d plans for one metadata", n)
	}

	// A second ResultSet over the same metadata slice.
	rs2 := newTestResultSet(t, kvCols, kvRows(0, 3))
	rs2.cols = rs.cols
	before = cqltype.PlanBuilds()
	for rs2.Next() {
		var v planKV
		if err := rs2.ScanStruct(&v); err != nil {
			t.Fatal(err)
		}
	}
	if n := cqltype.PlanBuilds() - before; n != 0 {
		t.Fatalf("%d plans built for cached metadata", n)
	}

	before = cqltype.PlanBuilds()
	rs = newTestResultSet(t, kvCols, kvRows(0, 10), kvRows(10, 20))
	for row, err := range rs.Rows() {
		if err != nil {
			t.Fatal(err)
		}
		var v planKV
		if err := row.ScanStruct(&v); err != nil {
			t.Fatal(err)
		}
	}
	if n := cqltype.PlanBuilds() - before; n != 2 {
		t.Fatalf("%d plans for two pages with their own metadata", n)
	}
}

// benchCols is the benchmark's five columns: bigint, int, text, boolean,
// timestamp.
var benchCols = testCols("id", tBigint, "k", tInt, "name", tText, "ok", tBoolean, "ts", tTimestamp)

type benchRow struct {
	ID   int64     `cql:"id"`
	K    int32     `cql:"k"`
	Name string    `cql:"name"`
	OK   bool      `cql:"ok"`
	TS   time.Time `cql:"ts"`
}

// benchResultSet is one page of 100 rows of benchCols.
func benchResultSet(b *testing.B) *ResultSet {
	var rows [][]any
	for i := range 100 {
		rows = append(rows, []any{int64(i), int32(i), "name", i%2 == 0, time.UnixMilli(int64(i))})
	}
	return newTestResultSet(b, benchCols, rows)
}

// BenchmarkScanStruct scans 100 rows of 5 columns into a reused struct:
// the allocations are the strings (one per row), nothing else.
func BenchmarkScanStruct(b *testing.B) {
	rs := benchResultSet(b)
	var v benchRow
	b.ReportAllocs()
	for b.Loop() {
		rs.it, rs.onRow = rs.rows.Rows(), false
		for rs.Next() {
			if err := rs.ScanStruct(&v); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkScanStructNoText is BenchmarkScanStruct without the text
// column: no allocation per row at all.
func BenchmarkScanStructNoText(b *testing.B) {
	type row struct {
		ID int64     `cql:"id"`
		K  int32     `cql:"k"`
		OK bool      `cql:"ok"`
		TS time.Time `cql:"ts"`
	}
	cs := testCols("id", tBigint, "k", tInt, "ok", tBoolean, "ts", tTimestamp)
	var rows [][]any
	for i := range 100 {
		rows = append(rows, []any{int64(i), int32(i), i%2 == 0, time.UnixMilli(int64(i))})
	}
	rs := newTestResultSet(b, cs, rows)
	var v row
	b.ReportAllocs()
	for b.Loop() {
		rs.it, rs.onRow = rs.rows.Rows(), false
		for rs.Next() {
			if err := rs.ScanStruct(&v); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkScanAll is ScanAll over the same 100 rows: the slice and the
// strings.
func BenchmarkScanAll(b *testing.B) {
	rs := benchResultSet(b)
	b.ReportAllocs()
	for b.Loop() {
		rs.it, rs.onRow = rs.rows.Rows(), false
		if _, err := ScanAll[benchRow](rs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRowScanStruct is Row.ScanStruct inside the Rows iterator.
func BenchmarkRowScanStruct(b *testing.B) {
	rs := benchResultSet(b)
	var v benchRow
	b.ReportAllocs()
	for b.Loop() {
		rs.it, rs.onRow = rs.rows.Rows(), false
		for row, err := range rs.Rows() {
			if err != nil {
				b.Fatal(err)
			}
			if err := row.ScanStruct(&v); err != nil {
				b.Fatal(err)
			}
		}
	}
}
