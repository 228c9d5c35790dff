package policy

import (
	"slices"
	"strconv"
	"strings"
)

// replication is a keyspace's replication strategy, parsed from its
// options as found in system_schema.keyspaces.replication.
type replication struct {
	kind strategyKind
	rf   int            // SimpleStrategy
	dcRF map[string]int // NetworkTopologyStrategy: datacenter -> replicas
}

type strategyKind int

const (
	// strategyNone: no replicas known (LocalStrategy, an unknown class or
	// unusable options); routing falls back to the child policy.
	strategyNone strategyKind = iota
	strategySimple
	strategyNetworkTopology
	strategyEverywhere
)

// parseReplication reads a replication map. The class may be short or
// fully qualified. Replication factors may use the transient notation of
// Cassandra 4.0 ("3/1": three replicas, one of them transient); the full
// count is what matters for routing. What cannot be understood gives
// strategyNone, never an error: a keyspace the driver cannot route for is
// still usable through the child policy.
func parseReplication(opts map[string]string) replication {
	class := opts["class"]
	if i := strings.LastIndexByte(class, '.'); i >= 0 {
		class = class[i+1:]
	}
	switch class {
	case "SimpleStrategy":
		rf, ok := parseRF(opts["replication_factor"])
		if !ok || rf == 0 {
			return replication{}
		}
		return replication{kind: strategySimple, rf: rf}
	case "NetworkTopologyStrategy":
		dcRF := map[string]int{}
		for k, v := range opts {
			if k == "class" || k == "replication_factor" {
				// replication_factor is only a CREATE-time default that
				// Cassandra expands into one entry per datacenter.
				continue
			}
			if rf, ok := parseRF(v); ok && rf > 0 {
				dcRF[k] = rf
			}
		}
		if len(dcRF) == 0 {
			return replication{}
		}
		return replication{kind: strategyNetworkTopology, dcRF: dcRF}
	case "EverywhereStrategy":
		return replication{kind: strategyEverywhere}
	}
	// LocalStrategy (system keyspaces: the data is on whichever node is
	// asked) and unknown classes.
	return replication{}
}

