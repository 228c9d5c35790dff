package policy

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// throttleReason returns the reason of a *ThrottledError, 0 for nil, -1
// for another error.
func throttleReason(err error) ThrottleReason {
	if err == nil {
		return 0
	}
	var te *ThrottledError
	if !errors.As(err, &te) {
		return -1
	}
	return te.Reason
}

func limiterState(th Throttler) (inFlight, queued, peak int) {
	l := th.(*concurrencyLimiter)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inFlight, l.queued, l.peakQueued
}

func TestNoThrottle(t *testing.T) {
	th := NoThrottle()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := th.Acquire(ctx); err != nil {
		t.Errorf("Acquire: %v", err)
	}
	th.Release()
	if a := testing.AllocsPerRun(100, func() {
		if NoThrottle().Acquire(ctx) == nil {
			NoThrottle().Release()
		}
	}); a != 0 {
		t.Errorf("%v allocations", a)
	}
}

func TestThrottledError(t *testing.T) {
	err := error(&ThrottledError{Reason: Canceled, Waited: 3 * time.Millisecond, Err: context.Canceled})
	if !errors.Is(err, context.Canceled) {
		t.Error("errors.Is(err, context.Canceled) is false")
	}
	if got, want := err.Error(), "cassandra: request throttled: canceled after 3ms"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if errors.Is(&ThrottledError{Reason: QueueFull}, context.Canceled) {
		t.Error("a full queue is a cancellation")
	}
	for r, want := range map[ThrottleReason]string{QueueFull: "queue full", QueueTimeout: "queue timeout", Canceled: "canceled", 9: "ThrottleReason(9)"} {
		if r.String() != want {
			t.Errorf("%d: %q, want %q", int(r), r.String(), want)
		}
	}
}

func TestConcurrencyLimiterManyCallers(t *testing.T) {
	const callers, limit = 10000, 64
	th := ConcurrencyLimiter(limit, callers, 0)
	var inFlight, peak atomic.Int64
	var failed atomic.Int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < callers; i++ {
		wg.Go(func() {
			<-start
			if err := th.Acquire(context.Background()); err != nil {
				failed.Add(1)
				return
			}
			n := inFlight.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			runtime.Gosched()
			inFlight.Add(-1)
			th.Release()
		})
	}
	close(start)
	wg.Wait()
	if p := peak.Load(); p > limit || p < 1 {
		t.Errorf("peak of %d requests in flight, limit %d", p, limit)
	}
	if f := failed.Load(); f != 0 {
		t.Errorf("%d callers refused with a queue as long as the callers", f)
	}
	if in, q, peakQ := limiterState(th); in != 0 || q != 0 || peakQ > callers-limit {
		t.Errorf("after the run: %d in flight, %d queued, queue peak %d", in, q, peakQ)
	}
	t.Logf("peak in flight %d, peak queue %d", peak.Load(), func() int { _, _, p := limiterState(th); return p }())
}

