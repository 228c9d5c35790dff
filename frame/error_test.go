package frame

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestErrorGolden(t *testing.T) {
	newMsg := func() Message { return &ErrorResponse{} }
	v34 := []Version{V3, V4}
	var cases []rspCase
	add := func(vs []Version, name string, err ServerError, body string) {
		cases = append(cases, rspForVersions(vs, name, &ErrorResponse{Err: err}, rspHex(body))...)
	}
	msgOnly := []struct {
		name string
		code string
		err  ServerError
	}{
		{"server_error", "00000000", &InternalError{Msg: "msg"}},
		{"protocol_error", "0000000a", &ProtocolError{Msg: "msg"}},
		{"bad_credentials", "00000100", &BadCredentialsError{Msg: "msg"}},
		{"overloaded", "00001001", &OverloadedError{Msg: "msg"}},
		{"is_bootstrapping", "00001002", &BootstrappingError{Msg: "msg"}},
		{"truncate_error", "00001003", &TruncateError{Msg: "msg"}},
		{"cdc_write_failure", "00001600", &CDCWriteFailureError{Msg: "msg"}},
		{"syntax_error", "00002000", &SyntaxError{Msg: "msg"}},
		{"unauthorized", "00002100", &UnauthorizedError{Msg: "msg"}},
		{"invalid", "00002200", &InvalidError{Msg: "msg"}},
		{"config_error", "00002300", &ConfigError{Msg: "msg"}},
	}
	for _, m := range msgOnly {
		add(rspVersions, m.name, m.err, m.code+` // code
			0003 "msg" // message [string]`)
	}
	add(rspVersions, "unavailable", &UnavailableError{Msg: "msg", Consistency: Quorum, Required: 3, Alive: 1}, `
		00001000   // code: UNAVAILABLE
		0003 "msg" // message
		0004       // consistency: QUORUM
		00000003   // required
		00000001   // alive
	`)
	add(rspVersions, "write_timeout_simple", &WriteTimeoutError{Msg: "msg", Consistency: LocalQuorum, Received: 1, BlockFor: 2, WriteType: "SIMPLE"}, `
		00001100        // code: WRITE_TIMEOUT
		0003 "msg"      // message
		0006            // consistency: LOCAL_QUORUM
		00000001        // received
		00000002        // blockfor
		0006 "SIMPLE"   // writeType
	`)
	add(v34, "write_timeout_cas_without_contentions", &WriteTimeoutError{Msg: "msg", Consistency: Serial, Received: 0, BlockFor: 2, WriteType: "CAS"}, `
		00001100   // code: WRITE_TIMEOUT
		0003 "msg" // message
		0008       // consistency: SERIAL
		00000000   // received
		00000002   // blockfor
		0003 "CAS" // writeType (no <contentions> before v5)
	`)
	add([]Version{V5}, "write_timeout_cas_with_contentions", &WriteTimeoutError{Msg: "msg", Consistency: Serial, Received: 0, BlockFor: 2, WriteType: "CAS", Contentions: 5}, `
		00001100   // code: WRITE_TIMEOUT
		0003 "msg" // message
		0008       // consistency: SERIAL
		00000000   // received
		00000002   // blockfor
		0003 "CAS" // writeType
		0005       // contentions [short], v5 and CAS only
	`)
	add(rspVersions, "read_timeout", &ReadTimeoutError{Msg: "msg", Consistency: One, Received: 0, BlockFor: 1}, `
		00001200   // code: READ_TIMEOUT
		0003 "msg" // message
		0001       // consistency: ONE
		00000000   // received
		00000001   // blockfor
		00         // data_present: false
	`)
	add(v34, "read_failure_numfailures", &ReadFailureError{Msg: "msg", Consistency: Quorum, Received: 1, BlockFor: 2, NumFailures: 1, DataPresent: true}, `
		00001300   // code: READ_FAILURE
		0003 "msg" // message
		0004       // consistency: QUORUM
		00000001   // received
		00000002   // blockfor
		00000001   // numfailures [int] (v3, v4)
		01         // data_present: true
	`)
	reasons := map[netip.Addr]uint16{
		netip.MustParseAddr("10.0.0.1"):    0x0000,
		netip.MustParseAddr("2001:db8::1"): 0x0001,
	}
	add([]Version{V5}, "read_failure_reasonmap", &ReadFailureError{Msg: "msg", Consistency: Quorum, Received: 1, BlockFor: 3, NumFailures: 2, Reasons: reasons, DataPresent: true}, `
		00001300   // code: READ_FAILURE
		0003 "msg" // message
		0004       // consistency: QUORUM
		00000001   // received
		00000003   // blockfor
		00000002   // reasonmap: 2 entries, sorted by address
		04 0a000001 0000                          // 10.0.0.1: UNKNOWN
		10 20010db8000000000000000000000001 0001  // 2001:db8::1: READ_TOO_MANY_TOMBSTONES
		01         // data_present: true
	`)
	add(v34, "function_failure", &FunctionFailureError{Msg: "msg", Keyspace: "ks", Function: "fv", ArgTypes: []string{"int", "text"}}, `
		00001400   // code: FUNCTION_FAILURE
		0003 "msg" // message
		0002 "ks"  // keyspace
		0002 "fv"  // function
		0002 0003 "int" 0004 "text" // arg_types [string list]
	`)
	add([]Version{V5}, "function_failure", &FunctionFailureError{Msg: "msg", Keyspace: "ks", Function: "f"}, `
		00001400   // code: FUNCTION_FAILURE
		0003 "msg" // message
		0002 "ks"  // keyspace
		0001 "f"   // function
		0000       // arg_types: none
	`)
	add(v34, "write_failure_numfailures", &WriteFailureError{Msg: "msg", Consistency: One, Received: 0, BlockFor: 1, NumFailures: 1, WriteType: "BATCH"}, `
		00001500     // code: WRITE_FAILURE
		0003 "msg"   // message
		0001         // consistency: ONE
		00000000     // received
		00000001     // blockfor
		00000001     // numfailures
		0005 "BATCH" // writeType
	`)
	add([]Version{V5}, "write_failure_reasonmap", &WriteFailureError{Msg: "msg", Consistency: One, Received: 0, BlockFor: 1, NumFailures: 1,
		Reasons: map[netip.Addr]uint16{netip.MustParseAddr("127.0.0.1"): 3}, WriteType: "BATCH"}, `
		00001500     // code: WRITE_FAILURE
		0003 "msg"   // message
		0001         // consistency: ONE
		00000000     // received
		00000001     // blockfor
		00000001     // reasonmap: 1 entry
		04 7f000001 0003 // 127.0.0.1: reason 3
		0005 "BATCH" // writeType
	`)
	add(rspVersions, "cas_write_unknown", &CASWriteUnknownError{Msg: "msg", Consistency: LocalSerial, Received: 0, BlockFor: 2}, `
		00001700   // code: CAS_WRITE_UNKNOWN
		0003 "msg" // message
		0009       // consistency: LOCAL_SERIAL
		00000000   // received
		00000002   // blockfor
	`)
	add(rspVersions, "already_exists_table", &AlreadyExistsError{Msg: "msg", Keyspace: "ks", Table: "t"}, `
		00002400   // code: ALREADY_EXISTS
		0003 "msg" // message
		0002 "ks"  // keyspace
		0001 "t"   // table
	`)
	add(rspVersions, "already_exists_keyspace", &AlreadyExistsError{Msg: "msg", Keyspace: "ks"}, `
		00002400   // code: ALREADY_EXISTS
		0003 "msg" // message
		0002 "ks"  // keyspace
		0000       // table: empty for a keyspace
	`)
	add(rspVersions, "unprepared", &UnpreparedError{Msg: "msg", ID: []byte{0xca, 0xfe, 0xba, 0xbe}}, `
		00002500      // code: UNPREPARED
		0003 "msg"    // message
		0004 cafebabe // id [short bytes]
	`)
	for _, v := range rspVersions {
		cases = append(cases, rspCase{name: "unknown_code_without_body", v: v, loose: true,
			msg: &ErrorResponse{Err: &UnknownServerError{ErrorCode: 0x7777, Msg: "msg"}},
			body: rspHex(`
				00007777   // code: not in the spec
				0003 "msg" // message
			`)})
		cases = append(cases, rspCase{name: "unknown_code_keeps_body", v: v, loose: true,
			msg: &ErrorResponse{Err: &UnknownServerError{ErrorCode: 0x7777, Msg: "msg", Rest: []byte{1, 2}}},
			body: rspHex(`
				00007777   // code: not in the spec
				0003 "msg" // message
				0102       // body, kept uninterpreted
			`)})
	}
	rspRunGolden(t, newMsg, cases)
}

