package policy

import (
	"slices"
	"sync"
	"testing"
)

func TestRackAwareDistance(t *testing.T) {
	localRack := polHost(1, "dc1", "r1", StateUp)
	otherRack := polHost(2, "dc1", "r2", StateDown)
	remote := polHost(3, "dc2", "r1", StateUp)
	unknownDC := polHost(4, "", "", StateUnknown)
	tests := []struct {
		name string
		p    LoadBalancingPolicy
		want [4]Distance
	}{
		{"other_dcs_ignored_without_remote_hosts", RackAware("dc1", "r1", 0),
			[4]Distance{DistanceLocal, DistanceLocal, DistanceIgnored, DistanceIgnored}},
		{"other_dcs_remote_with_remote_hosts", RackAware("dc1", "r1", 2),
			[4]Distance{DistanceLocal, DistanceLocal, DistanceRemote, DistanceRemote}},
		{"negative_remote_hosts_counts_as_zero", RackAware("dc1", "r1", -1),
			[4]Distance{DistanceLocal, DistanceLocal, DistanceIgnored, DistanceIgnored}},
		{"empty_local_dc_makes_every_host_local", RackAware("", "r1", 0),
			[4]Distance{DistanceLocal, DistanceLocal, DistanceLocal, DistanceLocal}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i, h := range []*Host{localRack, otherRack, remote, unknownDC} {
				if d := tc.p.Distance(h); d != tc.want[i] {
					t.Errorf("%v: %v, want %v", h, d, tc.want[i])
				}
			}
		})
	}
}

func TestRackAwarePlans(t *testing.T) {
	view := polView{
		polHost(1, "dc1", "r1", StateUp),
		polHost(2, "dc1", "r2", StateUp),
		polHost(3, "dc2", "r1", StateUp),
		polHost(4, "dc1", "r1", StateUp),
		polHost(5, "dc1", "r2", StateUp),
		polHost(6, "dc1", "r1", StateUnknown),
		polHost(7, "dc1", "r2", StateDown),
		polHost(8, "dc2", "r2", StateUp),
		polHost(9, "dc2", "r1", StateUnknown),
		polHost(10, "dc1", "r3", StateIgnored),
	}
	// groups checks that plan is made of the given groups in order, each
	// host of a group once, in any order.
	groups := func(t *testing.T, plan []*Host, want ...[]int) {
		t.Helper()
		i := 0
		for _, g := range want {
			if i+len(g) > len(plan) {
				t.Fatalf("plan %q too short for groups %v", polNames(plan), want)
			}
			var got []int
			for _, h := range plan[i : i+len(g)] {
				got = append(got, int(h.Addr().Addr().As4()[3]))
			}
			slices.Sort(got)
			if !slices.Equal(got, g) {
				t.Fatalf("plan %q: hosts %v where group %v was due", polNames(plan), got, g)
			}
			i += len(g)
		}
		if i != len(plan) {
			t.Fatalf("plan %q: extra hosts after groups %v", polNames(plan), want)
		}
	}
	t.Run("local_rack_then_other_racks_then_unknown_then_remote", func(t *testing.T) {
		p := RackAware("dc1", "r1", 5)
		for i := 0; i < 6; i++ {
			groups(t, polDrain(t, p.NewQueryPlan(&RoutingInfo{}, view)), []int{1, 4}, []int{2, 5}, []int{6}, []int{3, 8})
		}
	})
	t.Run("remote_hosts_are_bounded", func(t *testing.T) {
		p := RackAware("dc1", "r1", 1)
		seen := map[int]int{}
		for i := 0; i < 4; i++ {
			plan := polDrain(t, p.NewQueryPlan(&RoutingInfo{}, view))
			if len(plan) != 6 || plan[5].DC() != "dc2" {
				t.Fatalf("plan %q, want five dc1 hosts and one of dc2", polNames(plan))
			}
			seen[int(plan[5].Addr().Addr().As4()[3])]++
		}
		if seen[3] != 2 || seen[8] != 2 {
			t.Errorf("remote host counts %v, want hosts 3 and 8 twice each", seen)
		}
	})
	t.Run("no_remote_hosts_without_remote_budget", func(t *testing.T) {
		p := RackAware("dc1", "r1", 0)
		groups(t, polDrain(t, p.NewQueryPlan(&RoutingInfo{}, view)), []int{1, 4}, []int{2, 5}, []int{6})
	})
	t.Run("empty_rack_gives_no_rack_preference", func(t *testing.T) {
		p := RackAware("dc1", "", 0)
		groups(t, polDrain(t, p.NewQueryPlan(&RoutingInfo{}, view)), []int{1, 2, 4, 5}, []int{6})
	})
	t.Run("unknown_rack_prefers_nothing_but_keeps_the_dc", func(t *testing.T) {
		p := RackAware("dc1", "r9", 0)
		groups(t, polDrain(t, p.NewQueryPlan(&RoutingInfo{}, view)), []int{1, 2, 4, 5}, []int{6})
	})
	t.Run("empty_view_gives_an_empty_plan", func(t *testing.T) {
		if got := polDrain(t, RackAware("dc1", "r1", 1).NewQueryPlan(&RoutingInfo{}, polView{})); len(got) != 0 {
			t.Errorf("plan %q", polNames(got))
		}
	})
	t.Run("plans_see_state_changes_of_later_groups", func(t *testing.T) {
		v := polView{polHost(1, "dc1", "r1", StateUp), polHost(2, "dc1", "r2", StateDown)}
		plan := RackAware("dc1", "r1", 0).NewQueryPlan(&RoutingInfo{}, v)
		if h := plan.Next(); h != v[0] {
			t.Fatalf("first host %v", h)
		}
		v[1].setState(StateUp) // comes up while the first host is tried
		if h := plan.Next(); h != v[1] {
			t.Errorf("second host %v, want host 2, up by now", h)
		}
		releaseChildPlan(plan)
	})
}

