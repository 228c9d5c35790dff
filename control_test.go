package cassandra

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

func TestControlDiscovery(t *testing.T) {
	t.Run("peers_v2_discovers_every_node", func(t *testing.T) {
		nodes := startRing(t, 3, cassandratest.Config{})
		c := simCluster(t, nodes...)
		s := connect(t, c)
		if len(c.Hosts()) != 3 {
			t.Fatalf("hosts %v", c.Hosts())
		}
		for _, n := range nodes {
			h := simHostAt(c, n.Addr())
			if h == nil || h.ID() != n.HostID() || h.DC() != "datacenter1" || h.Rack() != "rack1" {
				t.Fatalf("node %v: host %v", n.Addr(), h)
			}
			pollUntil(t, 5*time.Second, "host up with a pool", func() bool { return h.IsUp() && s.hasLiveConn(h) })
		}
		if k := nodes[0].Count(cassandratest.Query("SELECT * FROM system.peers")); k != 0 {
			t.Errorf("system.peers read %d times though peers_v2 exists", k)
		}
	})
	t.Run("falls_back_to_system_peers_for_good", func(t *testing.T) {
		nodes := startRing(t, 3, cassandratest.Config{NoPeersV2: true})
		c := simCluster(t, nodes...)
		connect(t, c)
		if len(c.Hosts()) != 3 {
			t.Fatalf("hosts %v", c.Hosts())
		}
		c.state.ctrl.refresh()
		if k := nodes[0].Count(cassandratest.Query("SELECT * FROM system.peers_v2")); k != 1 {
			t.Errorf("peers_v2 queried %d times, want once", k)
		}
		if k := nodes[0].Count(cassandratest.Query("SELECT * FROM system.peers")); k != 2 {
			t.Errorf("system.peers queried %d times, want 2", k)
		}
	})
	t.Run("rows_missing_fields_skipped", func(t *testing.T) {
		nodes := startRing(t, 2, cassandratest.Config{})
		good := nodes[1].PeerInfo()
		noID := cassandratest.PeerInfo{Addr: netip.MustParseAddrPort("127.0.0.9:9042")}
		noAddr := cassandratest.PeerInfo{Peer: netip.MustParseAddr("127.0.0.8"), HostID: cassandratest.RandomUUID()}
		nodes[0].SetPeers([]cassandratest.PeerInfo{noID, good, noAddr})
		c := simCluster(t, nodes...)
		connect(t, c)
		if len(c.Hosts()) != 2 || simHostAt(c, good.Addr) == nil {
			t.Errorf("hosts %v, want the contact point and the complete peer", c.Hosts())
		}
	})
	t.Run("unspecified_rpc_address_replaced_by_peer", func(t *testing.T) {
		nodes := startRing(t, 2, cassandratest.Config{})
		p := nodes[1].PeerInfo()
		p.Peer = p.Addr.Addr()
		p.Addr = netip.AddrPortFrom(netip.IPv4Unspecified(), p.Addr.Port())
		nodes[0].SetPeers([]cassandratest.PeerInfo{p})
		c := simCluster(t, nodes...)
		s := connect(t, c)
		h := simHostAt(c, nodes[1].Addr())
		if h == nil {
			t.Fatalf("hosts %v, want %v", c.Hosts(), nodes[1].Addr())
		}
		pollUntil(t, 5*time.Second, "pool to the peer address", func() bool { return s.hasLiveConn(h) })
	})
	t.Run("address_translator_applied", func(t *testing.T) {
		nodes := startRing(t, 3, cassandratest.Config{})
		// The nodes announce private addresses 10.0.0.x; the driver reaches
		// them at 127.0.0.x.
		var peers []cassandratest.PeerInfo
		for _, n := range nodes[1:] {
			p := n.PeerInfo()
			a := p.Addr.Addr().As4()
			p.Addr = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, a[3]}), p.Addr.Port())
			peers = append(peers, p)
		}
		nodes[0].SetPeers(peers)
		c := simCluster(t, nodes...)
		c.AddressTranslator = func(a netip.AddrPort) netip.AddrPort {
			b := a.Addr().As4()
			if b[0] != 10 {
				t.Errorf("translator called with %v", a)
			}
			return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, b[3]}), a.Port())
		}
		s := connect(t, c)
		for _, n := range nodes {
			h := simHostAt(c, n.Addr())
			if h == nil {
				t.Fatalf("no host at %v: %v", n.Addr(), c.Hosts())
			}
			pollUntil(t, 5*time.Second, "pool to the translated address", func() bool { return s.hasLiveConn(h) })
		}
	})
}

