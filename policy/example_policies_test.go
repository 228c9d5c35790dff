package policy_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// demoHost is a host that is up, as the driver describes it after
// discovery.
func demoHost(ip, dc, rack string) *policy.Host {
	return policy.NewHostInState(policy.HostInfo{Addr: netip.AddrPortFrom(netip.MustParseAddr(ip), 9042), DC: dc, Rack: rack}, policy.StateUp)
}

// demoView stands for the driver's view of the cluster: its hosts and how
// busy each one is.
type demoView struct {
	hosts []*policy.Host
	load  map[*policy.Host]policy.HostLoad
}

func (v *demoView) Hosts() []*policy.Host               { return v.hosts }
func (v *demoView) Load(h *policy.Host) policy.HostLoad { return v.load[h] }

// printPlan prints the addresses of a plan's hosts and releases it.
func printPlan(p policy.QueryPlan) {
	var addrs []string
	for h := p.Next(); h != nil; h = p.Next() {
		addrs = append(addrs, h.Addr().Addr().String())
	}
	fmt.Println(strings.Join(addrs, " "))
	if r, ok := p.(interface{ Release() }); ok {
		r.Release()
	}
}

func ExampleRackAware() {
	// Requests go to the hosts of rack r1 of dc1 first, then to dc1's
	// other racks, then to at most one host of another datacenter. In a
	// driver configuration this is
	//
	//	cluster.Policies.LoadBalancing = policy.TokenAware(policy.RackAware("dc1", "r1", 1))
	lb := policy.RackAware("dc1", "r1", 1)

	view := &demoView{hosts: []*policy.Host{
		demoHost("10.0.0.1", "dc1", "r1"),
		demoHost("10.0.0.2", "dc1", "r2"),
		demoHost("10.0.1.1", "dc2", "r1"),
		demoHost("10.0.0.3", "dc1", "r1"),
	}}
	printPlan(lb.NewQueryPlan(&policy.RoutingInfo{}, view))
	printPlan(lb.NewQueryPlan(&policy.RoutingInfo{}, view))
	// Output:
	// 10.0.0.1 10.0.0.3 10.0.0.2 10.0.1.1
	// 10.0.0.3 10.0.0.1 10.0.0.2 10.0.1.1
}

func ExampleHostFilter() {
	// Only dc1 and dc3 are used; the driver keeps no pool for the hosts
	// of dc2:
	//
	//	cluster.Policies.LoadBalancing = policy.HostFilter(policy.RoundRobin(), policy.AllowDCs("dc1", "dc3"))
	lb := policy.HostFilter(policy.RoundRobin(), policy.AllowDCs("dc1", "dc3"))

	for _, h := range []*policy.Host{demoHost("10.0.0.1", "dc1", "r1"), demoHost("10.0.1.1", "dc2", "r1"), demoHost("10.0.2.1", "dc3", "r1")} {
		fmt.Println(h.Addr().Addr(), lb.Distance(h) == policy.DistanceIgnored)
	}
	// Output:
	// 10.0.0.1 false
	// 10.0.1.1 true
	// 10.0.2.1 false
}

func ExampleAllowAddrs() {
	// Keep the driver off two nodes that are being decommissioned, whose
	// addresses are known:
	//
	//	keep := policy.AllowAddrs("10.0.0.1", "10.0.0.2", "10.0.0.3:9042")
	//	cluster.Policies.LoadBalancing = policy.HostFilter(policy.DCAware("dc1"), keep)
	keep := policy.AllowAddrs("10.0.0.1", "10.0.0.2", "10.0.0.3:9042")
	for _, ip := range []string{"10.0.0.1", "10.0.0.3", "10.0.0.4"} {
		fmt.Println(ip, keep(demoHost(ip, "dc1", "r1")))
	}
	// Output:
	// 10.0.0.1 true
	// 10.0.0.3 true
	// 10.0.0.4 false
}

func ExampleLeastBusy() {
	// Of the first hosts RackAware picks, the one with fewer requests in
	// flight goes first; a host whose requests time out goes behind:
	//
	//	cluster.Policies.LoadBalancing = policy.LeastBusy(policy.TokenAware(policy.RackAware("dc1", "r1", 0)))
	lb := policy.LeastBusy(policy.RackAware("dc1", "r1", 0))

	a, b, c := demoHost("10.0.0.1", "dc1", "r1"), demoHost("10.0.0.2", "dc1", "r1"), demoHost("10.0.0.3", "dc1", "r2")
	view := &demoView{hosts: []*policy.Host{a, b, c}, load: map[*policy.Host]policy.HostLoad{
		a: {InFlight: 40},
		b: {InFlight: 2},
		c: {InFlight: 50},
	}}
	printPlan(lb.NewQueryPlan(&policy.RoutingInfo{}, view))
	view.load[b] = policy.HostLoad{InFlight: 2, RecentTimeouts: 5}
	printPlan(lb.NewQueryPlan(&policy.RoutingInfo{}, view))
	// Output:
	// 10.0.0.2 10.0.0.1 10.0.0.3
	// 10.0.0.1 10.0.0.3 10.0.0.2
}

func ExampleLocalOnly() {
	// DCAwareWithRemote falls back to another datacenter, but a request
	// at LOCAL_QUORUM must not: the driver wraps its plan with LocalOnly.
	lb := policy.DCAwareWithRemote("dc1", 1)
	local := demoHost("10.0.0.1", "dc1", "r1")
	view := &demoView{hosts: []*policy.Host{local, demoHost("10.0.1.1", "dc2", "r1")}}

	plan := lb.NewQueryPlan(&policy.RoutingInfo{}, view)
	if policy.LocalConsistency(frame.LocalQuorum) {
		plan = policy.LocalOnly(lb, plan)
	}
	printPlan(plan)
	printPlan(lb.NewQueryPlan(&policy.RoutingInfo{}, view)) // at QUORUM
	// Output:
	// 10.0.0.1
	// 10.0.0.1 10.0.1.1
}

