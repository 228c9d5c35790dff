package policy

import (
	"slices"
	"strconv"
	"testing"
)

// tmView is a TokenMapView over fixed hosts and map.
type tmView struct {
	hosts []*Host
	tm    *TokenMap
}

func (v *tmView) Hosts() []*Host      { return v.hosts }
func (v *tmView) TokenMap() *TokenMap { return v.tm }

// plainView is a View without a token map.
type plainView []*Host

func (v plainView) Hosts() []*Host { return v }

// orderedChild is a deterministic child policy: hosts of localDC are
// local, others remote; a plan is the view's up hosts in view order.
// It counts the plans it makes and releases.
type orderedChild struct {
	localDC        string
	made, released int
	lastInfo       *RoutingInfo
}

func (c *orderedChild) Distance(h *Host) Distance {
	if h.DC() == c.localDC {
		return DistanceLocal
	}
	return DistanceRemote
}

func (c *orderedChild) NewQueryPlan(info *RoutingInfo, v View) QueryPlan {
	c.made++
	c.lastInfo = info
	return &orderedPlan{c: c, hosts: v.Hosts()}
}

type orderedPlan struct {
	c     *orderedChild
	hosts []*Host
	i     int
}

func (p *orderedPlan) Next() *Host {
	for p.i < len(p.hosts) {
		h := p.hosts[p.i]
		p.i++
		if h.IsUp() {
			return h
		}
	}
	return nil
}

func (p *orderedPlan) Release() { p.c.released++ }

func drainPlan(t testing.TB, p QueryPlan) []*Host {
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
	return out
}

func release(p QueryPlan) {
	if r, ok := p.(interface{ Release() }); ok {
		r.Release()
	}
}

// tokenAwareSetup: ring1 (dc1: a1..a4 in racks r1, r2; dc2: b1..b3), one
// keyspace with 2 replicas in dc1 and 1 in dc2, and a routing key per ring
// position found by hashing.
type tokenAwareSetup struct {
	r    *testRing
	view *tmView
	m    *TokenMap
}

func newTokenAwareSetup(t testing.TB) *tokenAwareSetup {
	r := newTestRing(t, ring1)
	m := r.tokenMap(t, map[string]map[string]string{
		"ks":     {"class": "NetworkTopologyStrategy", "dc1": "2", "dc2": "1"},
		"system": {"class": "LocalStrategy"},
	})
	return &tokenAwareSetup{r: r, view: &tmView{hosts: r.hosts, tm: m}, m: m}
}

// keyFor returns a routing key whose ks replicas satisfy ok.
func (s *tokenAwareSetup) keyFor(t testing.TB, ok func(reps []*Host) bool) []byte {
	t.Helper()
	for i := range 10000 {
		key := []byte("key" + strconv.Itoa(i))
		if ok(s.m.Replicas("ks", key)) {
			return key
		}
	}
	t.Fatal("no key found")
	return nil
}

func localOnly(hs []*Host, dc string) []*Host {
	var out []*Host
	for _, h := range hs {
		if h.DC() == dc {
			out = append(out, h)
		}
	}
	return out
}

