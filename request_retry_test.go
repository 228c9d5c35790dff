package cassandra

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// Retries, failover, timeouts and cancellation of the run loop, with the
// default retry policy, on a three-node simulated cluster.

const rqWrite = "UPDATE ks.t SET v = 'x' WHERE k = 1"

func TestDroppedConnectionFailsOverWhenIdempotent(t *testing.T) {
	e := rqStart(t, 3, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: firstOnly(cassandratest.Drop())})
	rs, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqWrite).Idempotent(true))
	if err != nil {
		t.Fatal(err)
	}
	at := rs.Attempts()
	if len(at) != 2 {
		t.Fatalf("%d attempts, want 2: %+v", len(at), at)
	}
	var ce *ConnError
	if !errors.As(at[0].Err, &ce) {
		t.Errorf("first attempt error %v (%T), want a *ConnError", at[0].Err, at[0].Err)
	}
	if at[1].Err != nil || at[1].Host == at[0].Host || rs.Host() != at[1].Host {
		t.Errorf("second attempt %+v on the same host as the first, or failed", at[1])
	}
	if k := e.count(cassandratest.Query(rqWrite)); k != 2 {
		t.Errorf("the nodes received the statement %d times, want 2", k)
	}
}

func TestDroppedConnectionNotRetriedWhenNotIdempotent(t *testing.T) {
	e := rqStart(t, 3, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: firstOnly(cassandratest.Drop())})
	_, err := e.s.Execute(rqCtx(t), rqWrite)
	var re *RequestError
	if !errors.As(err, &re) {
		t.Fatalf("error %v (%T), want a *RequestError", err, err)
	}
	if len(re.Attempts) != 1 {
		t.Errorf("%d attempts, want 1", len(re.Attempts))
	}
	var ce *ConnError
	if !errors.As(err, &ce) {
		t.Errorf("errors.As does not reach the *ConnError through %v", err)
	}
	if k := e.count(cassandratest.Query(rqWrite)); k != 1 {
		t.Errorf("the nodes received the statement %d times, want 1", k)
	}
}

func TestRetryDecisions(t *testing.T) {
	unavailable := &frame.UnavailableError{Msg: "down", Consistency: frame.Quorum, Required: 2, Alive: 1}
	cases := []struct {
		name       string
		err        frame.ServerError
		first      bool // only the first attempt fails
		idempotent bool
		attempts   int
		sameHost   bool // every attempt on one host
		ok         bool
	}{
		{name: "unavailable_retried_once_on_next_host", err: unavailable, attempts: 2},
		{name: "unavailable_once_then_success", err: unavailable, first: true, attempts: 2, ok: true},
		{name: "read_timeout_enough_responses_no_data_same_host_once", err: &frame.ReadTimeoutError{Consistency: frame.Quorum, Received: 2, BlockFor: 2}, attempts: 2, sameHost: true},
		{name: "read_timeout_data_present_not_retried", err: &frame.ReadTimeoutError{Consistency: frame.Quorum, Received: 2, BlockFor: 2, DataPresent: true}, attempts: 1},
		{name: "read_timeout_too_few_not_retried", err: &frame.ReadTimeoutError{Consistency: frame.Quorum, Received: 1, BlockFor: 2}, attempts: 1},
		{name: "write_timeout_simple_not_retried_when_not_idempotent", err: &frame.WriteTimeoutError{Consistency: frame.Quorum, Received: 1, BlockFor: 2, WriteType: "SIMPLE"}, attempts: 1},
		{name: "write_timeout_simple_next_host_when_idempotent", err: &frame.WriteTimeoutError{Consistency: frame.Quorum, Received: 1, BlockFor: 2, WriteType: "SIMPLE"}, first: true, idempotent: true, attempts: 2, ok: true},
		{name: "syntax_error_not_retried", err: &frame.SyntaxError{Msg: "line 1:0 no viable alternative"}, idempotent: true, attempts: 1},
		{name: "overloaded_not_retried_when_not_idempotent", err: &frame.OverloadedError{Msg: "busy"}, attempts: 1},
		{name: "overloaded_next_host_when_idempotent", err: &frame.OverloadedError{Msg: "busy"}, first: true, idempotent: true, attempts: 2, ok: true},
	}
	e := rqStart(t, 3, cassandratest.Config{}, nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.reset()
			for _, n := range e.nodes {
				n.ClearRules()
			}
			q := "SELECT * FROM ks.t WHERE k = 1 -- " + c.name
			r := cassandratest.Error(c.err)
			if c.first {
				r = firstOnly(r)
			}
			e.rule(cassandratest.Rule{Match: cassandratest.Query(q), Then: r})
			rs, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(q).Idempotent(c.idempotent))
			var at []Attempt
			if c.ok {
				if err != nil {
					t.Fatal(err)
				}
				at = rs.Attempts()
			} else {
				var re *RequestError
				if !errors.As(err, &re) {
					t.Fatalf("error %v (%T), want a *RequestError", err, err)
				}
				at = re.Attempts
				if !errors.As(err, new(frame.ServerError)) || errors.Unwrap(err) == nil {
					t.Errorf("the server error is not reachable through %v", err)
				}
				target := c.err
				if got := reflectNewLike(target); !errors.As(err, got) {
					t.Errorf("errors.As(%T) fails on %v", target, err)
				}
			}
			if len(at) != c.attempts {
				t.Fatalf("%d attempts, want %d: %+v", len(at), c.attempts, at)
			}
			if k := e.count(cassandratest.Query(q)); k != c.attempts {
				t.Errorf("the nodes received %d requests, want %d", k, c.attempts)
			}
			if len(at) == 2 {
				if same := at[0].Host == at[1].Host; same != c.sameHost {
					t.Errorf("attempts on %v and %v: same host %v, want %v", at[0].Host, at[1].Host, same, c.sameHost)
				}
			}
		})
	}
}

