package cassandra

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// Rows returned by QueryRow and QueryRowStatement own their cells: the
// ResultSets they came from are reused by the calls that follow, and every
// Row still reads its own values afterwards, through each of Row's readers.
func TestQueryRowKeepsItsValuesWhileResultSetsAreReused(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	ctx := rqCtx(t)
	const n = 50
	rows := make([]Row, 0, n)
	for i := range n {
		q := fmt.Sprintf("SELECT k, v FROM ks.t WHERE k = %d", i)
		// Values of differing lengths, some beyond the ResultSet's 64-byte
		// body buffer.
		v := fmt.Sprintf("value-%d-%0*d", i, i, 0)
		e.rule(cassandratest.Rule{Match: cassandratest.Query(q), Then: cassandratest.Rows(frame.RowsMetadata{Columns: rqKV}, [][][]byte{{{0, 0, 0, byte(i)}, []byte(v)}})})
		var r Row
		if i%2 == 0 {
			r = e.s.QueryRow(ctx, q)
		} else {
			r = e.s.QueryRowStatement(ctx, NewStatement(q))
		}
		if r.Err() != nil {
			t.Fatalf("%s: %v", q, r.Err())
		}
		rows = append(rows, r)
		// Writes in between reuse the ResultSets too.
		if err := e.s.Exec(ctx, "INSERT INTO ks.t (k, v) VALUES (1, 'x')"); err != nil {
			t.Fatal(err)
		}
	}
	type kv struct {
		K int32  `cql:"k"`
		V string `cql:"v"`
	}
	for i, r := range rows {
		wantV := fmt.Sprintf("value-%d-%0*d", i, i, 0)
		var k int32
		var v string
		if err := r.Scan(&k, &v); err != nil || k != int32(i) || v != wantV {
			t.Fatalf("row %d: Scan %d %q %v, want %d %q", i, k, v, err, i, wantV)
		}
		var s kv
		if err := r.ScanStruct(&s); err != nil || s != (kv{int32(i), wantV}) {
			t.Fatalf("row %d: ScanStruct %+v %v", i, s, err)
		}
		m, err := r.Map()
		if err != nil || m["k"] != int32(i) || m["v"] != wantV {
			t.Fatalf("row %d: Map %v %v", i, m, err)
		}
		vals, err := r.Values()
		if err != nil || len(vals) != 2 || vals[1] != wantV {
			t.Fatalf("row %d: Values %v %v", i, vals, err)
		}
		if string(r.Bytes(1)) != wantV || r.Bytes(2) != nil || r.Len() != 2 || r.Columns()[1].Name != "v" {
			t.Fatalf("row %d: Bytes(1) %q, Bytes(2) %q, Len %d", i, r.Bytes(1), r.Bytes(2), r.Len())
		}
	}
}

// QueryRow's errors: no row is ErrNotFound, a server error keeps its type,
// and a null cell scans as the zero value.
func TestQueryRowAndExecErrors(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	ctx := rqCtx(t)
	e.rule(cassandratest.Rule{Match: cassandratest.Query("SELECT k, v FROM ks.t WHERE k = 1"), Then: cassandratest.Rows(frame.RowsMetadata{Columns: rqKV}, nil)})
	e.rule(cassandratest.Rule{Match: cassandratest.Query("SELECT k, v FROM ks.t WHERE k = 2"), Then: cassandratest.Rows(frame.RowsMetadata{Columns: rqKV}, [][][]byte{{{0, 0, 0, 2}, nil}})})
	e.rule(cassandratest.Rule{Match: cassandratest.Query("INSERT INTO ks.t (k) VALUES (3)"), Then: cassandratest.Error(&frame.InvalidError{Msg: "no such table"})})

	var k int32
	v := "not reset"
	if err := e.s.QueryRow(ctx, "SELECT k, v FROM ks.t WHERE k = 1").Scan(&k, &v); !errors.Is(err, ErrNotFound) {
		t.Errorf("no row: %v, want ErrNotFound", err)
	}
	if err := e.s.QueryRow(ctx, "SELECT k, v FROM ks.t WHERE k = 2").Scan(&k, &v); err != nil || k != 2 || v != "" {
		t.Errorf("null cell: %d %q %v", k, v, err)
	}
	var ie *frame.InvalidError
	if err := e.s.Exec(ctx, "INSERT INTO ks.t (k) VALUES (3)"); !errors.As(err, &ie) {
		t.Errorf("Exec: %v, want the server's *InvalidError", err)
	}
	if err := e.s.QueryRowStatement(ctx, NewStatement("INSERT INTO ks.t (k) VALUES (3)")).Err(); !errors.As(err, &ie) {
		t.Errorf("QueryRowStatement: %v, want the server's *InvalidError", err)
	}
	if err := e.s.ExecStatement(ctx, nil); err == nil {
		t.Error("ExecStatement(nil) succeeded")
	}
	e.s.Close(ctx)
	if err := e.s.Exec(ctx, "INSERT INTO ks.t (k) VALUES (3)"); !errors.Is(err, ErrClosed) {
		t.Errorf("Exec on a closed session: %v, want ErrClosed", err)
	}
	if err := e.s.QueryRow(ctx, "SELECT k, v FROM ks.t WHERE k = 2").Err(); !errors.Is(err, ErrClosed) {
		t.Errorf("QueryRow on a closed session: %v, want ErrClosed", err)
	}
}

