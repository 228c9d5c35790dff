package conn

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

var (
	// ErrClosed is returned by calls on a closed connection (and, through
	// the driver, on a closed Cluster or Session).
	ErrClosed = errors.New("cassandra: closed")
	// ErrConnBusy means a connection had no free stream id for a request.
	ErrConnBusy = errors.New("cassandra: connection has no free stream id")
)

// ConnError is a failure of one connection: it could not be opened, it
// broke, or the server sent bytes the driver could not decode. Requests in
// flight on a broken connection fail with it; whether they were applied is
// unknown.
type ConnError struct {
	Host netip.AddrPort
	Op   string // "dial", "tls", "handshake", "read", "write", "heartbeat", "decode"
	Err  error
}

// Error describes the failure with the host and the operation.
func (e *ConnError) Error() string {
	if !e.Host.IsValid() {
		return fmt.Sprintf("cassandra: connection: %s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("cassandra: connection to %s: %s: %v", e.Host, e.Op, e.Err)
}

// Unwrap returns the underlying error.
func (e *ConnError) Unwrap() error { return e.Err }

// TimeoutError is an attempt or request that ran out of time on the client
// side. The server may still apply it: MaybeApplied is true once the request
// was written to a connection.
type TimeoutError struct {
	Host         netip.AddrPort
	Elapsed      time.Duration
	MaybeApplied bool
	Err          error // the context's error (context.DeadlineExceeded or Canceled)
}

// Error says how long the request waited and whether it may have been applied.
func (e *TimeoutError) Error() string {
	to := ""
	if e.Host.IsValid() {
		to = " to " + e.Host.String()
	}
	s := fmt.Sprintf("cassandra: request%s gave up after %v: %v", to, e.Elapsed.Round(time.Microsecond), e.Err)
	if e.MaybeApplied {
		s += " (it was sent and may have been applied)"
	}
	return s
}

// Unwrap returns the context error.
func (e *TimeoutError) Unwrap() error { return e.Err }

// ProtocolVersionError means a server refused the protocol version, or the
// configured version is not one the driver speaks.
type ProtocolVersionError struct {
	Host      netip.AddrPort
	Version   frame.Version
	Explicit  bool // the version was configured, so the driver did not try lower ones
	ServerMsg string
}

// Error names the host, the version and the server's words.
func (e *ProtocolVersionError) Error() string {
	s := fmt.Sprintf("cassandra: %s does not accept protocol %s", e.Host, e.Version)
	if e.ServerMsg != "" {
		s += ": " + e.ServerMsg
	}
	if e.Explicit {
		s += " (ProtocolVersion is set explicitly, so no lower version was tried)"
	}
	return s
}

// AuthError is a failure to authenticate that is not the server's
// BadCredentialsError: the server asks for authentication and no
// Authenticator is configured, or its authenticator class is not allowed.
type AuthError struct {
	Host          netip.AddrPort
	Authenticator string
	Msg           string
}

// Error names the host and the server's authenticator.
func (e *AuthError) Error() string {
	return fmt.Sprintf("cassandra: authentication with %s (%s): %s", e.Host, e.Authenticator, e.Msg)
}
