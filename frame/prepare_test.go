package frame

import (
	"strings"
	"testing"
)

func newPrepare() Message { return &Prepare{} }

// prepareGoldenCases are the golden bodies, also the fuzz seeds.
func prepareGoldenCases() []reqGolden {
	var cases []reqGolden
	for _, v := range []Version{V3, V4} {
		cases = append(cases,
			reqGolden{"query_only", v,
				&Prepare{Query: "SELECT * FROM t"},
				reqBytes(
					[]byte{0x00, 0x00, 0x00, 0x0f}, "SELECT * FROM t", // query [long string], 15 bytes; no flags before v5
				)},
			reqGolden{"empty_query", v,
				&Prepare{},
				reqBytes(
					[]byte{0x00, 0x00, 0x00, 0x00}, // query: 0 bytes
				)},
		)
	}
	cases = append(cases,
		reqGolden{"query_only", V5,
			&Prepare{Query: "SELECT * FROM t"},
			reqBytes(
				[]byte{0x00, 0x00, 0x00, 0x0f}, "SELECT * FROM t", // query, 15 bytes
				[]byte{0x00, 0x00, 0x00, 0x00}, // flags: none
			)},
		reqGolden{"with_keyspace", V5,
			&Prepare{Query: "SELECT * FROM t", Keyspace: "ks1"},
			reqBytes(
				[]byte{0x00, 0x00, 0x00, 0x0f}, "SELECT * FROM t", // query, 15 bytes
				[]byte{0x00, 0x00, 0x00, 0x01}, // flags: with keyspace
				[]byte{0x00, 0x03}, "ks1",      // keyspace [string] "ks1"
			)},
	)
	return cases
}

func TestPrepareGolden(t *testing.T) { testReqGolden(t, newPrepare, prepareGoldenCases()) }

func TestPrepareEncodeErrors(t *testing.T) {
	testReqEncodeErrors(t, []reqEncodeErr{
		{"keyspace_needs_v5", V3, &Prepare{Query: "q", Keyspace: "ks"}, errKeyspaceNeedsV5},
		{"keyspace_needs_v5", V4, &Prepare{Query: "q", Keyspace: "ks"}, errKeyspaceNeedsV5},
		{"keyspace_too_long", V5, &Prepare{Query: "q", Keyspace: strings.Repeat("k", 65536)}, nil},
		{"version_0", 0, &Prepare{Query: "q"}, nil},
	})
}

func TestPrepareDecodeErrors(t *testing.T) {
	testReqDecodeErrors(t, newPrepare, []reqDecodeErr{
		{"negative_query_length", V4, []byte{0xff, 0xff, 0xff, 0xfe}, 4, "negative length -2", nil},
		{"v5_unknown_flag", V5, reqBytes(
			[]byte{0x00, 0x00, 0x00, 0x01}, "q",
			[]byte{0x00, 0x00, 0x00, 0x02}, // flag 0x02 is not defined
		), 5, "unknown flags 0x2", nil},
		{"v5_keyspace_missing", V5, reqBytes(
			[]byte{0x00, 0x00, 0x00, 0x01}, "q",
			[]byte{0x00, 0x00, 0x00, 0x01}, // with keyspace, but none follows
		), 9, "PREPARE keyspace", ErrTruncated},
		{"v4_flags_are_trailing_bytes", V4, reqBytes(
			[]byte{0x00, 0x00, 0x00, 0x01}, "q",
			[]byte{0x00, 0x00, 0x00, 0x00}, // v5 flags sent on v4
		), 5, "trailing bytes", ErrTrailingBytes},
	})
}