func TestTokenAwarePlan(t *testing.T) {
	s := newTokenAwareSetup(t)
	anyKey := func([]*Host) bool { return true }

	t.Run("local_replicas_first_then_the_child_plan_each_host_once", func(t *testing.T) {
		child := &orderedChild{localDC: "dc1"}
		p := TokenAware(child)
		for i := range 50 {
			key := []byte(strconv.Itoa(i))
			local := localOnly(s.m.Replicas("ks", key), "dc1")
			got := drainPlan(t, p.NewQueryPlan(&RoutingInfo{Keyspace: "ks", RoutingKey: key}, s.view))
			if len(local) != 2 {
				t.Fatalf("key %q: %d local replicas, want 2", key, len(local))
			}
			first := slices.Clone(got[:2])
			slices.SortFunc(first, func(a, b *Host) int { return slices.Index(local, a) - slices.Index(local, b) })
			if !slices.Equal(first, local) {
				t.Fatalf("key %q: plan starts %q, want the local replicas %q", key, s.r.names(got[:2]), s.r.names(local))
			}
			// The rest is the child's plan (every host, in view order) without them.
			var rest []*Host
			for _, h := range s.r.hosts {
				if !slices.Contains(local, h) {
					rest = append(rest, h)
				}
			}
			if !slices.Equal(got[2:], rest) {
				t.Fatalf("key %q: plan continues %q, want %q", key, s.r.names(got[2:]), s.r.names(rest))
			}
		}
	})

	t.Run("remote_replicas_are_not_tried_first", func(t *testing.T) {
		child := &orderedChild{localDC: "dc2"}
		key := s.keyFor(t, anyKey)
		reps := s.m.Replicas("ks", key)
		got := drainPlan(t, TokenAware(child).NewQueryPlan(&RoutingInfo{Keyspace: "ks", RoutingKey: key}, s.view))
		// dc2 is local now: its one replica first, then the child's plan
		// (every host in view order, the dc1 replicas among them) without it.
		first := localOnly(reps, "dc2")[0]
		want := []*Host{first}
		for _, h := range s.r.hosts {
			if h != first {
				want = append(want, h)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("plan %q, want %q", s.r.names(got), s.r.names(want))
		}
	})

	t.Run("down_replicas_are_skipped", func(t *testing.T) {
		r := newTestRing(t, ring1)
		m := r.tokenMap(t, map[string]map[string]string{"ks": {"class": "NetworkTopologyStrategy", "dc1": "2"}})
		view := &tmView{hosts: r.hosts, tm: m}
		key := []byte("k")
		reps := m.Replicas("ks", key)
		reps[0].setState(StateDown)
		child := &orderedChild{localDC: "dc1"}
		for range 20 {
			got := drainPlan(t, TokenAware(child).NewQueryPlan(&RoutingInfo{Keyspace: "ks", RoutingKey: key}, view))
			if got[0] != reps[1] {
				t.Fatalf("plan %q, want the up replica %s first", r.names(got), r.name[reps[1]])
			}
			if slices.Contains(got, reps[0]) {
				t.Fatalf("plan %q contains the down replica %s", r.names(got), r.name[reps[0]])
			}
		}
	})

	t.Run("lwt_goes_to_replicas_in_ring_order_every_time", func(t *testing.T) {
		child := &orderedChild{localDC: "dc1"}
		p := TokenAware(child) // shuffling on: LWTs ignore it
		for i := range 20 {
			key := []byte(strconv.Itoa(i))
			want := localOnly(s.m.Replicas("ks", key), "dc1")
			for range 10 {
				got := drainPlan(t, p.NewQueryPlan(&RoutingInfo{Keyspace: "ks", RoutingKey: key, Serial: true}, s.view))
				if !slices.Equal(got[:len(want)], want) {
					t.Fatalf("LWT plan %q, want ring order %q first", s.r.names(got), s.r.names(want))
				}
			}
		}
	})

	t.Run("replicas_are_shuffled_by_default", func(t *testing.T) {
		key := s.keyFor(t, func(reps []*Host) bool { return len(localOnly(reps, "dc1")) == 2 })
		local := localOnly(s.m.Replicas("ks", key), "dc1")
		p := TokenAware(&orderedChild{localDC: "dc1"})
		firsts := map[*Host]int{}
		for range 200 {
			plan := p.NewQueryPlan(&RoutingInfo{Keyspace: "ks", RoutingKey: key}, s.view)
			firsts[plan.Next()]++
			release(plan)
		}
		// Each of two replicas is first with probability 1/2: missing one
		// in 200 tries has probability 2**-199.
		if firsts[local[0]] == 0 || firsts[local[1]] == 0 || len(firsts) != 2 {
			t.Errorf("first hosts %v over 200 plans, want both local replicas", firsts)
		}
	})

	t.Run("shuffle_off_keeps_ring_order", func(t *testing.T) {
		p := TokenAware(&orderedChild{localDC: "dc1"}, ShuffleReplicas(false))
		for i := range 50 {
			key := []byte(strconv.Itoa(i))
			want := localOnly(s.m.Replicas("ks", key), "dc1")
			got := drainPlan(t, p.NewQueryPlan(&RoutingInfo{Keyspace: "ks", RoutingKey: key}, s.view))
			if !slices.Equal(got[:len(want)], want) {
				t.Fatalf("plan %q, want ring order %q first", s.r.names(got), s.r.names(want))
			}
		}
	})

	t.Run("distance_is_the_childs", func(t *testing.T) {
		p := TokenAware(&orderedChild{localDC: "dc1"})
		if d := p.Distance(s.r.byName["a1"]); d != DistanceLocal {
			t.Errorf("a1: %v, want local", d)
		}
		if d := p.Distance(s.r.byName["b1"]); d != DistanceRemote {
			t.Errorf("b1: %v, want remote", d)
		}
	})

	t.Run("child_plan_made_only_when_replicas_are_exhausted_and_released_with_the_plan", func(t *testing.T) {
		child := &orderedChild{localDC: "dc1"}
		p := TokenAware(child)
		info := &RoutingInfo{Keyspace: "ks", RoutingKey: []byte("k")}
		plan := p.NewQueryPlan(info, s.view)
		plan.Next()
		plan.Next()
		if child.made != 0 {
			t.Fatalf("child plan made while replicas remained")
		}
		release(plan)
		if child.released != 0 {
			t.Fatalf("released a child plan never made")
		}
		plan = p.NewQueryPlan(info, s.view)
		drainPlan(t, plan)
		if child.made != 1 || child.lastInfo != info {
			t.Fatalf("child plans made %d (info passed on: %v), want 1", child.made, child.lastInfo == info)
		}
		release(plan)
		if child.released != 1 {
			t.Errorf("child plans released %d, want 1", child.released)
		}
	})
}

func TestTokenAwareFallsBackToTheChildPlan(t *testing.T) {
	s := newTokenAwareSetup(t)
	noMap := &tmView{hosts: s.r.hosts}
	for _, tc := range []struct {
		name string
		info *RoutingInfo
		view View
	}{
		{"no_keyspace", &RoutingInfo{RoutingKey: []byte("k")}, s.view},
		{"no_routing_key", &RoutingInfo{Keyspace: "ks"}, s.view},
		{"empty_routing_key", &RoutingInfo{Keyspace: "ks", RoutingKey: []byte{}}, s.view},
		{"nil_routing_info", nil, s.view},
		{"view_without_token_map", &RoutingInfo{Keyspace: "ks", RoutingKey: []byte("k")}, plainView(s.r.hosts)},
		{"token_map_not_yet_known", &RoutingInfo{Keyspace: "ks", RoutingKey: []byte("k")}, noMap},
		{"keyspace_not_in_the_map", &RoutingInfo{Keyspace: "other", RoutingKey: []byte("k")}, s.view},
		{"local_strategy_keyspace", &RoutingInfo{Keyspace: "system", RoutingKey: []byte("k")}, s.view},
		{"lwt_without_routing_key", &RoutingInfo{Keyspace: "ks", Serial: true}, s.view},
	} {
		t.Run(tc.name, func(t *testing.T) {
			child := &orderedChild{localDC: "dc1"}
			plan := TokenAware(child).NewQueryPlan(tc.info, tc.view)
			if _, ok := plan.(*orderedPlan); !ok {
				t.Fatalf("plan is a %T, want the child's own plan", plan)
			}
			if got := drainPlan(t, plan); !slices.Equal(got, s.r.hosts) {
				t.Errorf("plan %q, want the child's %q", s.r.names(got), s.r.names(s.r.hosts))
			}
			if child.made != 1 || child.lastInfo != tc.info {
				t.Errorf("child made %d plans, want 1 with the same RoutingInfo", child.made)
			}
		})
	}
}

func TestTokenAwareComposesWithDCAware(t *testing.T) {
	s := newTokenAwareSetup(t)
	p := TokenAware(DCAware("dc1"))
	for i := range 50 {
		key := []byte(strconv.Itoa(i))
		local := localOnly(s.m.Replicas("ks", key), "dc1")
		got := drainPlan(t, p.NewQueryPlan(&RoutingInfo{Keyspace: "ks", RoutingKey: key}, s.view))
		if len(got) != 4 {
			t.Fatalf("plan %q, want the 4 dc1 hosts", s.r.names(got))
		}
		if !slices.Contains(local, got[0]) || !slices.Contains(local, got[1]) {
			t.Fatalf("plan %q does not start with the dc1 replicas %q", s.r.names(got), s.r.names(local))
		}
		for _, h := range got {
			if h.DC() != "dc1" {
				t.Fatalf("plan %q has a host of another dc (ignored by DCAware)", s.r.names(got))
			}
		}
	}
}

func TestTokenAwarePlanDoesNotAllocate(t *testing.T) {
	if tokenRaceEnabled {
		t.Skip("sync.Pool drops plans at random under the race detector")
	}
	hosts := benchHosts(6, 64, 1)
	m, err := NewTokenMap(hosts, map[string]map[string]string{"ks": {"class": "SimpleStrategy", "replication_factor": "3"}})
	if err != nil {
		t.Fatal(err)
	}
	view := &tmView{hosts: hosts, tm: m}
	p := TokenAware(RoundRobin())
	info := &RoutingInfo{Keyspace: "ks", RoutingKey: []byte("a partition key")}
	for _, tc := range []struct {
		name  string
		hosts int // how many hosts the request takes from its plan
	}{{"first_host", 1}, {"every_host", 100}} {
		t.Run(tc.name, func(t *testing.T) {
			n := testing.AllocsPerRun(200, func() {
				plan := p.NewQueryPlan(info, view)
				for i := 0; i < tc.hosts && plan.Next() != nil; i++ {
				}
				release(plan)
			})
			if n != 0 {
				t.Errorf("%v allocations per plan, want 0", n)
			}
		})
	}
}

func BenchmarkTokenAwarePlan(b *testing.B) {
	hosts := benchHosts(6, 256, 1)
	m, err := NewTokenMap(hosts, map[string]map[string]string{"ks": {"class": "SimpleStrategy", "replication_factor": "3"}})
	if err != nil {
		b.Fatal(err)
	}
	view := &tmView{hosts: hosts, tm: m}
	for _, bc := range []struct {
		name   string
		policy LoadBalancingPolicy
		hosts  int
		serial bool
	}{
		{"roundrobin_child_first_host", TokenAware(RoundRobin()), 1, false},
		{"roundrobin_child_every_host", TokenAware(RoundRobin()), 100, false},
		{"roundrobin_child_lwt_first_host", TokenAware(RoundRobin()), 1, true},
		{"dcaware_child_first_host", TokenAware(DCAware("dc0")), 1, false},
		{"dcaware_child_every_host", TokenAware(DCAware("dc0")), 100, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			info := &RoutingInfo{Keyspace: "ks", RoutingKey: []byte("0123456789abcdef0123"), Serial: bc.serial}
			b.ReportAllocs()
			for b.Loop() {
				plan := bc.policy.NewQueryPlan(info, view)
				for i := 0; i < bc.hosts && plan.Next() != nil; i++ {
				}
				release(plan)
			}
		})
	}
}
