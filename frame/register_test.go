package frame

import (
	"strings"
	"testing"
)

func newRegister() Message { return &Register{} }

// registerGoldenCases are the golden bodies, also the fuzz seeds.
func registerGoldenCases() []reqGolden {
	var cases []reqGolden
	for _, v := range []Version{V3, V4, V5} {
		cases = append(cases,
			reqGolden{"all_events", v,
				&Register{EventTypes: []string{"TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"}},
				reqBytes(
					[]byte{0x00, 0x03},                    // 3 event types
					[]byte{0x00, 0x0f}, "TOPOLOGY_CHANGE", // 15 bytes
					[]byte{0x00, 0x0d}, "STATUS_CHANGE", // 13 bytes
					[]byte{0x00, 0x0d}, "SCHEMA_CHANGE", // 13 bytes
				)},
			reqGolden{"none", v,
				&Register{},
				reqBytes(
					[]byte{0x00, 0x00}, // 0 event types
				)},
		)
	}
	return cases
}

func TestRegisterGolden(t *testing.T) { testReqGolden(t, newRegister, registerGoldenCases()) }

func TestRegisterEncodeErrors(t *testing.T) {
	testReqEncodeErrors(t, []reqEncodeErr{
		{"event_type_too_long", V4, &Register{EventTypes: []string{strings.Repeat("E", 65536)}}, nil},
		{"too_many_event_types", V4, &Register{EventTypes: make([]string, 65536)}, nil},
	})
}

func TestRegisterDecodeErrors(t *testing.T) {
	testReqDecodeErrors(t, newRegister, []reqDecodeErr{
		{"hostile_count", V4, []byte{0xff, 0xff, 0x00, 0x00}, 2, "count 65535", ErrTruncated},
	})
}
