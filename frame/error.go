package frame

import "fmt"

// ErrorCode is the [int] code that starts an ERROR message body (section 9
// of the v3 and v4 specs, section 8 of v5).
type ErrorCode int32

// Error codes of the native protocol.
const (
	CodeServerError     ErrorCode = 0x0000 // InternalError
	CodeProtocolError   ErrorCode = 0x000A // ProtocolError
	CodeBadCredentials  ErrorCode = 0x0100 // BadCredentialsError
	CodeUnavailable     ErrorCode = 0x1000 // UnavailableError
	CodeOverloaded      ErrorCode = 0x1001 // OverloadedError
	CodeIsBootstrapping ErrorCode = 0x1002 // BootstrappingError
	CodeTruncateError   ErrorCode = 0x1003 // TruncateError
	CodeWriteTimeout    ErrorCode = 0x1100 // WriteTimeoutError
	CodeReadTimeout     ErrorCode = 0x1200 // ReadTimeoutError
	CodeReadFailure     ErrorCode = 0x1300 // ReadFailureError (v4+)
	CodeFunctionFailure ErrorCode = 0x1400 // FunctionFailureError (v4+)
	CodeWriteFailure    ErrorCode = 0x1500 // WriteFailureError (v4+)
	CodeCDCWriteFailure ErrorCode = 0x1600 // CDCWriteFailureError (v5)
	CodeCASWriteUnknown ErrorCode = 0x1700 // CASWriteUnknownError (v5)
	CodeSyntaxError     ErrorCode = 0x2000 // SyntaxError
	CodeUnauthorized    ErrorCode = 0x2100 // UnauthorizedError
	CodeInvalid         ErrorCode = 0x2200 // InvalidError
	CodeConfigError     ErrorCode = 0x2300 // ConfigError
	CodeAlreadyExists   ErrorCode = 0x2400 // AlreadyExistsError
	CodeUnprepared      ErrorCode = 0x2500 // UnpreparedError
)

var errorCodeNames = map[ErrorCode]string{
	CodeServerError: "SERVER_ERROR", CodeProtocolError: "PROTOCOL_ERROR",
	CodeBadCredentials: "BAD_CREDENTIALS", CodeUnavailable: "UNAVAILABLE",
	CodeOverloaded: "OVERLOADED", CodeIsBootstrapping: "IS_BOOTSTRAPPING",
	CodeTruncateError: "TRUNCATE_ERROR", CodeWriteTimeout: "WRITE_TIMEOUT",
	CodeReadTimeout: "READ_TIMEOUT", CodeReadFailure: "READ_FAILURE",
	CodeFunctionFailure: "FUNCTION_FAILURE", CodeWriteFailure: "WRITE_FAILURE",
	CodeCDCWriteFailure: "CDC_WRITE_FAILURE", CodeCASWriteUnknown: "CAS_WRITE_UNKNOWN",
	CodeSyntaxError: "SYNTAX_ERROR", CodeUnauthorized: "UNAUTHORIZED", CodeInvalid: "INVALID",
	CodeConfigError: "CONFIG_ERROR", CodeAlreadyExists: "ALREADY_EXISTS", CodeUnprepared: "UNPREPARED",
}

// String returns the spec's name of the code, such as WRITE_TIMEOUT.
func (c ErrorCode) String() string {
	if s, ok := errorCodeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("ERROR_CODE(0x%04x)", uint32(c))
}

// ServerError is an error sent by a Cassandra node in an ERROR message.
// Every code has its own pointer type (*UnavailableError,
// *WriteTimeoutError, …) so callers inspect them with errors.As; codes this
// package does not know arrive as *UnknownServerError.
type ServerError interface {
	error
	// Code returns the protocol error code.
	Code() ErrorCode
	// Message returns the server's error message, as sent.
	Message() string
}

// errorBody is implemented by every ServerError of this package: the part of
// the ERROR body after <code><message>.
type errorBody interface {
	ServerError
	decodeBody(r *Reader, v Version)
	encodeBody(e *rspEnc, v Version)
}