func TestControlEvents(t *testing.T) {
	t.Run("event_addresses_go_through_the_address_translator", func(t *testing.T) {
		nodes := startRing(t, 3, cassandratest.Config{})
		// Clients reach the nodes at 127.0.0.x; the nodes announce native
		// addresses 10.0.0.x and talk among themselves on 192.168.0.x.
		var peers []cassandratest.PeerInfo
		for _, n := range nodes[1:] {
			p := n.PeerInfo()
			a := p.Addr.Addr().As4()
			p.Addr = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, a[3]}), p.Addr.Port())
			p.Peer = netip.AddrFrom4([4]byte{192, 168, 0, a[3]})
			peers = append(peers, p)
		}
		nodes[0].SetPeers(peers)
		c := simCluster(t, nodes...)
		c.AddressTranslator = func(a netip.AddrPort) netip.AddrPort {
			b := a.Addr().As4()
			return netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, b[3]}), a.Port())
		}
		connect(t, c)
		if len(c.Hosts()) != 3 {
			t.Fatalf("hosts %v", c.Hosts())
		}
		nodes[0].SetPeers(peers[:1])
		nodes[0].SendEvent(&frame.Event{Type: "TOPOLOGY_CHANGE", Change: "REMOVED_NODE", Address: peers[1].Addr})
		pollUntil(t, 5*time.Second, "host removed by an event naming its untranslated address", func() bool { return simHostAt(c, nodes[2].Addr()) == nil })
	})
	t.Run("removed_node_removes_host_and_pool", func(t *testing.T) {
		nodes := startRing(t, 3, cassandratest.Config{})
		c := simCluster(t, nodes...)
		rec := &recorder{}
		c.AddHostListener(rec)
		s := connect(t, c)
		h := simHostAt(c, nodes[2].Addr())
		pollUntil(t, 5*time.Second, "pool to node 3", func() bool { return s.hasLiveConn(h) })
		nodes[0].SetPeers([]cassandratest.PeerInfo{nodes[1].PeerInfo()})
		nodes[0].SendEvent(&frame.Event{Type: "TOPOLOGY_CHANGE", Change: "REMOVED_NODE", Address: netip.AddrPortFrom(nodes[2].Addr().Addr(), 9042)})
		pollUntil(t, 5*time.Second, "host removed, listeners told", func() bool {
			return simHostAt(c, nodes[2].Addr()) == nil && rec.has("remove "+nodes[2].Addr().String())
		})
		pollUntil(t, 5*time.Second, "pool closed", func() bool { return nodes[2].Conns() == 0 && s.pool(h) == nil })
		if !rec.has("remove " + nodes[2].Addr().String()) {
			t.Errorf("listener events %v", rec)
		}
	})
	t.Run("new_node_triggers_a_refresh", func(t *testing.T) {
		nodes := startRing(t, 3, cassandratest.Config{})
		nodes[0].SetPeers([]cassandratest.PeerInfo{nodes[1].PeerInfo()})
		c := simCluster(t, nodes...)
		rec := &recorder{}
		c.AddHostListener(rec)
		s := connect(t, c)
		if len(c.Hosts()) != 2 {
			t.Fatalf("hosts %v", c.Hosts())
		}
		setPeers(nodes)
		nodes[0].SendEvent(&frame.Event{Type: "TOPOLOGY_CHANGE", Change: "NEW_NODE", Address: nodes[2].Addr()})
		pollUntil(t, 5*time.Second, "new host added with a pool", func() bool {
			h := simHostAt(c, nodes[2].Addr())
			return h != nil && s.hasLiveConn(h) && rec.has("add "+nodes[2].Addr().String())
		})
		if !rec.has("add " + nodes[2].Addr().String()) {
			t.Errorf("listener events %v", rec)
		}
	})
	t.Run("down_ignored_while_connections_work", func(t *testing.T) {
		nodes := startRing(t, 2, cassandratest.Config{})
		c := simCluster(t, nodes...)
		s := connect(t, c)
		h := simHostAt(c, nodes[1].Addr())
		pollUntil(t, 5*time.Second, "pool to node 2", func() bool { return s.hasLiveConn(h) && h.IsUp() })
		refreshes := nodes[0].Count(cassandratest.Query("SELECT * FROM system.local WHERE key='local'"))
		// DOWN for node 2, then UP for an unknown node, which refreshes:
		// once the refresh is seen, the DOWN has been handled.
		nodes[0].SendEvent(&frame.Event{Type: "STATUS_CHANGE", Change: "DOWN", Address: nodes[1].Addr()})
		nodes[0].SendEvent(&frame.Event{Type: "STATUS_CHANGE", Change: "UP", Address: netip.MustParseAddrPort("127.0.0.99:9042")})
		pollUntil(t, 5*time.Second, "events handled", func() bool {
			return nodes[0].Count(cassandratest.Query("SELECT * FROM system.local WHERE key='local'")) > refreshes
		})
		if !h.IsUp() {
			t.Errorf("host %v marked %v by DOWN while its pool works", h, h.State())
		}
	})
	t.Run("down_without_connections_marks_down_and_up_reconnects_at_once", func(t *testing.T) {
		nodes := startRing(t, 2, cassandratest.Config{})
		c := simCluster(t, nodes...)
		c.Policies.Reconnection = policy.Constant(time.Hour, 0)
		rec := &recorder{}
		c.AddHostListener(rec)
		s := connect(t, c)
		h := simHostAt(c, nodes[1].Addr())
		pollUntil(t, 5*time.Second, "pool to node 2", func() bool { return s.hasLiveConn(h) })
		s.Close(context.Background())
		nodes[0].SendEvent(&frame.Event{Type: "STATUS_CHANGE", Change: "DOWN", Address: nodes[1].Addr()})
		pollUntil(t, 5*time.Second, "host down, listeners told", func() bool {
			return h.State() == policy.StateDown && rec.has("down "+nodes[1].Addr().String())
		})
		// The schedule waits an hour: only the UP event brings it back soon.
		nodes[0].SendEvent(&frame.Event{Type: "STATUS_CHANGE", Change: "UP", Address: nodes[1].Addr()})
		pollUntil(t, 5*time.Second, "host up after UP, listeners told", func() bool {
			return h.IsUp() && rec.has("up "+nodes[1].Addr().String())
		})
	})
	t.Run("node_changing_address_moves_its_pool", func(t *testing.T) {
		nodes := startRing(t, 2, cassandratest.Config{})
		c := simCluster(t, nodes...)
		s := connect(t, c)
		h := simHostAt(c, nodes[1].Addr())
		pollUntil(t, 5*time.Second, "pool to node 2", func() bool { return s.hasLiveConn(h) })
		// Node 2 comes back on 127.0.0.3 with the same host_id.
		moved := startNode(t, cassandratest.Config{Addr: netip.AddrPortFrom(netip.MustParseAddr("127.0.0.3"), nodes[0].Addr().Port()).String(), HostID: nodes[1].HostID()})
		nodes[1].Stop()
		nodes[0].SetPeers([]cassandratest.PeerInfo{moved.PeerInfo()})
		nodes[0].SendEvent(&frame.Event{Type: "TOPOLOGY_CHANGE", Change: "NEW_NODE", Address: moved.Addr()})
		pollUntil(t, 5*time.Second, "host follows the new address", func() bool { return h.Addr() == moved.Addr() })
		if got := simHostAt(c, moved.Addr()); got != h {
			t.Errorf("host at the new address is %p, want the same host %p", got, h)
		}
		if len(c.Hosts()) != 2 {
			t.Errorf("hosts %v", c.Hosts())
		}
		pollUntil(t, 5*time.Second, "pool at the new address", func() bool {
			p := s.pool(h)
			if p == nil {
				return false
			}
			for _, cn := range p.openConns() {
				if cn.Addr() == moved.Addr() {
					return h.IsUp()
				}
			}
			return false
		})
	})
	t.Run("node_replaced_at_the_same_address_is_a_new_host", func(t *testing.T) {
		nodes := startRing(t, 2, cassandratest.Config{})
		c := simCluster(t, nodes...)
		connect(t, c)
		old := simHostAt(c, nodes[1].Addr())
		// A replacement node (new host_id) takes node 2's address.
		repl := nodes[1].PeerInfo()
		repl.HostID = cassandratest.RandomUUID()
		nodes[0].SetPeers([]cassandratest.PeerInfo{repl})
		nodes[0].SendEvent(&frame.Event{Type: "TOPOLOGY_CHANGE", Change: "NEW_NODE", Address: nodes[1].Addr()})
		pollUntil(t, 5*time.Second, "the replacement takes the address", func() bool {
			h := simHostAt(c, nodes[1].Addr())
			return h != nil && h != old && h.ID() == repl.HostID
		})
		if len(c.Hosts()) != 2 {
			t.Errorf("hosts %v, want the two current nodes", c.Hosts())
		}
	})
	t.Run("control_connection_fails_over_when_its_node_stops", func(t *testing.T) {
		nodes := startRing(t, 3, cassandratest.Config{})
		c := simCluster(t, nodes...)
		connect(t, c)
		first := c.state.ctrl.conn.Load().Addr()
		var down *cassandratest.Node
		for _, n := range nodes {
			if n.Addr() == first {
				down = n
			}
		}
		down.Stop()
		pollUntil(t, 5*time.Second, "control connection on another node", func() bool {
			cn := c.state.ctrl.conn.Load()
			return cn != nil && cn.Addr() != first && !cn.IsClosed()
		})
		// The new control connection follows events.
		var other *cassandratest.Node
		for _, n := range nodes {
			if n.Addr() == c.state.ctrl.conn.Load().Addr() {
				other = n
			}
		}
		if other.Count(cassandratest.Op(frame.OpRegister)) == 0 {
			t.Error("no REGISTER on the new control node")
		}
	})
}

