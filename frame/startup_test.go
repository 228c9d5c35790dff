package frame

import (
	"strings"
	"testing"
)

func newStartup() Message { return &Startup{} }

// startupGoldenCases are the golden bodies, also the fuzz seeds.
func startupGoldenCases() []reqGolden {
	var cases []reqGolden
	for _, v := range []Version{V3, V4, V5} {
		cases = append(cases,
			reqGolden{"cql_version_only", v,
				&Startup{Options: map[string]string{StartupCQLVersion: "3.0.0"}},
				reqBytes(
					[]byte{0x00, 0x01},                // 1 option
					[]byte{0x00, 0x0b}, "CQL_VERSION", // key, 11 bytes
					[]byte{0x00, 0x05}, "3.0.0", // value, 5 bytes
				)},
			reqGolden{"sorted_by_key", v,
				&Startup{Options: map[string]string{
					StartupDriverName:  "cqlgo",
					StartupCQLVersion:  "3.0.0",
					StartupCompression: "lz4",
				}},
				reqBytes(
					[]byte{0x00, 0x03},                // 3 options, in key order
					[]byte{0x00, 0x0b}, "COMPRESSION", // key, 11 bytes
					[]byte{0x00, 0x03}, "lz4",
					[]byte{0x00, 0x0b}, "CQL_VERSION", // key, 11 bytes
					[]byte{0x00, 0x05}, "3.0.0",
					[]byte{0x00, 0x0b}, "DRIVER_NAME", // key, 11 bytes
					[]byte{0x00, 0x05}, "cqlgo",
				)},
			reqGolden{"no_options", v,
				&Startup{},
				reqBytes(
					[]byte{0x00, 0x00}, // 0 options
				)},
			reqGolden{"empty_value", v,
				&Startup{Options: map[string]string{StartupThrowOnOverload: ""}},
				reqBytes(
					[]byte{0x00, 0x01},                      // 1 option
					[]byte{0x00, 0x11}, "THROW_ON_OVERLOAD", // key, 17 bytes
					[]byte{0x00, 0x00}, // empty value
				)},
		)
	}
	return cases
}

func TestStartupGolden(t *testing.T) { testReqGolden(t, newStartup, startupGoldenCases()) }

func TestStartupEncodeErrors(t *testing.T) {
	long := strings.Repeat("v", 65536)
	testReqEncodeErrors(t, []reqEncodeErr{
		{"value_too_long", V4, &Startup{Options: map[string]string{"K": long}}, nil},
		{"key_too_long", V4, &Startup{Options: map[string]string{long: "v"}}, nil},
		{"version_8", 8, &Startup{}, nil},
	})
}

func TestStartupDecodeErrors(t *testing.T) {
	testReqDecodeErrors(t, newStartup, []reqDecodeErr{
		{"hostile_count", V4, reqBytes(
			[]byte{0xff, 0xff},                          // 65535 options
			[]byte{0x00, 0x01}, "K", []byte{0x00, 0x00}, // room for one
		), 2, "count 65535", ErrTruncated},
		{"value_missing", V5, reqBytes(
			[]byte{0x00, 0x01}, // 1 option
			[]byte{0x00, 0x01}, "K",
			[]byte{0x00}, // half a value length
		), 5, "STARTUP options", ErrTruncated},
	})
}
