package frame

import "testing"

func newAuthResponse() Message { return &AuthResponse{} }

// authResponseGoldenCases are the golden bodies, also the fuzz seeds.
func authResponseGoldenCases() []reqGolden {
	var cases []reqGolden
	for _, v := range []Version{V3, V4, V5} {
		cases = append(cases,
			reqGolden{"plain_sasl_token", v,
				&AuthResponse{Token: []byte("\x00cassandra\x00cassandra")},
				reqBytes(
					[]byte{0x00, 0x00, 0x00, 0x14}, // token: [bytes] of 20
					0x00, "cassandra",              // authzid (empty), NUL, user
					0x00, "cassandra", // NUL, password
				)},
			reqGolden{"null_token", v,
				&AuthResponse{},
				reqBytes(
					[]byte{0xff, 0xff, 0xff, 0xff}, // token: null
				)},
			reqGolden{"empty_token", v,
				&AuthResponse{Token: []byte{}},
				reqBytes(
					[]byte{0x00, 0x00, 0x00, 0x00}, // token: 0 bytes, not null
				)},
		)
	}
	return cases
}

func TestAuthResponseGolden(t *testing.T) {
	testReqGolden(t, newAuthResponse, authResponseGoldenCases())
}

func TestAuthResponseEncodeErrors(t *testing.T) {
	testReqEncodeErrors(t, []reqEncodeErr{
		{"version_2", 2, &AuthResponse{Token: []byte{1}}, nil},
	})
}

func TestAuthResponseDecodeErrors(t *testing.T) {
	testReqDecodeErrors(t, newAuthResponse, []reqDecodeErr{
		{"empty_body", V4, nil, 0, "AUTH_RESPONSE token", ErrTruncated},
		{"token_longer_than_body", V4, []byte{0x00, 0x00, 0x00, 0x05, 0x01}, 4, "AUTH_RESPONSE token", ErrTruncated},
	})
}

// [bytes] defines every negative length as null, not only -1.
func TestAuthResponseNegativeLengthIsNull(t *testing.T) {
	var m AuthResponse
	if err := m.Decode([]byte{0xff, 0xff, 0xff, 0xfe}, V4); err != nil || m.Token != nil {
		t.Fatalf("Decode(-2) = %v, token %v; want a null token", err, m.Token)
	}
}
