package faults

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	cassandra "github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/internal/testenv"
)

// soakSnapshot is the soak process's state at one moment.
type soakSnapshot struct {
	label      string
	at         time.Duration // from the start of the load
	heapAlloc  uint64        // bytes of live and not yet collected objects
	heapInuse  uint64        // bytes in in-use spans
	mallocs    uint64        // cumulative heap allocations
	requests   int64         // requests ended so far
	goroutines int
	conns      int // open connections over all pools
	perHost    string
}

func snapshot(label string, at time.Duration, s *cassandra.Session, done *atomic.Int64, gc bool) soakSnapshot {
	if gc {
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	snap := soakSnapshot{label: label, at: at, heapAlloc: m.HeapAlloc, heapInuse: m.HeapInuse, mallocs: m.Mallocs,
		requests: done.Load(), goroutines: runtime.NumGoroutine()}
	var hosts []string
	for _, p := range s.PoolStats() {
		snap.conns += p.OpenConnections
		hosts = append(hosts, fmt.Sprintf("%s:%d", p.Host.Addr().Addr(), p.OpenConnections))
	}
	snap.perHost = strings.Join(hosts, " ")
	return snap
}

func (s soakSnapshot) String() string {
	return fmt.Sprintf("%-22s at %6.1fs  requests %8d  heap alloc %6.1f MiB  heap in use %6.1f MiB  goroutines %4d  connections %2d (%s)",
		s.label, s.at.Seconds(), s.requests, float64(s.heapAlloc)/(1<<20), float64(s.heapInuse)/(1<<20), s.goroutines, s.conns, s.perHost)
}

// TestIntegrationSoak runs the standard load for ten minutes
// (CQLGO_SOAK_SECONDS) with a restart of one node in the middle and
// reports heap, goroutines, open connections and allocations per request.
// Only with CQLGO_SOAK=1 (scripts/soak.sh): it is too long for make test.
func TestIntegrationSoak(t *testing.T) {
	if os.Getenv("CQLGO_SOAK") != "1" {
		t.Skip("the soak runs only with CQLGO_SOAK=1 (scripts/soak.sh)")
	}
	e := testenv.Require(t)
	if e.Script == "" {
		t.Skip("CASSANDRA_SCRIPT is not set: the soak restarts a node with scripts/cassandra")
	}
	d := 10 * time.Minute
	if v := os.Getenv("CQLGO_SOAK_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 60 {
			t.Fatalf("CQLGO_SOAK_SECONDS=%q: want whole seconds, at least 60", v)
		}
		d = time.Duration(n) * time.Second
	}
	rf := min(e.Nodes, 3)
	r := connectKeyspace(t, e, "cqlgo_soak", rf)
	node := "2"
	if e.Nodes < 2 {
		node = "1"
	}
	t.Cleanup(func() {
		// A failed restart must not leave the node stopped.
		if err := nodeScript(context.Background(), e, "start-node", node); err != nil {
			t.Errorf("start-node %s: %v", node, err)
		}
	})

	var done atomic.Int64
	snaps := []soakSnapshot{snapshot("before load (after GC)", 0, r.session, &done, true)}
	var mid, end soakSnapshot
	l := &Load{
		Session: r.session,
		// Keys cycle over 100000 partitions, so the data stays small.
		Statement: func(w int, n uint64) cassandra.Statement {
			return r.ins.Bind(int64((uint64(w)<<32|n)%100_000), r.value).Idempotent(true)
		},
		Duration:     d,
		Window:       30 * time.Second,
		Hosts:        r.ips(),
		FailurePause: 50 * time.Millisecond,
		Done:         &done,
		Steps: []Step{
			{At: d / 2, Name: "middle snapshot", Do: func(context.Context) error {
				mid = snapshot("middle (under load)", d/2, r.session, &done, false)
				return nil
			}},
			{At: d / 2, Name: "stop-node " + node, Do: func(ctx context.Context) error { return nodeScript(ctx, e, "stop-node", node) }},
			{At: d / 2, Name: "start-node " + node, Do: func(ctx context.Context) error { return nodeScript(ctx, e, "start-node", node) }},
			{At: d - 2*time.Second, Name: "end snapshot", Do: func(context.Context) error {
				end = snapshot("end (under load)", d-2*time.Second, r.session, &done, false)
				return nil
			}},
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), d+5*time.Minute)
	defer cancel()
	start := snapshot("start", 0, r.session, &done, false)
	rep, err := l.Run(ctx)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	stop := snapshot("after load", d, r.session, &done, false)
	t.Logf("soak of %s, %d node(s), restart of node %s at %s\n%s", d, e.Nodes, node, d/2, rep.Table())
	t.Logf("host events:\n%s", r.timeline.Format(rep.Start))

	// The pools refill after the restart; give them up to a minute.
	deadline := time.Now().Add(time.Minute)
	after := snapshot("idle after load (GC)", d, r.session, &done, true)
	for after.conns < snaps[0].conns && time.Now().Before(deadline) {
		time.Sleep(time.Second)
		after = snapshot("idle after load (GC)", d, r.session, &done, true)
	}
	snaps = append(snaps, start, mid, end, after)
	var lines []string
	for _, s := range snaps {
		lines = append(lines, s.String())
	}
	t.Logf("snapshots:\n%s", strings.Join(lines, "\n"))

	// Allocations per request, over each half and the whole load.
	perReq := func(from, to soakSnapshot) float64 {
		if to.requests <= from.requests {
			return 0
		}
		return float64(to.mallocs-from.mallocs) / float64(to.requests-from.requests)
	}
	total := stop.requests
	t.Logf("requests: %d (%.0f/s), failed %d; allocations per request: first half %.1f, second half %.1f, whole load %.1f (the whole process: driver, harness and background work)",
		total, float64(total)/d.Seconds(), rep.Failed, perReq(start, mid), perReq(mid, stop), perReq(start, stop))

	if e.Nodes >= 3 {
		requireNoFailures(t, rep)
	} else if rep.Failed > 0 {
		t.Logf("%d requests failed while the only replica restarted (expected with %d node(s)); first ones:\n%s", rep.Failed, e.Nodes, rep.FailureSummary())
	}
	before := snaps[0]
	if after.conns != before.conns {
		t.Errorf("open connections: %d before the load, %d a minute after it (%s), want the pools whole again", before.conns, after.conns, after.perHost)
	}
	if after.goroutines > before.goroutines+16 {
		t.Errorf("goroutines: %d before the load, %d after it: leaked?", before.goroutines, after.goroutines)
	}
	if after.heapAlloc > 2*before.heapAlloc+64<<20 {
		t.Errorf("live heap: %.1f MiB before the load, %.1f MiB after it and a GC: leaked?", float64(before.heapAlloc)/(1<<20), float64(after.heapAlloc)/(1<<20))
	}
}
