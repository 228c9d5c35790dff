package policy

import "testing"

// busyView is a LoadView with fixed loads; it counts Load calls.
type busyView struct {
	hosts []*Host
	load  map[*Host]HostLoad
	calls int
}

func (v *busyView) Hosts() []*Host { return v.hosts }
func (v *busyView) Load(h *Host) HostLoad {
	v.calls++
	return v.load[h]
}

func TestLeastBusy(t *testing.T) {
	hosts := []*Host{polHost(1, "dc1", "r1", StateUp), polHost(2, "dc1", "r1", StateUp), polHost(3, "dc1", "r1", StateUp), polHost(4, "dc1", "r1", StateUp)}
	type load = HostLoad
	tests := []struct {
		name  string
		hosts []*Host
		loads map[int]load // by host number
		want  string
	}{
		{"fewer_in_flight_goes_first", hosts, map[int]load{1: {InFlight: 10}, 2: {InFlight: 3}}, "2 1 3 4"},
		{"child_order_kept_when_first_is_less_busy", hosts, map[int]load{1: {InFlight: 3}, 2: {InFlight: 10}}, "1 2 3 4"},
		{"ties_keep_child_order", hosts, map[int]load{1: {InFlight: 5}, 2: {InFlight: 5}}, "1 2 3 4"},
		{"only_the_first_two_are_compared", hosts, map[int]load{1: {InFlight: 1}, 2: {InFlight: 2}, 3: {InFlight: 0}, 4: {InFlight: 0}}, "1 2 3 4"},
		{"timing_out_host_moves_behind_the_first_three", hosts, map[int]load{1: {RecentTimeouts: 3}}, "2 3 1 4"},
		{"timing_out_host_moves_back_even_if_idle", hosts, map[int]load{1: {RecentTimeouts: 5}, 2: {InFlight: 50}, 3: {InFlight: 60}}, "2 3 1 4"},
		{"two_timeouts_are_not_enough_to_move", hosts, map[int]load{1: {RecentTimeouts: 2}}, "1 2 3 4"},
		{"timing_out_hosts_keep_their_order", hosts, map[int]load{1: {RecentTimeouts: 4}, 2: {RecentTimeouts: 3}}, "3 1 2 4"},
		{"timing_out_host_is_not_compared_with_a_healthy_one", hosts, map[int]load{1: {InFlight: 9}, 2: {RecentTimeouts: 3}, 3: {RecentTimeouts: 3}}, "1 2 3 4"},
		{"all_timing_out_compares_in_flight", hosts, map[int]load{1: {InFlight: 9, RecentTimeouts: 3}, 2: {InFlight: 1, RecentTimeouts: 3}, 3: {RecentTimeouts: 3}}, "2 1 3 4"},
		{"fourth_host_is_never_moved", hosts, map[int]load{4: {InFlight: 0}, 1: {InFlight: 7}, 2: {InFlight: 7}, 3: {InFlight: 7}}, "1 2 3 4"},
		{"two_host_plan", hosts[:2], map[int]load{1: {InFlight: 2}, 2: {InFlight: 1}}, "2 1"},
		{"one_host_plan", hosts[:1], map[int]load{1: {RecentTimeouts: 9}}, "1"},
		{"empty_plan", nil, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &busyView{hosts: tc.hosts, load: map[*Host]HostLoad{}}
			for i, l := range tc.loads {
				v.load[hosts[i-1]] = l
			}
			child := &listPolicy{}
			if got := polNames(polDrain(t, LeastBusy(child).NewQueryPlan(&RoutingInfo{}, v))); got != tc.want {
				t.Errorf("plan %q, want %q", got, tc.want)
			}
			if child.made != 1 || child.released != 1 {
				t.Errorf("child plans made %d, released %d; want 1 and 1", child.made, child.released)
			}
		})
	}
	t.Run("loads_are_read_for_three_hosts_at_the_first_next", func(t *testing.T) {
		v := &busyView{hosts: hosts, load: map[*Host]HostLoad{}}
		plan := LeastBusy(&listPolicy{}).NewQueryPlan(&RoutingInfo{}, v)
		if v.calls != 0 {
			t.Fatalf("%d Load calls before Next", v.calls)
		}
		polDrain(t, plan)
		if v.calls != 3 {
			t.Errorf("%d Load calls, want 3", v.calls)
		}
	})
	t.Run("plain_view_gets_the_child_plan_unchanged", func(t *testing.T) {
		child := &listPolicy{}
		plan := LeastBusy(child).NewQueryPlan(&RoutingInfo{}, polView(hosts))
		if _, ok := plan.(*listPlan); !ok {
			t.Fatalf("plan %T, want the child's", plan)
		}
		if got := polNames(polDrain(t, plan)); got != "1 2 3 4" {
			t.Errorf("plan %q", got)
		}
	})
	t.Run("distance_is_the_child_one", func(t *testing.T) {
		child := &listPolicy{d: DistanceRemote, dist: map[*Host]Distance{hosts[0]: DistanceIgnored}}
		p := LeastBusy(child)
		if p.Distance(hosts[0]) != DistanceIgnored || p.Distance(hosts[1]) != DistanceRemote {
			t.Errorf("distances %v %v", p.Distance(hosts[0]), p.Distance(hosts[1]))
		}
	})
	t.Run("composes_with_rack_aware", func(t *testing.T) {
		// The local rack's two hosts come first; the busier goes second.
		rv := &busyView{hosts: []*Host{
			polHost(1, "dc1", "r1", StateUp), polHost(2, "dc1", "r2", StateUp), polHost(3, "dc1", "r1", StateUp),
		}, load: map[*Host]HostLoad{}}
		rv.load[rv.hosts[0]] = HostLoad{InFlight: 8}
		rv.load[rv.hosts[2]] = HostLoad{InFlight: 2}
		p := LeastBusy(RackAware("dc1", "r1", 0))
		for i := 0; i < 4; i++ {
			if got := polNames(polDrain(t, p.NewQueryPlan(&RoutingInfo{}, rv))); got != "3 1 2" {
				t.Errorf("plan %q, want 3 1 2", got)
			}
		}
	})
}

func TestLeastBusyPlansDoNotAllocate(t *testing.T) {
	if polRaceBuild() {
		t.Skip("sync.Pool drops items under the race detector")
	}
	hosts := []*Host{polHost(1, "dc1", "r1", StateUp), polHost(2, "dc1", "r1", StateUp), polHost(3, "dc1", "r1", StateUp)}
	var v View = &busyView{hosts: hosts, load: map[*Host]HostLoad{hosts[0]: {InFlight: 4}}}
	info := &RoutingInfo{}
	p := LeastBusy(RoundRobin())
	if a := testing.AllocsPerRun(100, func() { polWalk(p.NewQueryPlan(info, v)) }); a != 0 {
		t.Errorf("%v allocations per plan", a)
	}
}

func BenchmarkLeastBusyPlan(b *testing.B) {
	var hosts []*Host
	for i := 0; i < 6; i++ {
		hosts = append(hosts, polHost(i+1, "dc1", "r1", StateUp))
	}
	var v View = &busyView{hosts: hosts, load: map[*Host]HostLoad{hosts[1]: {InFlight: 3}}}
	info := &RoutingInfo{}
	p := LeastBusy(RoundRobin())
	b.ReportAllocs()
	for b.Loop() {
		plan := p.NewQueryPlan(info, v)
		plan.Next()
		releaseChildPlan(plan)
	}
}
