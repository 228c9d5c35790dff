package frame

import (
	"fmt"
	"math"
)

// Startup is the STARTUP request (opcode 0x01): the first message of a
// connection, choosing the CQL version and compression.
type Startup struct {
	// Options holds CQL_VERSION (mandatory, "3.0.0"), and optionally
	// COMPRESSION, DRIVER_NAME, DRIVER_VERSION, THROW_ON_OVERLOAD... They
	// are sent in sorted key order so the bytes are deterministic.
	Options map[string]string
}

// Keys of Startup.Options known to Cassandra.
const (
	StartupCQLVersion      = "CQL_VERSION"
	StartupCompression     = "COMPRESSION"
	StartupDriverName      = "DRIVER_NAME"
	StartupDriverVersion   = "DRIVER_VERSION"
	StartupThrowOnOverload = "THROW_ON_OVERLOAD"
)

var _ Message = (*Startup)(nil)

// Opcode returns OpStartup.
func (m *Startup) Opcode() Opcode { return OpStartup }

// Encode appends the body of m to dst: a [string map]. A key or value too
// long for a [string], or more than 65535 options, is an *EncodeError.
func (m *Startup) Encode(dst []byte, v Version) ([]byte, error) {
	if err := reqCheckVersion("STARTUP", v); err != nil {
		return dst, err
	}
	if len(m.Options) > math.MaxUint16 {
		return dst, &EncodeError{What: "STARTUP options", Err: fmt.Errorf("%d options exceed a [short] count", len(m.Options))}
	}
	for k, val := range m.Options {
		if err := CheckString("STARTUP option "+k, val); err != nil {
			return dst, err
		}
		if err := CheckString("STARTUP option name", k); err != nil {
			return dst, err
		}
	}
	return AppendStringMap(dst, m.Options), nil
}

// Decode replaces m with the STARTUP body. A repeated key keeps its last
// value.
func (m *Startup) Decode(body []byte, v Version) error {
	var r Reader
	reqReader(&r, body, "STARTUP", v)
	m.Options = r.StringMap("options")
	return r.Done()
}