func TestRackAwareRotation(t *testing.T) {
	// The hosts of each group are spread unevenly over the view: a
	// rotation of the start over the whole view would favour the host
	// after the longest run of others.
	view := polView{
		polHost(1, "dc1", "r1", StateUp),
		polHost(2, "dc1", "r2", StateUp),
		polHost(3, "dc1", "r2", StateUp),
		polHost(4, "dc2", "r1", StateUp),
		polHost(5, "dc1", "r2", StateUp),
		polHost(6, "dc1", "r1", StateUp),
	}
	p := RackAware("dc1", "r1", 1)
	firstLocal, firstOther, remote := map[int]int{}, map[int]int{}, map[int]int{}
	for i := 0; i < 12; i++ {
		plan := polDrain(t, p.NewQueryPlan(&RoutingInfo{}, view))
		if len(plan) != 6 {
			t.Fatalf("plan %q, want 6 hosts", polNames(plan))
		}
		firstLocal[int(plan[0].Addr().Addr().As4()[3])]++
		firstOther[int(plan[2].Addr().Addr().As4()[3])]++
		remote[int(plan[5].Addr().Addr().As4()[3])]++
	}
	if firstLocal[1] != 6 || firstLocal[6] != 6 {
		t.Errorf("first hosts of the local rack %v, want 1 and 6 six times each", firstLocal)
	}
	if firstOther[2] != 4 || firstOther[3] != 4 || firstOther[5] != 4 {
		t.Errorf("first hosts of the other racks %v, want 2, 3 and 5 four times each", firstOther)
	}
	if remote[4] != 12 {
		t.Errorf("remote hosts %v", remote)
	}
}

func TestRackAwareConcurrentPlans(t *testing.T) {
	view := polView{polHost(1, "dc1", "r1", StateUp), polHost(2, "dc1", "r2", StateUp), polHost(3, "dc2", "r1", StateUp)}
	p := RackAware("dc1", "r1", 1)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Go(func() {
			for i := 0; i < 200; i++ {
				plan := p.NewQueryPlan(&RoutingInfo{}, view)
				n := 0
				for h := plan.Next(); h != nil; h = plan.Next() {
					n++
				}
				releaseChildPlan(plan)
				if n != 3 {
					t.Errorf("plan of %d hosts, want 3", n)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestRackAwarePlansDoNotAllocate(t *testing.T) {
	if polRaceBuild() {
		t.Skip("sync.Pool drops items under the race detector")
	}
	view := polView{polHost(1, "dc1", "r1", StateUp), polHost(2, "dc1", "r2", StateUp), polHost(3, "dc2", "r1", StateUp)}
	p := RackAware("dc1", "r1", 1)
	var v View = view
	info := &RoutingInfo{}
	if a := testing.AllocsPerRun(100, func() { polWalk(p.NewQueryPlan(info, v)) }); a != 0 {
		t.Errorf("%v allocations per plan", a)
	}
}

func BenchmarkRackAwarePlan(b *testing.B) {
	var view polView
	for i := 0; i < 12; i++ {
		view = append(view, polHost(i+1, []string{"dc1", "dc2"}[i%2], []string{"r1", "r2", "r3"}[i%3], StateUp))
	}
	p := RackAware("dc1", "r1", 1)
	var v View = view
	info := &RoutingInfo{}
	b.Run("first_host", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			plan := p.NewQueryPlan(info, v)
			plan.Next()
			releaseChildPlan(plan)
		}
	})
	b.Run("whole_plan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			polWalk(p.NewQueryPlan(info, v))
		}
	})
}
