package cassandra

import (
	"context"
	"errors"
	"net/netip"
	"time"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// refreshHosts reads system.local and the peers table and reconciles the
// host registry with them: new hosts are added, missing ones removed, and
// a host whose host_id reappears at a new address is moved there.
func (cc *controlConn) refreshHosts(ctx context.Context) (err error) {
	cc.refreshMu.Lock()
	defer cc.refreshMu.Unlock()
	defer func() {
		if err == nil {
			cc.lastRefresh.Store(time.Now().UnixNano())
		}
	}()
	cn := cc.conn.Load()
	if cn == nil {
		return &ConnError{Op: "control", Err: errors.New("no control connection")}
	}
	local, err := cc.query(ctx, "SELECT * FROM system.local WHERE key='local'")
	if err != nil {
		return err
	}
	var peers *frame.RowsResult
	if !cc.peersV1.Load() {
		peers, err = cc.query(ctx, "SELECT * FROM system.peers_v2")
		if err != nil {
			var inv *frame.InvalidError
			var syn *frame.SyntaxError
			var un *frame.UnauthorizedError
			if !errors.As(err, &inv) && !errors.As(err, &syn) && !errors.As(err, &un) {
				return err
			}
			cc.peersV1.Store(true) // servers before 4.0 have no peers_v2
		}
	}
	if cc.peersV1.Load() {
		if peers, err = cc.query(ctx, "SELECT * FROM system.peers"); err != nil {
			return err
		}
	}

	var found []HostInfo
	lrows := rowsOf(local)
	if len(lrows) == 0 {
		return &ConnError{Host: cn.Addr(), Op: "control", Err: errors.New("system.local returned no row")}
	}
	li := lrows[0].hostInfo(true)
	li.Addr = cn.Addr() // the address that answered is the local host's
	found = append(found, li)
	for _, r := range rowsOf(peers) {
		info := r.hostInfo(false)
		if !info.Addr.Addr().IsValid() || info.HostID == ([16]byte{}) || info.DC == "" || info.Rack == "" {
			cc.cfg.Logger.Warn("cassandra: skipping peer row with missing fields", "peer", info.BroadcastAddr, "address", info.Addr, "dc", info.DC, "rack", info.Rack)
			continue
		}
		if info.Addr.Port() == 0 {
			info.Addr = netip.AddrPortFrom(info.Addr.Addr(), uint16(cc.cfg.Port))
		}
		if cc.cfg.AddressTranslator != nil {
			info.Addr = cc.cfg.AddressTranslator(info.Addr)
		}
		info.Partitioner = li.Partitioner
		found = append(found, info)
	}
	cc.reconcile(found)
	return nil
}

// reconcile applies a discovered host list to the registry.
func (cc *controlConn) reconcile(found []HostInfo) {
	st := cc.st
	seen := map[*Host]bool{}
	for _, info := range found {
		h := st.hosts.byID(info.HostID)
		if h == nil {
			// A contact point (no host_id yet) at the same address.
			byAddr := st.hosts.byAddress(info.Addr)
			switch {
			case byAddr != nil && byAddr.ID() == ([16]byte{}):
				old := byAddr.Info()
				setHostInfo(byAddr, info)
				st.hosts.update(byAddr, old)
				h = byAddr
				if st.distance(h) == policy.DistanceIgnored {
					setHostState(h, policy.StateIgnored)
				}
			case byAddr != nil && !seen[byAddr]:
				// Another node (a new host_id) now answers at this address,
				// as when a node is replaced: the old one has left.
				if st.hosts.remove(byAddr) {
					st.hostRemoved(byAddr)
				}
			}
		}
		if h == nil {
			nh := policy.NewHost(info)
			if got, added := st.hosts.add(nh); added {
				st.hostAdded(got)
			} else {
				h = got
			}
			if h == nil {
				seen[nh] = true
				continue
			}
		}
		seen[h] = true
		old := h.Info()
		if old.Addr != info.Addr {
			// Same node, new address (a restarted pod, a moved VM): follow it.
			setHostInfo(h, info)
			st.hosts.update(h, old)
			cc.cfg.Logger.Info("cassandra: host changed address", "host_id", info.HostID, "old", old.Addr, "new", info.Addr)
			st.hostMoved(h)
			continue
		}
		if old.DC != info.DC || old.Rack != info.Rack || old.ReleaseVersion != info.ReleaseVersion || len(old.Tokens) != len(info.Tokens) || old.SchemaVersion != info.SchemaVersion {
			setHostInfo(h, info)
		}
	}
	for _, h := range st.hosts.Hosts() {
		if !seen[h] && st.hosts.remove(h) {
			st.hostRemoved(h)
		}
	}
}

// row is one row of a system table, by column name.
type row map[string]cell

type cell struct {
	t *frame.Type
	b []byte
}

// rowsOf turns a rows result into maps by column name; small system tables
// only, never the request path.
func rowsOf(rr *frame.RowsResult) []row {
	if rr == nil {
		return nil
	}
	cols := rr.Metadata.Columns
	var out []row
	it := rr.Rows()
	cells := make([][]byte, len(cols))
	for it.Next(cells) {
		r := make(row, len(cols))
		for i, c := range cols {
			r[c.Name] = cell{t: c.Type, b: cells[i]}
		}
		out = append(out, r)
	}
	return out
}

func (r row) str(col string) string {
	var s string
	if c, ok := r[col]; ok && c.b != nil {
		_ = cqltype.Unmarshal(c.t, c.b, &s)
	}
	return s
}

func (r row) inet(col string) (netip.Addr, bool) {
	c, ok := r[col]
	if !ok || c.b == nil {
		return netip.Addr{}, false
	}
	a, ok := netip.AddrFromSlice(c.b)
	return a.Unmap(), ok
}

func (r row) uuid(col string) ([16]byte, bool) {
	var u [16]byte
	c, ok := r[col]
	if !ok || len(c.b) != 16 {
		return u, false
	}
	copy(u[:], c.b)
	return u, true
}

func (r row) int(col string) int {
	var n int
	if c, ok := r[col]; ok && c.b != nil {
		_ = cqltype.Unmarshal(c.t, c.b, &n)
	}
	return n
}

func (r row) strings(col string) []string {
	var s []string
	if c, ok := r[col]; ok && c.b != nil {
		_ = cqltype.Unmarshal(c.t, c.b, &s)
	}
	return s
}

// hostInfo reads a system.local (local) or system.peers(_v2) row.
func (r row) hostInfo(local bool) HostInfo {
	info := HostInfo{
		DC:             r.str("data_center"),
		Rack:           r.str("rack"),
		ReleaseVersion: r.str("release_version"),
		Tokens:         r.strings("tokens"),
		Partitioner:    r.str("partitioner"),
	}
	info.HostID, _ = r.uuid("host_id")
	info.SchemaVersion, _ = r.uuid("schema_version")
	if local {
		info.BroadcastAddr, _ = r.inet("broadcast_address")
		return info
	}
	info.BroadcastAddr, _ = r.inet("peer")
	addr, ok := r.inet("native_address") // peers_v2
	port := r.int("native_port")
	if !ok {
		addr, _ = r.inet("rpc_address") // peers
	}
	if addr.IsValid() && addr.IsUnspecified() {
		addr = info.BroadcastAddr // bound to 0.0.0.0: the peer address is the way in
	}
	if addr.IsValid() {
		info.Addr = netip.AddrPortFrom(addr, uint16(port))
	}
	return info
}
