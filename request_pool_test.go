package cassandra

import (
	"fmt"
	"sync/atomic"
	"testing"

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
