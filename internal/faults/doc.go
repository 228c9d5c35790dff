// Package faults runs the driver against real Cassandra nodes while the
// network misbehaves: a node cut off from the client, a slow and lossy node,
// a flapping link, a partition between the nodes, a hung (SIGSTOPped) node.
//
// The package holds four small pieces and the integration tests that use
// them:
//
//   - Net drives scripts/netfault, which installs packet-filter rules
//     (nftables table inet cqlgo_faults, or iptables chains CQLGO_FAULTS) and
//     tc netem on lo, always aimed at one node address in 127.0.0.0/8;
//   - Load runs many goroutines of one statement for a fixed time, applies a
//     schedule of faults, and reports per window the requests that
//     succeeded, their latency percentiles and the node that coordinated them;
//   - Timeline is a cassandra.HostListener that timestamps when the driver
//     marked hosts down and up;
//   - DelayProxy is a TCP forwarder that holds the bytes sent to a node for a
//     delay, the stand-in for tc netem on kernels without sch_netem.
//
// The tests are named TestIntegration..., need three nodes (CASSANDRA_HOSTS,
// see internal/testenv) and the right to change packet filters; without them
// they skip, saying why. CQLGO_FAULT_SECONDS shortens each run (default 60 s)
// for development. docs/reliability.md has the measured figures.
package faults
