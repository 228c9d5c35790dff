package simnode

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
// all of 127/8 on the loopback device.
func StartCluster(size int, cfg Config) ([]*Node, error) {
	if size < 1 || size > 250 {
		return nil, fmt.Errorf("simnode: cluster of %d nodes", size)
	}
	var err error
	for range 10 { // another process may hold the port on 127.0.0.k
		var nodes []*Node
		if nodes, err = startCluster(size, cfg); err == nil {
			return nodes, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, err
		}
	}
	return nil, err
}

func startCluster(size int, cfg Config) ([]*Node, error) {
	nodes := make([]*Node, 0, size)
	port := "0"
	for i := range size {
		c := cfg
		c.Addr = netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)}).String() + ":" + port
		c.HostID = RandomUUID()
		// Murmur3 tokens spread evenly from math.MinInt64 (uint64 wraps).
		c.Tokens = []string{strconv.FormatInt(int64(1<<63+uint64(i)*(math.MaxUint64/uint64(size))), 10)}
		c.Peers = nil
		n, err := Start(c)
		if err != nil {
			for _, n := range nodes {
				n.Close()
			}
			return nil, err
		}
		port = strconv.Itoa(int(n.Addr().Port()))
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
