package frame

import (
	"fmt"
	"math"
)

// Register is the REGISTER request (opcode 0x0B): subscribes the
// connection to server events. The server answers READY.
type Register struct {
	// EventTypes are TOPOLOGY_CHANGE, STATUS_CHANGE and/or SCHEMA_CHANGE.
	EventTypes []string
}

var _ Message = (*Register)(nil)

// Opcode returns OpRegister.
func (m *Register) Opcode() Opcode { return OpRegister }

// Encode appends the body of m to dst: a [string list].
func (m *Register) Encode(dst []byte, v Version) ([]byte, error) {
	if err := reqCheckVersion("REGISTER", v); err != nil {
		return dst, err
	}
	if len(m.EventTypes) > math.MaxUint16 {
		return dst, &EncodeError{What: "REGISTER event types", Err: fmt.Errorf("%d event types exceed a [short] count", len(m.EventTypes))}
	}
	for _, t := range m.EventTypes {
		if err := CheckString("REGISTER event type", t); err != nil {
			return dst, err
		}
	}
	return AppendStringList(dst, m.EventTypes), nil
}

// Decode replaces m with the REGISTER body.
func (m *Register) Decode(body []byte, v Version) error {
	var r Reader
	reqReader(&r, body, "REGISTER", v)
	m.EventTypes = r.StringList("event types")
	return r.Done()
}