func TestConcurrencyLimiter(t *testing.T) {
	bg := context.Background()
	t.Run("queue_bound_is_respected", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			const limit, queue, callers = 8, 100, 300
			th := ConcurrencyLimiter(limit, queue, 0)
			for i := 0; i < limit; i++ {
				if err := th.Acquire(bg); err != nil {
					t.Fatal(err)
				}
			}
			errs := make(chan error, callers)
			for i := 0; i < callers; i++ {
				go func() {
					err := th.Acquire(bg)
					if err == nil {
						th.Release()
					}
					errs <- err
				}()
			}
			synctest.Wait() // every caller is queued or refused
			if _, q, _ := limiterState(th); q != queue {
				t.Errorf("%d queued, want %d", q, queue)
			}
			for i := 0; i < callers-queue; i++ {
				if r := throttleReason(<-errs); r != QueueFull {
					t.Fatalf("refused caller: reason %v, want queue full", r)
				}
			}
			for i := 0; i < limit; i++ {
				th.Release()
			}
			for i := 0; i < queue; i++ {
				if err := <-errs; err != nil {
					t.Fatalf("queued caller: %v", err)
				}
			}
			if in, q, peak := limiterState(th); in != 0 || q != 0 || peak != queue {
				t.Errorf("at the end: %d in flight, %d queued, peak %d", in, q, peak)
			}
		})
	})
	t.Run("waiters_are_served_in_arrival_order", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			th := ConcurrencyLimiter(1, 10, 0)
			if err := th.Acquire(bg); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			var order []int
			var wg sync.WaitGroup
			for i := 0; i < 8; i++ {
				wg.Go(func() {
					if err := th.Acquire(bg); err != nil {
						t.Errorf("waiter %d: %v", i, err)
						return
					}
					mu.Lock()
					order = append(order, i)
					mu.Unlock()
					th.Release()
				})
				synctest.Wait() // waiter i is queued before i+1 arrives
			}
			th.Release()
			wg.Wait()
			for i, w := range order {
				if w != i {
					t.Fatalf("served in order %v, want 0..7", order)
				}
			}
		})
	})
	t.Run("waiter_gives_up_at_the_queue_timeout", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			th := ConcurrencyLimiter(1, 10, 100*time.Millisecond)
			if err := th.Acquire(bg); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err := th.Acquire(bg)
			var te *ThrottledError
			if !errors.As(err, &te) || te.Reason != QueueTimeout || te.Waited != 100*time.Millisecond {
				t.Fatalf("err %v (%+v), want a queue timeout after exactly 100ms", err, te)
			}
			if el := time.Since(start); el != 100*time.Millisecond {
				t.Errorf("returned after %v", el)
			}
			if _, q, _ := limiterState(th); q != 0 {
				t.Errorf("%d still queued", q)
			}
			th.Release()
			if err := th.Acquire(bg); err != nil {
				t.Errorf("the permit leaked: %v", err)
			}
		})
	})
	t.Run("waiter_gives_up_when_its_context_ends", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			th := ConcurrencyLimiter(1, 10, time.Hour)
			if err := th.Acquire(bg); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(bg)
			time.AfterFunc(30*time.Millisecond, cancel)
			err := th.Acquire(ctx)
			var te *ThrottledError
			if !errors.As(err, &te) || te.Reason != Canceled || te.Waited != 30*time.Millisecond || !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v (%+v), want canceled after 30ms wrapping context.Canceled", err, te)
			}
			dctx, dcancel := context.WithTimeout(bg, 20*time.Millisecond)
			defer dcancel()
			if err := th.Acquire(dctx); throttleReason(err) != Canceled || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("deadline: %v, want canceled wrapping context.DeadlineExceeded", err)
			}
			if err := th.Acquire(dctx); throttleReason(err) != Canceled {
				t.Errorf("ended context: %v, want canceled at once", err)
			}
			if _, q, _ := limiterState(th); q != 0 {
				t.Errorf("%d still queued", q)
			}
		})
	})
	t.Run("permit_granted_as_the_wait_ends_is_not_lost", func(t *testing.T) {
		for i := 0; i < 20; i++ {
			synctest.Test(t, func(t *testing.T) {
				th := ConcurrencyLimiter(1, 10, 100*time.Millisecond)
				if err := th.Acquire(bg); err != nil {
					t.Fatal(err)
				}
				time.AfterFunc(100*time.Millisecond, th.Release) // same instant as the timeout
				if err := th.Acquire(bg); err == nil {
					th.Release()
				} else if throttleReason(err) != QueueTimeout {
					t.Fatalf("err %v", err)
				}
				synctest.Wait()
				if in, q, _ := limiterState(th); in != 0 || q != 0 {
					t.Fatalf("%d in flight, %d queued, want none", in, q)
				}
			})
		}
	})
	t.Run("no_queue_refuses_at_once", func(t *testing.T) {
		th := ConcurrencyLimiter(2, 0, 0)
		for i := 0; i < 2; i++ {
			if err := th.Acquire(bg); err != nil {
				t.Fatal(err)
			}
		}
		if r := throttleReason(th.Acquire(bg)); r != QueueFull {
			t.Errorf("third caller: %v, want queue full", r)
		}
	})
	t.Run("max_in_flight_below_one_counts_as_one", func(t *testing.T) {
		th := ConcurrencyLimiter(0, 0, 0)
		if err := th.Acquire(bg); err != nil {
			t.Fatal(err)
		}
		if r := throttleReason(th.Acquire(bg)); r != QueueFull {
			t.Errorf("second caller: %v, want queue full", r)
		}
	})
	t.Run("release_without_permit_panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("no panic")
			}
		}()
		ConcurrencyLimiter(1, 0, 0).Release()
	})
	t.Run("uncontended_acquire_does_not_allocate", func(t *testing.T) {
		th := ConcurrencyLimiter(4, 4, time.Second)
		if a := testing.AllocsPerRun(1000, func() {
			if th.Acquire(bg) == nil {
				th.Release()
			}
		}); a != 0 {
			t.Errorf("%v allocations", a)
		}
	})
}

