package cassandra

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

func TestTimeoutErrorsTellTheTruth(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.Timeouts.ProbeTimeout = -1 })
	const hung = "SELECT hung FROM ks.t"
	e.rule(cassandratest.Rule{Match: cassandratest.Query(hung), Then: cassandratest.Hang()})
	_, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(hung).Timeout(120*time.Millisecond).AttemptTimeout(time.Minute))
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("err %v, want a *TimeoutError", err)
	}
	if te.Elapsed < 100*time.Millisecond || te.Host != e.nodes[0].Addr() || !te.MaybeApplied {
		t.Errorf("timeout %+v: want Elapsed about 120ms, the node tried, MaybeApplied (it was sent)", te)
	}
	if msg := err.Error(); strings.Contains(msg, "invalid") || strings.Contains(msg, " 0s") {
		t.Errorf("message %q", msg)
	}
	// Errors built without a host do not print one.
	for _, err := range []error{&ConnError{Op: "decode", Err: errors.New("x")}, &TimeoutError{Err: context.Canceled}} {
		if strings.Contains(err.Error(), "invalid AddrPort") {
			t.Errorf("%q", err)
		}
	}
}

func TestResultWaitEndingIsNotARequestTimeout(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Delay(300*time.Millisecond, cassandratest.Void())})
	f := e.s.ExecuteAsync(rqCtx(t), rqWrite)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := f.Result(ctx); !errors.Is(err, context.DeadlineExceeded) || errors.As(err, new(*TimeoutError)) {
		t.Fatalf("Result with a short wait: %v, want the context's error alone", err)
	}
	if _, err := f.Result(rqCtx(t)); err != nil {
		t.Fatalf("the request itself went on and failed: %v", err)
	}
	g := e.s.ExecuteAsync(rqCtx(t), rqWrite)
	g.Cancel()
	if _, err := g.Result(rqCtx(t)); !errors.Is(err, ErrCancelled) || !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v, want ErrCancelled wrapping context.Canceled", err)
	}
}

func TestExhaustedPlanAndClosedSessionListAttempts(t *testing.T) {
	e := rqStart(t, 2, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Error(&frame.OverloadedError{Msg: "busy"})})
	_, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqWrite).Idempotent(true))
	var re *RequestError
	if !errors.As(err, &re) || len(re.Attempts) != 2 || !errors.Is(err, ErrNoHosts) {
		t.Fatalf("err %v, want a *RequestError of 2 attempts that is ErrNoHosts", err)
	}
	if err := e.s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err = e.s.Execute(rqCtx(t), rqWrite)
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestSafeToRetry(t *testing.T) {
	h := policy.NewHost(policy.HostInfo{})
	sent := &TimeoutError{MaybeApplied: true, Err: context.DeadlineExceeded}
	unsent := &TimeoutError{Err: context.DeadlineExceeded}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{ErrClosed, true},
		{&BindError{Msg: "x"}, true},
		{&MarshalError{Err: errors.New("x")}, true},
		{unsent, true},
		{sent, false},
		{&ConnError{Op: "dial", Err: errors.New("refused")}, true},
		{&ConnError{Op: "read", Err: errors.New("reset")}, false},
		{&frame.UnavailableError{}, true},
		{&frame.OverloadedError{}, true},
		{&frame.WriteTimeoutError{}, false},
		{&frame.ReadTimeoutError{}, false},
		{&policy.ThrottledError{Reason: policy.QueueFull}, true},
		{fmt.Errorf("wrapped: %w", &frame.SyntaxError{}), true},
		{&RequestError{Attempts: []Attempt{{Host: h, Err: &frame.OverloadedError{}}, {Host: h, Err: &frame.UnavailableError{}}}, Last: &frame.UnavailableError{}}, true},
		{&RequestError{Attempts: []Attempt{{Host: h, Err: sent}, {Host: h, Err: &frame.UnavailableError{}}}, Last: &frame.UnavailableError{}}, false},
		{&NoHostAvailableError{Errors: []HostError{{Err: errNoConnection}}}, true},
	} {
		if got := SafeToRetry(c.err); got != c.want {
			t.Errorf("SafeToRetry(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestCallbackMayCloseTheSession(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	closed := make(chan error, 1)
	e.s.ExecuteAsync(rqCtx(t), rqWrite).AddCallbacks(func(*ResultSet) {
		closed <- e.s.Close(context.Background()) // no bound: must not wait on itself
	}, func(err error) { closed <- err })
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Session.Close from a callback deadlocked")
	}
	// A callback that blocks does not hold up Cluster.Close.
	e2 := rqStart(t, 1, cassandratest.Config{}, nil)
	// The answer waits until the callback is added, so that the driver's
	// goroutine runs it (added to a completed future, it would run at once
	// in this one and block the test).
	added := make(chan struct{})
	e2.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
		select {
		case <-added:
		case <-time.After(5 * time.Second):
		}
		return cassandratest.Void()
	})})
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	e2.s.ExecuteAsync(rqCtx(t), rqWrite).AddCallbacks(func(*ResultSet) { close(started); <-release }, nil)
	close(added)
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("the callback did not run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := e2.c.Close(ctx); err != nil {
		t.Fatalf("Cluster.Close with a blocked callback: %v", err)
	}
}

