package policy

import (
	"fmt"
	"net/netip"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/cqlgo/cassandra/frame"
)

// Helpers shared by the tests of filter, rackaware, busy, latency and
// speculative.

// polHost returns host 127.0.0.i:9042 in dc/rack with state s.
func polHost(i int, dc, rack string, s HostState) *Host {
	h := NewHost(HostInfo{Addr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, byte(i)}), 9042), DC: dc, Rack: rack})
	h.setState(s)
	return h
}

// polView is a plain View.
type polView []*Host

func (v polView) Hosts() []*Host { return v }

// polDrain returns every host of p, failing on an endless plan or one
// that does not stay exhausted, and releases p.
func polDrain(t testing.TB, p QueryPlan) []*Host {
	t.Helper()
	var out []*Host
	for h := p.Next(); h != nil; h = p.Next() {
		out = append(out, h)
		if len(out) > 1000 {
			t.Fatal("plan does not end")
		}
	}
	if h := p.Next(); h != nil {
		t.Fatalf("Next after the end returned %v", h)
	}
	releaseChildPlan(p)
	return out
}

// polWalk walks p to its end and releases it, without allocating.
func polWalk(p QueryPlan) {
	for h := p.Next(); h != nil; h = p.Next() {
	}
	releaseChildPlan(p)
}

// polNames lists the last address bytes of hs: "1 2 3".
func polNames(hs []*Host) string {
	s := make([]string, len(hs))
	for i, h := range hs {
		s[i] = fmt.Sprint(h.Addr().Addr().As4()[3])
	}
	return strings.Join(s, " ")
}

// polRaceBuild reports a -race build: the race detector makes sync.Pool
// drop items at random, so allocation counts of pooled plans are checked
// only without it.
func polRaceBuild() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

// listPolicy is a deterministic child: every host is at distance d (or
// the one in dist), plans are the view's hosts in view order, whatever
// their state. It counts the plans it makes and releases.
type listPolicy struct {
	d              Distance
	dist           map[*Host]Distance
	made, released int
}

func (c *listPolicy) Distance(h *Host) Distance {
	if d, ok := c.dist[h]; ok {
		return d
	}
	return c.d
}

func (c *listPolicy) NewQueryPlan(_ *RoutingInfo, v View) QueryPlan {
	c.made++
	return &listPlan{c: c, hosts: v.Hosts()}
}

type listPlan struct {
	c     *listPolicy
	hosts []*Host
	i     int
}

func (p *listPlan) Next() *Host {
	if p.i >= len(p.hosts) {
		return nil
	}
	p.i++
	return p.hosts[p.i-1]
}

func (p *listPlan) Release() { p.c.released++ }

func TestHostFilter(t *testing.T) {
	hosts := polView{polHost(1, "dc1", "r1", StateUp), polHost(2, "dc2", "r1", StateUp), polHost(3, "dc1", "r2", StateUp), polHost(4, "dc3", "r1", StateUp)}
	t.Run("refused_hosts_are_ignored_and_others_keep_the_child_distance", func(t *testing.T) {
		child := &listPolicy{d: DistanceRemote, dist: map[*Host]Distance{hosts[0]: DistanceLocal}}
		p := HostFilter(child, AllowDCs("dc1", "dc3"))
		want := []Distance{DistanceLocal, DistanceIgnored, DistanceRemote, DistanceRemote}
		for i, h := range hosts {
			if d := p.Distance(h); d != want[i] {
				t.Errorf("host %d: distance %v, want %v", i+1, d, want[i])
			}
		}
	})
	t.Run("plans_skip_refused_hosts_in_the_child_order", func(t *testing.T) {
		child := &listPolicy{}
		p := HostFilter(child, AllowDCs("dc1", "dc3"))
		if got := polNames(polDrain(t, p.NewQueryPlan(&RoutingInfo{}, hosts))); got != "1 3 4" {
			t.Errorf("plan %q, want 1 3 4", got)
		}
		if child.made != 1 || child.released != 1 {
			t.Errorf("child plans made %d, released %d; want 1 and 1", child.made, child.released)
		}
	})
	t.Run("plans_are_lazy", func(t *testing.T) {
		calls := 0
		p := HostFilter(&listPolicy{}, func(h *Host) bool { calls++; return h.DC() == "dc2" })
		plan := p.NewQueryPlan(&RoutingInfo{}, hosts)
		if calls != 0 {
			t.Fatalf("allow called %d times before Next", calls)
		}
		if h := plan.Next(); h != hosts[1] || calls != 2 {
			t.Errorf("first host %v after %d calls, want host 2 after 2", h, calls)
		}
	})
	t.Run("nil_allow_returns_the_child", func(t *testing.T) {
		child := &listPolicy{}
		if p := HostFilter(child, nil); p != LoadBalancingPolicy(child) {
			t.Errorf("HostFilter(child, nil) = %T, want child", p)
		}
	})
	t.Run("plans_do_not_allocate", func(t *testing.T) {
		if polRaceBuild() {
			t.Skip("sync.Pool drops items under the race detector")
		}
		p := HostFilter(RoundRobin(), AllowDCs("dc1"))
		var v View = hosts
		info := &RoutingInfo{}
		if a := testing.AllocsPerRun(100, func() { polWalk(p.NewQueryPlan(info, v)) }); a != 0 {
			t.Errorf("%v allocations per plan", a)
		}
	})
}