func TestSchemaAgreement(t *testing.T) {
	nodes := startRing(t, 2, cassandratest.Config{})
	c := simCluster(t, nodes...)
	connect(t, c)
	ctx := context.Background()
	if ok, err := c.state.ctrl.waitSchemaAgreement(ctx, nil); !ok || err != nil {
		t.Fatalf("agreeing nodes: %v %v", ok, err)
	}
	// Node 2's row in node 1's peers shows another version.
	p := nodes[1].PeerInfo()
	p.SchemaVersion = cassandratest.RandomUUID()
	nodes[0].SetPeers([]cassandratest.PeerInfo{p})
	c.state.s.Timeouts.SchemaAgreement = 300 * time.Millisecond
	start := time.Now()
	if ok, err := c.state.ctrl.waitSchemaAgreement(ctx, nil); ok || err != nil {
		t.Fatalf("disagreeing nodes: %v %v", ok, err)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 2*time.Second {
		t.Errorf("gave up after %v, want about 300ms", d)
	}
	// A down host's version does not count.
	setHostState(simHostAt(c, nodes[1].Addr()), policy.StateDown)
	if ok, err := c.state.ctrl.waitSchemaAgreement(ctx, nil); !ok || err != nil {
		t.Errorf("with the disagreeing host down: %v %v", ok, err)
	}
}
