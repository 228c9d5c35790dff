package frame

import "testing"

func newOptions() Message { return &Options{} }

// optionsGoldenCases are the golden bodies, also the fuzz seeds.
func optionsGoldenCases() []reqGolden {
	var cases []reqGolden
	for _, v := range []Version{V3, V4, V5} {
		cases = append(cases, reqGolden{"empty_body", v, &Options{}, []byte{}})
	}
	return cases
}

func TestOptionsGolden(t *testing.T) { testReqGolden(t, newOptions, optionsGoldenCases()) }

func TestOptionsEncodeErrors(t *testing.T) {
	testReqEncodeErrors(t, []reqEncodeErr{{"version_6", 6, &Options{}, nil}})
}

func TestOptionsDecodeErrors(t *testing.T) {
	testReqDecodeErrors(t, newOptions, []reqDecodeErr{
		{"any_byte_is_trailing", V4, []byte{0x00}, 0, "trailing bytes", ErrTrailingBytes},
		{"version_1", 1, nil, 0, "unsupported protocol version 1", nil},
	})
}
