package policy

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// testRing is a set of hosts built from a spec "name:dc:rack:tok,tok;...",
// Murmur3 tokens, every host up.
type testRing struct {
	hosts  []*Host
	byName map[string]*Host
	name   map[*Host]string
}

func newTestRing(t testing.TB, spec string) *testRing {
	t.Helper()
	r := &testRing{byName: map[string]*Host{}, name: map[*Host]string{}}
	for i, hs := range strings.Split(spec, ";") {
		f := strings.Split(hs, ":")
		if len(f) != 4 {
			t.Fatalf("bad host spec %q", hs)
		}
		var toks []string
		if f[3] != "" {
			toks = strings.Split(f[3], ",")
		}
		h := NewHost(HostInfo{
			Addr:        netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, byte(1 + i/250), byte(1 + i%250)}), 9042),
			DC:          f[1],
			Rack:        f[2],
			Tokens:      toks,
			Partitioner: "org.apache.cassandra.dht.Murmur3Partitioner",
		})
		h.setState(StateUp)
		r.hosts = append(r.hosts, h)
		r.byName[f[0]] = h
		r.name[h] = f[0]
	}
	return r
}

func (r *testRing) names(hs []*Host) string {
	s := make([]string, len(hs))
	for i, h := range hs {
		s[i] = r.name[h]
	}
	return strings.Join(s, " ")
}

