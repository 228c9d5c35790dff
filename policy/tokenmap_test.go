package policy

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"testing"
)

var simple1 = map[string]string{"class": "SimpleStrategy", "replication_factor": "1"}

func TestTokenMapLookup(t *testing.T) {
	// Ring: 0 a1, 10 a2, 20 b1, ..., 90 a1 (ring1). With rf 1 a token's
	// replica is the owner of the first ring token not below it.
	r := newTestRing(t, ring1)
	m := r.tokenMap(t, map[string]map[string]string{"ks": simple1})
	for _, tc := range []struct {
		name  string
		token int64
		want  string
	}{
		{"ring_token_belongs_to_its_host", 20, "b1"},
		{"token_just_below_a_ring_token_belongs_to_it", 19, "b1"},
		{"token_just_above_a_ring_token_belongs_to_the_next", 21, "a3"},
		{"token_above_the_last_wraps_to_the_first", 91, "a1"},
		{"maximum_token_wraps_to_the_first", math.MaxInt64, "a1"},
		{"minimum_token_belongs_to_the_first", math.MinInt64, "a1"},
		{"last_ring_token_belongs_to_its_host", 90, "a1"},
		{"second_vnode_of_a_host", 70, "a2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := r.names(m.ReplicasFor("ks", murmur3Token(tc.token))); got != tc.want {
				t.Errorf("ReplicasFor(%d) = %q, want %q", tc.token, got, tc.want)
			}
		})
	}
}

func TestTokenMapRoutingKeys(t *testing.T) {
	r := newTestRing(t, ring1)
	m := r.tokenMap(t, map[string]map[string]string{"ks": {"class": "SimpleStrategy", "replication_factor": "2"}})
	t.Run("replicas_of_a_key_are_those_of_its_token", func(t *testing.T) {
		for i := range 200 {
			key := []byte(strconv.Itoa(i))
			tok := m.TokenFor(key)
			if tok.Compare(murmur3.Hash(key)) != 0 {
				t.Fatalf("TokenFor(%q) = %v, want the Murmur3 hash", key, tok)
			}
			got, want := m.Replicas("ks", key), m.ReplicasFor("ks", tok)
			if !slices.Equal(got, want) || len(got) != 2 {
				t.Fatalf("Replicas(%q) = %q, ReplicasFor its token = %q", key, r.names(got), r.names(want))
			}
		}
	})
	t.Run("python_vector_key_lands_on_the_expected_range", func(t *testing.T) {
		// "123" hashes to -7468325962851647638 (murmur3_test.go): below
		// every ring token, so the range of the first token, 0 (a1).
		if got := r.names(m.Replicas("ks", []byte("123"))); got != "a1 a2" {
			t.Errorf("replicas of \"123\": %q, want \"a1 a2\"", got)
		}
	})
	t.Run("unknown_keyspace_has_no_replicas", func(t *testing.T) {
		if got := m.Replicas("nope", []byte("k")); got != nil {
			t.Errorf("got %q", r.names(got))
		}
	})
	t.Run("lookups_do_not_allocate", func(t *testing.T) {
		key := []byte("some key")
		tok := m.TokenFor(key)
		n := testing.AllocsPerRun(100, func() {
			_ = m.Replicas("ks", key)
			_ = m.ReplicasFor("ks", tok)
			_ = m.TokenFor(key)
		})
		if n != 0 {
			t.Errorf("%v allocations per lookup, want 0", n)
		}
	})
	t.Run("replica_slices_cannot_be_appended_over", func(t *testing.T) {
		a := m.ReplicasFor("ks", murmur3Token(0))
		next := slices.Clone(m.ReplicasFor("ks", murmur3Token(10)))
		_ = append(a, nil)
		if !slices.Equal(m.ReplicasFor("ks", murmur3Token(10)), next) {
			t.Error("appending to one position's replicas changed the next position's")
		}
	})
}

