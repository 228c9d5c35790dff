package policy_test

import (
	"fmt"
	"net/netip"

	"github.com/cqlgo/cassandra/policy"
)

// exampleView stands for the driver's view of the cluster: its hosts and
// its current token map.
type exampleView struct {
	hosts []*policy.Host
	tm    *policy.TokenMap
}

func (v *exampleView) Hosts() []*policy.Host      { return v.hosts }
func (v *exampleView) TokenMap() *policy.TokenMap { return v.tm }

// exampleHost is a host that is up, as the driver would describe it after
// reading system.local / system.peers.
func exampleHost(ip, dc, token string) *policy.Host {
	return policy.NewHostInState(policy.HostInfo{
		Addr:        netip.AddrPortFrom(netip.MustParseAddr(ip), 9042),
		DC:          dc,
		Rack:        "rack1",
		Tokens:      []string{token},
		Partitioner: "org.apache.cassandra.dht.Murmur3Partitioner",
	}, policy.StateUp)
}

func ExampleTokenMap() {
	hosts := []*policy.Host{
		exampleHost("10.0.0.1", "dc1", "-6000000000000000000"),
		exampleHost("10.0.0.2", "dc1", "0"),
		exampleHost("10.0.0.3", "dc1", "6000000000000000000"),
	}
	tm, err := policy.NewTokenMap(hosts, map[string]map[string]string{
		"shop": {"class": "org.apache.cassandra.locator.SimpleStrategy", "replication_factor": "2"},
	})
	if err != nil {
		panic(err)
	}
	// The routing key of a single-column partition key is the column's
	// serialized value; here the text "123".
	key := []byte("123")
	fmt.Println("token:", tm.TokenFor(key))
	for _, h := range tm.Replicas("shop", key) {
		fmt.Println("replica:", h.Addr())
	}
	// Output:
	// token: -7468325962851647638
	// replica: 10.0.0.1:9042
	// replica: 10.0.0.2:9042
}

func ExampleTokenAware() {
	// Requests go to the replicas of their partition in dc1 first, then to
	// the other hosts of dc1; hosts of other datacenters are not used. In
	// a driver configuration this is
	//
	//	cluster.Policies.LoadBalancing = policy.TokenAware(policy.DCAware("dc1"))
	lb := policy.TokenAware(policy.DCAware("dc1"))

	hosts := []*policy.Host{
		exampleHost("10.0.0.1", "dc1", "-6000000000000000000"),
		exampleHost("10.0.1.1", "dc2", "-3000000000000000000"),
		exampleHost("10.0.0.2", "dc1", "0"),
		exampleHost("10.0.1.2", "dc2", "3000000000000000000"),
		exampleHost("10.0.0.3", "dc1", "6000000000000000000"),
	}
	tm, err := policy.NewTokenMap(hosts, map[string]map[string]string{
		"shop": {"class": "NetworkTopologyStrategy", "dc1": "2", "dc2": "1"},
	})
	if err != nil {
		panic(err)
	}
	view := &exampleView{hosts: hosts, tm: tm}

	// A lightweight transaction takes the replicas in ring order (other
	// requests take them shuffled).
	plan := lb.NewQueryPlan(&policy.RoutingInfo{Keyspace: "shop", RoutingKey: []byte("123"), Serial: true}, view)
	for h := plan.Next(); h != nil; h = plan.Next() {
		fmt.Println(h.Addr())
	}
	// Output:
	// 10.0.0.1:9042
	// 10.0.0.2:9042
	// 10.0.0.3:9042
}