func (r *testRing) tokenMap(t testing.TB, keyspaces map[string]map[string]string) *TokenMap {
	t.Helper()
	m, err := NewTokenMap(r.hosts, keyspaces)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The rings of the placement tests. ring1 has two datacenters: dc1 with
// racks r1 (a1, a2) and r2 (a3, a4), dc2 with racks rA (b1, b2) and rB
// (b3); the ring, by token, is
//
//	0 a1, 10 a2, 20 b1, 30 a3, 40 b2, 50 a4, 60 b3, 70 a2, 80 b2, 90 a1
const (
	ring1 = "a1:dc1:r1:0,90;a2:dc1:r1:10,70;b1:dc2:rA:20;a3:dc1:r2:30;b2:dc2:rA:40,80;a4:dc1:r2:50;b3:dc2:rB:60"
	ring2 = "c1:dc1:r1:0;c2:dc1:r1:10;c3:dc1:r2:20;c4:dc1:r2:30;c5:dc1:r3:40;c6:dc1:r3:50"
	ring3 = "h1:dc1:r1:0,10,60;h2:dc1:r1:20,70;h3:dc1:r1:30,40,50"
)

// cassandraPlacements are replica lists printed by Cassandra itself:
// AbstractReplicationStrategy.calculateNaturalReplicas of
// NetworkTopologyStrategy and SimpleStrategy from cassandra-all-5.0.9.jar,
// on a TokenMetadata holding the ring and a snitch giving each host its dc
// and rack, for the tokens t-1, t and t+1 of every ring token (t-1 dropped
// where it repeats the line before). Each line is "token: replicas in
// Cassandra's order".
var cassandraPlacements = []struct {
	name string
	ring string
	opts map[string]string
	want []string
}{
	{
		name: "nts_two_dcs_one_replica_per_rack_before_any_rack_repeat",
		ring: ring1,
		opts: map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "2", "dc2": "2"},
		want: []string{
			"-1: a1 b1 a3 b3",
			"0: a1 b1 a3 b3",
			"1: a2 b1 a3 b3",
			"10: a2 b1 a3 b3",
			"11: b1 a3 b3 a2",
			"20: b1 a3 b3 a2",
			"21: a3 b2 b3 a2",
			"30: a3 b2 b3 a2",
			"31: b2 a4 b3 a2",
			"40: b2 a4 b3 a2",
			"41: a4 b3 a2 b2",
			"50: a4 b3 a2 b2",
			"51: b3 a2 b2 a3",
			"60: b3 a2 b2 a3",
			"61: a2 b2 a3 b3",
			"70: a2 b2 a3 b3",
			"71: b2 a1 a3 b3",
			"80: b2 a1 a3 b3",
			"81: a1 b1 a3 b3",
			"90: a1 b1 a3 b3",
			"91: a1 b1 a3 b3",
		},
	},
	{
		name: "nts_fewer_racks_than_rf_takes_the_first_rack_repeats_met",
		ring: ring1,
		opts: map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "3", "dc2": "1"},
		want: []string{
			"-1: a1 a2 b1 a3",
			"0: a1 a2 b1 a3",
			"1: a2 b1 a3 a4",
			"10: a2 b1 a3 a4",
			"11: b1 a3 a4 a2",
			"20: b1 a3 a4 a2",
			"21: a3 b2 a4 a2",
			"30: a3 b2 a4 a2",
			"31: b2 a4 a2 a1",
			"40: b2 a4 a2 a1",
			"41: a4 b3 a2 a1",
			"50: a4 b3 a2 a1",
			"51: b3 a2 a1 a3",
			"60: b3 a2 a1 a3",
			"61: a2 b2 a1 a3",
			"70: a2 b2 a1 a3",
			"71: b2 a1 a2 a3",
			"80: b2 a1 a2 a3",
			"81: a1 a2 b1 a3",
			"90: a1 a2 b1 a3",
			"91: a1 a2 b1 a3",
		},
	},
	{
		name: "nts_rf_above_dc_size_takes_every_host_of_the_dc",
		ring: ring1,
		opts: map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "5", "dc2": "4"},
		want: []string{
			"-1: a1 a2 b1 a3 b2 a4 b3",
			"0: a1 a2 b1 a3 b2 a4 b3",
			"1: a2 b1 a3 b2 a4 b3 a1",
			"10: a2 b1 a3 b2 a4 b3 a1",
			"11: b1 a3 b2 a4 b3 a2 a1",
			"20: b1 a3 b2 a4 b3 a2 a1",
			"21: a3 b2 a4 b3 a2 a1 b1",
			"30: a3 b2 a4 b3 a2 a1 b1",
			"31: b2 a4 b3 a2 a1 b1 a3",
			"40: b2 a4 b3 a2 a1 b1 a3",
			"41: a4 b3 a2 b2 a1 b1 a3",
			"50: a4 b3 a2 b2 a1 b1 a3",
			"51: b3 a2 b2 a1 b1 a3 a4",
			"60: b3 a2 b2 a1 b1 a3 a4",
			"61: a2 b2 a1 b1 a3 a4 b3",
			"70: a2 b2 a1 b1 a3 a4 b3",
			"71: b2 a1 a2 b1 a3 a4 b3",
			"80: b2 a1 a2 b1 a3 a4 b3",
			"81: a1 a2 b1 a3 b2 a4 b3",
			"90: a1 a2 b1 a3 b2 a4 b3",
			"91: a1 a2 b1 a3 b2 a4 b3",
		},
	},
	{
		name: "nts_transient_notation_counts_every_replica",
		ring: ring1,
		opts: map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "3/1", "dc2": "2/1"},
		want: []string{
			"-1: a1 a2 b1 a3 b3",
			"0: a1 a2 b1 a3 b3",
			"1: a2 b1 a3 a4 b3",
			"10: a2 b1 a3 a4 b3",
			"11: b1 a3 a4 b3 a2",
			"20: b1 a3 a4 b3 a2",
			"21: a3 b2 a4 b3 a2",
			"30: a3 b2 a4 b3 a2",
			"31: b2 a4 b3 a2 a1",
			"40: b2 a4 b3 a2 a1",
			"41: a4 b3 a2 b2 a1",
			"50: a4 b3 a2 b2 a1",
			"51: b3 a2 b2 a1 a3",
			"60: b3 a2 b2 a1 a3",
			"61: a2 b2 a1 a3 b3",
			"70: a2 b2 a1 a3 b3",
			"71: b2 a1 a2 a3 b3",
			"80: b2 a1 a2 a3 b3",
			"81: a1 a2 b1 a3 b3",
			"90: a1 a2 b1 a3 b3",
			"91: a1 a2 b1 a3 b3",
		},
	},
	{
		name: "nts_datacenter_without_hosts_is_ignored",
		ring: ring1,
		opts: map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc2": "1", "dc3": "2"},
		want: []string{
			"-1: b1",
			"0: b1",
			"1: b1",
			"10: b1",
			"11: b1",
			"20: b1",
			"21: b2",
			"30: b2",
			"31: b2",
			"40: b2",
			"41: b3",
			"50: b3",
			"51: b3",
			"60: b3",
			"61: b2",
			"70: b2",
			"71: b2",
			"80: b2",
			"81: b1",
			"90: b1",
			"91: b1",
		},
	},
	{
		name: "simple_rf2_ignores_datacenters_and_racks",
		ring: ring1,
		opts: map[string]string{"class": "SimpleStrategy", "replication_factor": "2"},
		want: []string{
			"-1: a1 a2",
			"0: a1 a2",
			"1: a2 b1",
			"10: a2 b1",
			"11: b1 a3",
			"20: b1 a3",
			"21: a3 b2",
			"30: a3 b2",
			"31: b2 a4",
			"40: b2 a4",
			"41: a4 b3",
			"50: a4 b3",
			"51: b3 a2",
			"60: b3 a2",
			"61: a2 b2",
			"70: a2 b2",
			"71: b2 a1",
			"80: b2 a1",
			"81: a1 a2",
			"90: a1 a2",
			"91: a1 a2",
		},
	},
	{
		name: "simple_transient_notation_counts_every_replica",
		ring: ring1,
		opts: map[string]string{"class": "SimpleStrategy", "replication_factor": "3/1"},
		want: []string{
			"-1: a1 a2 b1",
			"0: a1 a2 b1",
			"1: a2 b1 a3",
			"10: a2 b1 a3",
			"11: b1 a3 b2",
			"20: b1 a3 b2",
			"21: a3 b2 a4",
			"30: a3 b2 a4",
			"31: b2 a4 b3",
			"40: b2 a4 b3",
			"41: a4 b3 a2",
			"50: a4 b3 a2",
			"51: b3 a2 b2",
			"60: b3 a2 b2",
			"61: a2 b2 a1",
			"70: a2 b2 a1",
			"71: b2 a1 a2",
			"80: b2 a1 a2",
			"81: a1 a2 b1",
			"90: a1 a2 b1",
			"91: a1 a2 b1",
		},
	},
	{
		name: "nts_three_racks_rf2_takes_two_racks",
		ring: ring2,
		opts: map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "2"},
		want: []string{
			"-1: c1 c3",
			"0: c1 c3",
			"1: c2 c3",
			"10: c2 c3",
			"11: c3 c5",
			"20: c3 c5",
			"21: c4 c5",
			"30: c4 c5",
			"31: c5 c1",
			"40: c5 c1",
			"41: c6 c1",
			"50: c6 c1",
			"51: c1 c3",
		},
	},
	{
		name: "nts_three_racks_rf3_takes_one_host_per_rack",
		ring: ring2,
		opts: map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "3"},
		want: []string{
			"-1: c1 c3 c5",
			"0: c1 c3 c5",
			"1: c2 c3 c5",
			"10: c2 c3 c5",
			"11: c3 c5 c1",
			"20: c3 c5 c1",
			"21: c4 c5 c1",
			"30: c4 c5 c1",
			"31: c5 c1 c3",
			"40: c5 c1 c3",
			"41: c6 c1 c3",
			"50: c6 c1 c3",
			"51: c1 c3 c5",
		},
	},
	{
		name: "nts_three_racks_rf4_one_repeat",
		ring: ring2,
		opts: map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "4"},
		want: []string{
			"-1: c1 c2 c3 c5",
			"0: c1 c2 c3 c5",
			"1: c2 c3 c4 c5",
			"10: c2 c3 c4 c5",
			"11: c3 c4 c5 c1",
			"20: c3 c4 c5 c1",
			"21: c4 c5 c6 c1",
			"30: c4 c5 c6 c1",
			"31: c5 c6 c1 c3",
			"40: c5 c6 c1 c3",
			"41: c6 c1 c2 c3",
			"50: c6 c1 c2 c3",
			"51: c1 c2 c3 c5",
		},
	},
	{
		name: "simple_rf1_owner_only",
		ring: ring3,
		opts: map[string]string{"class": "SimpleStrategy", "replication_factor": "1"},
		want: []string{
			"-1: h1",
			"0: h1",
			"1: h1",
			"10: h1",
			"11: h2",
			"20: h2",
			"21: h3",
			"30: h3",
			"31: h3",
			"40: h3",
			"41: h3",
			"50: h3",
			"51: h1",
			"60: h1",
			"61: h2",
			"70: h2",
			"71: h1",
		},
	},
	{
		name: "simple_rf2_skips_vnodes_of_taken_hosts",
		ring: ring3,
		opts: map[string]string{"class": "SimpleStrategy", "replication_factor": "2"},
		want: []string{
			"-1: h1 h2",
			"0: h1 h2",
			"1: h1 h2",
			"10: h1 h2",
			"11: h2 h3",
			"20: h2 h3",
			"21: h3 h1",
			"30: h3 h1",
			"31: h3 h1",
			"40: h3 h1",
			"41: h3 h1",
			"50: h3 h1",
			"51: h1 h2",
			"60: h1 h2",
			"61: h2 h1",
			"70: h2 h1",
			"71: h1 h2",
		},
	},
	{
		name: "simple_rf3_distinct_hosts",
		ring: ring3,
		opts: map[string]string{"class": "SimpleStrategy", "replication_factor": "3"},
		want: []string{
			"-1: h1 h2 h3",
			"0: h1 h2 h3",
			"1: h1 h2 h3",
			"10: h1 h2 h3",
			"11: h2 h3 h1",
			"20: h2 h3 h1",
			"21: h3 h1 h2",
			"30: h3 h1 h2",
			"31: h3 h1 h2",
			"40: h3 h1 h2",
			"41: h3 h1 h2",
			"50: h3 h1 h2",
			"51: h1 h2 h3",
			"60: h1 h2 h3",
			"61: h2 h1 h3",
			"70: h2 h1 h3",
			"71: h1 h2 h3",
		},
	},
	{
		name: "simple_rf_above_host_count_takes_every_host",
		ring: ring3,
		opts: map[string]string{"class": "SimpleStrategy", "replication_factor": "4"},
		want: []string{
			"-1: h1 h2 h3",
			"0: h1 h2 h3",
			"1: h1 h2 h3",
			"10: h1 h2 h3",
			"11: h2 h3 h1",
			"20: h2 h3 h1",
			"21: h3 h1 h2",
			"30: h3 h1 h2",
			"31: h3 h1 h2",
			"40: h3 h1 h2",
			"41: h3 h1 h2",
			"50: h3 h1 h2",
			"51: h1 h2 h3",
			"60: h1 h2 h3",
			"61: h2 h1 h3",
			"70: h2 h1 h3",
			"71: h1 h2 h3",
		},
	},
	{
		name: "nts_single_rack_behaves_as_simple",
		ring: ring3,
		opts: map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "2"},
		want: []string{
			"-1: h1 h2",
			"0: h1 h2",
			"1: h1 h2",
			"10: h1 h2",
			"11: h2 h3",
			"20: h2 h3",
			"21: h3 h1",
			"30: h3 h1",
			"31: h3 h1",
			"40: h3 h1",
			"41: h3 h1",
			"50: h3 h1",
			"51: h1 h2",
			"60: h1 h2",
			"61: h2 h1",
			"70: h2 h1",
			"71: h1 h2",
		},
	},
}