func TestTokenMapKeyspaces(t *testing.T) {
	r := newTestRing(t, ring1)
	nts := map[string]string{"class": "NetworkTopologyStrategy", "dc1": "2", "dc2": "1"}
	ntsQualified := map[string]string{"class": "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc2": "1", "dc1": "2"}
	m := r.tokenMap(t, map[string]map[string]string{
		"b_nts":    nts,
		"a_nts":    ntsQualified,
		"c_simple": simple1,
		"system":   {"class": "org.apache.cassandra.locator.LocalStrategy"},
	})
	t.Run("keyspaces_sorted_including_those_without_replicas", func(t *testing.T) {
		if got, want := m.Keyspaces(), []string{"a_nts", "b_nts", "c_simple", "system"}; !slices.Equal(got, want) {
			t.Errorf("Keyspaces() = %v, want %v", got, want)
		}
	})
	t.Run("keyspaces_with_the_same_replication_share_one_table", func(t *testing.T) {
		a, b := m.ReplicasFor("a_nts", murmur3Token(0)), m.ReplicasFor("b_nts", murmur3Token(0))
		if len(a) != 3 || &a[0] != &b[0] {
			t.Errorf("a_nts %q and b_nts %q do not share their replica table", r.names(a), r.names(b))
		}
		if s := m.ReplicasFor("c_simple", murmur3Token(0)); len(s) != 1 {
			t.Errorf("c_simple replicas %q, want 1", r.names(s))
		}
	})
	t.Run("keyspaces_returns_a_copy", func(t *testing.T) {
		m.Keyspaces()[0] = "changed"
		if m.Keyspaces()[0] != "a_nts" {
			t.Error("Keyspaces() exposes the map's slice")
		}
	})
}

