package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"sync/atomic"

	"github.com/cqlgo/cassandra/internal/hostctl"
)

// HostState is what the driver currently believes about a host.
type HostState int32

// Host states.
const (
	// StateUnknown: discovered but not yet connected to.
	StateUnknown HostState = iota
	// StateUp: the driver has a working connection to the host.
	StateUp
	// StateDown: connections failed; a reconnection schedule is running.
	StateDown
	// StateIgnored: the load-balancing policy gives it DistanceIgnored, so
	// the driver keeps no pool for it.
	StateIgnored
)

// String returns "up", "down", "ignored" or "unknown".
func (s HostState) String() string {
	switch s {
	case StateUp:
		return "up"
	case StateDown:
		return "down"
	case StateIgnored:
		return "ignored"
	}
	return "unknown"
}

// HostInfo is the description of a node as read from system.local and
// system.peers(_v2). It is immutable: a change (new address, new dc) makes a
// new HostInfo.
type HostInfo struct {
	HostID         [16]byte       // host_id; zero for contact points not yet discovered
	Addr           netip.AddrPort // address the driver connects to, after translation
	BroadcastAddr  netip.Addr     // peer / broadcast address as the cluster knows it
	DC             string
	Rack           string
	ReleaseVersion string
	SchemaVersion  [16]byte
	Tokens         []string
	Partitioner    string
}

// Host is a node of the cluster. The driver owns it and updates its state;
// policies read it. Hosts are compared by pointer: the driver keeps one Host
// per node (per host_id) for as long as the node is part of the cluster.
type Host struct {
	info  atomic.Pointer[HostInfo]
	state atomic.Int32
}

// NewHost returns a host with the given description, in StateUnknown.
// The driver makes the hosts of a cluster; NewHost and NewHostInState are
// for tests of policies.
func NewHost(info HostInfo) *Host {
	h := &Host{}
	h.info.Store(&info)
	return h
}

// NewHostInState returns a host with the given description and state, as
// the driver would show it: for tests of custom policies. Hosts are
// read-only to users; only the driver changes them.
func NewHostInState(info HostInfo, s HostState) *Host {
	h := NewHost(info)
	h.state.Store(int32(s))
	return h
}

func init() {
	hostctl.SetState = func(h any, s int32) int32 { return int32(h.(*Host).setState(HostState(s))) }
	hostctl.SetInfo = func(h any, info any) { h.(*Host).info.Store(ptr(info.(HostInfo))) }
}

func ptr[T any](v T) *T { return &v }

// Info returns a copy of the host's current description.
func (h *Host) Info() HostInfo {
	i := *h.info.Load()
	i.Tokens = slices.Clone(i.Tokens)
	return i
}

// Addr is the address the driver connects to.
func (h *Host) Addr() netip.AddrPort { return h.info.Load().Addr }

// DC is the host's datacenter.
func (h *Host) DC() string { return h.info.Load().DC }

// Rack is the host's rack.
func (h *Host) Rack() string { return h.info.Load().Rack }

// ID is the host_id.
func (h *Host) ID() [16]byte { return h.info.Load().HostID }

// State returns the current state.
func (h *Host) State() HostState { return HostState(h.state.Load()) }

// setState sets the state, returning the previous one (the driver does,
// through internal/hostctl).
func (h *Host) setState(s HostState) HostState { return HostState(h.state.Swap(int32(s))) }

// IsUp reports whether the state is StateUp.
func (h *Host) IsUp() bool { return h.State() == StateUp }

// String returns the address, with datacenter and rack once known.
func (h *Host) String() string {
	i := h.info.Load()
	if i.DC != "" {
		return fmt.Sprintf("%s (%s/%s)", i.Addr, i.DC, i.Rack)
	}
	return i.Addr.String()
}
