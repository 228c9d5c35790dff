package cassandra

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// Requests of synchronous calls are recycled once they return; the
// ResultSets they returned must not change when later calls reuse them:
// rows, columns and attempts (including the retried ones) stay as they were.
func TestRecycledRequestsLeaveResultSetsIntact(t *testing.T) {
	e := rqStart(t, 2, cassandratest.Config{}, nil)
	ctx := rqCtx(t)
	const n = 60
	type kept struct {
		rs       *ResultSet
		k        int32
		v        string
		attempts []Attempt
	}
	var all []kept
	for i := range n {
		q := fmt.Sprintf("SELECT k, v FROM ks.t WHERE k = %d", i)
		row := [][]byte{{0, 0, 0, byte(i)}, []byte(fmt.Sprintf("value-%d", i))}
		react := cassandratest.Rows(frame.RowsMetadata{Columns: rqKV}, [][][]byte{row})
		if i%3 == 0 { // every third is retried once on the next host
			var calls atomic.Int32
			rows := react
			react = cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
				if calls.Add(1) == 1 {
					return cassandratest.Error(&frame.UnavailableError{Msg: "down", Consistency: frame.Quorum, Required: 2, Alive: 1})
				}
				return rows
			})
		}
		e.rule(cassandratest.Rule{Match: cassandratest.Query(q), Then: react})
		rs, err := e.s.ExecuteStatement(ctx, NewStatement(q).Idempotent(true))
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		all = append(all, kept{rs: rs, k: int32(i), v: fmt.Sprintf("value-%d", i), attempts: append([]Attempt(nil), rs.Attempts()...)})
	}
	for i, kp := range all {
		if got := kp.rs.Attempts(); len(got) != len(kp.attempts) || (len(got) > 0 && got[len(got)-1] != kp.attempts[len(got)-1]) {
			t.Errorf("request %d: attempts changed after later calls: %+v, were %+v", i, got, kp.attempts)
		}
		want := 1
		if i%3 == 0 {
			want = 2
		}
		if len(kp.attempts) != want {
			t.Errorf("request %d: %d attempts, want %d", i, len(kp.attempts), want)
		}
		for j, a := range kp.rs.Attempts() {
			last := j == len(kp.attempts)-1
			if a.Host == nil || a.Latency <= 0 || (a.Err == nil) != last {
				t.Errorf("request %d attempt %d: %+v (host, latency and, before the last, the error must be kept)", i, j, a)
			}
		}
		var k int32
		var v string
		if !kp.rs.Next() || kp.rs.Scan(&k, &v) != nil || k != kp.k || v != kp.v {
			t.Errorf("request %d: row %d %q, want %d %q (err %v)", i, k, v, kp.k, kp.v, kp.rs.Err())
		}
	}
}

// The first attempt of a request may receive its answer straight into the
// ResultSet; when that attempt gives up and another host answers, the late
// first answer, arriving afterwards, must not reach the rows returned. Both
// answers are small enough for the ResultSet's body buffer (56 bytes), and
// of the same length, so an answer written over the returned one shows.
func TestLateAnswerDoesNotOverwriteResult(t *testing.T) {
	e := rqStart(t, 2, cassandratest.Config{}, nil)
	ctx := rqCtx(t)
	const q = "SELECT k, v FROM ks.t WHERE k = 7"
	rowsOf := func(v string) cassandratest.Reaction {
		return cassandratest.Rows(frame.RowsMetadata{Columns: rqKV}, [][][]byte{{{0, 0, 0, 7}, []byte(v)}})
	}
	var calls atomic.Int32
	late := make(chan struct{})
	e.rule(cassandratest.Rule{Match: cassandratest.Query(q), Then: cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
		if calls.Add(1) == 1 {
			// Answered well after the attempt timeout, when the second
			// attempt's rows are already returned.
			return cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
				defer close(late)
				return cassandratest.Delay(300*time.Millisecond, rowsOf("LATE!!"))
			})
		}
		return rowsOf("second")
	})})
	rs, err := e.s.ExecuteStatement(ctx, NewStatement(q).Idempotent(true).AttemptTimeout(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rs.Attempts()); n != 2 {
		t.Fatalf("%d attempts, want 2 (the first timed out)", n)
	}
	// Wait for the late answer to be read: the orphaned stream is freed.
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
	if !rs.Next() || rs.Scan(&k, &v) != nil || v != "second" {
		t.Errorf("row %d %q, want the second attempt's", k, v)
	}
}
