package conn

import (
	"context"
	"fmt"
	"slices"
)

// Authenticator answers a server's AUTHENTICATE request with a SASL
// exchange. Begin is called once per connection with the server's
// authenticator class; it returns the first token and the session that
// answers later challenges.
type Authenticator interface {
	Begin(ctx context.Context, authenticatorClass string) (token []byte, s AuthSession, err error)
}

// AuthSession carries one connection's SASL exchange past its first token.
type AuthSession interface {
	// Challenge answers an AUTH_CHALLENGE token.
	Challenge(ctx context.Context, token []byte) ([]byte, error)
	// Success receives the AUTH_SUCCESS token; an error fails the
	// connection.
	Success(token []byte) error
}

// DefaultAllowedAuthenticators returns the server authenticator classes a
// PasswordAuthenticator answers when AllowedAuthenticators is empty (a new
// slice each call: there is no global to change).
func DefaultAllowedAuthenticators() []string { return slices.Clone(defaultAllowed) }

var defaultAllowed = []string{
	"org.apache.cassandra.auth.PasswordAuthenticator",
	"org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator",
	"com.datastax.bdp.cassandra.auth.DseAuthenticator",
	"com.instaclustr.cassandra.auth.SharedSecretAuthenticator",
	"com.scylladb.auth.TransitionalAuthenticator",
	"io.aiven.cassandra.auth.AivenAuthenticator",
	"com.amazon.helenus.auth.HelenusAuthenticator",
}

// PasswordAuthenticator logs in with a user name and password (SASL PLAIN),
// as Cassandra's PasswordAuthenticator expects. It refuses to send the
// password to a server whose authenticator class is not in
// AllowedAuthenticators (DefaultAllowedAuthenticators when empty), so a
// misconfigured or hostile server cannot collect it.
type PasswordAuthenticator struct {
	Username, Password    string
	AllowedAuthenticators []string
}

// Begin implements Authenticator.
func (p *PasswordAuthenticator) Begin(_ context.Context, class string) ([]byte, AuthSession, error) {
	allowed := p.AllowedAuthenticators
	if len(allowed) == 0 {
		allowed = defaultAllowed
	}
	if !slices.Contains(allowed, class) {
		return nil, nil, fmt.Errorf("server authenticator %q is not in the allowed list %v", class, allowed)
	}
	tok := make([]byte, 0, 2+len(p.Username)+len(p.Password))
	tok = append(tok, 0)
	tok = append(tok, p.Username...)
	tok = append(tok, 0)
	tok = append(tok, p.Password...)
	return tok, passwordSession{}, nil
}

type passwordSession struct{}

func (passwordSession) Challenge(context.Context, []byte) ([]byte, error) {
	return nil, fmt.Errorf("unexpected challenge after the password was sent")
}

func (passwordSession) Success([]byte) error { return nil }
