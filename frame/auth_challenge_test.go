package frame

import "testing"

func TestAuthChallengeGolden(t *testing.T) {
	newMsg := func() Message { return &AuthChallenge{} }
	var cases []rspCase
	cases = append(cases, rspForVersions(rspVersions, "token", &AuthChallenge{Token: []byte("r=abc")}, rspHex(`
		00000005 "r=abc" // token [bytes]
	`))...)
	cases = append(cases, rspForVersions(rspVersions, "empty_token", &AuthChallenge{Token: []byte{}}, rspHex(`
		00000000 // token [bytes]: empty, not null
	`))...)
	cases = append(cases, rspForVersions(rspVersions, "null_token", &AuthChallenge{}, rspHex(`
		ffffffff // token [bytes]: null
	`))...)
	rspRunGolden(t, newMsg, cases)
}

func TestAuthChallengeTokenOutlivesBody(t *testing.T) {
	body := rspHex(`00000002 abcd`)
	var m AuthChallenge
	if err := m.Decode(body, V4); err != nil {
		t.Fatal(err)
	}
	body[4] = 0
	if m.Token[0] != 0xab {
		t.Fatal("token aliases the frame body")
	}
}