func TestServerErrorsAreInspectable(t *testing.T) {
	body := rspHex(`00001000 0003 "msg" 0004 00000002 00000001`)
	se, err := DecodeServerError(body, V4)
	if err != nil {
		t.Fatal(err)
	}
	var wrapped error = &rspWrapErr{se}
	var ue *UnavailableError
	if !errors.As(wrapped, &ue) || ue.Required != 2 || ue.Alive != 1 {
		t.Fatalf("errors.As(*UnavailableError) failed on %v", wrapped)
	}
	var any ServerError
	if !errors.As(wrapped, &any) || any.Code() != CodeUnavailable || any.Message() != "msg" {
		t.Fatalf("errors.As(ServerError) = %v", any)
	}
	want := "cassandra: unavailable: 1 of 2 required replicas alive at QUORUM: msg"
	if se.Error() != want {
		t.Fatalf("Error() = %q, want %q", se.Error(), want)
	}
}

type rspWrapErr struct{ err error }

func (w *rspWrapErr) Error() string { return "attempt: " + w.err.Error() }
func (w *rspWrapErr) Unwrap() error { return w.err }

func TestServerErrorMessages(t *testing.T) {
	tests := []struct {
		err  ServerError
		want string
	}{
		{&WriteTimeoutError{Msg: "m", Consistency: Serial, Received: 1, BlockFor: 2, WriteType: "CAS", Contentions: 3},
			"cassandra: write timeout: 1 of 2 replicas acknowledged the CAS write at SERIAL after 3 contentions: m"},
		{&ReadTimeoutError{Consistency: One, BlockFor: 1}, "cassandra: read timeout: 0 of 1 replicas responded at ONE (data replica did not respond)"},
		{&ReadFailureError{Msg: "m", Consistency: Quorum, Received: 1, BlockFor: 2, NumFailures: 1, DataPresent: true,
			Reasons: map[netip.Addr]uint16{netip.MustParseAddr("10.0.0.1"): 1}},
			"cassandra: read failure: 1 replicas failed, 1 of 2 responded at QUORUM (data received) [10.0.0.1: reason 0x0001]: m"},
		{&FunctionFailureError{Keyspace: "ks", Function: "f", ArgTypes: []string{"int", "text"}, Msg: "m"}, "cassandra: function ks.f(int, text) failed: m"},
		{&AlreadyExistsError{Keyspace: "ks", Table: "t"}, "cassandra: table ks.t already exists"},
		{&AlreadyExistsError{Keyspace: "ks"}, "cassandra: keyspace ks already exists"},
		{&UnpreparedError{ID: []byte{0xab}, Msg: "m"}, "cassandra: statement ab is not prepared on this node: m"},
		{&UnknownServerError{ErrorCode: 0x7777, Msg: "m"}, "cassandra: server error code 0x7777: m"},
		{&BadCredentialsError{Msg: "bad"}, "cassandra: authentication failed: bad"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%T.Error() =\n %q\nwant %q", tt.err, got, tt.want)
		}
	}
}

