package policy

import "sync"

// HostLoad is the driver's measure of how busy a host is.
type HostLoad struct {
	// InFlight is the number of requests sent to the host and not yet
	// answered, over all of its connections.
	InFlight int
	// RecentTimeouts is the number of attempts on the host that timed out
	// lately (the driver chooses the period, a few seconds).
	RecentTimeouts int
}

// LoadView is a View that also tells how busy each host is. The driver's
// view implements it; LeastBusy balances only through such views.
type LoadView interface {
	View
	// Load returns h's current load. It is called for a few hosts per
	// request and must be cheap.
	Load(h *Host) HostLoad
}

const (
	// leastBusyWindow is how many of the first hosts of the child's plan
	// LeastBusy reorders.
	leastBusyWindow = 3
	// leastBusyTimeouts is the RecentTimeouts from which a host counts as
	// timing out.
	leastBusyTimeouts = 3
)

// LeastBusy returns a policy that reorders the first hosts of child's
// plans by load, the idea of the Java driver 4's default policy: of the
// first three hosts of a plan (with TokenAware as child, the replicas),
// those timing out (HostLoad.RecentTimeouts of 3 or more) move behind the
// others, and of the first two that remain the one with fewer requests in
// flight goes first (power of two choices: the child's order is already
// random or rotating, so comparing its first two hosts is comparing two
// random ones). Ties keep child's order. The rest of the plan is child's.
//
// The load comes from the view: when it is not a LoadView, plans are
// child's plans, unchanged. Distance is child's. Plans ask child's plan
// for its first three hosts on their first Next only, and are recycled
// when the driver releases them.
func LeastBusy(child LoadBalancingPolicy) LoadBalancingPolicy { return &leastBusy{child: child} }

type leastBusy struct{ child LoadBalancingPolicy }

func (p *leastBusy) Distance(h *Host) Distance { return p.child.Distance(h) }

func (p *leastBusy) NewQueryPlan(info *RoutingInfo, view View) QueryPlan {
	child := p.child.NewQueryPlan(info, view)
	lv, ok := view.(LoadView)
	if !ok {
		return child
	}
	plan := busyPlans.Get().(*busyPlan)
	plan.child, plan.view = child, lv
	return plan
}

var busyPlans = sync.Pool{New: func() any { return new(busyPlan) }}

type busyPlan struct {
	child   QueryPlan
	view    LoadView
	started bool
	first   [leastBusyWindow]*Host // the reordered head of child's plan
	n, i    int                    // hosts in first; next to yield
}

func (p *busyPlan) Next() *Host {
	if !p.started {
		p.started = true
		p.fill()
	}
	if p.i < p.n {
		h := p.first[p.i]
		p.i++
		return h
	}
	return p.child.Next()
}

// fill takes the head of child's plan and orders it.
func (p *busyPlan) fill() {
	var load [leastBusyWindow]HostLoad
	for p.n < leastBusyWindow {
		h := p.child.Next()
		if h == nil {
			break
		}
		p.first[p.n], load[p.n] = h, p.view.Load(h)
		p.n++
	}
	// Move hosts that time out behind the others, keeping the order
	// within each kind (insertion sort: at most three hosts).
	timingOut := func(l HostLoad) bool { return l.RecentTimeouts >= leastBusyTimeouts }
	for i := 1; i < p.n; i++ {
		for j := i; j > 0 && timingOut(load[j-1]) && !timingOut(load[j]); j-- {
			p.first[j-1], p.first[j] = p.first[j], p.first[j-1]
			load[j-1], load[j] = load[j], load[j-1]
		}
	}
	if p.n >= 2 && timingOut(load[0]) == timingOut(load[1]) && load[1].InFlight < load[0].InFlight {
		p.first[0], p.first[1] = p.first[1], p.first[0]
	}
}

// Release releases child's plan and returns the plan to its pool; it must
// not be used afterwards.
func (p *busyPlan) Release() {
	releaseChildPlan(p.child)
	*p = busyPlan{}
	busyPlans.Put(p)
}
