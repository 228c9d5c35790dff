package policy

import (
	"sync"
	"sync/atomic"
)

// RackAware returns a policy that prefers the hosts of localRack within
// localDC: replicas in the same rack are usually the closest and the
// cheapest to reach (same zone, no cross-zone traffic charge).
//
// Distance is DistanceLocal for every host of localDC, whatever its rack
// (the rack only orders plans); for hosts of other datacenters it is
// DistanceRemote when remoteHosts > 0 and DistanceIgnored otherwise, as
// with DCAware and DCAwareWithRemote. An empty localDC makes every host
// local; an empty localRack gives no rack preference.
//
// A plan yields, each group rotating its first host from plan to plan:
// the up hosts of localRack in localDC, then the up hosts of the other
// racks of localDC, then the hosts of localDC whose state is not known
// yet, then up to remoteHosts up hosts of other datacenters in all. Down
// hosts are left out, as in the package's other plans. Requests at a
// LOCAL_* consistency must stay in localDC even when remoteHosts > 0: the
// driver wraps their plans with LocalOnly.
//
// Plans are lazy (each group is looked at only when the previous one is
// exhausted) and recycled when the driver releases them.
func RackAware(localDC, localRack string, remoteHosts int) LoadBalancingPolicy {
	return &rackAware{dc: localDC, rack: localRack, remote: max(remoteHosts, 0)}
}

type rackAware struct {
	dc, rack string
	remote   int
	next     atomic.Uint64
}

func (p *rackAware) Distance(h *Host) Distance {
	if p.dc == "" || h.DC() == p.dc {
		return DistanceLocal
	}
	if p.remote > 0 {
		return DistanceRemote
	}
	return DistanceIgnored
}

func (p *rackAware) NewQueryPlan(_ *RoutingInfo, view View) QueryPlan {
	plan := rackPlans.Get().(*rackPlan)
	*plan = rackPlan{policy: p, hosts: view.Hosts(), turn: p.next.Add(1) - 1}
	return plan
}

var rackPlans = sync.Pool{New: func() any { return new(rackPlan) }}

// Release returns the plan to its pool; it must not be used afterwards.
func (p *rackPlan) Release() {
	*p = rackPlan{}
	rackPlans.Put(p)
}

// Groups of a rack-aware plan, in order.
const (
	rackLocalUp  = iota // up, local datacenter, local rack
	rackOthersUp        // up, local datacenter, other racks
	rackUnknown         // state unknown, local datacenter
	rackRemoteUp        // up, other datacenters
	rackGroups
)

type rackPlan struct {
	policy *rackAware
	hosts  []*Host
	turn   uint64 // this plan's number: rotates the first host of each group

	group   int  // current group
	started bool // the walk of group is set up
	from, i int  // the walk starts at hosts[from]; i positions done
	remote  int  // remote hosts yielded
}

// in reports whether h belongs to group g now.
func (p *rackPlan) in(g int, h *Host) bool {
	pol, info := p.policy, h.info.Load()
	local := pol.dc == "" || info.DC == pol.dc
	switch s := h.State(); g {
	case rackLocalUp:
		return local && s == StateUp && (pol.rack == "" || info.Rack == pol.rack)
	case rackOthersUp:
		return local && s == StateUp && pol.rack != "" && info.Rack != pol.rack
	case rackUnknown:
		return local && s == StateUnknown
	default:
		return !local && s == StateUp && pol.remote > 0
	}
}

func (p *rackPlan) Next() *Host {
	n := len(p.hosts)
	for p.group < rackGroups {
		if p.group == rackRemoteUp && p.remote >= p.policy.remote {
			break
		}
		if !p.started {
			p.start()
		}
		for p.i < n {
			h := p.hosts[(p.from+p.i)%n]
			p.i++
			if p.in(p.group, h) {
				if p.group == rackRemoteUp {
					p.remote++
				}
				return h
			}
		}
		p.group++
		p.started = false
	}
	p.group = rackGroups
	return nil
}

// start sets up the walk of the current group so that it begins at the
// k-th of the group's hosts, k = turn mod their number: over successive
// plans each host of a group comes first equally often, however the
// hosts of the group are spread over the view.
func (p *rackPlan) start() {
	p.started, p.from, p.i = true, 0, 0
	count := 0
	for _, h := range p.hosts {
		if p.in(p.group, h) {
			count++
		}
	}
	if count == 0 {
		p.i = len(p.hosts) // nothing to walk
		return
	}
	k := int(p.turn % uint64(count))
	for j, h := range p.hosts {
		if p.in(p.group, h) {
			if k == 0 {
				p.from = j
				return
			}
			k--
		}
	}
}