func TestErrorCodeNames(t *testing.T) {
	codes := []ErrorCode{CodeServerError, CodeProtocolError, CodeBadCredentials, CodeUnavailable, CodeOverloaded,
		CodeIsBootstrapping, CodeTruncateError, CodeWriteTimeout, CodeReadTimeout, CodeReadFailure, CodeFunctionFailure,
		CodeWriteFailure, CodeCDCWriteFailure, CodeCASWriteUnknown, CodeSyntaxError, CodeUnauthorized, CodeInvalid,
		CodeConfigError, CodeAlreadyExists, CodeUnprepared}
	for _, c := range codes {
		se := newServerError(c, "")
		if se.Code() != c {
			t.Errorf("newServerError(%s).Code() = %s", c, se.Code())
		}
		if strings.HasPrefix(c.String(), "ERROR_CODE") {
			t.Errorf("code 0x%04x has no name", int32(c))
		}
		if _, ok := se.(*UnknownServerError); ok {
			t.Errorf("code %s decodes as unknown", c)
		}
	}
	if got := ErrorCode(0x7777).String(); got != "ERROR_CODE(0x7777)" {
		t.Errorf("unknown code String() = %q", got)
	}
}

func TestErrorDecodeRejectsHostileReasonMap(t *testing.T) {
	body := rspHex(`
		00001300 0003 "msg" 0004 00000001 00000002
		7fffffff // reasonmap count far beyond the bytes left
		04 0a000001 0000 01`)
	var m ErrorResponse
	if err := m.Decode(body, V5); !errors.Is(err, ErrTruncated) {
		t.Fatalf("got %v, want ErrTruncated", err)
	}
	if n := rspAllocBytes(func() { _ = m.Decode(body, V5) }); n > 1024 {
		t.Fatalf("hostile count allocated %d bytes", n)
	}
}

func TestErrorDecodeRejectsBadInput(t *testing.T) {
	var m ErrorResponse
	if err := m.Decode(rspHex(`00001000 0003 "msg" 0004 00000002 00000001`), Version(2)); err == nil {
		t.Fatal("version 2 accepted")
	}
	if err := m.Decode(rspHex(`00001300 0003 "msg" 0004 00000001 00000002 00000001 05 0a000001 0000 01`), V5); err == nil {
		t.Fatal("5-byte address accepted")
	}
}

func TestErrorEncodeAcrossVersions(t *testing.T) {
	// A v5 read failure sent to a v4 client degrades to the number of
	// failures, as a server does.
	e := &ReadFailureError{Msg: "m", Consistency: One, BlockFor: 1, Reasons: map[netip.Addr]uint16{netip.MustParseAddr("10.0.0.1"): 1}}
	b, err := (&ErrorResponse{Err: e}).Encode(nil, V4)
	if err != nil {
		t.Fatal(err)
	}
	var m ErrorResponse
	if err := m.Decode(b, V4); err != nil {
		t.Fatal(err)
	}
	if got := m.Err.(*ReadFailureError); got.NumFailures != 1 || got.Reasons != nil {
		t.Fatalf("v4 decode = %+v", got)
	}
	if _, err := (&ErrorResponse{}).Encode(nil, V4); err == nil {
		t.Fatal("nil error encoded")
	}
	bad := &ReadFailureError{Reasons: map[netip.Addr]uint16{{}: 1}}
	if _, err := (&ErrorResponse{Err: bad}).Encode(nil, V5); err == nil {
		t.Fatal("invalid address encoded")
	}
}
