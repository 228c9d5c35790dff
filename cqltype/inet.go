package cqltype

import (
	"errors"
	"net"
	"net/netip"

	"github.com/cqlgo/cassandra/frame"
)

// inet is 4 bytes for IPv4 and 16 for IPv6. It accepts netip.Addr, net.IP
// and a string netip.ParseAddr understands; it decodes to netip.Addr (or
// net.IP, or a string). A net.IP that holds an IPv4 address is written as 4
// bytes, a netip.Addr exactly as it is (so ::ffff:1.2.3.4 stays 16 bytes).

var errInetZone = errors.New("an IPv6 zone cannot be stored")

func appendInet(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case netip.Addr:
		return appendAddr(dst, x)
	case net.IP:
		if ip4 := x.To4(); ip4 != nil {
			return append(dst, ip4...), nil
		}
		if len(x) != 16 {
			return dst, wrongLength(16, len(x))
		}
		return append(dst, x...), nil
	case string:
		a, err := netip.ParseAddr(x)
		if err != nil {
			return dst, err
		}
		return appendAddr(dst, a)
	}
	return dst, errWrongGoType
}

func appendAddr(dst []byte, a netip.Addr) ([]byte, error) {
	switch {
	case !a.IsValid():
		return dst, errors.New("invalid (zero) netip.Addr")
	case a.Zone() != "":
		return dst, errInetZone
	case a.Is4():
		b := a.As4()
		return append(dst, b[:]...), nil
	}
	b := a.As16()
	return append(dst, b[:]...), nil
}

// decodeInet decodes an inet; null is the zero netip.Addr.
func decodeInet(data []byte) (netip.Addr, error) {
	switch len(data) {
	case 0:
		return netip.Addr{}, nil
	case 4:
		return netip.AddrFrom4([4]byte(data)), nil
	case 16:
		return netip.AddrFrom16([16]byte(data)), nil
	}
	return netip.Addr{}, wrongLength(16, len(data))
}

func init() {
	register(&codec{append: ignoreType(appendInet), natural: naturalOf[netip.Addr](),
		decode: scalar(func(_ *frame.Type, data []byte) (netip.Addr, error) { return decodeInet(data) })}, frame.TypeInet)
}
