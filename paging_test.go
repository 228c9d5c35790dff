package cassandra

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// Paging on a simulated node: the node answers page i of a statement for
// the paging state "p<i>" (page 0 for none), so the driver's paging states
// are checked on every request.

const rqPaged = "SELECT k, v FROM ks.t"

// pagingState returns the paging state of a QUERY or EXECUTE.
func pagingState(r *cassandratest.Request) []byte {
	switch m := r.Msg.(type) {
	case *frame.Query:
		return m.Params.PagingState
	case *frame.Execute:
		return m.Params.PagingState
	}
	return nil
}

// pageOf returns the page a request asks for.
func pageOf(r *cassandratest.Request) int {
	st := string(pagingState(r))
	if st == "" {
		return 0
	}
	i, err := strconv.Atoi(strings.TrimPrefix(st, "p"))
	if err != nil {
		return -1
	}
	return i
}

// pages answers the statement with pages of keys (v is "v<k>"); a page
// index in fail gets that error instead.
func pages(keys [][]int32, fail map[int]frame.ServerError) cassandratest.Reaction {
	return cassandratest.Func(func(r *cassandratest.Request) cassandratest.Reaction {
		i := pageOf(r)
		if i < 0 || i >= len(keys) {
			return cassandratest.Error(&frame.ProtocolError{Msg: fmt.Sprintf("bad paging state %q", pagingState(r))})
		}
		if err := fail[i]; err != nil {
			return cassandratest.Error(err)
		}
		meta := frame.NewRowsMetadata(rqKV...)
		if i+1 < len(keys) {
			meta.PagingState = []byte(fmt.Sprintf("p%d", i+1))
		}
		var rows [][][]byte
		for _, k := range keys[i] {
			rows = append(rows, kvRow(k, fmt.Sprintf("v%d", k)))
		}
		return cassandratest.Rows(meta, rows)
	})
}

// readKeys iterates rs to the end and returns the keys read, checking each
// row's value.
func readKeys(t *testing.T, rs *ResultSet) []int32 {
	t.Helper()
	var out []int32
	for rs.Next() {
		var k int32
		var v string
		if err := rs.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		if v != fmt.Sprintf("v%d", k) {
			t.Errorf("row %d has v %q", k, v)
		}
		out = append(out, k)
	}
	return out
}

var rqPagesData = [][]int32{{1, 2}, {}, {3, 4}, {}, {}, {5}}

func TestPagingIteratesAllPages(t *testing.T) {
	for _, prepared := range []bool{false, true} {
		t.Run(fmt.Sprintf("prepared=%v", prepared), func(t *testing.T) {
			e := rqStart(t, 1, cassandratest.Config{}, nil)
			if prepared {
				e.rule(cassandratest.Rule{Match: cassandratest.Prepare(rqPaged), Then: rqPrepared(nil, frame.NewRowsMetadata(rqKV...))})
			}
			e.rule(cassandratest.Rule{Match: cassandratest.Statement(rqPaged), Then: pages(rqPagesData, nil)})
			ctx := rqCtx(t)
			var stmt Statement = NewStatement(rqPaged).PageSize(2)
			if prepared {
				ps, err := e.s.Prepare(ctx, rqPaged)
				if err != nil {
					t.Fatal(err)
				}
				stmt = ps.Bind().PageSize(2)
			}
			rs, err := e.s.ExecuteStatement(ctx, stmt)
			if err != nil {
				t.Fatal(err)
			}
			if got := readKeys(t, rs); !slices.Equal(got, []int32{1, 2, 3, 4, 5}) {
				t.Errorf("keys %v", got)
			}
			if rs.Err() != nil {
				t.Errorf("Err: %v", rs.Err())
			}
			reqs := e.msgs(cassandratest.Statement(rqPaged))
			if len(reqs) != len(rqPagesData) {
				t.Fatalf("%d requests, want %d", len(reqs), len(rqPagesData))
			}
			for i := range reqs {
				if pageOf(&reqs[i]) != i {
					t.Errorf("request %d asked for page %d", i, pageOf(&reqs[i]))
				}
			}
			if rs.HasMorePages() || rs.PagingState() != nil {
				t.Error("more pages after the last")
			}
		})
	}
}

