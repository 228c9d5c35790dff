package frame

import (
	"fmt"
	"net/netip"
)

// Event types a client can REGISTER for.
const (
	EventTopologyChange = "TOPOLOGY_CHANGE"
	EventStatusChange   = "STATUS_CHANGE"
	EventSchemaChange   = "SCHEMA_CHANGE"
)

// Event is the EVENT message (section 4.2.6), pushed by the server on
// stream -1 to connections that registered for its type.
//
// TOPOLOGY_CHANGE (Change NEW_NODE, REMOVED_NODE or MOVED_NODE) and
// STATUS_CHANGE (UP or DOWN) carry the node's Address; SCHEMA_CHANGE carries
// Schema, whose own Change field holds CREATED, UPDATED or DROPPED (Change
// and Address stay zero).
type Event struct {
	Type    string
	Change  string
	Address netip.AddrPort
	Schema  SchemaChange
}

// Opcode returns OpEvent.
func (*Event) Opcode() Opcode { return OpEvent }

// Encode appends the event body.
func (m *Event) Encode(dst []byte, v Version) ([]byte, error) {
	e := newRspEnc(dst, "EVENT")
	if !rspEncVersion(&e, v) {
		return e.done()
	}
	e.putString("type", m.Type)
	switch m.Type {
	case EventTopologyChange, EventStatusChange:
		e.putString("change", m.Change)
		e.putInet("address", m.Address)
	case EventSchemaChange:
		m.Schema.encode(&e)
	default:
		e.fail("type", fmt.Errorf("unknown event type %q", m.Type))
	}
	return e.done()
}

// Decode decodes an EVENT body; an unknown event type is an error, since
// its layout cannot be known.
func (m *Event) Decode(body []byte, v Version) error {
	var r Reader
	r.Reset(body, "EVENT")
	if !rspVersion(&r, v) {
		return r.Err()
	}
	var ev Event
	ev.Type = r.String("type")
	if r.Err() == nil {
		switch ev.Type {
		case EventTopologyChange, EventStatusChange:
			ev.Change = r.String("change")
			ev.Address = r.Inet("address")
		case EventSchemaChange:
			ev.Schema.decode(&r)
		default:
			r.Failf("type", "unknown event type %q", ev.Type)
		}
	}
	if err := r.Done(); err != nil {
		return err
	}
	*m = ev
	return nil
}