func TestNewTokenMap(t *testing.T) {
	mk := func(partitioner string, tokens ...string) *Host {
		return NewHost(HostInfo{DC: "dc1", Rack: "r1", Partitioner: partitioner, Tokens: tokens})
	}
	t.Run("partitioner_of_the_first_host_reporting_one", func(t *testing.T) {
		m, err := NewTokenMap([]*Host{mk("", "1"), mk("RandomPartitioner", "5"), mk("Murmur3Partitioner", "9")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if m.Partitioner().Name() != "RandomPartitioner" {
			t.Errorf("partitioner %s, want RandomPartitioner", m.Partitioner().Name())
		}
	})
	t.Run("no_partitioner_is_an_error", func(t *testing.T) {
		_, err := NewTokenMap([]*Host{mk("", "1")}, nil)
		var ue *UnsupportedPartitionerError
		if !errors.As(err, &ue) || ue.Name != "" {
			t.Errorf("err = %v, want *UnsupportedPartitionerError with no name", err)
		}
	})
	t.Run("unsupported_partitioner_is_an_error", func(t *testing.T) {
		_, err := NewTokenMap([]*Host{mk("org.apache.cassandra.dht.OrderPreservingPartitioner", "abc")}, nil)
		var ue *UnsupportedPartitionerError
		if !errors.As(err, &ue) {
			t.Errorf("err = %v, want *UnsupportedPartitionerError", err)
		}
	})
	t.Run("bad_token_is_an_error", func(t *testing.T) {
		_, err := NewTokenMap([]*Host{mk("Murmur3Partitioner", "1"), mk("", "x")}, nil)
		var ie *InvalidTokenError
		if !errors.As(err, &ie) || ie.Token != "x" {
			t.Errorf("err = %v, want *InvalidTokenError for \"x\"", err)
		}
	})
	t.Run("hosts_without_tokens_are_no_replicas", func(t *testing.T) {
		joining := mk("Murmur3Partitioner")
		owner := mk("", "0")
		m, err := NewTokenMap([]*Host{joining, owner}, map[string]map[string]string{"ks": {"class": "SimpleStrategy", "replication_factor": "3"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Replicas("ks", []byte("k")); len(got) != 1 || got[0] != owner {
			t.Errorf("replicas %v, want only the host with a token", got)
		}
	})
	t.Run("duplicate_token_stays_with_the_first_host", func(t *testing.T) {
		a, b := mk("Murmur3Partitioner", "0"), mk("", "0", "10")
		m, err := NewTokenMap([]*Host{a, b}, map[string]map[string]string{"ks": simple1})
		if err != nil {
			t.Fatal(err)
		}
		if got := m.ReplicasFor("ks", murmur3Token(0)); len(got) != 1 || got[0] != a {
			t.Errorf("owner of token 0 is not the first host")
		}
		if got := m.ReplicasFor("ks", murmur3Token(5)); len(got) != 1 || got[0] != b {
			t.Errorf("owner of token 5 is not the second host")
		}
	})
	t.Run("host_listed_twice_is_one_replica", func(t *testing.T) {
		a, b := mk("Murmur3Partitioner", "0"), mk("", "10")
		m, err := NewTokenMap([]*Host{a, b, a}, map[string]map[string]string{"ks": {"class": "SimpleStrategy", "replication_factor": "3"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := m.ReplicasFor("ks", murmur3Token(0)); len(got) != 2 || got[0] != a || got[1] != b {
			t.Errorf("replicas %v, want the two hosts once each", got)
		}
	})
	t.Run("no_hosts_gives_a_map_without_replicas", func(t *testing.T) {
		m, err := NewTokenMap([]*Host{mk("Murmur3Partitioner")}, map[string]map[string]string{"ks": simple1})
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Replicas("ks", []byte("k")); got != nil {
			t.Errorf("replicas %v from an empty ring", got)
		}
	})
	t.Run("random_partitioner_ring", func(t *testing.T) {
		lo, hi := mk("RandomPartitioner", "0"), mk("", "85070591730234615865843651857942052864")
		m, err := NewTokenMap([]*Host{lo, hi}, map[string]map[string]string{"ks": simple1})
		if err != nil {
			t.Fatal(err)
		}
		// MD5("123") is 42767516990368493138776584305024125808 (token_test.go):
		// between the two tokens, so the second host's range.
		if got := m.Replicas("ks", []byte("123")); len(got) != 1 || got[0] != hi {
			t.Errorf("replica of \"123\" is not the host at 2**126")
		}
	})
	t.Run("byte_ordered_ring", func(t *testing.T) {
		m1, m2 := mk("ByteOrderedPartitioner", "6d"), mk("", "ff")
		m, err := NewTokenMap([]*Host{m1, m2}, map[string]map[string]string{"ks": simple1})
		if err != nil {
			t.Fatal(err)
		}
		for key, want := range map[string]*Host{"apple": m1, "m": m1, "mango": m2, "\xff\x00": m1} {
			if got := m.Replicas("ks", []byte(key)); len(got) != 1 || got[0] != want {
				t.Errorf("replica of %q is the wrong host", key)
			}
		}
	})
}

// benchHosts makes n up hosts in dcs datacenters of 3 racks each, every
// host with vnodes tokens spread over the ring (no two hosts alike).
func benchHosts(n, vnodes, dcs int) []*Host {
	hosts := make([]*Host, n)
	total := n * vnodes
	step := math.MaxUint64 / uint64(total)
	for i := range hosts {
		toks := make([]string, vnodes)
		for v := range toks {
			// position v*n+i, scrambled a little so racks do not line up
			pos := uint64((v*n + (i*7+v)%n) % total)
			toks[v] = strconv.FormatInt(int64(pos*step+uint64(i)), 10)
		}
		hosts[i] = NewHost(HostInfo{
			Addr:        netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 9042),
			DC:          fmt.Sprintf("dc%d", i%dcs),
			Rack:        fmt.Sprintf("r%d", i/dcs%3),
			Tokens:      toks,
			Partitioner: "org.apache.cassandra.dht.Murmur3Partitioner",
		})
		hosts[i].setState(StateUp)
	}
	return hosts
}

// benchKeyspaces makes n keyspaces cycling through a few replication
// settings (as clusters do: many keyspaces, few distinct settings), or
// with distinct settings each when distinct is set.
func benchKeyspaces(n, dcs int, distinct bool) map[string]map[string]string {
	ks := make(map[string]map[string]string, n)
	for i := range n {
		var o map[string]string
		switch {
		case distinct: // no two keyspaces alike
			o = map[string]string{"class": "NetworkTopologyStrategy", "dc0": strconv.Itoa(1 + i%7)}
			if dcs > 1 {
				o["dc1"] = strconv.Itoa(1 + i/7)
			} else {
				o["dc0"] = strconv.Itoa(1 + i)
			}
		case i%4 == 0:
			o = map[string]string{"class": "SimpleStrategy", "replication_factor": "3"}
		case i%4 == 1:
			o = map[string]string{"class": "org.apache.cassandra.locator.LocalStrategy"}
		default: // rf 3 or 2 in every dc
			o = map[string]string{"class": "NetworkTopologyStrategy"}
			for d := range dcs {
				o[fmt.Sprintf("dc%d", d)] = strconv.Itoa(3 - i%4/3)
			}
		}
		ks[fmt.Sprintf("ks%d", i)] = o
	}
	return ks
}

func BenchmarkNewTokenMap(b *testing.B) {
	for _, bc := range []struct {
		name                string
		hosts, vnodes, dcs  int
		keyspaces           int
		distinctReplication bool
	}{
		{"3hosts_256vnodes_10ks", 3, 256, 1, 10, false},
		{"3hosts_256vnodes_10ks_distinct", 3, 256, 1, 10, true},
		{"100hosts_16tokens_50ks", 100, 16, 2, 50, false},
		{"100hosts_16tokens_50ks_distinct", 100, 16, 2, 50, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			hosts := benchHosts(bc.hosts, bc.vnodes, bc.dcs)
			ks := benchKeyspaces(bc.keyspaces, bc.dcs, bc.distinctReplication)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NewTokenMap(hosts, ks); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTokenMapReplicas(b *testing.B) {
	hosts := benchHosts(100, 16, 2)
	m, err := NewTokenMap(hosts, benchKeyspaces(50, 2, false))
	if err != nil {
		b.Fatal(err)
	}
	key := []byte("0123456789abcdef0123")
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Replicas("ks2", key)
	}
}