// The ResultSet of an Exec or QueryRow whose first attempt gave up is not
// reused: that attempt was offered its body buffer, and its late answer
// would otherwise land in the rows of a later call. The later call here
// returns its ResultSet to the test (ExecuteStatement), answered before the
// late answer arrives, with a value of the same length.
func TestResultSetOfATimedOutAttemptIsNotReused(t *testing.T) {
	for _, via := range []string{"Exec", "QueryRow"} {
		t.Run(via, func(t *testing.T) {
			e := rqStart(t, 2, cassandratest.Config{}, nil)
			ctx := rqCtx(t)
			q := "SELECT k, v FROM ks.t WHERE k = 7"
			rowsOf := func(v string) cassandratest.Reaction {
				return cassandratest.Rows(frame.RowsMetadata{Columns: rqKV}, [][][]byte{{{0, 0, 0, 7}, []byte(v)}})
			}
			var calls atomic.Int32
			late := make(chan struct{})
			e.rule(cassandratest.Rule{Match: cassandratest.Query(q), Then: cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
				if calls.Add(1) == 1 {
					return cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
						defer close(late)
						return cassandratest.Delay(300*time.Millisecond, rowsOf("LATE!!"))
					})
				}
				return rowsOf("second")
			})})
			q2 := "SELECT k, v FROM ks.t WHERE k = 8"
			e.rule(cassandratest.Rule{Match: cassandratest.Query(q2), Then: rowsOf("other!")})
			stmt := NewStatement(q).Idempotent(true).AttemptTimeout(50 * time.Millisecond)
			if via == "Exec" {
				if err := e.s.ExecStatement(ctx, stmt); err != nil {
					t.Fatal(err)
				}
			} else {
				var v string
				var k int32
				if err := e.s.QueryRowStatement(ctx, stmt).Scan(&k, &v); err != nil || v != "second" {
					t.Fatalf("%q %v, want the second attempt's row", v, err)
				}
			}
			if calls.Load() != 2 {
				t.Fatalf("%d attempts, want 2 (the first timed out)", calls.Load())
			}
			rs, err := e.s.ExecuteStatement(ctx, NewStatement(q2))
			if err != nil {
				t.Fatal(err)
			}
			<-late
			rqWait(t, 2*time.Second, "the late answer to arrive", func() bool {
				for _, p := range e.s.PoolStats() {
					if p.Orphaned != 0 {
						return false
					}
				}
				return true
			})
			var k int32
			var v string
			if !rs.Next() || rs.Scan(&k, &v) != nil || v != "other!" {
				t.Errorf("row %d %q, want the later call's own", k, v)
			}
		})
	}
}

// Exec of a prepared write allocates nothing of its own, and QueryRow of a
// one-row read allocates the Row's copy of its cells and the scanned
// string. (The canned node runs in the process, but allocates nothing per
// request.)
func TestExecAndQueryRowAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items")
	}
	node, err := startBenchNode()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(node.Close)
	s, ps := benchConnect(t, node.Addr().String())
	ctx := rqCtx(t)
	var k int
	var v string
	if err := s.QueryRowStatement(ctx, ps.Bind(1)).Scan(&k, &v); err != nil || k != 1 || v != "hello" {
		t.Fatalf("QueryRowStatement: %d %q %v", k, v, err)
	}
	if n := testing.AllocsPerRun(500, func() {
		if err := s.ExecStatement(ctx, ps.Bind(1)); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("ExecStatement: %v allocations per call, want 0", n)
	}
	if n := testing.AllocsPerRun(500, func() {
		if err := s.QueryRowStatement(ctx, ps.Bind(1)).Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
	}); n > 2 {
		t.Errorf("QueryRowStatement+Scan: %v allocations per call, want at most 2", n)
	}
}