func ExampleNoSpeculativeExecution() {
	s := policy.NoSpeculativeExecution().NewSchedule(&policy.RoutingInfo{Idempotent: true})
	_, ok := s.NextDelay(1)
	fmt.Println(ok)
	// Output: false
}

func ExampleConstantSpeculativeExecution() {
	// An idempotent request still unanswered after 50ms is sent to the
	// next host too, and again 50ms later to a third; the first answer
	// wins. The driver takes it as its speculative execution policy.
	p := policy.ConstantSpeculativeExecution(50*time.Millisecond, 2)

	s := p.NewSchedule(&policy.RoutingInfo{Idempotent: true})
	for n := 1; ; n++ {
		d, ok := s.NextDelay(n)
		if !ok {
			break
		}
		fmt.Printf("extra execution %d after %v\n", n, d)
	}
	// Output:
	// extra execution 1 after 50ms
	// extra execution 2 after 50ms
}

func ExamplePercentileSpeculativeExecution() {
	// An idempotent request slower than 99% of the recent ones gets one
	// extra execution. The driver records every successful attempt's
	// latency into the tracker (the policy is LatencyAware).
	tracker := policy.NewLatencyTracker()
	p := policy.PercentileSpeculativeExecution(tracker, 99, 1)

	h := demoHost("10.0.0.1", "dc1", "r1")
	for i := 0; i < 990; i++ {
		tracker.Record(h, 2*time.Millisecond)
	}
	for i := 0; i < 10; i++ {
		tracker.Record(h, 40*time.Millisecond)
	}
	d, ok := p.NewSchedule(&policy.RoutingInfo{Idempotent: true}).NextDelay(1)
	fmt.Println(d.Round(time.Millisecond), ok)
	_, isAware := p.(policy.LatencyAware)
	fmt.Println(isAware)
	// Output:
	// 2ms true
	// true
}

func ExampleNewLatencyTracker() {
	tracker := policy.NewLatencyTracker(policy.LatencyWindow(30*time.Second), policy.LatencyMinSamples(10))
	fast, slow := demoHost("10.0.0.1", "dc1", "r1"), demoHost("10.0.0.2", "dc1", "r1")
	for i := 0; i < 30; i++ {
		tracker.Record(fast, time.Millisecond)
		tracker.Record(slow, 12*time.Millisecond)
	}
	p50, _ := tracker.Percentile(fast, 50)
	s50, _ := tracker.Percentile(slow, 50)
	all, _ := tracker.ClusterPercentile(90)
	fmt.Println(p50.Round(time.Millisecond), s50.Round(time.Millisecond), all.Round(time.Millisecond))
	// Output: 1ms 12ms 12ms
}

func ExampleDowngradingConsistencyRetry() {
	// Risky: a read that cannot reach QUORUM is retried at a lower level.
	//
	//	cluster.Policies.Retry = policy.DowngradingConsistencyRetry()
	s := policy.DowngradingConsistencyRetry().NewSession()
	d := s.OnFailure(&policy.Failure{
		Err:     &frame.UnavailableError{Consistency: frame.Quorum, Required: 2, Alive: 1},
		Attempt: 1,
	})
	fmt.Println(d.Kind, "at", d.Consistency)
	d = s.OnFailure(&policy.Failure{
		Err:     &frame.ReadTimeoutError{Consistency: frame.One, Received: 0, BlockFor: 1},
		Attempt: 2,
	})
	fmt.Println(d.Kind)
	// Output:
	// retry same host at ONE
	// rethrow
}

func ExampleFallthroughRetry() {
	// The application retries by itself:
	//
	//	cluster.Policies.Retry = policy.FallthroughRetry()
	d := policy.FallthroughRetry().NewSession().OnFailure(&policy.Failure{Err: &frame.OverloadedError{}, Idempotent: true, Attempt: 1})
	fmt.Println(d.Kind)
	// Output: rethrow
}

func ExampleNoThrottle() {
	th := policy.NoThrottle()
	if err := th.Acquire(context.Background()); err == nil {
		defer th.Release()
	}
	fmt.Println("never waits")
	// Output: never waits
}

func ExampleConcurrencyLimiter() {
	// At most 2 requests in flight and 100 waiting, each for 20ms at
	// most. The driver calls Acquire before a request and Release after
	// it.
	th := policy.ConcurrencyLimiter(2, 100, 20*time.Millisecond)
	ctx := context.Background()
	_ = th.Acquire(ctx)
	_ = th.Acquire(ctx)

	err := th.Acquire(ctx) // waits 20ms: nobody releases
	var te *policy.ThrottledError
	if errors.As(err, &te) {
		fmt.Println(te.Reason, te.Waited >= 20*time.Millisecond)
	}
	th.Release()
	th.Release()
	// Output: queue timeout true
}

func ExampleRateLimiter() {
	// 100 requests per second, bursts of 2, no queue: the third request
	// of a burst fails at once.
	th := policy.RateLimiter(100, 2, 0, 0)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		fmt.Println(th.Acquire(ctx))
	}
	// Output:
	// <nil>
	// <nil>
	// cassandra: request throttled: queue full after 0s
}
