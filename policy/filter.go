package policy

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"

	"github.com/cqlgo/cassandra/frame"
)

// HostFilter returns a policy that keeps to the hosts allow accepts. Its
// Distance is DistanceIgnored for the other hosts, so the driver keeps no
// pool for them, and child's distance for the accepted ones; its plans are
// child's plans without the refused hosts, skipped as the plan is walked.
// A nil allow accepts every host. allow is called often (on every
// Distance and for every host a plan yields), must be cheap and must give
// the same answer for a host until its HostInfo changes.
func HostFilter(child LoadBalancingPolicy, allow func(*Host) bool) LoadBalancingPolicy {
	if allow == nil {
		return child
	}
	return &hostFilter{child: child, allow: allow}
}

type hostFilter struct {
	child LoadBalancingPolicy
	allow func(*Host) bool
}

func (p *hostFilter) Distance(h *Host) Distance {
	if !p.allow(h) {
		return DistanceIgnored
	}
	return p.child.Distance(h)
}

func (p *hostFilter) NewQueryPlan(info *RoutingInfo, view View) QueryPlan {
	plan := filterPlans.Get().(*filterPlan)
	plan.child = p.child.NewQueryPlan(info, view)
	plan.allow = p.allow
	return plan
}

var filterPlans = sync.Pool{New: func() any { return new(filterPlan) }}

// filterPlan yields the hosts of child that allow accepts or, when lb is
// set, that lb places at DistanceLocal.
type filterPlan struct {
	child QueryPlan
	allow func(*Host) bool
	lb    LoadBalancingPolicy
}

func (p *filterPlan) Next() *Host {
	for h := p.child.Next(); h != nil; h = p.child.Next() {
		if p.lb != nil {
			if p.lb.Distance(h) == DistanceLocal {
				return h
			}
		} else if p.allow(h) {
			return h
		}
	}
	return nil
}

// Release releases child's plan and returns the plan to its pool; it must
// not be used afterwards.
func (p *filterPlan) Release() {
	releaseChildPlan(p.child)
	*p = filterPlan{}
	filterPlans.Put(p)
}

// releaseChildPlan releases a plan that has a Release method.
func releaseChildPlan(p QueryPlan) {
	if r, ok := p.(interface{ Release() }); ok {
		r.Release()
	}
}

// AllowAddrs returns a HostFilter predicate that accepts the hosts whose
// address (Host.Addr, the address the driver connects to, after address
// translation) is one of addrs. An entry is an IP address, which accepts
// any port, or IP:port ("10.0.0.1:9042", "[::1]:9042"); IPv4-mapped IPv6
// addresses match their IPv4 form. Host names are not resolved: an entry
// that is not an IP literal makes AllowAddrs panic, since a filter that
// silently accepts no host would leave the driver without any.
func AllowAddrs(addrs ...string) func(*Host) bool {
	ips := make(map[netip.Addr]bool)
	ports := make(map[netip.AddrPort]bool)
	for _, a := range addrs {
		if ap, err := netip.ParseAddrPort(a); err == nil {
			ports[netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())] = true
			continue
		}
		ip, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(a, "["), "]"))
		if err != nil {
			panic(fmt.Sprintf("policy.AllowAddrs: %q is neither an IP address nor IP:port", a))
		}
		ips[ip.Unmap()] = true
	}
	return func(h *Host) bool {
		ap := h.Addr()
		ip := ap.Addr().Unmap()
		return ips[ip] || ports[netip.AddrPortFrom(ip, ap.Port())]
	}
}

// AllowDCs returns a HostFilter predicate that accepts the hosts of the
// given datacenters. A host whose datacenter is not known yet (a contact
// point before discovery) is refused; the driver's control connection
// falls back to such hosts when no accepted host answers.
func AllowDCs(dcs ...string) func(*Host) bool {
	set := make(map[string]bool, len(dcs))
	for _, dc := range dcs {
		set[dc] = true
	}
	return func(h *Host) bool { return set[h.DC()] }
}

// LocalConsistency reports whether c is LOCAL_ONE, LOCAL_QUORUM or
// LOCAL_SERIAL: a level whose replicas are counted in the coordinator's
// datacenter only, so that a coordinator in another datacenter would
// silently read and write there instead of in the local one.
func LocalConsistency(c frame.Consistency) bool {
	return c == frame.LocalOne || c == frame.LocalQuorum || c == frame.LocalSerial
}

// LocalOnly wraps plan, made by lb, so that it yields only the hosts that
// lb places at DistanceLocal. The driver wraps the plan of every request
// sent at a LocalConsistency level (including its speculative executions),
// so that DCAwareWithRemote and RackAware with remote hosts still keep
// LOCAL_* requests in the local datacenter: their remote hosts are at
// DistanceRemote. With RoundRobin, where every host is local, it changes
// nothing. Releasing the returned plan releases plan.
func LocalOnly(lb LoadBalancingPolicy, plan QueryPlan) QueryPlan {
	p := filterPlans.Get().(*filterPlan)
	p.child = plan
	p.lb = lb
	return p
}
