package cassandratest

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"syscall"
)

// StartCluster starts size nodes on 127.0.0.1, 127.0.0.2, ... sharing one
// port, as a real cluster does, so the peers tables (system.peers has no
// port column) point at reachable nodes. Each node lists the others as
// peers and gets a distinct token; cfg is the template for all of them
// (its Addr, HostID, Tokens and Peers are replaced). Linux only: it needs
// all of 127/8 on the loopback device. StartClusterWith configures each
// node apart.
func StartCluster(size int, cfg Config) ([]*Node, error) {
	if size < 1 || size > 250 {
		return nil, fmt.Errorf("cassandratest: cluster of %d nodes", size)
	}
	cfgs := make([]Config, size)
	for i := range cfgs {
		cfgs[i] = cfg
		cfgs[i].Addr, cfgs[i].HostID, cfgs[i].Tokens = "", [16]byte{}, nil
	}
	return StartClusterWith(cfgs...)
}

// StartClusterWith starts one node per Config, each listing the others in
// its peers tables (Config.Peers is replaced), so a driver connected to
// any of them discovers the rest with their datacenter, rack, tokens,
// release and schema versions. In each Config:
//
//   - an empty Addr places node i on 127.0.0.(i+1), on one port shared by
//     all such nodes, as StartCluster does (Linux only);
//   - a set Addr is used as given, such as "127.0.0.1:0" for a free port
//     on 127.0.0.1, which needs no other loopback address. Nodes that
//     share an IP are then told apart only by the port columns of
//     system.peers_v2, so do not combine them with NoPeersV2;
//   - a zero HostID gets a random one;
//   - nil Tokens get one token each, spread evenly over the Murmur3 range.
//
// On an error no node is left running.
func StartClusterWith(cfgs ...Config) ([]*Node, error) {
	if len(cfgs) < 1 || len(cfgs) > 250 {
		return nil, fmt.Errorf("cassandratest: cluster of %d nodes", len(cfgs))
	}
	var err error
	for range 10 { // another process may hold the port on 127.0.0.k
		var nodes []*Node
		if nodes, err = startCluster(cfgs); err == nil {
			return nodes, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, err
		}
	}
	return nil, err
}

func startCluster(cfgs []Config) ([]*Node, error) {
	size := len(cfgs)
	nodes := make([]*Node, 0, size)
	port := "0"
	for i, c := range cfgs {
		auto := c.Addr == ""
		if auto {
			c.Addr = netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)}).String() + ":" + port
		}
		if c.HostID == ([16]byte{}) {
			c.HostID = RandomUUID()
		}
		if c.Tokens == nil {
			// Murmur3 tokens spread evenly from math.MinInt64 (uint64 wraps).
			c.Tokens = []string{strconv.FormatInt(int64(1<<63+uint64(i)*(math.MaxUint64/uint64(size))), 10)}
		}
		c.Peers = nil
		n, err := Start(c)
		if err != nil {
			for _, n := range nodes {
				n.Close()
			}
			return nil, err
		}
		if auto {
			port = strconv.Itoa(int(n.Addr().Port()))
		}
		nodes = append(nodes, n)
	}
	for _, n := range nodes {
		var peers []PeerInfo
		for _, p := range nodes {
			if p != n {
				peers = append(peers, p.PeerInfo())
			}
		}
		n.SetPeers(peers)
	}
	return nodes, nil
}