func TestGracefulClose(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(map[bool]string{false: "in_flight_requests_finish", true: "short_context_cancels_them"}[force], func(t *testing.T) {
			e := rqStart(t, 1, cassandratest.Config{}, nil)
			e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Delay(200*time.Millisecond, cassandratest.Void())})
			f := e.s.ExecuteAsync(rqCtx(t), rqWrite)
			sync := make(chan error, 1)
			go func() { _, err := e.s.Execute(rqCtx(t), rqWrite); sync <- err }()
			pollUntil(t, 2*time.Second, "both requests in flight", func() bool { return e.s.active.Load() == 2 })
			wait := 2 * time.Second
			if force {
				wait = 10 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- e.s.Close(ctx) }()
			pollUntil(t, time.Second, "Close to begin", e.s.closing.Load)
			if _, err := e.s.Execute(rqCtx(t), rqWrite); !errors.Is(err, ErrClosed) {
				t.Errorf("request after Close began: %v, want ErrClosed", err)
			}
			_, ferr := f.Result(rqCtx(t))
			serr := <-sync
			cerr := <-done
			if !force && (ferr != nil || serr != nil || cerr != nil) {
				t.Errorf("graceful: async %v, sync %v, close %v; want all nil", ferr, serr, cerr)
			}
			if force && (ferr == nil || serr == nil) {
				t.Errorf("forced: async %v, sync %v; want both cancelled", ferr, serr)
			}
		})
	}
}

// TestHugeValueIsRefusedBeforeCopying: a value larger than a frame may be
// is a *MarshalError, and binding it allocates nothing near its size.
func TestHugeValueIsRefusedBeforeCopying(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.Pool.MaxFrameLength = 1 << 20 })
	const ins = "INSERT INTO ks.b (k, v) VALUES (?, ?)"
	e.rule(cassandratest.Rule{Match: cassandratest.Prepare(ins), Then: rqPrepared([]frame.ColumnSpec{
		{Keyspace: "ks", Table: "b", Name: "k", Type: &frame.Type{ID: frame.TypeInt}},
		{Keyspace: "ks", Table: "b", Name: "v", Type: &frame.Type{ID: frame.TypeBlob}},
	}, frame.RowsMetadata{})})
	ps, err := e.s.Prepare(rqCtx(t), ins)
	if err != nil {
		t.Fatal(err)
	}
	huge := make([]byte, 8<<20)
	_, err = e.s.ExecuteStatement(rqCtx(t), ps.Bind(1, huge))
	var me *MarshalError
	if !errors.As(err, &me) || me.Column != "v" || !strings.Contains(err.Error(), "cannot fit in a frame") {
		t.Fatalf("err %v, want a *MarshalError for column v", err)
	}
	ctx := rqCtx(t)
	if n := testing.AllocsPerRun(20, func() { e.s.ExecuteStatement(ctx, ps.Bind(1, huge)) }); n > 20 {
		t.Errorf("%v allocations per refused request", n)
	}
	if b := bytesPerCall(20, func() { e.s.ExecuteStatement(ctx, ps.Bind(1, huge)) }); b > 64<<10 {
		t.Errorf("%d bytes allocated per refused request of an 8 MiB value", b)
	}
	if k := e.count(cassandratest.Execute(ins)); k != 0 {
		t.Errorf("%d EXECUTEs sent", k)
	}
}

// bytesPerCall averages the bytes f allocates over runs calls.
func bytesPerCall(runs int, f func()) uint64 {
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}
