package frame

import "testing"

func TestAuthenticateGolden(t *testing.T) {
	rspRunGolden(t, func() Message { return &Authenticate{} },
		rspForVersions(rspVersions, "password_authenticator",
			&Authenticate{Authenticator: "org.apache.cassandra.auth.PasswordAuthenticator"},
			rspHex(`
				002f "org.apache.cassandra.auth.PasswordAuthenticator" // authenticator [string], 47 bytes
			`)))
}
