package frame

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// One type per error code of the ERROR message. Each has the server's
// message in Msg and the code's body in the other fields; all implement
// ServerError with pointer receivers.

// withMsg appends the server's message to a description.
func withMsg(desc, msg string) string {
	if msg == "" {
		return "cassandra: " + desc
	}
	return "cassandra: " + desc + ": " + msg
}

// msgOnly is the body of the codes that carry nothing after the message.
type msgOnly struct{}

func (msgOnly) decodeBody(*Reader, Version) {}
func (msgOnly) encodeBody(*rspEnc, Version) {}

// InternalError is code 0x0000, Server error: something unexpected happened
// on the node, a server-side bug.
type InternalError struct {
	msgOnly
	Msg string
}

// Code returns CodeServerError.
func (*InternalError) Code() ErrorCode { return CodeServerError }

// Message returns the server's message.
func (e *InternalError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *InternalError) Error() string { return withMsg("server error", e.Msg) }

// ProtocolError is code 0x000A: a client message violated the protocol.
type ProtocolError struct {
	msgOnly
	Msg string
}

// Code returns CodeProtocolError.
func (*ProtocolError) Code() ErrorCode { return CodeProtocolError }

// Message returns the server's message.
func (e *ProtocolError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *ProtocolError) Error() string { return withMsg("protocol error", e.Msg) }

// BadCredentialsError is code 0x0100: authentication was required and
// failed.
type BadCredentialsError struct {
	msgOnly
	Msg string
}

// Code returns CodeBadCredentials.
func (*BadCredentialsError) Code() ErrorCode { return CodeBadCredentials }

// Message returns the server's message.
func (e *BadCredentialsError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *BadCredentialsError) Error() string {
	return withMsg("authentication failed", e.Msg)
}

// UnavailableError is code 0x1000: the coordinator knew too few replicas to
// be alive to try the request at Consistency.
type UnavailableError struct {
	Msg         string
	Consistency Consistency
	Required    int32 // replicas needed for Consistency
	Alive       int32 // replicas known alive
}

// Code returns CodeUnavailable.
func (*UnavailableError) Code() ErrorCode { return CodeUnavailable }

// Message returns the server's message.
func (e *UnavailableError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *UnavailableError) Error() string {
	return withMsg(fmt.Sprintf("unavailable: %d of %d required replicas alive at %s", e.Alive, e.Required, e.Consistency), e.Msg)
}

func (e *UnavailableError) decodeBody(r *Reader, _ Version) {
	e.Consistency = r.Consistency("consistency")
	e.Required = r.Int("required")
	e.Alive = r.Int("alive")
}

func (e *UnavailableError) encodeBody(w *rspEnc, _ Version) {
	w.putShort(e.Consistency.Wire())
	w.putInt(e.Required)
	w.putInt(e.Alive)
}

// OverloadedError is code 0x1001: the coordinator is overloaded.
type OverloadedError struct {
	msgOnly
	Msg string
}

// Code returns CodeOverloaded.
func (*OverloadedError) Code() ErrorCode { return CodeOverloaded }

// Message returns the server's message.
func (e *OverloadedError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *OverloadedError) Error() string { return withMsg("coordinator overloaded", e.Msg) }

// BootstrappingError is code 0x1002: the coordinator is bootstrapping and
// cannot serve the read.
type BootstrappingError struct {
	msgOnly
	Msg string
}

// Code returns CodeIsBootstrapping.
func (*BootstrappingError) Code() ErrorCode { return CodeIsBootstrapping }

// Message returns the server's message.
func (e *BootstrappingError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *BootstrappingError) Error() string {
	return withMsg("coordinator is bootstrapping", e.Msg)
}

// TruncateError is code 0x1003: a TRUNCATE failed.
type TruncateError struct {
	msgOnly
	Msg string
}

// Code returns CodeTruncateError.
func (*TruncateError) Code() ErrorCode { return CodeTruncateError }

