package cassandra

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// TestOrphanBoundReplacesTheConnectionFirst: with 10% of the requests
// never answered, the connection passes the orphan bound again and again;
// it is replaced before it is closed, so only the unanswered requests fail
// (as timeouts) and none finds the host without a connection.
func TestOrphanBoundReplacesTheConnectionFirst(t *testing.T) {
	const total, callers = 3000, 50
	// Long enough that every answered request beats it even on a loaded
	// machine under the race detector: only the unanswered time out.
	const timeout = time.Second
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) {
		c.Pool.MaxOrphanedRequests = 20
		c.Timeouts.Request = timeout
		c.Timeouts.Attempt = timeout
		c.Timeouts.ProbeTimeout = -1 // the node answers OPTIONS: keep probes out of it
	})
	var seq atomic.Int64
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
		if seq.Add(1)%10 == 0 {
			return cassandratest.Hang()
		}
		return cassandratest.Void()
	})})
	var timeouts, others atomic.Int64
	var firstOther atomic.Value
	var late atomic.Int64
	var next atomic.Int64
	var wg sync.WaitGroup
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= total {
				start := time.Now()
				_, err := e.s.Execute(rqCtx(t), rqWrite)
				if time.Since(start) > timeout+250*time.Millisecond {
					late.Add(1)
				}
				var te *TimeoutError
				switch {
				case err == nil:
				case errors.As(err, &te):
					timeouts.Add(1)
				default:
					others.Add(1)
					firstOther.CompareAndSwap(nil, err)
				}
			}
		}()
	}
	wg.Wait()
	hung := seq.Load() / 10
	if others.Load() != 0 {
		t.Errorf("%d requests failed other than by timeout, first: %v", others.Load(), firstOther.Load())
	}
	if got := timeouts.Load(); got > hung {
		t.Errorf("%d timeouts for %d unanswered requests", got, hung)
	}
	if late.Load() > total/100 {
		t.Errorf("%d requests returned later than the deadline + 250 ms", late.Load())
	}
	t.Logf("%d requests, %d unanswered, %d timeouts, %d late", total, hung, timeouts.Load(), late.Load())
}

// TestNodeDroppingEveryConnectionIsNotDialledInALoop: a node that
// completes the handshake and drops each connection 3 ms later is dialled
// on the reconnection schedule, not at once after every drop.
func TestNodeDroppingEveryConnectionIsNotDialledInALoop(t *testing.T) {
	nodes := startRing(t, 2, cassandratest.Config{})
	c := simCluster(t, nodes...)
	c.Policies.Reconnection = policy.Exponential(500*time.Millisecond, time.Minute)
	c.Timeouts.Connect = 2 * time.Second
	s := connect(t, c)
	h := simHostAt(c, nodes[1].Addr())
	bad := nodes[1]
	// From now on node 2 drops every connection 3 ms after its handshake.
	bad.AddRule(cassandratest.Rule{Match: cassandratest.Op(frame.OpStartup), Then: cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
		time.AfterFunc(3*time.Millisecond, bad.DropConns)
		return cassandratest.Builtin()
	})})
	startups := func() int { return bad.Count(cassandratest.Op(frame.OpStartup)) }
	before := startups()
	bad.DropConns()
	const window = 3 * time.Second
	deadline := time.Now().Add(window)
	for time.Now().Before(deadline) {
		// Requests keep coming: they must not trigger dials either.
		s.Execute(rqCtx(t), "SELECT release_version FROM system.local")
		time.Sleep(5 * time.Millisecond)
	}
	n := startups() - before
	// 500 ms, 1 s, 2 s... doubling: about 3 reconnections, each a probe
	// dial and a pool dial, in 3 s; an immediate re-dial gives hundreds.
	if n > 10 {
		t.Errorf("%d dials in %v to a node that drops every connection", n, window)
	}
	t.Logf("%d dials in %v; host %v", n, window, h.State())
}

// TestAllNodesDownThenBack: after an outage of every node, the same
// session's first request succeeds soon after the first node is back,
// whatever the outage's length (the control connection retries at a short
// bounded interval while no host is up, not on the growing schedule).
func TestAllNodesDownThenBack(t *testing.T) {
	nodes := startRing(t, 2, cassandratest.Config{})
	c := simCluster(t, nodes...)
	c.Policies.Reconnection = policy.Exponential(time.Second, 10*time.Minute)
	s := connect(t, c)
	const q = "SELECT release_version FROM system.local"
	if _, err := s.Execute(rqCtx(t), q); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		n.Stop()
	}
	pollUntil(t, 5*time.Second, "every host down", func() bool { return !c.state.anyUp() })
	time.Sleep(4 * time.Second) // the schedule has grown to 4 s and more
	if err := nodes[0].Restart(); err != nil {
		t.Fatal(err)
	}
	back := time.Now()
	for {
		if _, err := s.Execute(rqCtx(t), q); err == nil {
			break
		}
		if time.Since(back) > 10*time.Second {
			t.Fatal("no request succeeded within 10 s of a node coming back")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Goal: under 2 s; on the growing schedule it would be 4 s or more.
	// The bound leaves room for a loaded machine.
	if d := time.Since(back); d > 3*time.Second {
		t.Errorf("first success %v after the node came back, want about 2 s at most", d)
	} else {
		t.Logf("first success %v after the node came back", d)
	}
}

// orderListener checks that notices come one at a time and records them.
type orderListener struct {
	active  atomic.Int32
	overlap atomic.Bool
	mu      sync.Mutex
	seq     []string
}

func (l *orderListener) note(s string) {
	if l.active.Add(1) > 1 {
		l.overlap.Store(true)
	}
	l.mu.Lock()
	l.seq = append(l.seq, s)
	l.mu.Unlock()
	time.Sleep(50 * time.Microsecond) // widen the window a concurrent call would need
	l.active.Add(-1)
}
func (l *orderListener) OnAdd(*Host)    { l.note("add") }
func (l *orderListener) OnRemove(*Host) { l.note("remove") }
func (l *orderListener) OnUp(*Host)     { l.note("up") }
func (l *orderListener) OnDown(*Host)   { l.note("down") }

func TestHostListenersGetNoticesInOrderOneAtATime(t *testing.T) {
	e := rqStart(t, 2, cassandratest.Config{}, nil)
	l := &orderListener{}
	e.c.AddHostListener(l)
	h := e.host(1)
	st := &e.c.state
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if i%2 == 0 {
					st.hostUp(h)
				} else {
					st.hostDown(h, true)
				}
			}
		}()
	}
	wg.Wait()
	pollUntil(t, 5*time.Second, "the notices to be delivered", func() bool {
		st.stateMu.Lock()
		defer st.stateMu.Unlock()
		return !st.delivering && len(st.notices) == 0
	})
	if l.overlap.Load() {
		t.Error("two notices ran at once")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := 1; i < len(l.seq); i++ {
		if l.seq[i] == l.seq[i-1] {
			t.Fatalf("notice %d repeats %q: %v", i, l.seq[i], l.seq[max(0, i-3):i+1])
		}
	}
	want := map[policy.HostState]string{policy.StateUp: "up", policy.StateDown: "down"}[h.State()]
	if n := len(l.seq); n == 0 || l.seq[n-1] != want {
		t.Errorf("last notice %v, the host is %v", l.seq, h.State())
	}
}
