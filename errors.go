package cassandra

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/conn"
)

// Sentinel errors, usable with errors.Is.
var (
	// ErrClosed is returned by calls on a closed Cluster, Session or
	// connection.
	ErrClosed = conn.ErrClosed
	// ErrNoHosts means the query plan had no host to try at all.
	ErrNoHosts = errors.New("cassandra: no hosts available")
	// ErrNoContactPoints means the Cluster was configured with no hosts.
	ErrNoContactPoints = errors.New("cassandra: no contact points configured")
	// ErrConnBusy means a connection had no free stream id for a request.
	ErrConnBusy = conn.ErrConnBusy
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

// Errors of one connection, defined with the connection (internal/conn)
// and named here for users.
type (
	// ConnError is a failure of one connection: it could not be opened, it
	// broke, or the server sent bytes the driver could not decode.
	ConnError = conn.ConnError
	// TimeoutError is an attempt or request that ran out of time on the
	// client side; MaybeApplied tells whether it was written.
	TimeoutError = conn.TimeoutError
	// ProtocolVersionError means a server refused the protocol version.
	ProtocolVersionError = conn.ProtocolVersionError
	// AuthError is a failure to authenticate other than bad credentials.
	AuthError = conn.AuthError
)

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
