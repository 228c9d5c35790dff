package frame

import "testing"

func TestAuthSuccessGolden(t *testing.T) {
	newMsg := func() Message { return &AuthSuccess{} }
	var cases []goldenCase
	cases = append(cases, forVersions(allVersions, "null_token_as_sent_by_password_authenticator", &AuthSuccess{}, golden(`
		ffffffff // token [bytes]: null
	`))...)
	cases = append(cases, forVersions(allVersions, "sasl_final_token", &AuthSuccess{Token: []byte("v=xyz")}, golden(`
		00000005 "v=xyz" // token [bytes]
	`))...)
	runGolden(t, newMsg, cases)
}