func TestPageFetchFailureKeepsEarlierRows(t *testing.T) {
	for _, prefetch := range []bool{false, true} {
		t.Run(fmt.Sprintf("prefetch=%v", prefetch), func(t *testing.T) {
			e := rqStart(t, 1, cassandratest.Config{}, nil)
			e.rule(cassandratest.Rule{Match: cassandratest.Statement(rqPaged), Then: pages(rqPagesData, map[int]frame.ServerError{2: &frame.ReadFailureError{Msg: "disk", Consistency: frame.One}})})
			rs, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqPaged).PageSize(2).Prefetch(prefetch))
			if err != nil {
				t.Fatal(err)
			}
			if got := readKeys(t, rs); !slices.Equal(got, []int32{1, 2}) {
				t.Errorf("keys %v, want the rows before the failed page", got)
			}
			var rf *ReadFailureError
			if !errors.As(rs.Err(), &rf) {
				t.Errorf("Err: %v, want the page's *ReadFailureError", rs.Err())
			}
			if rs.Next() {
				t.Error("Next after the failure")
			}
		})
	}
}

func TestPagingStateResumes(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Statement(rqPaged), Then: pages([][]int32{{1, 2}, {3, 4}, {5}}, nil)})
	ctx := rqCtx(t)
	stmt := NewStatement(rqPaged).PageSize(2)
	rs, err := e.s.ExecuteStatement(ctx, stmt)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rs.CurrentPage()); n != 2 {
		t.Fatalf("first page has %d rows", n)
	}
	state := rs.PagingState()
	if string(state) != "p1" || !rs.HasMorePages() {
		t.Fatalf("paging state %q", state)
	}
	rs, err = e.s.ExecuteStatement(ctx, NewStatement(rqPaged).PageSize(2).PagingState(state))
	if err != nil {
		t.Fatal(err)
	}
	if got := readKeys(t, rs); !slices.Equal(got, []int32{3, 4, 5}) {
		t.Errorf("resumed keys %v", got)
	}
}

func TestPrefetchStaysOnePageAhead(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	data := [][]int32{{1, 2}, {3, 4}, {5, 6}, {7}}
	e.rule(cassandratest.Rule{Match: cassandratest.Statement(rqPaged), Then: pages(data, nil)})
	rs, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqPaged).PageSize(2).Prefetch(true))
	if err != nil {
		t.Fatal(err)
	}
	asked := func(page int) int {
		return e.nodes[0].Count(func(r *cassandratest.Request) bool {
			return r.Opcode == frame.OpQuery && r.Query == rqPaged && pageOf(r) == page
		})
	}
	var got []int32
	for page := range data {
		for j := range data[page] {
			if !rs.Next() {
				t.Fatalf("Next false in page %d: %v", page, rs.Err())
			}
			var k int32
			var v string
			if err := rs.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			got = append(got, k)
			if j > 0 || page+1 >= len(data) {
				continue
			}
			// On this page's first row the next page is being fetched...
			rqWait(t, 2*time.Second, fmt.Sprintf("page %d to be fetched ahead", page+1), func() bool { return asked(page+1) == 1 })
			// ...and once that fetch is over, nothing further is asked for.
			rqWait(t, 2*time.Second, "the fetch ahead to finish", func() bool { return len(rs.pendingPage()) == 1 })
			if page+2 < len(data) && asked(page+2) != 0 {
				t.Fatalf("page %d asked for while page %d is being read", page+2, page)
			}
		}
	}
	if rs.Next() {
		t.Error("a row after the last page")
	}
	if rs.Err() != nil {
		t.Error(rs.Err())
	}
	if !slices.Equal(got, []int32{1, 2, 3, 4, 5, 6, 7}) {
		t.Errorf("keys %v", got)
	}
	if k := e.nodes[0].Count(cassandratest.Query(rqPaged)); k != len(data) {
		t.Errorf("%d page requests, want %d", k, len(data))
	}
}