// Message returns the server's message.
func (e *TruncateError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *TruncateError) Error() string { return withMsg("truncate failed", e.Msg) }

// WriteTimeoutError is code 0x1100: replicas did not acknowledge a write in
// time.
type WriteTimeoutError struct {
	Msg         string
	Consistency Consistency
	Received    int32  // replicas that acknowledged
	BlockFor    int32  // acknowledgements needed for Consistency
	WriteType   string // SIMPLE, BATCH, UNLOGGED_BATCH, COUNTER, BATCH_LOG, CAS, VIEW, CDC
	// Contentions is the number of contentions met by a CAS write; it is
	// on the wire only in v5 and only when WriteType is "CAS".
	Contentions uint16
}

// Code returns CodeWriteTimeout.
func (*WriteTimeoutError) Code() ErrorCode { return CodeWriteTimeout }

// Message returns the server's message.
func (e *WriteTimeoutError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *WriteTimeoutError) Error() string {
	d := fmt.Sprintf("write timeout: %d of %d replicas acknowledged the %s write at %s", e.Received, e.BlockFor, e.WriteType, e.Consistency)
	if e.WriteType == "CAS" && e.Contentions > 0 {
		d += fmt.Sprintf(" after %d contentions", e.Contentions)
	}
	return withMsg(d, e.Msg)
}

func (e *WriteTimeoutError) hasContentions(v Version) bool { return v >= V5 && e.WriteType == "CAS" }

func (e *WriteTimeoutError) decodeBody(r *Reader, v Version) {
	e.Consistency = r.Consistency("consistency")
	e.Received = r.Int("received")
	e.BlockFor = r.Int("blockfor")
	e.WriteType = r.String("write type")
	if e.hasContentions(v) {
		e.Contentions = r.Short("contentions")
	}
}

func (e *WriteTimeoutError) encodeBody(w *rspEnc, v Version) {
	w.putShort(e.Consistency.Wire())
	w.putInt(e.Received)
	w.putInt(e.BlockFor)
	w.putString("write type", e.WriteType)
	if e.hasContentions(v) {
		w.putShort(e.Contentions)
	}
}

// ReadTimeoutError is code 0x1200: replicas did not answer a read in time.
type ReadTimeoutError struct {
	Msg         string
	Consistency Consistency
	Received    int32 // replicas that answered
	BlockFor    int32 // answers needed for Consistency
	DataPresent bool  // whether the replica asked for data answered
}

// Code returns CodeReadTimeout.
func (*ReadTimeoutError) Code() ErrorCode { return CodeReadTimeout }

// Message returns the server's message.
func (e *ReadTimeoutError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *ReadTimeoutError) Error() string {
	return withMsg(fmt.Sprintf("read timeout: %d of %d replicas responded at %s (%s)", e.Received, e.BlockFor, e.Consistency, dataPresent(e.DataPresent)), e.Msg)
}

func dataPresent(ok bool) string {
	if ok {
		return "data received"
	}
	return "data replica did not respond"
}

func (e *ReadTimeoutError) decodeBody(r *Reader, _ Version) {
	e.Consistency = r.Consistency("consistency")
	e.Received = r.Int("received")
	e.BlockFor = r.Int("blockfor")
	e.DataPresent = r.Byte("data present") != 0
}