func TestAllowAddrs(t *testing.T) {
	mk := func(addr string) *Host { return NewHost(HostInfo{Addr: netip.MustParseAddrPort(addr)}) }
	allow := AllowAddrs("10.0.0.1", "10.0.0.2:9142", "[::1]:9042", "fe80::2", "[2001:db8::3]", "::ffff:10.0.0.4")
	tests := []struct {
		addr string
		want bool
	}{
		{"10.0.0.1:9042", true},          // IP entry: any port
		{"10.0.0.1:19042", true},         // IP entry: any port
		{"10.0.0.2:9142", true},          // IP:port entry
		{"10.0.0.2:9042", false},         // IP:port entry: other port
		{"[::1]:9042", true},             // IPv6 with port
		{"[::1]:9043", false},            // IPv6, other port
		{"[fe80::2]:9042", true},         // IPv6 without port
		{"[2001:db8::3]:9042", true},     // bracketed IPv6 without port
		{"10.0.0.4:9042", true},          // IPv4-mapped entry matches IPv4
		{"[::ffff:10.0.0.1]:9042", true}, // IPv4-mapped host matches an IPv4 entry
		{"10.0.0.5:9042", false},
	}
	for _, tc := range tests {
		if got := allow(mk(tc.addr)); got != tc.want {
			t.Errorf("%s: allowed %v, want %v", tc.addr, got, tc.want)
		}
	}
	t.Run("host_names_panic", func(t *testing.T) {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "cassandra.example") {
				t.Errorf("recovered %v, want a panic naming the entry", r)
			}
		}()
		AllowAddrs("10.0.0.1", "cassandra.example:9042")
	})
	t.Run("no_entries_accept_no_host", func(t *testing.T) {
		if AllowAddrs()(mk("10.0.0.1:9042")) {
			t.Error("empty AllowAddrs accepted a host")
		}
	})
}

func TestAllowDCs(t *testing.T) {
	allow := AllowDCs("dc1", "dc2")
	for _, tc := range []struct {
		dc   string
		want bool
	}{{"dc1", true}, {"dc2", true}, {"dc3", false}, {"", false}, {"DC1", false}} {
		if got := allow(polHost(1, tc.dc, "r1", StateUp)); got != tc.want {
			t.Errorf("dc %q: allowed %v, want %v", tc.dc, got, tc.want)
		}
	}
}

func TestLocalConsistency(t *testing.T) {
	local := map[frame.Consistency]bool{frame.LocalOne: true, frame.LocalQuorum: true, frame.LocalSerial: true}
	for c := frame.Any; c <= frame.LocalOne; c++ {
		if got := LocalConsistency(c); got != local[c] {
			t.Errorf("%v: %v, want %v", c, got, local[c])
		}
	}
}

func TestLocalOnly(t *testing.T) {
	hosts := polView{
		polHost(1, "dc1", "r1", StateUp), polHost(2, "dc2", "r1", StateUp),
		polHost(3, "dc1", "r2", StateUp), polHost(4, "dc2", "r2", StateUp),
	}
	t.Run("keeps_a_remote_fallback_plan_in_the_local_dc", func(t *testing.T) {
		for _, lb := range []LoadBalancingPolicy{DCAwareWithRemote("dc1", 5), RackAware("dc1", "r1", 5)} {
			all := polDrain(t, lb.NewQueryPlan(&RoutingInfo{}, hosts))
			if len(all) != 4 {
				t.Fatalf("%T without LocalOnly: plan %q, want all four hosts", lb, polNames(all))
			}
			for i := 0; i < 4; i++ {
				got := polDrain(t, LocalOnly(lb, lb.NewQueryPlan(&RoutingInfo{}, hosts)))
				if len(got) != 2 || got[0].DC() != "dc1" || got[1].DC() != "dc1" {
					t.Errorf("%T with LocalOnly: plan %q, want the two dc1 hosts", lb, polNames(got))
				}
			}
		}
	})
	t.Run("releases_the_wrapped_plan", func(t *testing.T) {
		child := &listPolicy{dist: map[*Host]Distance{hosts[1]: DistanceRemote, hosts[3]: DistanceIgnored}}
		if got := polNames(polDrain(t, LocalOnly(child, child.NewQueryPlan(nil, hosts)))); got != "1 3" {
			t.Errorf("plan %q, want 1 3", got)
		}
		if child.released != 1 {
			t.Errorf("wrapped plan released %d times, want 1", child.released)
		}
	})
	t.Run("changes_nothing_with_round_robin", func(t *testing.T) {
		if got := polDrain(t, LocalOnly(RoundRobin(), RoundRobin().NewQueryPlan(nil, hosts))); len(got) != 4 {
			t.Errorf("plan %q, want all four hosts", polNames(got))
		}
	})
}
