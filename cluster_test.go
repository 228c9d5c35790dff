package cassandra

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/conn"
	"github.com/cqlgo/cassandra/policy"
)

func TestResolveContactPoints(t *testing.T) {
	ap := netip.MustParseAddrPort
	tests := []struct {
		name  string
		hosts []string
		want  []netip.AddrPort
		nha   int // > 0: a *NoHostAvailableError listing this many hosts
	}{
		{"address_gets_the_default_port", []string{"127.0.0.1"}, []netip.AddrPort{ap("127.0.0.1:9042")}, 0},
		{"host_port_keeps_its_port", []string{"10.1.2.3:9999"}, []netip.AddrPort{ap("10.1.2.3:9999")}, 0},
		{"bracketed_ipv6_with_port", []string{"[::1]:9043"}, []netip.AddrPort{ap("[::1]:9043")}, 0},
		{"bare_ipv6", []string{"::1"}, []netip.AddrPort{ap("[::1]:9042")}, 0},
		{"name_resolves_to_its_addresses", []string{"localhost"}, []netip.AddrPort{ap("127.0.0.1:9042")}, 0},
		{"duplicates_merged", []string{"127.0.0.1", "127.0.0.1:9042", "localhost"}, []netip.AddrPort{ap("127.0.0.1:9042")}, 0},
		{"unresolvable_names_dropped", []string{"no-such-host.invalid", "127.0.0.2"}, []netip.AddrPort{ap("127.0.0.2:9042")}, 0},
		{"all_unresolvable_lists_each", []string{"no-such-host.invalid", "other-missing.invalid"}, nil, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			got, err := resolveContactPoints(ctx, tc.hosts, 9042)
			if tc.nha > 0 {
				var nh *NoHostAvailableError
				if !errors.As(err, &nh) || len(nh.Errors) != tc.nha {
					t.Fatalf("err %v, want *NoHostAvailableError with %d hosts", err, tc.nha)
				}
				if !errors.Is(err, ErrNoHosts) {
					t.Error("not errors.Is ErrNoHosts")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "name_resolves_to_its_addresses" {
				// localhost may also resolve to ::1; 127.0.0.1 must be there.
				found := false
				for _, a := range got {
					found = found || a == tc.want[0]
				}
				if !found {
					t.Errorf("got %v, want %v among them", got, tc.want)
				}
				return
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
	t.Run("invalid_port_is_an_error", func(t *testing.T) {
		if _, err := resolveContactPoints(context.Background(), []string{"127.0.0.1:99999"}, 9042); err == nil {
			t.Error("no error for port 99999")
		}
	})
}

func TestClusterDefaults(t *testing.T) {
	c := NewCluster()
	s, err := c.settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s.Port != 9042 || len(s.hosts) != 1 || s.hosts[0] != netip.MustParseAddrPort("127.0.0.1:9042") {
		t.Errorf("port %d hosts %v", s.Port, s.hosts)
	}
	tm := s.Timeouts
	if tm.Connect != 5*time.Second || tm.Request != 10*time.Second || tm.Heartbeat != 30*time.Second || tm.SchemaAgreement != 10*time.Second {
		t.Errorf("timeouts %+v", tm)
	}
	if s.Pool.ConnectionsPerHost != 1 || s.Pool.MaxRequestsPerConnection != conn.MaxStreams || s.Pool.MaxOrphanedRequests != 1024 {
		t.Errorf("pool %+v", s.Pool)
	}
	if s.Policies.LoadBalancing == nil || s.Policies.Reconnection == nil || s.Policies.Retry == nil {
		t.Errorf("policies %+v", s.Policies)
	}
	if s.Events.RefreshInterval != time.Minute {
		t.Errorf("refresh interval %v", s.Events.RefreshInterval)
	}
	c.ProtocolVersion = 2
	var pv *ProtocolVersionError
	if _, err := c.settings(context.Background()); !errors.As(err, &pv) || !pv.Explicit {
		t.Errorf("protocol version 2: %v", err)
	}
}

func countVersion(n *cassandratest.Node, v frame.Version) int {
	return n.Count(func(r *cassandratest.Request) bool { return r.Version == v })
}

func TestProtocolNegotiation(t *testing.T) {
	tests := []struct {
		name     string
		accepts  []frame.Version
		explicit int
		want     frame.Version // 0: connect fails with an explicit version error
	}{
		{"v5_server_gets_v5", nil, 0, frame.V5},
		{"v3_v4_server_gets_v4", []frame.Version{frame.V3, frame.V4}, 0, frame.V4},
		{"v3_server_gets_v3", []frame.Version{frame.V3}, 0, frame.V3},
		{"explicit_v4_is_used", nil, 4, frame.V4},
		{"explicit_v5_refused_does_not_downgrade", []frame.Version{frame.V3, frame.V4}, 5, 0},
		{"explicit_v4_refused_does_not_downgrade", []frame.Version{frame.V3}, 4, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nodes := startRing(t, 2, cassandratest.Config{Versions: tc.accepts})
			c := simCluster(t, nodes...)
			c.ProtocolVersion = tc.explicit
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			s, err := c.Connect(ctx)
			if tc.want == 0 {
				var pv *ProtocolVersionError
				if !errors.As(err, &pv) || !pv.Explicit || int(pv.Version) != tc.explicit {
					t.Fatalf("err %v, want an explicit *ProtocolVersionError", err)
				}
				for _, n := range nodes {
					for v := frame.V3; v < frame.Version(tc.explicit); v++ {
						if k := countVersion(n, v); k != 0 {
							t.Errorf("%d requests at %v after an explicit %d was refused", k, v, tc.explicit)
						}
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.state.ctrl.version(); got != tc.want {
				t.Errorf("control connection speaks %v, want %v", got, tc.want)
			}
			pollUntil(t, 5*time.Second, "pools open to both nodes", func() bool {
				for _, h := range c.Hosts() {
					if !s.hasLiveConn(h) {
						return false
					}
				}
				return len(c.Hosts()) == 2
			})
			for _, h := range c.Hosts() {
				for _, cn := range s.pool(h).openConns() {
					if cn.Version() != tc.want {
						t.Errorf("pool connection to %v speaks %v", h, cn.Version())
					}
				}
			}
			// The refused version is tried once per cluster, not per connection.
			refused := 0
			for _, n := range nodes {
				for v := tc.want + 1; v <= frame.V5; v++ {
					refused += countVersion(n, v)
				}
			}
			if tc.want < frame.V5 && refused > int(frame.V5-tc.want) {
				t.Errorf("%d requests at refused versions, want the first connection's only", refused)
			}
		})
	}
}

func TestClusterLifecycle(t *testing.T) {
	t.Run("unreachable_contact_points_list_each_error", func(t *testing.T) {
		nodes := startRing(t, 2, cassandratest.Config{})
		for _, n := range nodes {
			n.Stop()
		}
		c := simCluster(t, nodes...)
		c.ContactPoints = []string{nodes[0].Addr().String(), nodes[1].Addr().String()}
		_, err := c.Connect(context.Background())
		var nh *NoHostAvailableError
		if !errors.As(err, &nh) || len(nh.Errors) != 2 {
			t.Fatalf("err %v, want *NoHostAvailableError listing 2 hosts", err)
		}
		for i, he := range nh.Errors {
			var ce *ConnError
			if !errors.As(he.Err, &ce) || ce.Op != "dial" || he.Host != nodes[i].Addr() && he.Host != nodes[1-i].Addr() {
				t.Errorf("host error %v: %v", he.Host, he.Err)
			}
		}
		// A later Connect retries once the cluster is back.
		for _, n := range nodes {
			if err := n.Restart(); err != nil {
				t.Fatal(err)
			}
		}
		connect(t, c)
	})
	t.Run("each_connect_returns_a_new_session_and_one_control_connection", func(t *testing.T) {
		nodes := startRing(t, 2, cassandratest.Config{})
		c := simCluster(t, nodes...)
		s1, s2 := connect(t, c), connect(t, c)
		if s1 == s2 {
			t.Fatal("Connect returned the same session twice")
		}
		regs := 0
		for _, n := range nodes {
			regs += n.Count(cassandratest.Op(frame.OpRegister))
		}
		if regs != 1 {
			t.Errorf("%d REGISTERs, want one control connection", regs)
		}
		if len(c.Hosts()) != 2 {
			t.Errorf("hosts %v", c.Hosts())
		}
	})
	t.Run("close_stops_every_goroutine_and_is_idempotent", func(t *testing.T) {
		nodes := startRing(t, 3, cassandratest.Config{})
		base := runtime.NumGoroutine()
		c := simCluster(t, nodes...)
		c.Timeouts.Heartbeat = 50 * time.Millisecond
		c.Pool.ConnectionsPerHost = 2
		s := connect(t, c)
		connect(t, c)
		pollUntil(t, 5*time.Second, "pools full", func() bool {
			for _, h := range c.Hosts() {
				if p := s.pool(h); p == nil || len(p.openConns()) != 2 {
					return false
				}
			}
			return len(c.Hosts()) == 3
		})
		// A host down with its reconnector running, and an event in flight.
		nodes[2].Stop()
		pollUntil(t, 5*time.Second, "host 3 down", func() bool { return c.Hosts()[2].State() == policy.StateDown })
		nodes[0].SendEvent(&frame.Event{Type: "TOPOLOGY_CHANGE", Change: "NEW_NODE", Address: nodes[1].Addr()})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(ctx); err != nil {
			t.Errorf("second close: %v", err)
		}
		goroutinesSettle(t, base)
		if _, err := c.Connect(ctx); !errors.Is(err, ErrClosed) {
			t.Errorf("connect after close: %v, want ErrClosed", err)
		}
		for _, n := range nodes[:2] {
			pollUntil(t, 2*time.Second, "node sees every connection closed", func() bool { return n.Conns() == 0 })
		}
	})
	t.Run("close_before_connect_then_connect_fails", func(t *testing.T) {
		c := NewCluster("127.0.0.1")
		if err := c.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Connect(context.Background()); !errors.Is(err, ErrClosed) {
			t.Errorf("connect after close: %v, want ErrClosed", err)
		}
	})
	t.Run("concurrent_connects_share_one_start", func(t *testing.T) {
		nodes := startRing(t, 1, cassandratest.Config{})
		c := simCluster(t, nodes...)
		var wg sync.WaitGroup
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.Connect(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if k := nodes[0].Count(cassandratest.Op(frame.OpRegister)); k != 1 {
			t.Errorf("%d REGISTERs, want 1", k)
		}
	})
}

// recorder is a HostListener that logs events.
type recorder struct {
	mu  sync.Mutex
	evs []string
}

func (r *recorder) add(kind string, h *Host) {
	r.mu.Lock()
	r.evs = append(r.evs, kind+" "+h.Addr().String())
	r.mu.Unlock()
}
func (r *recorder) OnAdd(h *Host)    { r.add("add", h) }
func (r *recorder) OnRemove(h *Host) { r.add("remove", h) }
func (r *recorder) OnUp(h *Host)     { r.add("up", h) }
func (r *recorder) OnDown(h *Host)   { r.add("down", h) }

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprint(r.evs)
}

func (r *recorder) has(ev string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.evs {
		if e == ev {
			return true
		}
	}
	return false
}
