package cassandra

import (
	"time"
)

// ControlConnection is a read-only view of the cluster's control
// connection: the one connection that follows topology, status and schema
// events and answers the discovery queries. Get it from
// Cluster.ControlConnection; it cannot be built or steered by users.
type ControlConnection struct{ cc *controlConn }

// ControlConnection returns the control connection's view, or nil before
// the first Connect.
func (c *Cluster) ControlConnection() *ControlConnection {
	c.state.mu.Lock()
	cc := c.state.ctrl
	c.state.mu.Unlock()
	if cc == nil {
		return nil
	}
	return &ControlConnection{cc: cc}
}

// Host returns the host the control connection is open to, or nil while it
// is reconnecting.
func (v *ControlConnection) Host() *Host {
	if v.cc.conn.Load() == nil {
		return nil
	}
	return v.cc.host.Load()
}

// ProtocolVersion returns the protocol version in use (3, 4 or 5), 0 while
// disconnected.
func (v *ControlConnection) ProtocolVersion() int {
	if cn := v.cc.conn.Load(); cn != nil {
		return int(cn.Version())
	}
	return 0
}

// Connects returns how many times a control connection was established.
func (v *ControlConnection) Connects() uint64 { return v.cc.connects.Load() }

// LastTopologyRefresh returns when the hosts were last read from
// system.local and system.peers (zero before the first time).
func (v *ControlConnection) LastTopologyRefresh() time.Time { return unixNano(v.cc.lastRefresh.Load()) }

// LastSchemaChange returns when the last SCHEMA_CHANGE event arrived (zero
// if none did).
func (v *ControlConnection) LastSchemaChange() time.Time { return unixNano(v.cc.lastSchema.Load()) }

// EventCounts counts the server events the control connection received.
type EventCounts struct {
	Topology, Status, Schema uint64
}

// Events returns how many events of each kind arrived.
func (v *ControlConnection) Events() EventCounts {
	return EventCounts{Topology: v.cc.topologyEvents.Load(), Status: v.cc.statusEvents.Load(), Schema: v.cc.schemaEvents.Load()}
}

func unixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// PoolStats describes a session's connection pool to one host.
type PoolStats struct {
	Host             *Host
	OpenConnections  int // connections open and usable
	InFlight         int // requests sent and not yet answered, orphans included
	Orphaned         int // requests whose caller gave up before the answer came
	AvailableStreams int // stream ids free across the open connections
}

// PoolStats returns a snapshot of the session's pools, one per host with a
// pool (hosts the load-balancing policy ignores have none).
func (s *Session) PoolStats() []PoolStats {
	pools := *s.pools.Load()
	out := make([]PoolStats, 0, len(pools))
	for h, p := range pools {
		ps := PoolStats{Host: h}
		for _, cn := range p.openConns() {
			ps.OpenConnections++
			ps.InFlight += cn.InFlight()
			ps.Orphaned += cn.Orphaned()
			ps.AvailableStreams += cn.AvailableStreams()
		}
		out = append(out, ps)
	}
	return out
}
