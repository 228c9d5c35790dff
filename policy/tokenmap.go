package policy

import (
	"fmt"
	"slices"
)

// TokenMap maps tokens to the hosts that hold them, per keyspace. It is
// built once per change of the ring or of the keyspaces' replication
// (NewTokenMap) and is immutable afterwards, so it is safe for concurrent
// use. The replicas of every token range are computed when the map is
// built; a lookup is a hash and a binary search, with no allocation.
type TokenMap struct {
	partitioner Partitioner
	tokens      []Token // the ring, in token order
	replicas    map[string][][]*Host
	keyspaces   []string // sorted
}

// NewTokenMap builds the token map of a cluster.
//
// The partitioner is that of the first host whose HostInfo.Partitioner is
// set. The ring is made of every host's HostInfo.Tokens; a host without
// tokens (one still joining, say) is not a replica of anything. Should two
// hosts claim the same token, the first in hosts keeps it.
//
// keyspaces maps each keyspace name to its replication options, as in
// system_schema.keyspaces.replication, e.g. {"class":
// "org.apache.cassandra.locator.NetworkTopologyStrategy", "dc1": "3"}.
// SimpleStrategy, NetworkTopologyStrategy and EverywhereStrategy are
// understood; a keyspace with LocalStrategy, another class or options that
// cannot be read has no replicas (routing then leaves the choice to the
// child policy). Keyspaces with the same replication share one replica
// table.
//
// The error is an *UnsupportedPartitionerError when no host reports a
// partitioner the driver knows, or an *InvalidTokenError for a token the
// partitioner cannot parse.
func NewTokenMap(hosts []*Host, keyspaces map[string]map[string]string) (*TokenMap, error) {
	infos := make([]*HostInfo, len(hosts))
	name := ""
	for i, h := range hosts {
		infos[i] = h.info.Load() // one snapshot per host, so dc, rack and tokens agree
		if name == "" {
			name = infos[i].Partitioner
		}
	}
	p, err := PartitionerByName(name)
	if err != nil {
		return nil, err
	}

	type entry struct {
		t Token
		h int32 // index into hosts
	}
	n := 0
	for _, info := range infos {
		n += len(info.Tokens)
	}
	entries := make([]entry, 0, n)
	for i, info := range infos {
		for _, s := range info.Tokens {
			t, err := p.ParseToken(s)
			if err != nil {
				return nil, fmt.Errorf("host %v: %w", hosts[i], err)
			}
			entries = append(entries, entry{t, int32(i)})
		}
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return a.t.Compare(b.t) })
	entries = slices.CompactFunc(entries, func(a, b entry) bool { return a.t.Compare(b.t) == 0 })

	m := &TokenMap{
		partitioner: p,
		tokens:      make([]Token, len(entries)),
		replicas:    make(map[string][][]*Host, len(keyspaces)),
		keyspaces:   make([]string, 0, len(keyspaces)),
	}
	rg := &ring{owner: make([]int32, len(entries))}
	hostIndex := map[*Host]int32{} // -> index into rg.hosts; a host listed twice is one host
	dcIndex := map[string]int32{}
	type dcRack struct{ dc, rack string }
	rackIndex := map[dcRack]int32{}
	for i, e := range entries {
		m.tokens[i] = e.t
		hi, ok := hostIndex[hosts[e.h]]
		if !ok {
			hi = int32(len(rg.hosts))
			hostIndex[hosts[e.h]] = hi
			info := infos[e.h]
			d, ok := dcIndex[info.DC]
			if !ok {
				d = int32(len(rg.dcs))
				dcIndex[info.DC] = d
				rg.dcs = append(rg.dcs, info.DC)
				rg.dcNodes = append(rg.dcNodes, 0)
				rg.dcRacks = append(rg.dcRacks, 0)
			}
			r, ok := rackIndex[dcRack{info.DC, info.Rack}]
			if !ok {
				r = int32(rg.racks)
				rackIndex[dcRack{info.DC, info.Rack}] = r
				rg.racks++
				rg.dcRacks[d]++
			}
			rg.dcNodes[d]++
			rg.hosts = append(rg.hosts, hosts[e.h])
			rg.hostDC = append(rg.hostDC, d)
			rg.hostRack = append(rg.hostRack, r)
		}
		rg.owner[i] = hi
	}

	tables := map[string][][]*Host{}
	for ks, opts := range keyspaces {
		m.keyspaces = append(m.keyspaces, ks)
		r := parseReplication(opts)
		key := r.key()
		if key == "" {
			continue
		}
		t, ok := tables[key]
		if !ok {
			t = r.replicas(rg)
			tables[key] = t
		}
		m.replicas[ks] = t
	}
	slices.Sort(m.keyspaces)
	return m, nil
}

// Partitioner returns the cluster's partitioner.
func (m *TokenMap) Partitioner() Partitioner { return m.partitioner }

// Keyspaces returns the names of the keyspaces the map was built with,
// sorted, including those it has no replicas for.
func (m *TokenMap) Keyspaces() []string { return slices.Clone(m.keyspaces) }

// TokenFor returns the token of a routing key (a serialized partition
// key).
func (m *TokenMap) TokenFor(routingKey []byte) Token { return m.partitioner.Hash(routingKey) }

// ReplicasFor returns the replicas of the token in the keyspace, in ring
// order: the owner of the token's range first, then the others in the
// order the replication strategy walks the ring to them. The slice is
// shared: do not modify it. It is nil for a keyspace the map does not know
// or has no replicas for (LocalStrategy, unknown strategies).
func (m *TokenMap) ReplicasFor(keyspace string, t Token) []*Host {
	table := m.replicas[keyspace]
	if table == nil {
		return nil
	}
	return table[m.position(t)]
}

// Replicas returns the replicas of the partition with that routing key in
// the keyspace: ReplicasFor(keyspace, TokenFor(routingKey)).
func (m *TokenMap) Replicas(keyspace string, routingKey []byte) []*Host {
	table := m.replicas[keyspace]
	if table == nil {
		return nil
	}
	return table[m.position(m.partitioner.Hash(routingKey))]
}

// position returns the ring position owning t: the first whose token is
// not below t, wrapping past the last to the first. The ring is not empty
// (a map with an empty ring has no replica tables).
func (m *TokenMap) position(t Token) int {
	lo, hi := 0, len(m.tokens)
	if t.kind == kindMurmur3 || t.kind == kindRandom {
		// Hot path: every ring token has t's kind (the map's partitioner)
		// and no bytes, so the two words decide.
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if x := &m.tokens[mid]; x.kind < t.kind || x.kind == t.kind && (x.hi < t.hi || x.hi == t.hi && x.lo < t.lo) {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
	} else {
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			if m.tokens[mid].Compare(t) < 0 {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
	}
	if lo == len(m.tokens) {
		return 0
	}
	return lo
}
