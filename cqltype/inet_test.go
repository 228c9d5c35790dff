package cqltype

import (
	"net"
	"net/netip"
	"testing"
)

func TestInetGolden(t *testing.T) {
	runGolden(t, []golden{
		{name: "v4_addr", typ: tInet, val: netip.MustParseAddr("10.0.0.1"), wire: "0a000001", natural: netip.MustParseAddr("10.0.0.1")},
		{name: "v4_net_ip_16_bytes_written_as_4", typ: tInet, val: net.ParseIP("10.0.0.1"), wire: "0a000001", want: net.IP{10, 0, 0, 1}},
		{name: "v6", typ: tInet, val: netip.MustParseAddr("2001:db8::1"), wire: "20010db8000000000000000000000001"},
		{name: "v4_in_v6_kept", typ: tInet, val: netip.MustParseAddr("::ffff:10.0.0.1"), wire: "00000000000000000000ffff0a000001"},
		{name: "from_string", typ: tInet, val: "10.0.0.1", wire: "0a000001", want: netip.MustParseAddr("10.0.0.1")},
		{name: "into_string", typ: tInet, val: "::1", wire: "00000000000000000000000000000001", want: "::1"},
	})
	runErrors(t, []errCase{
		{name: "zone", typ: tInet, val: netip.MustParseAddr("fe80::1%eth0"), want: "zone"},
		{name: "bad_string", typ: tInet, val: "host.example", want: "ParseAddr"},
		{name: "five_bytes", typ: tInet, wire: "0102030405", into: new(netip.Addr), want: "got 5"},
		{name: "bad_net_ip", typ: tInet, val: net.IP{1, 2, 3}, want: "got 3"},
	})
}
