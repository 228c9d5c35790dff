package cassandra

import (
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cqlgo/cassandra/internal/hostctl"
	"github.com/cqlgo/cassandra/policy"
)

// Host is a node of the cluster as the driver sees it.
type Host = policy.Host

// HostInfo describes a node: address, datacenter, rack, version, tokens.
type HostInfo = policy.HostInfo

// HostListener is told about hosts joining, leaving, going down and coming
// back. Calls are made from the driver's goroutines, one at a time, and
// must not block for long.
type HostListener interface {
	OnAdd(h *Host)
	OnRemove(h *Host)
	OnUp(h *Host)
	OnDown(h *Host)
}

// hostRegistry is the set of known hosts, indexed by host_id and address,
// with a copy-on-write list handed to policies.
type hostRegistry struct {
	tokens atomic.Pointer[policy.TokenMap] // rebuilt by the control connection
	loads  sync.Map                        // *Host → *hostLoad, for policy.LoadView
	mu     sync.Mutex
	byIDs  map[[16]byte]*Host
	byAddr map[netip.AddrPort]*Host
	list   atomic.Pointer[[]*Host]
}

func newHostRegistry() *hostRegistry {
	r := &hostRegistry{byIDs: map[[16]byte]*Host{}, byAddr: map[netip.AddrPort]*Host{}}
	r.list.Store(&[]*Host{})
	return r
}

// Hosts implements policy.View.
func (r *hostRegistry) Hosts() []*Host { return *r.list.Load() }

func (r *hostRegistry) byID(id [16]byte) *Host {
	if id == ([16]byte{}) {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byIDs[id]
}

func (r *hostRegistry) byAddress(a netip.AddrPort) *Host {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.byAddr[a]
}

// lookupIP finds a host by address, ignoring the port (events carry the
// node's broadcast address, which may differ from the translated one only
// by port).
func (r *hostRegistry) lookupIP(a netip.Addr) *Host {
	for _, h := range r.Hosts() {
		i := h.Info()
		if i.Addr.Addr() == a || i.BroadcastAddr == a {
			return h
		}
	}
	return nil
}

// add inserts a host; it returns the existing one if the id or address is
// known.
func (r *hostRegistry) add(h *Host) (*Host, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	info := h.Info()
	if old, ok := r.byAddr[info.Addr]; ok {
		return old, false
	}
	if info.HostID != ([16]byte{}) {
		if old, ok := r.byIDs[info.HostID]; ok {
			return old, false
		}
		r.byIDs[info.HostID] = h
	}
	r.byAddr[info.Addr] = h
	r.publish()
	return h, true
}

// update re-indexes h after its info changed from old.
func (r *hostRegistry) update(h *Host, old HostInfo) {
	r.mu.Lock()
	defer r.mu.Unlock()
	info := h.Info()
	if r.byAddr[old.Addr] == h {
		delete(r.byAddr, old.Addr)
	}
	r.byAddr[info.Addr] = h
	if info.HostID != ([16]byte{}) {
		r.byIDs[info.HostID] = h
	}
	r.publish()
}

func (r *hostRegistry) remove(h *Host) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	info := h.Info()
	found := false
	if r.byAddr[info.Addr] == h {
		delete(r.byAddr, info.Addr)
		found = true
	}
	if r.byIDs[info.HostID] == h {
		delete(r.byIDs, info.HostID)
		found = true
	}
	if found {
		r.publish()
	}
	return found
}

func (r *hostRegistry) publish() {
	l := make([]*Host, 0, len(r.byAddr))
	for _, h := range r.byAddr {
		l = append(l, h)
	}
	slices.SortFunc(l, func(a, b *Host) int { return a.Addr().Compare(b.Addr()) })
	r.list.Store(&l)
}

// setHostState changes a host's state (hosts are read-only to users).
func setHostState(h *Host, s policy.HostState) policy.HostState {
	return policy.HostState(hostctl.SetState(h, int32(s)))
}

// setHostInfo replaces a host's description.
func setHostInfo(h *Host, info HostInfo) { hostctl.SetInfo(h, info) }

// hostLoad is what a host is doing now, across sessions, for load-aware
// policies (policy.LeastBusy): requests in flight and timeouts in the
// current window.
type hostLoad struct {
	inFlight    atomic.Int64
	timeouts    atomic.Int64
	windowStart atomic.Int64 // unix nanoseconds
}

// loadWindow is how long timeouts count as recent.
const loadWindow = 5 * time.Second

func (l *hostLoad) timedOut() {
	now := time.Now().UnixNano()
	if start := l.windowStart.Load(); now-start > int64(loadWindow) && l.windowStart.CompareAndSwap(start, now) {
		l.timeouts.Store(0)
	}
	l.timeouts.Add(1)
}

func (l *hostLoad) recentTimeouts() int {
	if time.Now().UnixNano()-l.windowStart.Load() > int64(loadWindow) {
		return 0
	}
	return int(l.timeouts.Load())
}

// loadOf returns h's load record, made on first use.
func (r *hostRegistry) loadOf(h *Host) *hostLoad {
	if v, ok := r.loads.Load(h); ok {
		return v.(*hostLoad)
	}
	v, _ := r.loads.LoadOrStore(h, new(hostLoad))
	return v.(*hostLoad)
}

// Load tells load-aware policies what h is doing (policy.LoadView).
func (r *hostRegistry) Load(h *Host) policy.HostLoad {
	v, ok := r.loads.Load(h)
	if !ok {
		return policy.HostLoad{}
	}
	l := v.(*hostLoad)
	return policy.HostLoad{InFlight: int(l.inFlight.Load()), RecentTimeouts: l.recentTimeouts()}
}
