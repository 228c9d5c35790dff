package frame

import "testing"

func TestAuthSuccessGolden(t *testing.T) {
	newMsg := func() Message { return &AuthSuccess{} }
	var cases []rspCase
	cases = append(cases, rspForVersions(rspVersions, "null_token_as_sent_by_password_authenticator", &AuthSuccess{}, rspHex(`
		ffffffff // token [bytes]: null
	`))...)
	cases = append(cases, rspForVersions(rspVersions, "sasl_final_token", &AuthSuccess{Token: []byte("v=xyz")}, rspHex(`
		00000005 "v=xyz" // token [bytes]
	`))...)
	rspRunGolden(t, newMsg, cases)
}