func TestReplicaPlacementMatchesCassandra(t *testing.T) {
	for _, tc := range cassandraPlacements {
		t.Run(tc.name, func(t *testing.T) {
			r := newTestRing(t, tc.ring)
			m := r.tokenMap(t, map[string]map[string]string{"ks": tc.opts})
			for _, line := range tc.want {
				tok, want, _ := strings.Cut(line, ": ")
				v, err := strconv.ParseInt(tok, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				if got := r.names(m.ReplicasFor("ks", murmur3Token(v))); got != want {
					t.Errorf("token %s: replicas %q, want %q", tok, got, want)
				}
			}
		})
	}
}

// TestRackRuleVersusNaiveWalk spells out one placement of ring1 where
// NetworkTopologyStrategy's rack rule gives another answer than taking the
// first hosts of each datacenter met on the ring.
func TestRackRuleVersusNaiveWalk(t *testing.T) {
	r := newTestRing(t, ring1)
	m := r.tokenMap(t, map[string]map[string]string{
		"ks": {"class": "NetworkTopologyStrategy", "dc1": "2", "dc2": "2"},
	})
	// Walking from token 0: a1 (dc1 r1, taken), a2 (dc1 r1 again: dc1 has
	// two racks for rf 2, so no rack may repeat; passed over), b1 (dc2 rA,
	// taken), a3 (dc1 r2, taken; dc1 done), b2 (dc2 rA again, passed over),
	// a4 (dc1 done), b3 (dc2 rB, taken; dc2 done). A naive walk would take
	// a1 a2 b1 b2: both dc1 replicas in rack r1, both dc2 ones in rA.
	got := r.names(m.ReplicasFor("ks", murmur3Token(0)))
	if want, naive := "a1 b1 a3 b3", "a1 a2 b1 b2"; got != want {
		t.Errorf("replicas of token 0: %q, want %q (a naive walk gives %q)", got, want, naive)
	}
	// With rf 3 in dc1 (two racks) one rack repeat is allowed, and it is
	// the first one met: a2, right after a1, in ring order. (Formulations
	// that set rack repeats aside until every rack is met take the same
	// hosts, a1 a3 a2.)
	m = r.tokenMap(t, map[string]map[string]string{
		"ks": {"class": "NetworkTopologyStrategy", "dc1": "3"},
	})
	if got, want := r.names(m.ReplicasFor("ks", murmur3Token(0))), "a1 a2 a3"; got != want {
		t.Errorf("rf 3 in dc1, token 0: %q, want %q", got, want)
	}
}

func TestReplicationOptions(t *testing.T) {
	r := newTestRing(t, ring1)
	all := "a1 a2 b1 a3 b2 a4 b3" // every host, in ring order from token 0
	for _, tc := range []struct {
		name string
		opts map[string]string
		want string // replicas of token 0
	}{
		{"simple_short_class_name", map[string]string{"class": "SimpleStrategy", "replication_factor": "3"}, "a1 a2 b1"},
		{"simple_fully_qualified_class_name", map[string]string{"class": "org.apache.cassandra.locator.SimpleStrategy", "replication_factor": "3"}, "a1 a2 b1"},
		{"simple_transient_full_count", map[string]string{"class": "SimpleStrategy", "replication_factor": "3/1"}, "a1 a2 b1"},
		{"simple_rf_zero_has_no_replicas", map[string]string{"class": "SimpleStrategy", "replication_factor": "0"}, ""},
		{"simple_without_rf_has_no_replicas", map[string]string{"class": "SimpleStrategy"}, ""},
		{"simple_unreadable_rf_has_no_replicas", map[string]string{"class": "SimpleStrategy", "replication_factor": "three"}, ""},
		{"nts_short_class_name", map[string]string{"class": "NetworkTopologyStrategy", "dc1": "1", "dc2": "1"}, "a1 b1"},
		{"nts_ignores_a_replication_factor_default", map[string]string{"class": "NetworkTopologyStrategy", "replication_factor": "3", "dc2": "1"}, "b1"},
		{"nts_skips_unreadable_dc_rf", map[string]string{"class": "NetworkTopologyStrategy", "dc1": "x", "dc2": "1"}, "b1"},
		{"nts_without_dcs_has_no_replicas", map[string]string{"class": "NetworkTopologyStrategy"}, ""},
		{"nts_only_unknown_dcs_has_no_replicas", map[string]string{"class": "NetworkTopologyStrategy", "dc9": "3"}, ""},
		{"everywhere_is_every_host_in_ring_order", map[string]string{"class": "org.apache.cassandra.locator.EverywhereStrategy"}, all},
		{"local_strategy_has_no_replicas", map[string]string{"class": "org.apache.cassandra.locator.LocalStrategy"}, ""},
		{"unknown_class_has_no_replicas", map[string]string{"class": "com.example.MyStrategy", "replication_factor": "3"}, ""},
		{"no_class_has_no_replicas", map[string]string{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := r.tokenMap(t, map[string]map[string]string{"ks": tc.opts})
			got := m.ReplicasFor("ks", murmur3Token(0))
			if r.names(got) != tc.want {
				t.Errorf("replicas %q, want %q", r.names(got), tc.want)
			}
			if tc.want == "" && got != nil {
				t.Errorf("want nil for no replicas, got %v", got)
			}
		})
	}
}

func TestReplicasAreDistinctOnLargeRings(t *testing.T) {
	// 12 hosts in 2 dcs of 2 racks, 32 vnodes each, at pseudo-random
	// tokens: every replica list has the wanted length, no host twice and,
	// where the racks allow, one host per rack.
	var spec []string
	x := uint64(0x9e3779b97f4a7c15)
	for i := range 12 {
		var toks []string
		for range 32 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			toks = append(toks, strconv.FormatInt(int64(x), 10))
		}
		spec = append(spec, fmt.Sprintf("n%d:dc%d:r%d:%s", i, i%2, i%4/2, strings.Join(toks, ",")))
	}
	r := newTestRing(t, strings.Join(spec, ";"))
	m := r.tokenMap(t, map[string]map[string]string{
		"s3":   {"class": "SimpleStrategy", "replication_factor": "3"},
		"nts":  {"class": "NetworkTopologyStrategy", "dc0": "2", "dc1": "3"},
		"nts8": {"class": "NetworkTopologyStrategy", "dc0": "8", "dc1": "1"},
	})
	for _, tok := range m.tokens {
		for ks, want := range map[string]int{"s3": 3, "nts": 5, "nts8": 7} {
			reps := m.ReplicasFor(ks, tok)
			if len(reps) != want {
				t.Fatalf("%s at %v: %d replicas, want %d", ks, tok, len(reps), want)
			}
			seen := map[*Host]bool{}
			racks := map[string]int{}
			for _, h := range reps {
				if seen[h] {
					t.Fatalf("%s at %v: %s twice", ks, tok, r.name[h])
				}
				seen[h] = true
				racks[h.DC()+"/"+h.Rack()]++
			}
			if ks == "nts" && len(racks) != 4 {
				t.Errorf("%s at %v: racks %v, want both racks of both dcs", ks, tok, racks)
			}
		}
	}
}