// newServerError returns an empty error value for code, with msg set.
func newServerError(code ErrorCode, msg string) errorBody {
	switch code {
	case CodeServerError:
		return &InternalError{Msg: msg}
	case CodeProtocolError:
		return &ProtocolError{Msg: msg}
	case CodeBadCredentials:
		return &BadCredentialsError{Msg: msg}
	case CodeUnavailable:
		return &UnavailableError{Msg: msg}
	case CodeOverloaded:
		return &OverloadedError{Msg: msg}
	case CodeIsBootstrapping:
		return &BootstrappingError{Msg: msg}
	case CodeTruncateError:
		return &TruncateError{Msg: msg}
	case CodeWriteTimeout:
		return &WriteTimeoutError{Msg: msg}
	case CodeReadTimeout:
		return &ReadTimeoutError{Msg: msg}
	case CodeReadFailure:
		return &ReadFailureError{Msg: msg}
	case CodeFunctionFailure:
		return &FunctionFailureError{Msg: msg}
	case CodeWriteFailure:
		return &WriteFailureError{Msg: msg}
	case CodeCDCWriteFailure:
		return &CDCWriteFailureError{Msg: msg}
	case CodeCASWriteUnknown:
		return &CASWriteUnknownError{Msg: msg}
	case CodeSyntaxError:
		return &SyntaxError{Msg: msg}
	case CodeUnauthorized:
		return &UnauthorizedError{Msg: msg}
	case CodeInvalid:
		return &InvalidError{Msg: msg}
	case CodeConfigError:
		return &ConfigError{Msg: msg}
	case CodeAlreadyExists:
		return &AlreadyExistsError{Msg: msg}
	case CodeUnprepared:
		return &UnpreparedError{Msg: msg}
	}
	return &UnknownServerError{ErrorCode: code, Msg: msg}
}

// ErrorResponse is the ERROR message (section 4.2.1): an error code, a
// [string] message and a body that depends on the code.
//
// Bodies are decoded with the layout of the connection's version: the read
// and write failures carry <numfailures> in v3 and v4 (v3 never defined them,
// so the v4 layout is accepted there) and the <reasonmap> in v5; a
// write timeout of type CAS carries <contentions> only in v5.
type ErrorResponse struct {
	Err ServerError
}

// Opcode returns OpError.
func (*ErrorResponse) Opcode() Opcode { return OpError }

// Encode appends the ERROR body for Err. Fields a version lacks are left
// out, as a server does (Reasons before v5, Contentions before v5).
func (m *ErrorResponse) Encode(dst []byte, v Version) ([]byte, error) {
	e := newRspEnc(dst, "ERROR")
	if !rspEncVersion(&e, v) {
		return e.done()
	}
	if m.Err == nil {
		e.fail("", fmt.Errorf("nil error"))
		return e.done()
	}
	e.putInt(int32(m.Err.Code()))
	e.putString("message", m.Err.Message())
	if b, ok := m.Err.(errorBody); ok {
		b.encodeBody(&e, v)
	} else if !isMessageOnly(m.Err.Code()) {
		e.failf("", "%T with code %s needs a body this package cannot write", m.Err, m.Err.Code())
	}
	return e.done()
}

// isMessageOnly reports whether code has no body after the message.
func isMessageOnly(code ErrorCode) bool {
	switch code {
	case CodeUnavailable, CodeWriteTimeout, CodeReadTimeout, CodeReadFailure, CodeFunctionFailure,
		CodeWriteFailure, CodeCASWriteUnknown, CodeAlreadyExists, CodeUnprepared:
		return false
	}
	return true
}

// Decode decodes an ERROR body. A code this package does not know becomes
// an *UnknownServerError holding the bytes after the message.
func (m *ErrorResponse) Decode(body []byte, v Version) error {
	var r Reader
	r.Reset(body, "ERROR")
	if !rspVersion(&r, v) {
		return r.Err()
	}
	code := ErrorCode(r.Int("code"))
	msg := r.String("message")
	if r.Err() != nil {
		return r.Err()
	}
	se := newServerError(code, msg)
	se.decodeBody(&r, v)
	if err := r.Done(); err != nil {
		return err
	}
	m.Err = se
	return nil
}

// DecodeServerError decodes an ERROR body into its ServerError; it is
// ErrorResponse.Decode for callers that want the error alone.
func DecodeServerError(body []byte, v Version) (ServerError, error) {
	var m ErrorResponse
	if err := m.Decode(body, v); err != nil {
		return nil, err
	}
	return m.Err, nil
}