// reflectNewLike returns a pointer to a nil pointer of err's dynamic type,
// for errors.As.
func reflectNewLike(err frame.ServerError) any {
	switch err.(type) {
	case *frame.UnavailableError:
		return new(*UnavailableError)
	case *frame.ReadTimeoutError:
		return new(*ReadTimeoutError)
	case *frame.WriteTimeoutError:
		return new(*WriteTimeoutError)
	case *frame.SyntaxError:
		return new(*SyntaxError)
	case *frame.OverloadedError:
		return new(*OverloadedError)
	}
	return new(error)
}

func TestAllHostsFailingIsNoHostAvailable(t *testing.T) {
	e := rqStart(t, 3, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Error(&frame.OverloadedError{Msg: "busy"})})
	_, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqWrite).Idempotent(true))
	var nh *NoHostAvailableError
	if !errors.As(err, &nh) {
		t.Fatalf("error %v (%T), want a *NoHostAvailableError", err, err)
	}
	if !errors.Is(err, ErrNoHosts) {
		t.Error("errors.Is(err, ErrNoHosts) is false")
	}
	if len(nh.Errors) != 3 {
		t.Fatalf("%d host errors, want 3: %v", len(nh.Errors), err)
	}
	seen := map[int]bool{}
	for _, he := range nh.Errors {
		seen[e.nodeOf(he.Host)] = true
		var oe *OverloadedError
		if !errors.As(he.Err, &oe) {
			t.Errorf("host %v: %v, want overloaded", he.Host, he.Err)
		}
	}
	if len(seen) != 3 || seen[-1] {
		t.Errorf("hosts listed: %v", nh.Errors)
	}
}

func TestRequestTimeout(t *testing.T) {
	cases := []struct {
		name       string
		cluster    time.Duration
		stmt       time.Duration
		idempotent bool
	}{
		{name: "cluster_request_timeout", cluster: 150 * time.Millisecond},
		{name: "statement_timeout_overrides", cluster: 5 * time.Second, stmt: 150 * time.Millisecond},
		{name: "idempotent_retries_stay_within_timeout", cluster: 150 * time.Millisecond, idempotent: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := rqStart(t, 3, cassandratest.Config{}, func(cl *Cluster) { cl.Timeouts.Request = c.cluster })
			e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Delay(3*time.Second, nil)})
			st := NewStatement(rqWrite).Idempotent(c.idempotent)
			if c.stmt != 0 {
				st.Timeout(c.stmt)
			}
			start := time.Now()
			_, err := e.s.ExecuteStatement(context.Background(), st)
			took := time.Since(start)
			var te *TimeoutError
			if !errors.As(err, &te) {
				t.Fatalf("error %v (%T), want a *TimeoutError", err, err)
			}
			if !te.MaybeApplied {
				t.Error("MaybeApplied is false for a request that was sent")
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("errors.Is(err, context.DeadlineExceeded) is false: %v", err)
			}
			if took < 140*time.Millisecond || took > time.Second {
				t.Errorf("returned after %v, want about 150ms", took)
			}
		})
	}
}

func TestContextCancelledMidRequest(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Hang()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := e.s.ExecuteStatement(ctx, NewStatement(rqWrite).Idempotent(true))
		done <- err
	}()
	rqWait(t, 2*time.Second, "the request to reach the node", func() bool { return e.count(cassandratest.Query(rqWrite)) == 1 })
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want one wrapping context.Canceled", err)
		}
		var re *RequestError
		if errors.As(err, &re) && len(re.Attempts) != 1 {
			t.Errorf("%d attempts after cancel, want 1", len(re.Attempts))
		}
	case <-time.After(time.Second):
		t.Fatal("Execute did not return within 1s of its context being cancelled")
	}
	if k := e.count(cassandratest.Query(rqWrite)); k != 1 {
		t.Errorf("a cancelled request was retried: %d sends", k)
	}
}

