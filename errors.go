package cassandra

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

// Sentinel errors, usable with errors.Is.
var (
	// ErrClosed is returned by calls on a closed Cluster, Session or
	// connection.
	ErrClosed = errors.New("cassandra: closed")
	// ErrNoHosts means the query plan had no host to try at all.
	ErrNoHosts = errors.New("cassandra: no hosts available")
	// ErrNoContactPoints means the Cluster was configured with no hosts.
	ErrNoContactPoints = errors.New("cassandra: no contact points configured")
	// ErrConnBusy means a connection had no free stream id for a request.
	ErrConnBusy = errors.New("cassandra: connection has no free stream id")
	// ErrNotFound is returned by ScanOne and ResultSet.One when there is no
	// row.
	ErrNotFound = errors.New("cassandra: no rows")
)

// Server errors, one type per error code of the protocol; they come from the
// frame package and are re-exported here so that users need not import it.
// Every one implements ServerError; use errors.As to reach the details:
//
//	var un *cassandra.UnavailableError
//	if errors.As(err, &un) { log.Println(un.Required, un.Alive) }
type (
	ServerError          = frame.ServerError
	ErrorCode            = frame.ErrorCode
	InternalError        = frame.InternalError
	ProtocolError        = frame.ProtocolError
	BadCredentialsError  = frame.BadCredentialsError
	UnavailableError     = frame.UnavailableError
	OverloadedError      = frame.OverloadedError
	BootstrappingError   = frame.BootstrappingError
	TruncateError        = frame.TruncateError
	WriteTimeoutError    = frame.WriteTimeoutError
	ReadTimeoutError     = frame.ReadTimeoutError
	ReadFailureError     = frame.ReadFailureError
	FunctionFailureError = frame.FunctionFailureError
	WriteFailureError    = frame.WriteFailureError
	CDCWriteFailureError = frame.CDCWriteFailureError
	CASWriteUnknownError = frame.CASWriteUnknownError
	SyntaxError          = frame.SyntaxError
	UnauthorizedError    = frame.UnauthorizedError
	InvalidError         = frame.InvalidError
	ConfigError          = frame.ConfigError
	AlreadyExistsError   = frame.AlreadyExistsError
	UnpreparedError      = frame.UnpreparedError
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
	s := fmt.Sprintf("cassandra: request to %s gave up after %v: %v", e.Host, e.Elapsed.Round(time.Microsecond), e.Err)
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

// HostError is the error of one host, as listed by NoHostAvailableError.
type HostError struct {
	Host netip.AddrPort
	Err  error
}

// NoHostAvailableError lists each host tried and why it failed.
type NoHostAvailableError struct {
	Msg    string
	Errors []HostError
}

// Error lists every host tried and its error.
func (e *NoHostAvailableError) Error() string {
	var b strings.Builder
	b.WriteString("cassandra: ")
	b.WriteString(e.Msg)
	if len(e.Errors) == 0 {
		b.WriteString(": no host was tried")
	}
	for i, he := range e.Errors {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %v", he.Host, he.Err)
	}
	return b.String()
}

// Unwrap returns the hosts' errors, so errors.As finds any of them.
func (e *NoHostAvailableError) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, he := range e.Errors {
		errs[i] = he.Err
	}
	return errs
}

// Is makes errors.Is(err, ErrNoHosts) true.
func (e *NoHostAvailableError) Is(target error) bool { return target == ErrNoHosts }