func (e *ReadTimeoutError) encodeBody(w *rspEnc, _ Version) {
	w.putShort(e.Consistency.Wire())
	w.putInt(e.Received)
	w.putInt(e.BlockFor)
	w.putByte(boolByte(e.DataPresent))
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// ReadFailureError is code 0x1300: replicas failed a read with something
// other than a timeout.
type ReadFailureError struct {
	Msg         string
	Consistency Consistency
	Received    int32
	BlockFor    int32
	// NumFailures is the number of replicas that failed: <numfailures> in
	// v3 and v4, len(Reasons) once decoded from v5.
	NumFailures int32
	// Reasons maps each failed replica to its failure reason code (v5).
	Reasons     map[netip.Addr]uint16
	DataPresent bool
}

// Code returns CodeReadFailure.
func (*ReadFailureError) Code() ErrorCode { return CodeReadFailure }

// Message returns the server's message.
func (e *ReadFailureError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *ReadFailureError) Error() string {
	return withMsg(fmt.Sprintf("read failure: %d replicas failed, %d of %d responded at %s (%s)%s",
		e.NumFailures, e.Received, e.BlockFor, e.Consistency, dataPresent(e.DataPresent), reasonsString(e.Reasons)), e.Msg)
}

func (e *ReadFailureError) decodeBody(r *Reader, v Version) {
	e.Consistency = r.Consistency("consistency")
	e.Received = r.Int("received")
	e.BlockFor = r.Int("blockfor")
	e.NumFailures, e.Reasons = readFailures(r, v)
	e.DataPresent = r.Byte("data present") != 0
}

func (e *ReadFailureError) encodeBody(w *rspEnc, v Version) {
	w.putShort(e.Consistency.Wire())
	w.putInt(e.Received)
	w.putInt(e.BlockFor)
	putFailures(w, v, e.NumFailures, e.Reasons)
	w.putByte(boolByte(e.DataPresent))
}

// readFailures reads <numfailures> (v3, v4) or the <reasonmap> (v5).
func readFailures(r *Reader, v Version) (int32, map[netip.Addr]uint16) {
	if v < V5 {
		return r.Int("numfailures"), nil
	}
	// Each entry is at least a 4-byte address with its size byte and a
	// [short] code.
	n := r.Count("reasonmap", false, 7)
	if n == 0 {
		return 0, nil
	}
	m := make(map[netip.Addr]uint16, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		a := r.InetAddr("reasonmap endpoint")
		m[a] = r.Short("reasonmap failure code")
	}
	return int32(len(m)), m
}

// putFailures writes <numfailures> (n, at least len(reasons)) before
// v5 and the reason map, sorted by address, from v5.
func putFailures(w *rspEnc, v Version, n int32, reasons map[netip.Addr]uint16) {
	if v < V5 {
		if len(reasons) > 0 {
			n = max(n, int32(len(reasons)))
		}
		w.putInt(n)
		return
	}
	w.putCount("reasonmap", len(reasons), false)
	for _, a := range sortedAddrs(reasons) {
		w.putInetAddr("reasonmap endpoint", a)
		w.putShort(reasons[a])
	}
}

func sortedAddrs(m map[netip.Addr]uint16) []netip.Addr {
	keys := make([]netip.Addr, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, netip.Addr.Compare)
	return keys
}

func reasonsString(m map[netip.Addr]uint16) string {
	if len(m) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(" [")
	for i, a := range sortedAddrs(m) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: reason 0x%04x", a, m[a])
	}
	b.WriteString("]")
	return b.String()
}

// FunctionFailureError is code 0x1400: a user-defined function failed.
type FunctionFailureError struct {
	Msg      string
	Keyspace string
	Function string
	ArgTypes []string // CQL types of the arguments
}

// Code returns CodeFunctionFailure.
func (*FunctionFailureError) Code() ErrorCode { return CodeFunctionFailure }

// Message returns the server's message.
func (e *FunctionFailureError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *FunctionFailureError) Error() string {
	return withMsg(fmt.Sprintf("function %s.%s(%s) failed", e.Keyspace, e.Function, strings.Join(e.ArgTypes, ", ")), e.Msg)
}

func (e *FunctionFailureError) decodeBody(r *Reader, _ Version) {
	e.Keyspace = r.String("keyspace")
	e.Function = r.String("function")
	e.ArgTypes = r.StringList("arg types")
}

func (e *FunctionFailureError) encodeBody(w *rspEnc, _ Version) {
	w.putString("keyspace", e.Keyspace)
	w.putString("function", e.Function)
	w.putStringList("arg types", e.ArgTypes)
}

