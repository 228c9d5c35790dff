package frame

import "testing"

func TestAuthenticateGolden(t *testing.T) {
	runGolden(t, func() Message { return &Authenticate{} },
		forVersions(allVersions, "password_authenticator",
			&Authenticate{Authenticator: "org.apache.cassandra.auth.PasswordAuthenticator"},
			golden(`
				002f "org.apache.cassandra.auth.PasswordAuthenticator" // authenticator [string], 47 bytes
			`)))
}
