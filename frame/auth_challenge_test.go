package frame

import "testing"

func TestAuthChallengeGolden(t *testing.T) {
	newMsg := func() Message { return &AuthChallenge{} }
	var cases []goldenCase
	cases = append(cases, forVersions(allVersions, "token", &AuthChallenge{Token: []byte("r=abc")}, golden(`
		00000005 "r=abc" // token [bytes]
	`))...)
	cases = append(cases, forVersions(allVersions, "empty_token", &AuthChallenge{Token: []byte{}}, golden(`
		00000000 // token [bytes]: empty, not null
	`))...)
	cases = append(cases, forVersions(allVersions, "null_token", &AuthChallenge{}, golden(`
		ffffffff // token [bytes]: null
	`))...)
	runGolden(t, newMsg, cases)
}

func TestAuthChallengeTokenOutlivesBody(t *testing.T) {
	body := golden(`00000002 abcd`)
	var m AuthChallenge
	if err := m.Decode(body, V4); err != nil {
		t.Fatal(err)
	}
	body[4] = 0
	if m.Token[0] != 0xab {
		t.Fatal("token aliases the frame body")
	}
}