func TestRateLimiter(t *testing.T) {
	bg := context.Background()
	t.Run("burst_at_once_then_one_per_interval", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			th := RateLimiter(10, 3, 10, 0)
			start := time.Now()
			var at []time.Duration
			for i := 0; i < 6; i++ {
				if err := th.Acquire(bg); err != nil {
					t.Fatal(err)
				}
				th.Release()
				at = append(at, time.Since(start).Round(time.Microsecond))
			}
			want := []time.Duration{0, 0, 0, 100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond}
			for i := range want {
				if at[i] != want[i] {
					t.Fatalf("acquired at %v, want %v", at, want)
				}
			}
		})
	})
	t.Run("waiters_are_served_in_arrival_order", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			th := RateLimiter(10, 1, 10, 0)
			start := time.Now()
			if err := th.Acquire(bg); err != nil {
				t.Fatal(err)
			}
			done := make([]time.Duration, 5)
			var wg sync.WaitGroup
			for i := range done {
				wg.Go(func() {
					if err := th.Acquire(bg); err != nil {
						t.Errorf("waiter %d: %v", i, err)
					}
					done[i] = time.Since(start).Round(time.Microsecond)
				})
				synctest.Wait()
			}
			wg.Wait()
			for i, d := range done {
				if want := time.Duration(i+1) * 100 * time.Millisecond; d != want {
					t.Fatalf("waiters done at %v, want every 100ms in arrival order", done)
				}
			}
		})
	})
	t.Run("rate_holds_under_many_callers", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			const callers, rate, burst = 500, 100, 10
			th := RateLimiter(rate, burst, callers, 0)
			start := time.Now()
			var mu sync.Mutex
			var times []time.Duration
			var wg sync.WaitGroup
			for i := 0; i < callers; i++ {
				wg.Go(func() {
					if err := th.Acquire(bg); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					times = append(times, time.Since(start))
					mu.Unlock()
				})
			}
			wg.Wait()
			for _, d := range times {
				n := 0
				for _, e := range times {
					if e <= d {
						n++
					}
				}
				if limit := burst + int(d.Seconds()*rate+1e-6); n > limit {
					t.Fatalf("%d requests started by %v, limit %d", n, d, limit)
				}
			}
			if el := time.Since(start).Round(time.Millisecond); el != 4900*time.Millisecond {
				t.Errorf("500 requests took %v, want 4.9s ((500-10)/100)", el)
			}
		})
	})
	t.Run("full_queue_refuses_at_once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			th := RateLimiter(10, 1, 2, 0)
			if err := th.Acquire(bg); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for i := 0; i < 2; i++ {
				wg.Go(func() {
					if err := th.Acquire(bg); err != nil {
						t.Error(err)
					}
				})
			}
			synctest.Wait()
			if r := throttleReason(th.Acquire(bg)); r != QueueFull {
				t.Errorf("third waiter: %v, want queue full", r)
			}
			wg.Wait()
		})
	})
	t.Run("request_due_after_the_queue_timeout_fails_at_once", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			th := RateLimiter(10, 1, 10, 150*time.Millisecond)
			if err := th.Acquire(bg); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			wg.Go(func() {
				if err := th.Acquire(bg); err != nil { // due at 100ms
					t.Error(err)
				}
			})
			synctest.Wait()
			start := time.Now()
			err := th.Acquire(bg) // due at 200ms
			var te *ThrottledError
			if !errors.As(err, &te) || te.Reason != QueueTimeout || time.Since(start) != 0 {
				t.Errorf("err %v after %v, want a queue timeout at once", err, time.Since(start))
			}
			wg.Wait()
		})
	})
	t.Run("canceled_waiter_gives_its_turn_back", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			th := RateLimiter(10, 1, 10, 0)
			start := time.Now()
			if err := th.Acquire(bg); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(bg)
			time.AfterFunc(10*time.Millisecond, cancel)
			err := th.Acquire(ctx)
			var te *ThrottledError
			if !errors.As(err, &te) || te.Reason != Canceled || !errors.Is(err, context.Canceled) || te.Waited != 10*time.Millisecond {
				t.Fatalf("err %v (%+v), want canceled after 10ms", err, te)
			}
			if err := th.Acquire(bg); err != nil {
				t.Fatal(err)
			}
			if el := time.Since(start).Round(time.Microsecond); el != 100*time.Millisecond {
				t.Errorf("next request started at %v, want 100ms: the canceled turn was not given back", el)
			}
		})
	})
	t.Run("no_rate_means_no_limit", func(t *testing.T) {
		for _, r := range []float64{0, -1} {
			if _, ok := RateLimiter(r, 1, 0, 0).(noThrottle); !ok {
				t.Errorf("RateLimiter(%v) is not NoThrottle", r)
			}
		}
	})
	t.Run("uncontended_acquire_does_not_allocate", func(t *testing.T) {
		th := RateLimiter(1e12, 1000, 0, 0)
		if a := testing.AllocsPerRun(1000, func() {
			if th.Acquire(bg) == nil {
				th.Release()
			}
		}); a != 0 {
			t.Errorf("%v allocations", a)
		}
	})
}

func BenchmarkThrottle(b *testing.B) {
	ctx := context.Background()
	for name, th := range map[string]Throttler{
		"none":        NoThrottle(),
		"concurrency": ConcurrencyLimiter(1024, 1024, time.Second),
		"rate":        RateLimiter(1e12, 1<<20, 1024, time.Second),
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if th.Acquire(ctx) == nil {
					th.Release()
				}
			}
		})
		b.Run(name+"_parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if th.Acquire(ctx) == nil {
						th.Release()
					}
				}
			})
		})
	}
}
