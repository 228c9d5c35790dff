package policy

import (
	"fmt"
	"net/netip"
	"testing"
)

type view []*Host

func (v view) Hosts() []*Host { return v }

func host(i int, dc string, s HostState) *Host {
	h := NewHost(HostInfo{Addr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, byte(i)}), 9042), DC: dc, Rack: "r1"})
	h.setState(s)
	return h
}

func drain(p QueryPlan) []*Host {
	var out []*Host
	for h := p.Next(); h != nil; h = p.Next() {
		out = append(out, h)
		if len(out) > 100 {
			panic("plan does not end")
		}
	}
	return out
}

func names(hs []*Host) string {
	s := ""
	for _, h := range hs {
		s += fmt.Sprintf("%d ", h.Addr().Addr().As4()[3])
	}
	return s
}

func TestRoundRobin(t *testing.T) {
	t.Run("rotates_the_first_host_over_every_up_host", func(t *testing.T) {
		v := view{host(1, "", StateUp), host(2, "", StateUp), host(3, "", StateUp)}
		p := RoundRobin()
		firsts := map[*Host]int{}
		for i := 0; i < 30; i++ {
			plan := drain(p.NewQueryPlan(&RoutingInfo{}, v))
			if len(plan) != 3 {
				t.Fatalf("plan %q, want all 3 hosts", names(plan))
			}
			firsts[plan[0]]++
		}
		for _, h := range v {
			if firsts[h] != 10 {
				t.Errorf("host %v first %d times of 30, want 10", h, firsts[h])
			}
		}
	})
	t.Run("up_hosts_then_unknown_hosts_never_down_hosts", func(t *testing.T) {
		v := view{host(1, "", StateUnknown), host(2, "", StateDown), host(3, "", StateUp), host(4, "", StateIgnored), host(5, "", StateUp)}
		p := RoundRobin()
		for i := 0; i < 5; i++ {
			plan := drain(p.NewQueryPlan(&RoutingInfo{}, v))
			if len(plan) != 3 {
				t.Fatalf("plan %q, want 3 hosts", names(plan))
			}
			if !plan[0].IsUp() || !plan[1].IsUp() || plan[2] != v[0] {
				t.Errorf("plan %q: want the two up hosts, then the unknown one", names(plan))
			}
		}
	})
	t.Run("every_host_local", func(t *testing.T) {
		if d := RoundRobin().Distance(host(1, "elsewhere", StateUp)); d != DistanceLocal {
			t.Errorf("distance %v, want local", d)
		}
	})
	t.Run("empty_view_gives_empty_plan", func(t *testing.T) {
		if h := RoundRobin().NewQueryPlan(&RoutingInfo{}, view{}).Next(); h != nil {
			t.Errorf("got %v from an empty cluster", h)
		}
	})
}

func TestDCAware(t *testing.T) {
	tests := []struct {
		name   string
		remote int
		hosts  view
		want   []int // host numbers in plan order, as a multiset by phase
		local  int   // how many of want (from the front) are local
	}{
		{
			name:   "local_up_then_local_unknown_no_remote_by_default",
			remote: 0,
			hosts:  view{host(1, "dc1", StateUp), host(2, "dc2", StateUp), host(3, "dc1", StateUnknown), host(4, "dc1", StateDown)},
			want:   []int{1, 3},
		},
		{
			name:   "remote_up_hosts_after_local_bounded_by_remoteHosts",
			remote: 1,
			hosts:  view{host(1, "dc1", StateUp), host(2, "dc2", StateUp), host(3, "dc2", StateUp), host(4, "dc1", StateUp)},
			want:   []int{1, 4, 2},
			local:  2,
		},
		{
			name:   "down_remote_hosts_skipped",
			remote: 5,
			hosts:  view{host(1, "dc1", StateUp), host(2, "dc2", StateDown), host(3, "dc2", StateUp)},
			want:   []int{1, 3},
			local:  1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DCAwareWithRemote("dc1", tc.remote)
			for i := 0; i < len(tc.hosts); i++ {
				plan := drain(p.NewQueryPlan(&RoutingInfo{}, tc.hosts))
				if len(plan) != len(tc.want) {
					t.Fatalf("plan %q, want %d hosts", names(plan), len(tc.want))
				}
				for j, h := range plan {
					local := h.DC() == "dc1"
					if j < tc.local && !local || j >= tc.local && tc.local > 0 && local {
						t.Errorf("plan %q: local hosts must come first", names(plan))
					}
					if !h.IsUp() && h.State() != StateUnknown {
						t.Errorf("plan %q holds %v host", names(plan), h.State())
					}
				}
				if tc.remote > 0 {
					remote := 0
					for _, h := range plan {
						if h.DC() != "dc1" {
							remote++
						}
					}
					if remote > tc.remote {
						t.Errorf("plan %q has %d remote hosts, at most %d allowed", names(plan), remote, tc.remote)
					}
				}
			}
		})
	}
	t.Run("distances", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			local  string
			remote int
			dc     string
			want   Distance
		}{
			{"local_dc_is_local", "dc1", 0, "dc1", DistanceLocal},
			{"other_dc_ignored_without_remote_hosts", "dc1", 0, "dc2", DistanceIgnored},
			{"other_dc_remote_with_remote_hosts", "dc1", 2, "dc2", DistanceRemote},
			{"empty_local_dc_treats_all_as_local", "", 0, "dc2", DistanceLocal},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if d := DCAwareWithRemote(tc.local, tc.remote).Distance(host(1, tc.dc, StateUp)); d != tc.want {
					t.Errorf("distance %v, want %v", d, tc.want)
				}
			})
		}
	})
	t.Run("rotates_over_local_hosts", func(t *testing.T) {
		v := view{host(1, "dc1", StateUp), host(2, "dc1", StateUp), host(3, "dc2", StateUp)}
		p := DCAwareWithRemote("dc1", 1)
		firsts := map[*Host]int{}
		for i := 0; i < 30; i++ {
			firsts[p.NewQueryPlan(&RoutingInfo{}, v).Next()]++
		}
		if firsts[v[0]] == 0 || firsts[v[1]] == 0 || firsts[v[2]] != 0 {
			t.Errorf("first hosts %v: want both local hosts, never the remote one", firsts)
		}
	})
}

func TestRoundRobinSpreadsADownHostsShareEvenly(t *testing.T) {
	hosts := make([]*Host, 4)
	for i := range hosts {
		hosts[i] = NewHost(HostInfo{})
		hosts[i].setState(StateUp)
	}
	hosts[1].setState(StateDown)
	v := view(hosts)
	lb := RoundRobin()
	first := map[*Host]int{}
	for range 3000 {
		pl := lb.NewQueryPlan(&RoutingInfo{}, v)
		first[pl.Next()]++
	}
	for i, h := range hosts {
		want := 1000
		if i == 1 {
			want = 0
		}
		if first[h] != want {
			t.Errorf("host %d led %d of 3000 plans, want %d", i, first[h], want)
		}
	}
}
