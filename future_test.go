package cassandra

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// ResponseFuture: completion once, callbacks, Cancel, Result's context,
// FetchNextPage.

// cbCounter counts the callbacks a future runs.
type cbCounter struct {
	ok, bad atomic.Int32
	err     atomic.Value
}

func (c *cbCounter) add(f *ResponseFuture) {
	f.AddCallbacks(func(*ResultSet) { c.ok.Add(1) }, func(err error) { c.bad.Add(1); c.err.Store(err) })
}

func TestFutureCallbacksRunOnce(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Delay(30*time.Millisecond, nil)})
	e.rule(cassandratest.Rule{Match: cassandratest.Query("BAD"), Then: cassandratest.Error(&frame.SyntaxError{Msg: "bad"})})
	ctx := rqCtx(t)

	var before, after cbCounter
	f := e.s.ExecuteAsync(ctx, rqWrite)
	before.add(f)
	select {
	case <-f.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("Done not closed")
	}
	rs, err := f.Result(ctx)
	if err != nil || rs == nil {
		t.Fatalf("Result: %v", err)
	}
	rqWait(t, time.Second, "the callback registered before completion", func() bool { return before.ok.Load() == 1 })
	// A callback added after completion runs at once, on the caller's
	// goroutine.
	after.add(f)
	if after.ok.Load() != 1 || after.bad.Load() != 0 {
		t.Errorf("late callback: ok %d bad %d", after.ok.Load(), after.bad.Load())
	}
	if before.ok.Load() != 1 || before.bad.Load() != 0 {
		t.Errorf("early callback: ok %d bad %d", before.ok.Load(), before.bad.Load())
	}
	if len(f.Attempts()) != 1 {
		t.Errorf("Attempts %+v", f.Attempts())
	}

	var fail cbCounter
	g := e.s.ExecuteAsync(ctx, "BAD")
	fail.add(g)
	if _, err := g.Result(ctx); err == nil {
		t.Fatal("no error")
	}
	rqWait(t, time.Second, "the error callback", func() bool { return fail.bad.Load() == 1 })
	fail.add(g)
	if fail.ok.Load() != 0 || fail.bad.Load() != 2 {
		t.Errorf("error callbacks: ok %d bad %d", fail.ok.Load(), fail.bad.Load())
	}
	var se *SyntaxError
	if err, _ := fail.err.Load().(error); !errors.As(err, &se) {
		t.Errorf("error callback got %v", err)
	}
	if len(g.Attempts()) != 1 {
		t.Errorf("Attempts of the failed future %+v", g.Attempts())
	}
}

func TestFutureCancel(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Hang()})
	ctx := rqCtx(t)
	// Cancel races the request's own failure on its cancelled context:
	// Result must say ErrCancelled every time.
	for i := range 50 {
		var cb cbCounter
		f := e.s.ExecuteAsync(ctx, rqWrite)
		cb.add(f)
		rqWait(t, 2*time.Second, "the request to reach the node", func() bool { return e.count(cassandratest.Query(rqWrite)) == i+1 })
		f.Cancel()
		select {
		case <-f.Done():
		case <-time.After(time.Second):
			t.Fatal("Done not closed after Cancel")
		}
		if _, err := f.Result(ctx); !errors.Is(err, ErrCancelled) {
			t.Fatalf("round %d: Result after Cancel: %v, want ErrCancelled", i, err)
		}
		cb.add(f)
		if cb.ok.Load() != 0 || cb.bad.Load() != 0 {
			t.Fatalf("round %d: callbacks ran after Cancel: ok %d bad %d", i, cb.ok.Load(), cb.bad.Load())
		}
	}
}

func TestFutureCancelAfterCompletionKeepsResult(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	ctx := rqCtx(t)
	f := e.s.ExecuteAsync(ctx, rqWrite)
	if _, err := f.Result(ctx); err != nil {
		t.Fatal(err)
	}
	f.Cancel()
	if rs, err := f.Result(ctx); err != nil || rs == nil {
		t.Errorf("Result after a late Cancel: %v", err)
	}
}

func TestFutureResultHonoursContext(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Delay(300*time.Millisecond, nil)})
	f := e.s.ExecuteAsync(context.Background(), rqWrite)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := f.Result(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Result: %v, want the wait to end with its context", err)
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("Result waited %v past its context", d)
	}
	// The request itself goes on.
	if _, err := f.Result(rqCtx(t)); err != nil {
		t.Errorf("request after an abandoned wait: %v", err)
	}
}

func TestManyConcurrentFutures(t *testing.T) {
	e := rqStart(t, 3, cassandratest.Config{}, nil)
	ctx := rqCtx(t)
	const n = 1000
	var ok, bad atomic.Int32
	var wg sync.WaitGroup
	wg.Add(n)
	futures := make([]*ResponseFuture, n)
	for i := range n {
		futures[i] = e.s.ExecuteAsync(ctx, rqWrite).AddCallbacks(
			func(*ResultSet) { ok.Add(1); wg.Done() },
			func(error) { bad.Add(1); wg.Done() })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%d of %d callbacks ran", ok.Load()+bad.Load(), n)
	}
	if ok.Load() != n || bad.Load() != 0 {
		t.Errorf("ok %d bad %d", ok.Load(), bad.Load())
	}
	for _, f := range futures {
		select {
		case <-f.Done():
		default:
			t.Fatal("a future whose callback ran is not done")
		}
	}
	if k := e.count(cassandratest.Query(rqWrite)); k != n {
		t.Errorf("nodes received %d, want %d", k, n)
	}
}

func TestExecuteAsyncBindErrorCompletesFuture(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.prepareRules()
	var cb cbCounter
	f := e.s.ExecuteAsync(rqCtx(t), rqInsert, 1) // one value for two markers
	cb.add(f)
	if _, err := f.Result(rqCtx(t)); !isBindError(err) {
		t.Errorf("Result: %v, want a *BindError", err)
	}
	rqWait(t, time.Second, "the error callback", func() bool { return cb.bad.Load() == 1 })
}

func TestExecuteAsyncOnClosedSession(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.s.Close(context.Background())
	f := e.s.ExecuteAsync(rqCtx(t), rqWrite)
	if _, err := f.Result(rqCtx(t)); !errors.Is(err, ErrClosed) {
		t.Errorf("Result: %v, want ErrClosed", err)
	}
	if _, err := e.s.Execute(rqCtx(t), rqWrite); !errors.Is(err, ErrClosed) {
		t.Errorf("Execute: %v, want ErrClosed", err)
	}
}
