package policy

import (
	"sync"
	"sync/atomic"
)

// Distance tells the driver how to treat a host.
type Distance int

// Distances.
const (
	// DistanceLocal hosts get full pools and are tried first.
	DistanceLocal Distance = iota
	// DistanceRemote hosts get pools but are tried after local ones.
	DistanceRemote
	// DistanceIgnored hosts get no pool and are never tried.
	DistanceIgnored
)

// RoutingInfo is what a request tells the load balancer about itself.
type RoutingInfo struct {
	Keyspace   string
	Table      string
	RoutingKey []byte // serialized partition key, when known
	Idempotent bool
	// Serial marks a lightweight transaction (a conditional statement,
	// run with Paxos). TokenAware sends it to the replicas in ring order,
	// never shuffled, so that concurrent rounds on one partition meet the
	// same coordinator.
	Serial bool
}

// View is the driver's read-only picture of the cluster handed to policies.
type View interface {
	// Hosts returns every known host. The slice is shared: do not modify.
	Hosts() []*Host
}

// LoadBalancingPolicy chooses the hosts a request tries. NewQueryPlan must
// be cheap: plans are lazy, computing the next host only when asked, since
// most requests use the first.
type LoadBalancingPolicy interface {
	// Distance classifies a host; the driver keeps pools only for local and
	// remote hosts.
	Distance(h *Host) Distance
	// NewQueryPlan returns the hosts to try, in order, for one request.
	NewQueryPlan(info *RoutingInfo, view View) QueryPlan
}

// QueryPlan yields hosts one at a time; Next returns nil when exhausted.
// Plans are used by one request (its attempts and speculative executions)
// and need not be safe for concurrent use; the driver serialises calls.
// A plan that also has a Release() method is released when the request is
// done with it, so that policies can recycle plans.
type QueryPlan interface {
	Next() *Host
}

// RoundRobin returns a policy that rotates the starting host of each plan
// over the hosts that are up, then tries hosts not known to be down, and
// treats every host as local.
func RoundRobin() LoadBalancingPolicy { return &roundRobin{} }

type roundRobin struct{ next atomic.Uint64 }

func (p *roundRobin) Distance(*Host) Distance { return DistanceLocal }

func (p *roundRobin) NewQueryPlan(_ *RoutingInfo, view View) QueryPlan {
	hosts := view.Hosts()
	plan := rotatingPlans.Get().(*rotatingPlan)
	*plan = rotatingPlan{hosts: hosts, start: evenStart(hosts, p.next.Add(1), isUp)}
	return plan
}

func isUp(h *Host) bool { return h.State() == StateUp }

// evenStart returns where the plan numbered n starts: at the (n mod k)-th
// of the k hosts that may lead a plan (up, and local for DCAware), so every up host leads the same share of
// plans (starting at a down host's place would hand its share to the next
// up host, which then led twice as many).
func evenStart(hosts []*Host, n uint64, lead func(*Host) bool) int {
	up := 0
	for _, h := range hosts {
		if lead(h) {
			up++
		}
	}
	if up == 0 {
		return int(n % uint64(max(len(hosts), 1)))
	}
	k := int(n % uint64(up))
	for i, h := range hosts {
		if lead(h) {
			if k == 0 {
				return i
			}
			k--
		}
	}
	return 0
}

// Plans are recycled: the driver calls Release when a request is done with
// its plan, so a request costs no allocation for it.
var rotatingPlans = sync.Pool{New: func() any { return new(rotatingPlan) }}

// Release returns the plan to its pool; it must not be used afterwards.
func (p *rotatingPlan) Release() {
	*p = rotatingPlan{}
	rotatingPlans.Put(p)
}

// rotatingPlan walks hosts from start, first those up, then those not known
// down (a host in StateUnknown may be fine; trying it is better than
// failing).
type rotatingPlan struct {
	hosts []*Host
	start int
	i     int // position within the current pass
	pass  int // 0: up hosts; 1: unknown hosts
}

func (p *rotatingPlan) Next() *Host {
	n := len(p.hosts)
	for p.pass < 2 {
		for p.i < n {
			h := p.hosts[(p.start+p.i)%n]
			p.i++
			s := h.State()
			if (p.pass == 0 && s == StateUp) || (p.pass == 1 && s == StateUnknown) {
				return h
			}
		}
		p.pass++
		p.i = 0
	}
	return nil
}

// DCAware returns a policy that keeps to the hosts of localDC, rotating
// over them; hosts of other datacenters are ignored (no pools, never
// tried). An empty localDC treats every host as local.
func DCAware(localDC string) LoadBalancingPolicy { return DCAwareWithRemote(localDC, 0) }

// DCAwareWithRemote is DCAware that, once the local hosts are exhausted,
// tries up to remoteHosts hosts of other datacenters (0: none).
func DCAwareWithRemote(localDC string, remoteHosts int) LoadBalancingPolicy {
	return &dcAware{local: localDC, remote: remoteHosts}
}

type dcAware struct {
	local  string
	remote int
	next   atomic.Uint64
}

func (p *dcAware) Distance(h *Host) Distance {
	if h.DC() == p.local || p.local == "" {
		return DistanceLocal
	}
	if p.remote > 0 {
		return DistanceRemote
	}
	return DistanceIgnored
}

func (p *dcAware) NewQueryPlan(_ *RoutingInfo, view View) QueryPlan {
	hosts := view.Hosts()
	lead := func(h *Host) bool { return h.State() == StateUp && p.Distance(h) == DistanceLocal }
	return &dcPlan{policy: p, all: hosts, start: evenStart(hosts, p.next.Add(1), lead)}
}

type dcPlan struct {
	policy *dcAware
	all    []*Host
	start  int
	i      int
	phase  int // 0 local up, 1 local unknown, 2 remote up
	remote int
}

func (p *dcPlan) Next() *Host {
	n := len(p.all)
	for p.phase < 3 {
		for p.i < n {
			h := p.all[(p.start+p.i)%n]
			p.i++
			d := p.policy.Distance(h)
			s := h.State()
			switch p.phase {
			case 0:
				if d == DistanceLocal && s == StateUp {
					return h
				}
			case 1:
				if d == DistanceLocal && s == StateUnknown {
					return h
				}
			case 2:
				if d == DistanceRemote && s == StateUp && p.remote < p.policy.remote {
					p.remote++
					return h
				}
			}
		}
		p.phase++
		p.i = 0
	}
	return nil
}