// parseRF parses "3" or "3/1" (all replicas / transient ones), returning
// the full count.
func parseRF(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// key identifies the replica placement, so that keyspaces with the same
// replication share one computed table. Empty for strategyNone.
func (r replication) key() string {
	switch r.kind {
	case strategySimple:
		return "simple:" + strconv.Itoa(r.rf)
	case strategyNetworkTopology:
		dcs := make([]string, 0, len(r.dcRF))
		for dc := range r.dcRF {
			dcs = append(dcs, dc)
		}
		slices.Sort(dcs)
		var b strings.Builder
		b.WriteString("nts")
		for _, dc := range dcs {
			b.WriteString(":")
			b.WriteString(strconv.Quote(dc))
			b.WriteString("=")
			b.WriteString(strconv.Itoa(r.dcRF[dc]))
		}
		return b.String()
	case strategyEverywhere:
		return "everywhere"
	}
	return ""
}

// ring is the token ring in the form the replica computations use: ring
// positions in token order, each owned by a host identified by its index.
type ring struct {
	owner    []int32  // host index of each ring position
	hosts    []*Host  // distinct hosts owning at least one token
	hostDC   []int32  // datacenter index of each host
	hostRack []int32  // rack index of each host; racks of different datacenters never share an index
	dcs      []string // datacenter names
	dcNodes  []int    // number of hosts in each datacenter
	dcRacks  []int    // number of racks in each datacenter
	racks    int      // number of racks
}

// replicas computes, for every ring position i, the replicas of the token
// range ending at (and including) that position's token, in the order the
// walk of the ring from position i meets them (the first is the range's
// owner). The per-position slices share one backing array and are capped,
// so that appending to one cannot overwrite another.
func (r replication) replicas(rg *ring) [][]*Host {
	n := len(rg.owner)
	if n == 0 || r.kind == strategyNone {
		return nil
	}
	w := newRingWalker(rg)
	switch r.kind {
	case strategySimple:
		return w.distinct(min(r.rf, len(rg.hosts)))
	case strategyEverywhere:
		return w.distinct(len(rg.hosts))
	case strategyNetworkTopology:
		return w.networkTopology(r.dcRF)
	}
	return nil
}

// ringWalker holds the scratch state of the replica computations: marks
// stamped with the current walk's number, so nothing is cleared between
// ring positions.
type ringWalker struct {
	rg       *ring
	stamp    int32
	hostSeen []int32 // per host: the walk that took it
	rackSeen []int32 // per rack: the walk that met it
	flat     []*Host
	ends     []int
}

func newRingWalker(rg *ring) *ringWalker {
	return &ringWalker{
		rg:       rg,
		hostSeen: make([]int32, len(rg.hosts)),
		rackSeen: make([]int32, rg.racks),
		ends:     make([]int, 0, len(rg.owner)),
	}
}

// table cuts the flat replica list into one slice per ring position.
func (w *ringWalker) table() [][]*Host {
	out := make([][]*Host, len(w.ends))
	start := 0
	for i, end := range w.ends {
		out[i] = w.flat[start:end:end]
		start = end
	}
	return out
}

// distinct is SimpleStrategy (and EverywhereStrategy with rf = every
// host): walk the ring from the position, taking each host the first time
// it is met, until rf hosts are taken.
func (w *ringWalker) distinct(rf int) [][]*Host {
	rg := w.rg
	n := len(rg.owner)
	w.flat = make([]*Host, 0, n*rf)
	for i := range n {
		w.stamp++
		taken := 0
		for step := 0; step < n && taken < rf; step++ {
			h := rg.owner[(i+step)%n]
			if w.hostSeen[h] == w.stamp {
				continue
			}
			w.hostSeen[h] = w.stamp
			w.flat = append(w.flat, rg.hosts[h])
			taken++
		}
		w.ends = append(w.ends, len(w.flat))
	}
	return w.table()
}

// networkTopology is NetworkTopologyStrategy as Cassandra (3.0 and later)
// computes it in NetworkTopologyStrategy.calculateNaturalReplicas. One
// walk of the ring serves every datacenter; for each datacenter:
//
//   - it wants min(rf, hosts in the datacenter) replicas;
//   - a host in a rack of that datacenter not met yet in this walk is
//     taken;
//   - a host in a rack already met is taken only while the datacenter has
//     fewer racks than rf, and then only the first rf-racks such hosts
//     (Cassandra's acceptableRackRepeats), so every rack still gets a
//     replica.
//
// This takes the same hosts as the older formulation in which hosts of
// already-met racks are set aside and used, in the order met, once every
// rack of the datacenter has been met; the replicas are listed in walk
// (ring) order, as Cassandra lists them.
func (w *ringWalker) networkTopology(dcRF map[string]int) [][]*Host {
	rg := w.rg
	n := len(rg.owner)
	want := make([]int, len(rg.dcs))    // per dc: replicas wanted
	repeats := make([]int, len(rg.dcs)) // per dc: rack repeats allowed
	left := make([]int, len(rg.dcs))    // per dc: replicas still wanted in this walk
	repLeft := make([]int, len(rg.dcs)) // per dc: rack repeats still allowed in this walk
	total, dcsWanted := 0, 0
	for d, dc := range rg.dcs {
		rf := dcRF[dc]
		if rf <= 0 || rg.dcNodes[d] == 0 {
			continue
		}
		want[d] = min(rf, rg.dcNodes[d])
		repeats[d] = rf - rg.dcRacks[d]
		total += want[d]
		dcsWanted++
	}
	if dcsWanted == 0 {
		return nil // no datacenter of the options has hosts
	}
	w.flat = make([]*Host, 0, n*total)
	for i := range n {
		w.stamp++
		copy(left, want)
		copy(repLeft, repeats)
		toFill := dcsWanted
		for step := 0; step < n && toFill > 0; step++ {
			h := rg.owner[(i+step)%n]
			d := rg.hostDC[h]
			if left[d] == 0 {
				continue // datacenter done, or not replicated to
			}
			if rack := rg.hostRack[h]; w.rackSeen[rack] != w.stamp {
				// First host met in this rack: it cannot have been taken.
				w.rackSeen[rack] = w.stamp
			} else if repLeft[d] <= 0 || w.hostSeen[h] == w.stamp {
				continue
			} else {
				repLeft[d]--
			}
			w.hostSeen[h] = w.stamp
			w.flat = append(w.flat, rg.hosts[h])
			if left[d]--; left[d] == 0 {
				toFill--
			}
		}
		w.ends = append(w.ends, len(w.flat))
	}
	return w.table()
}
