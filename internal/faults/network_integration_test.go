package faults

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/internal/testenv"
)

// The network scenarios apply their fault from a sixth of the run (10 s of
// 60) to two thirds (40 s), leaving the last third for recovery.
func faultWindow(d time.Duration) (from, to time.Duration) { return d / 6, d * 2 / 3 }

// TestIntegrationPartitionFromClient drops every packet between the client
// and one node's CQL port, both ways, so its connections hang: idempotent
// writes must all succeed elsewhere, and the node must take traffic again
// once the partition heals.
func TestIntegrationPartitionFromClient(t *testing.T) {
	e := testenv.RequireNodes(t, 3)
	n := requireNet(t, e)
	r := connect(t, e)
	d := runLength(t)
	from, to := faultWindow(d)
	ip := r.addrs[faulted].Addr()
	rep := r.run(t, d, []Step{
		{At: from, Name: "partition " + ip.String(), Do: func(ctx context.Context) error { return n.Partition(ctx, ip) }},
		{At: to, Name: "heal " + ip.String(), Do: func(ctx context.Context) error { return n.Heal(ctx, ip) }},
	})
	down, _ := r.markTimes(t, rep, from, to)
	requireNoFailures(t, rep)
	requireBack(t, rep, to)
	if down < 0 {
		t.Errorf("%s was never marked down during the partition", ip)
	}
}

// TestIntegrationFlappingLink partitions one node from the client for 5 s,
// lets it through for 5 s, and so on, for the fault window.
func TestIntegrationFlappingLink(t *testing.T) {
	e := testenv.RequireNodes(t, 3)
	n := requireNet(t, e)
	r := connect(t, e)
	d := runLength(t)
	from, to := faultWindow(d)
	ip := r.addrs[faulted].Addr()
	var steps []Step
	on := true
	for at := from; at < to; at += 5 * time.Second {
		if on {
			steps = append(steps, Step{At: at, Name: "partition " + ip.String(), Do: func(ctx context.Context) error { return n.Partition(ctx, ip) }})
		} else {
			steps = append(steps, Step{At: at, Name: "heal " + ip.String(), Do: func(ctx context.Context) error { return n.Heal(ctx, ip) }})
		}
		on = !on
	}
	steps = append(steps, Step{At: to, Name: "heal " + ip.String(), Do: func(ctx context.Context) error { return n.Heal(ctx, ip) }})
	rep := r.run(t, d, steps)
	r.markTimes(t, rep, from, to)
	requireNoFailures(t, rep)
	requireBack(t, rep, to)
}

// TestIntegrationPartitionBetweenNodes cuts one node off from its peers on
// the storage port (7000) while the client still reaches all three nodes:
// the node keeps answering the client, as a coordinator that cannot reach
// a quorum. Packets to and from the node's address and port are dropped,
// and so are the connections the node itself opens to its peers (from
// 127.0.0.1, found by its pid: see Net.Isolate).
func TestIntegrationPartitionBetweenNodes(t *testing.T) {
	e := testenv.RequireNodes(t, 3)
	n := requireNet(t, e)
	pid := nodePID(t, e, faulted+1)
	r := connect(t, e)
	d := runLength(t)
	from, to := faultWindow(d)
	ip := r.addrs[faulted].Addr()
	const storage = 7000
	rep := r.run(t, d, []Step{
		{At: from, Name: fmt.Sprintf("isolate %s %d (pid %d)", ip, storage, pid), Do: func(ctx context.Context) error { return n.Isolate(ctx, ip, storage, pid) }},
		{At: to, Name: fmt.Sprintf("unisolate %s %d", ip, storage), Do: func(ctx context.Context) error { return n.Unisolate(ctx, ip, storage) }},
	})
	r.markTimes(t, rep, from, to)
	requireNoFailures(t, rep)
	requireBack(t, rep, to)
}

// TestIntegrationSlowLossyNode adds 200 ms of latency and 5% loss to the
// packets sent to one node. With tc netem when the kernel has it; the
// second variant stands in for netem where it is missing: the client's
// connections to the node go through a DelayProxy (nftables DNAT) that
// holds requests 200 ms, and nftables drops 5% of the packets sent to the
// node.
func TestIntegrationSlowLossyNode(t *testing.T) {
	e := testenv.RequireNodes(t, 3)
	const delay, loss = 200 * time.Millisecond, 5

	t.Run("netem", func(t *testing.T) {
		n := requireNet(t, e)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		why, err := n.Check(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if why != "" {
			t.Skip("tc netem unavailable: " + why)
		}
		r := connect(t, e)
		d := runLength(t)
		from, to := faultWindow(d)
		ip := r.addrs[faulted].Addr()
		rep := r.run(t, d, []Step{
			{At: from, Name: fmt.Sprintf("netem %s %s %d%%", ip, delay, loss), Do: func(ctx context.Context) error { return n.Netem(ctx, ip, delay, loss) }},
			{At: to, Name: "clear-netem " + ip.String(), Do: func(ctx context.Context) error { return n.ClearNetem(ctx, ip) }},
		})
		r.markTimes(t, rep, from, to)
		requireNoFailures(t, rep)
		requireBack(t, rep, to)
	})

	t.Run("proxy_delay_and_nft_loss", func(t *testing.T) {
		n := requireNet(t, e)
		target := hostAddrs(t, e)[faulted]
		ip := target.Addr()
		p, err := NewDelayProxy(target)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// Before Connect, so that every connection to the node goes through
		// the proxy (NAT applies to new connections only).
		if err := n.Redirect(ctx, ip, int(target.Port()), p.Port()); err != nil {
			t.Fatal(err)
		}
		r := connect(t, e)
		d := runLength(t)
		from, to := faultWindow(d)
		rep := r.run(t, d, []Step{
			{At: from, Name: fmt.Sprintf("delay %s, loss %s %d%%", delay, ip, loss), Do: func(ctx context.Context) error {
				p.SetDelay(delay)
				return n.Loss(ctx, ip, loss)
			}},
			{At: to, Name: "clear delay and loss", Do: func(ctx context.Context) error {
				p.SetDelay(0)
				return n.ClearLoss(ctx, ip)
			}},
		})
		r.markTimes(t, rep, from, to)
		requireNoFailures(t, rep)
		requireBack(t, rep, to)
		// The fault must have shown: in the middle of it, half the requests
		// the slow node coordinated took at least the delay.
		mid := rep.Windows[int((from+to)/2/(5*time.Second))]
		if mid.ByHost[faulted] > 0 && mid.HostP50[faulted] < delay {
			t.Errorf("window %s-%s: p50 of the requests %s coordinated is %s, want at least the %s delay", mid.Start, mid.End, ip, mid.HostP50[faulted], delay)
		}
	})
}
