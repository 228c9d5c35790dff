package cassandra

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// hungLoad runs n idempotent writes from callers goroutines against e,
// whose node 1 answers nothing any more (requests, heartbeats, handshakes
// of new connections), and returns each request's latency and error.
func hungLoad(t *testing.T, e *rqEnv, callers, n int) ([]time.Duration, []error) {
	t.Helper()
	e.nodes[1].AddRule(cassandratest.Rule{Then: cassandratest.Hang()})
	var mu sync.Mutex
	var lat []time.Duration
	var errs []error
	var next atomic.Int64
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				start := time.Now()
				_, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqWrite).Idempotent(true))
				mu.Lock()
				lat = append(lat, time.Since(start))
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	return lat, errs
}

func p99(lat []time.Duration) time.Duration { return lat[len(lat)*99/100] }

// TestHungNodeFailsOverWithinTheAttemptTimeout: one node of three never
// answers. Every idempotent request still succeeds, none waits longer than
// the attempt timeout (plus scheduling slack), and the probe that follows
// the first timeout marks the node down, so later requests skip it.
func TestHungNodeFailsOverWithinTheAttemptTimeout(t *testing.T) {
	// Timeouts far above a healthy node's answer (microseconds), so that a
	// loaded machine under the race detector does not time out the
	// healthy nodes too.
	const attempt = 500 * time.Millisecond
	e := rqStart(t, 3, cassandratest.Config{}, func(c *Cluster) {
		c.Timeouts.Attempt = attempt
		c.Timeouts.ProbeTimeout = 500 * time.Millisecond
		c.Timeouts.Request = 10 * time.Second
	})
	lat, errs := hungLoad(t, e, 64, 2000)
	if len(errs) > 0 {
		t.Fatalf("%d of 2000 requests failed, first: %v", len(errs), errs[0])
	}
	// Bounded by attempt timeouts, far from the 10 s request timeout (the
	// bound leaves room for a loaded machine, where a healthy node's
	// attempt may time out too).
	if got := lat[len(lat)-1]; got > 3*attempt+200*time.Millisecond {
		t.Errorf("slowest request %v, want at most one attempt timeout %v (+ slack)", got, attempt)
	}
	t.Logf("p50 %v, p99 %v, max %v", lat[len(lat)/2], p99(lat), lat[len(lat)-1])
	rqWait(t, 2*time.Second, "the hung node to be marked down", func() bool { return e.host(1).State() == policy.StateDown })
}

// TestSpeculativeExecutionAnswersBeforeTheAttemptTimeout: with a constant
// speculative delay, requests that reach the hung node are answered by the
// extra execution on a healthy one.
func TestSpeculativeExecutionAnswersBeforeTheAttemptTimeout(t *testing.T) {
	const delay = 20 * time.Millisecond
	e := rqStart(t, 3, cassandratest.Config{}, func(c *Cluster) {
		c.Timeouts.Attempt = 2 * time.Second
		c.Timeouts.ProbeTimeout = -1 // keep the node up: every plan meets it
		c.Policies.SpeculativeExecution = policy.ConstantSpeculativeExecution(delay, 2)
	})
	lat, errs := hungLoad(t, e, 16, 300)
	if len(errs) > 0 {
		t.Fatalf("%d requests failed, first: %v", len(errs), errs[0])
	}
	// Without speculation a tenth of the requests (those the hung node
	// coordinates) would wait the 2 s attempt timeout; the bounds leave
	// room for a loaded machine under the race detector.
	if got := p99(lat); got > time.Second {
		t.Errorf("p99 %v, want far below the attempt timeout", got)
	}
	if got := lat[len(lat)-1]; got >= 2*time.Second {
		t.Errorf("a request waited for the attempt timeout (%v)", got)
	}
	t.Logf("p50 %v, p99 %v, max %v (speculative delay %v)", lat[len(lat)/2], p99(lat), lat[len(lat)-1], delay)
}

func TestSpeculativeAttemptsAreRecordedAndStopAtTheFirstAnswer(t *testing.T) {
	const delay = 30 * time.Millisecond
	e := rqStart(t, 3, cassandratest.Config{}, func(c *Cluster) {
		c.Policies.LoadBalancing = policy.HostFilter(policy.RoundRobin(), func(*Host) bool { return true })
		c.Policies.SpeculativeExecution = policy.ConstantSpeculativeExecution(delay, 5)
	})
	// Every node answers after 100 ms: the first execution wins (it
	// started first), the extra ones start at 30 and 60 ms and are cut.
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Delay(100*time.Millisecond, cassandratest.Void())})
	start := time.Now()
	rs, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqWrite).Idempotent(true))
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	at := rs.Attempts()
	spec := 0
	for _, a := range at {
		if a.Speculative {
			spec++
		}
	}
	// Three hosts: the plan has room for two extra executions only.
	if spec != 2 || len(at) != 3 {
		t.Errorf("attempts %+v: want 1 first and 2 speculative", at)
	}
	if took > 1500*time.Millisecond {
		t.Errorf("took %v", took)
	}
	// A non-idempotent statement never speculates.
	rs, err = e.s.ExecuteStatement(rqCtx(t), NewStatement(rqWrite))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rs.Attempts()); n != 1 {
		t.Errorf("non-idempotent statement made %d attempts", n)
	}
}

