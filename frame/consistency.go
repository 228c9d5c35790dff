package frame

import (
	"fmt"
	"strings"
)

// Consistency is a CQL consistency level.
type Consistency uint16

// Consistency levels (section 3 of the specs).
const (
	Any         Consistency = 0x0000
	One         Consistency = 0x0001
	Two         Consistency = 0x0002
	Three       Consistency = 0x0003
	Quorum      Consistency = 0x0004
	All         Consistency = 0x0005
	LocalQuorum Consistency = 0x0006
	EachQuorum  Consistency = 0x0007
	Serial      Consistency = 0x0008
	LocalSerial Consistency = 0x0009
	LocalOne    Consistency = 0x000A
)

var consistencyNames = [...]string{
	"ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM", "SERIAL",
	"LOCAL_SERIAL", "LOCAL_ONE",
}

// String returns the CQL name, such as LOCAL_QUORUM.
func (c Consistency) String() string {
	if int(c) < len(consistencyNames) {
		return consistencyNames[c]
	}
	return fmt.Sprintf("CONSISTENCY(0x%04x)", uint16(c))
}

// IsSerial reports whether c is SERIAL or LOCAL_SERIAL.
func (c Consistency) IsSerial() bool { return c == Serial || c == LocalSerial }

// ParseConsistency returns the level named s, as String spells it
// (LOCAL_QUORUM), in any case, with or without the underscores
// (local_quorum, LocalQuorum): for configuration files and flags.
func ParseConsistency(s string) (Consistency, error) {
	norm := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
	for i, name := range consistencyNames {
		if strings.ReplaceAll(name, "_", "") == norm && norm != "" {
			return Consistency(i), nil
		}
	}
	return 0, fmt.Errorf("unknown consistency level %q (want one of %s)", s, strings.Join(consistencyNames[:], ", "))
}