// WriteFailureError is code 0x1500: replicas failed a write with something
// other than a timeout.
type WriteFailureError struct {
	Msg         string
	Consistency Consistency
	Received    int32
	BlockFor    int32
	// NumFailures is the number of replicas that failed: <numfailures> in
	// v3 and v4, len(Reasons) once decoded from v5.
	NumFailures int32
	// Reasons maps each failed replica to its failure reason code (v5).
	Reasons   map[netip.Addr]uint16
	WriteType string
}

// Code returns CodeWriteFailure.
func (*WriteFailureError) Code() ErrorCode { return CodeWriteFailure }

// Message returns the server's message.
func (e *WriteFailureError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *WriteFailureError) Error() string {
	return withMsg(fmt.Sprintf("write failure: %d replicas failed the %s write, %d of %d acknowledged at %s%s",
		e.NumFailures, e.WriteType, e.Received, e.BlockFor, e.Consistency, reasonsString(e.Reasons)), e.Msg)
}

func (e *WriteFailureError) decodeBody(r *Reader, v Version) {
	e.Consistency = r.Consistency("consistency")
	e.Received = r.Int("received")
	e.BlockFor = r.Int("blockfor")
	e.NumFailures, e.Reasons = readFailures(r, v)
	e.WriteType = r.String("write type")
}

func (e *WriteFailureError) encodeBody(w *rspEnc, v Version) {
	w.putShort(e.Consistency.Wire())
	w.putInt(e.Received)
	w.putInt(e.BlockFor)
	putFailures(w, v, e.NumFailures, e.Reasons)
	w.putString("write type", e.WriteType)
}

// CDCWriteFailureError is code 0x1600: a write to a CDC-tracked table was
// refused, typically because the CDC space is full.
type CDCWriteFailureError struct {
	msgOnly
	Msg string
}

// Code returns CodeCDCWriteFailure.
func (*CDCWriteFailureError) Code() ErrorCode { return CodeCDCWriteFailure }

// Message returns the server's message.
func (e *CDCWriteFailureError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *CDCWriteFailureError) Error() string { return withMsg("CDC write failure", e.Msg) }

// CASWriteUnknownError is code 0x1700: a contended CAS write was only
// partially completed and may or may not be applied.
type CASWriteUnknownError struct {
	Msg         string
	Consistency Consistency
	Received    int32
	BlockFor    int32
}

// Code returns CodeCASWriteUnknown.
func (*CASWriteUnknownError) Code() ErrorCode { return CodeCASWriteUnknown }

// Message returns the server's message.
func (e *CASWriteUnknownError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *CASWriteUnknownError) Error() string {
	return withMsg(fmt.Sprintf("CAS write outcome unknown: %d of %d replicas acknowledged at %s", e.Received, e.BlockFor, e.Consistency), e.Msg)
}

func (e *CASWriteUnknownError) decodeBody(r *Reader, _ Version) {
	e.Consistency = r.Consistency("consistency")
	e.Received = r.Int("received")
	e.BlockFor = r.Int("blockfor")
}

func (e *CASWriteUnknownError) encodeBody(w *rspEnc, _ Version) {
	w.putShort(e.Consistency.Wire())
	w.putInt(e.Received)
	w.putInt(e.BlockFor)
}

// SyntaxError is code 0x2000: the query has a syntax error.
type SyntaxError struct {
	msgOnly
	Msg string
}

// Code returns CodeSyntaxError.
func (*SyntaxError) Code() ErrorCode { return CodeSyntaxError }

// Message returns the server's message.
func (e *SyntaxError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *SyntaxError) Error() string { return withMsg("syntax error", e.Msg) }

// UnauthorizedError is code 0x2100: the user lacks a permission the query
// needs.
type UnauthorizedError struct {
	msgOnly
	Msg string
}