func TestLocalConsistencyNeverLeavesTheLocalDatacenter(t *testing.T) {
	e := rqStart(t, 3, cassandratest.Config{}, func(c *Cluster) {
		c.Policies.LoadBalancing = policy.DCAwareWithRemote("datacenter1", 2)
	})
	// Node 3 is in dc2 (as node 1 reports it); the local ones fail.
	peers := []cassandratest.PeerInfo{e.nodes[1].PeerInfo(), e.nodes[2].PeerInfo()}
	peers[1].DC = "dc2"
	e.nodes[0].SetPeers(peers)
	if err := e.c.state.ctrl.refreshHosts(rqCtx(t)); err != nil {
		t.Fatal(err)
	}
	if dc := e.host(2).DC(); dc != "dc2" {
		t.Fatalf("node 3 in %q", dc)
	}
	for _, n := range e.nodes[:2] {
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Error(&frame.OverloadedError{Msg: "busy"})})
	}
	for _, c := range []Consistency{LocalOne, LocalQuorum} {
		_, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqWrite).Idempotent(true).Consistency(c))
		if err == nil {
			t.Errorf("%v: succeeded, so it reached the remote node", c)
		}
		if k := e.nodes[2].Count(cassandratest.Query(rqWrite)); k != 0 {
			t.Fatalf("%v: the remote node received %d requests", c, k)
		}
	}
	// Non-local levels may use the remote host.
	if _, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqWrite).Idempotent(true).Consistency(Quorum)); err != nil {
		t.Errorf("QUORUM with a remote host left: %v", err)
	}
}

func TestThrottlerBoundsRequestsInFlight(t *testing.T) {
	const limit = 8
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) {
		c.Policies.Throttler = policy.ConcurrencyLimiter(limit, 10000, 5*time.Second)
	})
	var inFlight, peak atomic.Int32
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		return cassandratest.Delay(2*time.Millisecond, cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
			inFlight.Add(-1)
			return cassandratest.Void()
		}))
	})})
	var wg sync.WaitGroup
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := e.s.Execute(rqCtx(t), rqWrite); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if p := peak.Load(); p > limit || p < 2 {
		t.Errorf("peak %d in flight at the node, limit %d", p, limit)
	}
	// A full queue is a typed error, before anything is sent.
	e2 := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) {
		c.Policies.Throttler = policy.ConcurrencyLimiter(1, 0, time.Second)
	})
	e2.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Delay(300*time.Millisecond, cassandratest.Void())})
	f := e2.s.ExecuteAsync(rqCtx(t), rqWrite)
	time.Sleep(50 * time.Millisecond) // the first holds the only permit
	_, err := e2.s.Execute(rqCtx(t), rqWrite)
	var te *policy.ThrottledError
	if !errors.As(err, &te) || te.Reason != policy.QueueFull {
		t.Errorf("second request: %v, want a QueueFull *policy.ThrottledError", err)
	}
	if _, err := f.Result(rqCtx(t)); err != nil {
		t.Error(err)
	}
	_ = context.Background
}

// TestSpeculationStillFindsAHungNode: with speculative execution the
// extra execution wins and the attempt on the hung node is cancelled, not
// timed out; the cancellation probes the connection all the same, so the
// node is marked down and later plans skip it.
func TestSpeculationStillFindsAHungNode(t *testing.T) {
	e := rqStart(t, 3, cassandratest.Config{}, func(c *Cluster) {
		c.Timeouts.ProbeTimeout = 200 * time.Millisecond
		c.Policies.SpeculativeExecution = policy.ConstantSpeculativeExecution(20*time.Millisecond, 2)
	})
	_, errs := hungLoad(t, e, 8, 200)
	if len(errs) > 0 {
		t.Fatalf("%d requests failed, first: %v", len(errs), errs[0])
	}
	rqWait(t, 5*time.Second, "the hung node to be marked down", func() bool { return e.host(1).State() == policy.StateDown })
}
