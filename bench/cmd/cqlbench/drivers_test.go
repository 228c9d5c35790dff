package main

import (
	"context"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/bench/internal/cannedsrv"
	"github.com/cqlgo/cassandra/bench/internal/workload"
)

// TestEveryDriverRunsEveryWorkloadOnTheCannedNode runs a few requests of
// each workload through each Go client against an in-process canned node:
// every request must succeed, and be counted once.
func TestEveryDriverRunsEveryWorkloadOnTheCannedNode(t *testing.T) {
	srv, err := cannedsrv.Listen("127.0.0.1:0", cannedsrv.Options{Log: func(l string) { t.Log("node:", l) }})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	defer func() {
		srv.Close()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	for _, name := range []string{"cqlgo", "gocql1", "gocql2", "wire"} {
		for _, wl := range workload.All {
			t.Run(name+"/"+wl, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				cl, err := drivers[name](ctx, config{addr: srv.Addr().String(), workload: wl, inflight: 4, timeout: 10 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				defer cl.close()
				const n = 12
				ctl := &control{limit: n}
				ctl.measuring.Store(true)
				if cl.run != nil {
					cl.run(ctx, ctl)
				} else {
					runWorkers(ctx, 4, ctl, cl.op)
				}
				if p := ctl.firstErr.Load(); p != nil {
					t.Fatalf("a request failed: %s", *p)
				}
				if ops := ctl.ops.Load(); ops != n || ctl.hist.Count() != n {
					t.Errorf("%d requests counted, %d latencies, want %d", ops, ctl.hist.Count(), n)
				}
			})
		}
	}
}

func TestControlStopsAtItsLimitAndCountsOnlyWhileMeasuring(t *testing.T) {
	ctl := &control{limit: 3}
	var got []uint64
	for {
		i, ok := ctl.next()
		if !ok {
			break
		}
		got = append(got, i)
	}
	if len(got) != 3 || got[0] != 0 || got[2] != 2 {
		t.Errorf("tickets %v, want [0 1 2]", got)
	}
	ctl.done(time.Now(), nil) // not measuring: not counted
	ctl.measuring.Store(true)
	ctl.done(time.Now(), nil)
	ctl.done(time.Now(), errNoRow)
	if ctl.ops.Load() != 1 || ctl.failed.Load() != 1 || ctl.completed.Load() != 3 {
		t.Errorf("ops %d failed %d completed %d, want 1 1 3", ctl.ops.Load(), ctl.failed.Load(), ctl.completed.Load())
	}
	if p := ctl.firstErr.Load(); p == nil || *p != errNoRow.Error() {
		t.Errorf("first error %v", p)
	}
	ctl.stop.Store(true)
	unlimited := &control{}
	unlimited.stop.Store(true)
	if _, ok := unlimited.next(); ok {
		t.Error("a stopped control handed out a ticket")
	}
}