func TestPrefetchWithObserver(t *testing.T) {
	obs := &recObserver{}
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.Observer = obs })
	e.rule(cassandratest.Rule{Match: cassandratest.Statement(rqPaged), Then: pages([][]int32{{1, 2}, {3, 4}, {5}}, nil)})
	for range 20 {
		rs, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqPaged).PageSize(2).Prefetch(true))
		if err != nil {
			t.Fatal(err)
		}
		if got := readKeys(t, rs); !slices.Equal(got, []int32{1, 2, 3, 4, 5}) {
			t.Fatalf("keys %v", got)
		}
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	for _, ev := range obs.requests {
		if ev.End && ev.Attempts != 1 {
			t.Fatalf("request end %+v, want 1 attempt", ev)
		}
	}
}

func TestEachPageHasItsOwnTimeout(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.Timeouts.Request = 250 * time.Millisecond })
	e.rule(cassandratest.Rule{Match: cassandratest.Statement(rqPaged), Then: cassandratest.Delay(100*time.Millisecond, pages([][]int32{{1}, {2}, {3}, {4}}, nil))})
	rs, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqPaged).PageSize(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := readKeys(t, rs); !slices.Equal(got, []int32{1, 2, 3, 4}) || rs.Err() != nil {
		t.Errorf("keys %v, err %v: 4 pages of 100ms each under a 250ms request timeout", got, rs.Err())
	}
}

func TestFetchNextPageFuture(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Statement(rqPaged), Then: pages([][]int32{{1, 2}, {3}}, nil)})
	ctx := rqCtx(t)
	f := e.s.ExecuteStatementAsync(ctx, NewStatement(rqPaged).PageSize(2))
	rs1, err := f.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f2 := f.FetchNextPage(ctx)
	rs2, err := f2.Result(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := readKeys(t, rs2); !slices.Equal(got, []int32{3}) {
		t.Errorf("next page keys %v", got)
	}
	// The first ResultSet is unchanged and still iterates from its page.
	if n := len(rs1.CurrentPage()); n != 2 {
		t.Errorf("first page now has %d rows", n)
	}
	if _, err := f2.FetchNextPage(ctx).Result(ctx); !errors.Is(err, ErrNoMorePages) {
		t.Errorf("page after the last: %v, want ErrNoMorePages", err)
	}
	// A failed future passes its error on.
	e.rule(cassandratest.Rule{Match: cassandratest.Query("BAD"), Then: cassandratest.Error(&frame.SyntaxError{Msg: "bad"})})
	bad := e.s.ExecuteAsync(ctx, "BAD")
	var se *SyntaxError
	if _, err := bad.FetchNextPage(ctx).Result(ctx); !errors.As(err, &se) {
		t.Errorf("FetchNextPage of a failed future: %v", err)
	}
	_ = context.Background
}

func TestFetchNextPageAsyncWhilePrefetching(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Statement(rqPaged), Then: pages([][]int32{{1, 2}, {3, 4}, {5}}, nil)})
	ctx := rqCtx(t)
	for range 20 {
		rs, err := e.s.ExecuteStatement(ctx, NewStatement(rqPaged).PageSize(2).Prefetch(true))
		if err != nil {
			t.Fatal(err)
		}
		next, err := rs.FetchNextPageAsync(ctx).Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := readKeys(t, next); !slices.Equal(got, []int32{3, 4, 5}) {
			t.Fatalf("from the next page: keys %v", got)
		}
		if got := readKeys(t, rs); !slices.Equal(got, []int32{1, 2, 3, 4, 5}) {
			t.Fatalf("from the first page: keys %v", got)
		}
	}
}

func TestExecuteAsyncResultPagesOn(t *testing.T) {
	// The future's context ends when it completes; the ResultSet it gives
	// must still fetch its later pages (prefetched or not).
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Statement(rqPaged), Then: pages([][]int32{{1, 2}, {3, 4}, {5}}, nil)})
	ctx := rqCtx(t)
	for _, prefetch := range []bool{false, true} {
		rs, err := e.s.ExecuteStatementAsync(ctx, NewStatement(rqPaged).PageSize(2).Prefetch(prefetch)).Result(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := readKeys(t, rs); !slices.Equal(got, []int32{1, 2, 3, 4, 5}) || rs.Err() != nil {
			t.Errorf("prefetch=%v: keys %v, err %v", prefetch, got, rs.Err())
		}
	}
}
