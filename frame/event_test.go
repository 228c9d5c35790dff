package frame

import (
	"net/netip"
	"testing"
)

func TestEventGolden(t *testing.T) {
	var cases []rspCase
	cases = append(cases, rspForVersions(rspVersions, "topology_new_node",
		&Event{Type: EventTopologyChange, Change: "NEW_NODE", Address: netip.MustParseAddrPort("10.0.0.2:9042")}, rspHex(`
		000f "TOPOLOGY_CHANGE" // event type
		0008 "NEW_NODE"        // change
		04 0a000002            // [inet] address: 4 bytes, 10.0.0.2
		00002352               // port 9042
	`))...)
	cases = append(cases, rspForVersions(rspVersions, "status_down_ipv6",
		&Event{Type: EventStatusChange, Change: "DOWN", Address: netip.MustParseAddrPort("[2001:db8::7]:9042")}, rspHex(`
		000d "STATUS_CHANGE"                 // event type
		0004 "DOWN"                          // change
		10 20010db8000000000000000000000007  // [inet] address: 16 bytes
		00002352                             // port 9042
	`))...)
	for _, g := range schemaChangeGoldens {
		cases = append(cases, rspForVersions(rspVersions, "schema_"+g.name,
			&Event{Type: EventSchemaChange, Schema: g.sc}, rspHex(`
			000d "SCHEMA_CHANGE" // event type
		`+g.body))...)
	}
	rspRunGolden(t, func() Message { return &Event{} }, cases)
}

func TestEventRejects(t *testing.T) {
	var m Event
	for name, body := range map[string]string{
		"unknown_type":   `0004 "OOPS" 0002 "UP"`,
		"bad_inet_size":  `000d "STATUS_CHANGE" 0002 "UP" 05 0a00000200 00002352`,
		"negative_port":  `000d "STATUS_CHANGE" 0002 "UP" 04 0a000002 ffffffff`,
		"port_too_large": `000d "STATUS_CHANGE" 0002 "UP" 04 0a000002 00010000`,
	} {
		if err := m.Decode(rspHex(body), V4); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	for name, ev := range map[string]*Event{
		"unknown_type":   {Type: "OOPS"},
		"no_address":     {Type: EventStatusChange, Change: "UP"},
		"unknown_target": {Type: EventSchemaChange, Schema: SchemaChange{Change: SchemaCreated, Target: "INDEX"}},
	} {
		if _, err := ev.Encode(nil, V4); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}