func TestContextAlreadyCancelled(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.s.Execute(ctx, rqWrite); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if k := e.count(cassandratest.Query(rqWrite)); k != 0 {
		t.Errorf("%d sends with a cancelled context", k)
	}
}

func TestHostPinning(t *testing.T) {
	e := rqStart(t, 3, cassandratest.Config{}, nil)
	h := e.host(1)
	ctx := rqCtx(t)
	for range 5 {
		rs, err := e.s.ExecuteStatement(ctx, NewStatement(rqWrite).Host(h))
		if err != nil {
			t.Fatal(err)
		}
		if rs.Host() != h {
			t.Errorf("answered by %v, want the pinned %v", rs.Host(), h)
		}
	}
	if k := e.nodes[1].Count(cassandratest.Query(rqWrite)); k != 5 {
		t.Errorf("pinned node received %d, want 5", k)
	}
	// A failure does not move a pinned statement, even an idempotent one.
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Error(&frame.OverloadedError{Msg: "busy"})})
	e.reset()
	_, err := e.s.ExecuteStatement(ctx, NewStatement(rqWrite).Host(h).Idempotent(true))
	if err == nil {
		t.Fatal("no error")
	}
	if k, k1 := e.count(cassandratest.Query(rqWrite)), e.nodes[1].Count(cassandratest.Query(rqWrite)); k != 1 || k1 != 1 {
		t.Errorf("sent %d times (%d to the pinned host), want once to it", k, k1)
	}
}

// recObserver records what a RequestObserver is told.
type recObserver struct {
	mu       sync.Mutex
	requests []RequestEvent
	attempts []AttemptEvent
}

func (o *recObserver) ObserveRequest(_ context.Context, e RequestEvent) {
	o.mu.Lock()
	o.requests = append(o.requests, e)
	o.mu.Unlock()
}

func (o *recObserver) ObserveAttempt(_ context.Context, e AttemptEvent) {
	o.mu.Lock()
	o.attempts = append(o.attempts, e)
	o.mu.Unlock()
}

func (o *recObserver) reset() {
	o.mu.Lock()
	o.requests, o.attempts = nil, nil
	o.mu.Unlock()
}

func TestObserverSeesRequestAndAttempts(t *testing.T) {
	obs := &recObserver{}
	e := rqStart(t, 3, cassandratest.Config{}, func(c *Cluster) { c.Observer = obs })
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: firstOnly(cassandratest.Error(&frame.UnavailableError{Consistency: frame.Quorum, Required: 2, Alive: 1}))})
	obs.reset()
	rs, err := e.s.Execute(rqCtx(t), rqWrite)
	if err != nil {
		t.Fatal(err)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if len(obs.requests) != 2 || obs.requests[0].End || !obs.requests[1].End {
		t.Fatalf("request events %+v, want a start and an end", obs.requests)
	}
	end := obs.requests[1]
	if end.Statement != rqWrite || end.Attempts != 2 || end.Err != nil || end.Latency <= 0 {
		t.Errorf("request end %+v", end)
	}
	if len(obs.attempts) != 4 {
		t.Fatalf("%d attempt events, want 4: %+v", len(obs.attempts), obs.attempts)
	}
	at := rs.Attempts()
	for i, ev := range obs.attempts {
		n := i/2 + 1
		if ev.Attempt != n || ev.End != (i%2 == 1) || ev.Statement != rqWrite || ev.Host != at[n-1].Host {
			t.Errorf("attempt event %d: %+v", i, ev)
		}
	}
	var un *UnavailableError
	if !errors.As(obs.attempts[1].Err, &un) || obs.attempts[3].Err != nil {
		t.Errorf("attempt errors %v, %v", obs.attempts[1].Err, obs.attempts[3].Err)
	}

}

func TestObserverSeesFailure(t *testing.T) {
	obs := &recObserver{}
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.Observer = obs })
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Error(&frame.SyntaxError{Msg: "bad"})})
	obs.reset()
	_, err := e.s.Execute(rqCtx(t), rqWrite)
	if err == nil {
		t.Fatal("no error")
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if len(obs.requests) != 2 || !errors.Is(obs.requests[1].Err, err) || obs.requests[1].Attempts != 1 {
		t.Errorf("request events %+v, want the end to carry %v", obs.requests, err)
	}
	if len(obs.attempts) != 2 || obs.attempts[1].Err == nil || obs.attempts[1].Host != e.host(0) {
		t.Errorf("attempt events %+v", obs.attempts)
	}
}