// Code returns CodeUnauthorized.
func (*UnauthorizedError) Code() ErrorCode { return CodeUnauthorized }

// Message returns the server's message.
func (e *UnauthorizedError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *UnauthorizedError) Error() string { return withMsg("unauthorized", e.Msg) }

// InvalidError is code 0x2200: the query is syntactically correct but
// invalid.
type InvalidError struct {
	msgOnly
	Msg string
}

// Code returns CodeInvalid.
func (*InvalidError) Code() ErrorCode { return CodeInvalid }

// Message returns the server's message.
func (e *InvalidError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *InvalidError) Error() string { return withMsg("invalid query", e.Msg) }

// ConfigError is code 0x2300: the query is invalid because of the
// configuration.
type ConfigError struct {
	msgOnly
	Msg string
}

// Code returns CodeConfigError.
func (*ConfigError) Code() ErrorCode { return CodeConfigError }

// Message returns the server's message.
func (e *ConfigError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *ConfigError) Error() string { return withMsg("configuration error", e.Msg) }

// AlreadyExistsError is code 0x2400: a CREATE named a keyspace or table
// that exists. Table is empty for a keyspace.
type AlreadyExistsError struct {
	Msg      string
	Keyspace string
	Table    string
}

// Code returns CodeAlreadyExists.
func (*AlreadyExistsError) Code() ErrorCode { return CodeAlreadyExists }

// Message returns the server's message.
func (e *AlreadyExistsError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *AlreadyExistsError) Error() string {
	if e.Table == "" {
		return withMsg(fmt.Sprintf("keyspace %s already exists", e.Keyspace), e.Msg)
	}
	return withMsg(fmt.Sprintf("table %s.%s already exists", e.Keyspace, e.Table), e.Msg)
}

func (e *AlreadyExistsError) decodeBody(r *Reader, _ Version) {
	e.Keyspace = r.String("keyspace")
	e.Table = r.String("table")
}

func (e *AlreadyExistsError) encodeBody(w *rspEnc, _ Version) {
	w.putString("keyspace", e.Keyspace)
	w.putString("table", e.Table)
}

// UnpreparedError is code 0x2500: the node does not know the prepared
// statement ID; the driver prepares it again and retries.
type UnpreparedError struct {
	Msg string
	ID  []byte // the unknown statement ID, copied out of the frame
}

// Code returns CodeUnprepared.
func (*UnpreparedError) Code() ErrorCode { return CodeUnprepared }

// Message returns the server's message.
func (e *UnpreparedError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *UnpreparedError) Error() string {
	return withMsg(fmt.Sprintf("statement %x is not prepared on this node", e.ID), e.Msg)
}

func (e *UnpreparedError) decodeBody(r *Reader, _ Version) {
	e.ID = cloneBytes(r.ShortBytes("id"))
}

func (e *UnpreparedError) encodeBody(w *rspEnc, _ Version) { w.putShortBytes("id", e.ID) }

// UnknownServerError is an error whose code this package does not know.
// Rest holds the body after the message, uninterpreted.
type UnknownServerError struct {
	ErrorCode ErrorCode
	Msg       string
	Rest      []byte
}

// Code returns the code as sent.
func (e *UnknownServerError) Code() ErrorCode { return e.ErrorCode }

// Message returns the server's message.
func (e *UnknownServerError) Message() string { return e.Msg }

// Error describes the error for a user.
func (e *UnknownServerError) Error() string {
	return withMsg(fmt.Sprintf("server error code 0x%04x", uint32(e.ErrorCode)), e.Msg)
}

func (e *UnknownServerError) decodeBody(r *Reader, _ Version) {
	if r.Len() > 0 {
		e.Rest = cloneBytes(r.Raw(r.Len(), "rest"))
	}
}

func (e *UnknownServerError) encodeBody(w *rspEnc, _ Version) { w.b = append(w.b, e.Rest...) }
