package cassandra

import (
	"sync"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/policy"
)

// twoDCs starts three nodes: 1 and 2 in datacenter1, 3 in dc2, as every
// node reports them.
func twoDCs(t *testing.T) []*cassandratest.Node {
	t.Helper()
	nodes := startRing(t, 3, cassandratest.Config{})
	for _, n := range nodes {
		var peers []cassandratest.PeerInfo
		for j, o := range nodes {
			if o == n {
				continue
			}
			pi := o.PeerInfo()
			if j == 2 {
				pi.DC = "dc2"
			}
			peers = append(peers, pi)
		}
		n.SetPeers(peers)
	}
	return nodes
}

func hasPool(s *Session, h *Host) bool { return h != nil && s.pool(h) != nil }

func TestProfileWithAnotherDatacentersPolicyGetsPools(t *testing.T) {
	nodes := twoDCs(t)
	c := simCluster(t, nodes...)
	c.Policies.LoadBalancing = policy.DCAware("datacenter1")
	if err := c.Profiles.Add("remote", ExecutionProfile{LoadBalancing: policy.DCAware("dc2")}); err != nil {
		t.Fatal(err)
	}
	s := connect(t, c)
	h3 := simHostAt(c, nodes[2].Addr())
	pollUntil(t, 5*time.Second, "a pool to the dc2 node", func() bool { return hasPool(s, h3) && s.hasLiveConn(h3) })
	const q = "SELECT release_version FROM system.local"
	rs, err := s.ExecuteStatement(rqCtx(t), NewStatement(q).Profile("remote"))
	if err != nil {
		t.Fatalf("statement of the dc2 profile: %v", err)
	}
	if rs.Host() != h3 {
		t.Errorf("answered by %v, want the dc2 node", rs.Host())
	}
	// The default profile still keeps to datacenter1.
	for range 6 {
		if rs, err := s.Execute(rqCtx(t), q); err != nil || rs.Host() == h3 {
			t.Fatalf("default profile: host %v, %v", rs.Host(), err)
		}
	}
}

func TestProfileAddedAfterConnectOpensPools(t *testing.T) {
	nodes := twoDCs(t)
	c := simCluster(t, nodes...)
	c.Policies.LoadBalancing = policy.DCAware("datacenter1")
	s := connect(t, c)
	h3 := simHostAt(c, nodes[2].Addr())
	pollUntil(t, 5*time.Second, "the dc2 node known", func() bool { return h3 != nil || simHostAt(c, nodes[2].Addr()) != nil })
	h3 = simHostAt(c, nodes[2].Addr())
	if hasPool(s, h3) || h3.State() != policy.StateIgnored {
		t.Fatalf("dc2 node before the profile: pool %v, state %v", hasPool(s, h3), h3.State())
	}
	if err := c.Profiles.Add("remote", ExecutionProfile{LoadBalancing: policy.DCAware("dc2")}); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, 5*time.Second, "a pool to the dc2 node", func() bool { return hasPool(s, h3) && s.hasLiveConn(h3) })
	if _, err := s.ExecuteStatement(rqCtx(t), NewStatement("SELECT release_version FROM system.local").Profile("remote")); err != nil {
		t.Fatal(err)
	}
}

func TestHostFilterKeepsPoolsAndTheControlConnectionOff(t *testing.T) {
	nodes := startRing(t, 3, cassandratest.Config{})
	c := simCluster(t, nodes...)
	// The filtered node is the first contact point.
	c.ContactPoints = []string{nodes[2].Addr().Addr().String(), nodes[0].Addr().Addr().String()}
	c.Policies.LoadBalancing = policy.HostFilter(policy.RoundRobin(), policy.AllowAddrs(nodes[0].Addr().String(), nodes[1].Addr().String()))
	s := connect(t, c)
	if cc := c.ControlConnection().Host(); cc == nil || cc.Addr() == nodes[2].Addr() {
		t.Fatalf("control connection on %v", cc)
	}
	h3 := simHostAt(c, nodes[2].Addr())
	if hasPool(s, h3) || h3.State() != policy.StateIgnored {
		t.Fatalf("filtered node: pool %v, state %v", hasPool(s, h3), h3.State())
	}
	// The control connection fails over to node 2, never to node 3.
	first := c.ControlConnection().Host()
	for i, n := range nodes[:2] {
		if n.Addr() == first.Addr() {
			nodes[i].Stop()
		}
	}
	pollUntil(t, 5*time.Second, "the control connection to move", func() bool {
		h := c.ControlConnection().Host()
		return h != nil && h != first
	})
	if h := c.ControlConnection().Host(); h.Addr() == nodes[2].Addr() {
		t.Errorf("control connection moved to the filtered node")
	}
}

// TestLeastBusyMovesTrafficOffASlowHost: with policy.LeastBusy the driver's
// in-flight counts steer requests away from a node that answers slowly.
func TestLeastBusyMovesTrafficOffASlowHost(t *testing.T) {
	e := rqStart(t, 2, cassandratest.Config{}, func(c *Cluster) {
		c.Policies.LoadBalancing = policy.LeastBusy(policy.RoundRobin())
	})
	e.nodes[0].AddRule(cassandratest.Rule{Match: cassandratest.Query(rqWrite), Then: cassandratest.Delay(50*time.Millisecond, cassandratest.Void())})
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if _, err := e.s.Execute(rqCtx(t), rqWrite); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	slow, fast := e.nodes[0].Count(cassandratest.Query(rqWrite)), e.nodes[1].Count(cassandratest.Query(rqWrite))
	t.Logf("slow node %d requests, fast node %d", slow, fast)
	if fast < 2*slow {
		t.Errorf("slow node got %d requests, fast node %d: want the fast one far ahead", slow, fast)
	}
}
