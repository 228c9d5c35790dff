package cassandra

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/conn"
	"github.com/cqlgo/cassandra/policy"
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

// EncodeError reports a request the driver could not encode (a value or
// a field too large for its length prefix, an option the protocol version
// lacks); nothing was sent.
type EncodeError = frame.EncodeError

// SafeToRetry reports whether a failed request certainly did not change
// anything on the server, so running it again cannot apply it twice, even
// when it is not idempotent: it never left the driver (bad values, no
// connection, a closed session, a throttler refusing it), or every attempt
// ended before the frame was written, or every server that saw it refused
// it before acting (unavailable, overloaded, bootstrapping, syntax,
// invalid, unauthorized, unprepared). As pgconn.SafeToRetry, it answers for
// the error, not for the statement: an idempotent statement is always safe
// to retry.
func SafeToRetry(err error) bool {
	if err == nil {
		return false
	}
	var re *RequestError
	if errors.As(err, &re) && len(re.Attempts) > 0 {
		for _, a := range re.Attempts {
			if a.Err != nil && !safeAttemptError(a.Err) {
				return false
			}
		}
		return safeAttemptError(re.Last)
	}
	return safeAttemptError(err)
}

func safeAttemptError(err error) bool {
	var (
		te  *TimeoutError
		ce  *ConnError
		nh  *NoHostAvailableError
		be  *BindError
		me  *MarshalError
		ee  *EncodeError
		thr *policy.ThrottledError
	)
	switch {
	case errors.As(err, &te):
		return !te.MaybeApplied
	case errors.As(err, &nh):
		for _, he := range nh.Errors {
			if he.Err != nil && !safeAttemptError(he.Err) {
				return false
			}
		}
		return true
	case errors.As(err, &ce):
		switch ce.Op {
		case "dial", "tls", "handshake":
			return true // the connection never carried the request
		}
		return false
	case errors.As(err, &be), errors.As(err, &me), errors.As(err, &ee), errors.As(err, &thr),
		errors.Is(err, ErrClosed), errors.Is(err, ErrConnBusy), errors.Is(err, errNoConnection):
		return true
	}
	var se ServerError
	if errors.As(err, &se) {
		switch se.Code() {
		case frame.CodeUnavailable, frame.CodeOverloaded, frame.CodeIsBootstrapping, frame.CodeSyntaxError,
			frame.CodeInvalid, frame.CodeUnauthorized, frame.CodeUnprepared, frame.CodeBadCredentials,
			frame.CodeProtocolError, frame.CodeConfigError, frame.CodeAlreadyExists:
			return true
		}
	}
	return false
}
