package frame

import (
	"fmt"
	"strings"
)

// Consistency is a CQL consistency level. Its zero value, Unset, means "not
// chosen here": a statement or profile that leaves it zero takes the level
// from the next layer (profile, then cluster). Every named level is its wire
// value plus one, so that ANY (wire 0x0000) can be chosen as a default; use
// Wire and ConsistencyFromWire to convert.
type Consistency uint32

// Consistency levels (section 3 of the specs). The wire value of each is
// given beside it.
const (
	Unset       Consistency = iota // not set: the next layer's level applies
	Any                            // 0x0000
	One                            // 0x0001
	Two                            // 0x0002
	Three                          // 0x0003
	Quorum                         // 0x0004
	All                            // 0x0005
	LocalQuorum                    // 0x0006
	EachQuorum                     // 0x0007
	Serial                         // 0x0008
	LocalSerial                    // 0x0009
	LocalOne                       // 0x000A
)

var consistencyNames = [...]string{
	"ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM", "SERIAL",
	"LOCAL_SERIAL", "LOCAL_ONE",
}

// Wire returns the protocol's [consistency] value of c. Unset, which has
// none, is sent as ONE; the driver always resolves Unset to the configured
// default before a request is encoded.
func (c Consistency) Wire() uint16 {
	if c == Unset {
		return uint16(One - 1)
	}
	return uint16(c - 1)
}

// ConsistencyFromWire returns the level whose wire value is v. Values outside
// the specs keep their number (String shows it) and never become Unset.
func ConsistencyFromWire(v uint16) Consistency {
	return Consistency(v) + 1
}

// String returns the CQL name, such as LOCAL_QUORUM, or UNSET.
func (c Consistency) String() string {
	if c == Unset {
		return "UNSET"
	}
	if i := int(c) - 1; i < len(consistencyNames) {
		return consistencyNames[i]
	}
	return fmt.Sprintf("CONSISTENCY(0x%04x)", c.Wire())
}

// IsSerial reports whether c is SERIAL or LOCAL_SERIAL.
func (c Consistency) IsSerial() bool { return c == Serial || c == LocalSerial }

// ParseConsistency returns the level named s, as String spells it
// (LOCAL_QUORUM), in any case, with or without the underscores
// (local_quorum, LocalQuorum): for configuration files and flags. An empty
// string is an error, not Unset: a configuration that names no level should
// leave the field zero.
func ParseConsistency(s string) (Consistency, error) {
	norm := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
	for i, name := range consistencyNames {
		if strings.ReplaceAll(name, "_", "") == norm && norm != "" {
			return Consistency(i + 1), nil
		}
	}
	return Unset, fmt.Errorf("unknown consistency level %q (want one of %s)", s, strings.Join(consistencyNames[:], ", "))
}
