package cassandra

import (
	"sync"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// Client-side timestamps: strictly increasing whatever the clock does, the
// same on every attempt of a request, none with ServerTimestamps.

func TestTimestampsIncreaseWhenClockStepsBack(t *testing.T) {
	clock := []int64{1000, 1000, 999, 500, 2000, 2000, 1999}
	want := []int64{1000, 1001, 1002, 1003, 2000, 2001, 2002}
	i := 0
	g := &TimestampGenerator{now: func() time.Time { return time.UnixMicro(clock[i]) }}
	for ; i < len(clock); i++ {
		if got := g.Next(); got != want[i] {
			t.Errorf("clock %d: timestamp %d, want %d", clock[i], got, want[i])
		}
	}
}

func TestTimestampsUniqueUnderConcurrency(t *testing.T) {
	g := &TimestampGenerator{now: func() time.Time { return time.UnixMicro(5000) }} // a stuck clock
	const workers, each = 8, 2000
	out := make([][]int64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				out[w] = append(out[w], g.Next())
			}
		}()
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, l := range out {
		for j, ts := range l {
			if j > 0 && ts <= l[j-1] {
				t.Fatalf("timestamps of one goroutine went from %d to %d", l[j-1], ts)
			}
			if seen[ts] {
				t.Fatalf("timestamp %d handed out twice", ts)
			}
			seen[ts] = true
		}
	}
	if len(seen) != workers*each {
		t.Errorf("%d distinct timestamps", len(seen))
	}
}

func TestRequestsCarryIncreasingTimestamps(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.prepareRules()
	ctx := rqCtx(t)
	ps, err := e.s.Prepare(ctx, rqInsert)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.s.Execute(ctx, rqWrite); err != nil {
				t.Error(err)
			}
			if _, err := e.s.ExecuteStatement(ctx, ps.Bind(i, "a")); err != nil {
				t.Error(err)
			}
			if _, err := e.s.ExecuteStatement(ctx, NewBatch(UnloggedBatch).Query(rqWrite)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	seen := map[int64]bool{}
	last := int64(0)
	for _, r := range e.nodes[0].Requests() {
		var ts int64
		var has bool
		switch m := r.Msg.(type) {
		case *frame.Query:
			if r.Query != rqWrite {
				continue
			}
			ts, has = m.Params.Timestamp, m.Params.HasTimestamp
		case *frame.Execute:
			ts, has = m.Params.Timestamp, m.Params.HasTimestamp
		case *frame.Batch:
			ts, has = m.Timestamp, m.HasTimestamp
		default:
			continue
		}
		if !has {
			t.Fatalf("%v without a client timestamp", r.Opcode)
		}
		if seen[ts] {
			t.Fatalf("timestamp %d sent twice", ts)
		}
		seen[ts] = true
		if ts > last {
			last = ts
		}
	}
	if len(seen) != 150 {
		t.Errorf("%d timestamped requests, want 150", len(seen))
	}
	if now := time.Now().UnixMicro(); last > now+1000 || last < now-10_000_000 {
		t.Errorf("timestamp %d far from the clock %d", last, now)
	}
}

func TestRetryKeepsTimestamp(t *testing.T) {
	e := rqStart(t, 2, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: firstOnly(cassandratest.Error(&frame.UnavailableError{Consistency: frame.Quorum, Required: 2, Alive: 1}))})
	if _, err := e.s.Execute(rqCtx(t), rqWrite); err != nil {
		t.Fatal(err)
	}
	reqs := e.msgs(cassandratest.Query(rqWrite))
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	a, b := reqs[0].Msg.(*frame.Query).Params, reqs[1].Msg.(*frame.Query).Params
	if !a.HasTimestamp || a.Timestamp != b.Timestamp {
		t.Errorf("attempts sent timestamps %d and %d, want one", a.Timestamp, b.Timestamp)
	}
}

func TestServerTimestampsSendNone(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.ServerTimestamps = true })
	e.prepareRules()
	ctx := rqCtx(t)
	if _, err := e.s.Execute(ctx, rqWrite); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Execute(ctx, rqInsert, 1, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.ExecuteStatement(ctx, NewBatch(LoggedBatch).Query(rqWrite)); err != nil {
		t.Fatal(err)
	}
	for _, r := range e.nodes[0].Requests() {
		switch m := r.Msg.(type) {
		case *frame.Query:
			if m.Params.HasTimestamp {
				t.Errorf("QUERY %q carries a timestamp", r.Query)
			}
		case *frame.Execute:
			if m.Params.HasTimestamp {
				t.Error("EXECUTE carries a timestamp")
			}
		case *frame.Batch:
			if m.HasTimestamp {
				t.Error("BATCH carries a timestamp")
			}
		}
	}
	// An explicit timestamp is still sent.
	if _, err := e.s.ExecuteStatement(ctx, NewStatement(rqWrite).Timestamp(time.UnixMicro(77))); err != nil {
		t.Fatal(err)
	}
	reqs := e.msgs(cassandratest.Query(rqWrite))
	if p := reqs[len(reqs)-1].Msg.(*frame.Query).Params; !p.HasTimestamp || p.Timestamp != 77 {
		t.Errorf("explicit timestamp: %v %d", p.HasTimestamp, p.Timestamp)
	}
}
