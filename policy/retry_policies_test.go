package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cqlgo/cassandra/frame"
)

// What DefaultRetry does, as the def column below pins it (its code is
// in retry.go): it retries a read timeout on the same host once when
// enough replicas answered without the data, and a BATCH_LOG write
// timeout on the same host once, idempotent or not (the batch log is
// replayed by the coordinator anyway); an unavailable error on the next
// host, idempotent or not (nothing was applied), if it is the request's
// first next-host retry; overloaded, bootstrapping, server and truncate
// errors and client-side failures on the next host, up to 3 next-host
// retries in all, only for idempotent statements; it rethrows everything
// else. Its budgets are shared by all error kinds, it never changes the
// consistency, and it ignores Failure.MaybeSent: a non-idempotent
// statement is never retried after a client-side failure.
//
// retryKinds is every kind of failure the driver hands to a retry
// policy, with the decisions of DefaultRetry and DowngradingConsistencyRetry
// for four successive failures of that kind in one request, for a
// non-idempotent ([0]) and an idempotent ([1]) statement. A decision is
// written "same", "next", "rethrow" or "ignore", with "@LEVEL" when the
// consistency changes. FallthroughRetry rethrows all of them.
var retryKinds = []struct {
	name       string
	err        error
	clientSide bool
	maybeSent  bool
	def        [2]string
	down       [2]string
}{
	// Read timeouts.
	{name: "read_timeout_enough_replicas_no_data",
		err: &frame.ReadTimeoutError{Consistency: frame.Quorum, Received: 2, BlockFor: 2},
		def: retryBoth("same rethrow rethrow rethrow"), down: retryBoth("same rethrow rethrow rethrow")},
	{name: "read_timeout_enough_replicas_data_present",
		err: &frame.ReadTimeoutError{Consistency: frame.Quorum, Received: 2, BlockFor: 2, DataPresent: true},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "read_timeout_four_of_five_answered",
		err: &frame.ReadTimeoutError{Consistency: frame.All, Received: 4, BlockFor: 5},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("same@THREE rethrow rethrow rethrow")},
	{name: "read_timeout_two_of_three_answered",
		err: &frame.ReadTimeoutError{Consistency: frame.All, Received: 2, BlockFor: 3, DataPresent: true},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("same@TWO rethrow rethrow rethrow")},
	{name: "read_timeout_one_of_two_answered",
		err: &frame.ReadTimeoutError{Consistency: frame.Quorum, Received: 1, BlockFor: 2},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("same@ONE rethrow rethrow rethrow")},
	{name: "read_timeout_none_answered",
		err: &frame.ReadTimeoutError{Consistency: frame.One, Received: 0, BlockFor: 1},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "read_timeout_each_quorum_none_answered",
		err: &frame.ReadTimeoutError{Consistency: frame.EachQuorum, Received: 0, BlockFor: 2},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("same@ONE rethrow rethrow rethrow")},
	{name: "read_timeout_serial_too_few_answered",
		err: &frame.ReadTimeoutError{Consistency: frame.Serial, Received: 1, BlockFor: 2},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "read_timeout_local_serial_enough_no_data",
		err: &frame.ReadTimeoutError{Consistency: frame.LocalSerial, Received: 2, BlockFor: 2},
		def: retryBoth("same rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},

	// Write timeouts.
	{name: "write_timeout_simple_acknowledged_by_one",
		err: &frame.WriteTimeoutError{Consistency: frame.Quorum, Received: 1, BlockFor: 2, WriteType: "SIMPLE"},
		def: [2]string{"rethrow rethrow rethrow rethrow", "next next next rethrow"}, down: [2]string{"rethrow rethrow rethrow rethrow", "ignore ignore ignore ignore"}},
	{name: "write_timeout_simple_acknowledged_by_none",
		err: &frame.WriteTimeoutError{Consistency: frame.Quorum, Received: 0, BlockFor: 2, WriteType: "SIMPLE"},
		def: [2]string{"rethrow rethrow rethrow rethrow", "next next next rethrow"}, down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "write_timeout_logged_batch_acknowledged_by_one",
		err: &frame.WriteTimeoutError{Consistency: frame.Quorum, Received: 1, BlockFor: 2, WriteType: "BATCH"},
		def: [2]string{"rethrow rethrow rethrow rethrow", "next next next rethrow"}, down: [2]string{"rethrow rethrow rethrow rethrow", "ignore ignore ignore ignore"}},
	{name: "write_timeout_unlogged_batch_acknowledged_by_two",
		err: &frame.WriteTimeoutError{Consistency: frame.All, Received: 2, BlockFor: 3, WriteType: "UNLOGGED_BATCH"},
		def: [2]string{"rethrow rethrow rethrow rethrow", "next next next rethrow"}, down: [2]string{"rethrow rethrow rethrow rethrow", "same@TWO rethrow rethrow rethrow"}},
	{name: "write_timeout_unlogged_batch_acknowledged_by_none",
		err: &frame.WriteTimeoutError{Consistency: frame.Quorum, Received: 0, BlockFor: 2, WriteType: "UNLOGGED_BATCH"},
		def: [2]string{"rethrow rethrow rethrow rethrow", "next next next rethrow"}, down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "write_timeout_batch_log",
		err: &frame.WriteTimeoutError{Consistency: frame.Quorum, Received: 0, BlockFor: 2, WriteType: "BATCH_LOG"},
		def: retryBoth("same rethrow rethrow rethrow"), down: [2]string{"rethrow rethrow rethrow rethrow", "same rethrow rethrow rethrow"}},
	{name: "write_timeout_counter",
		err: &frame.WriteTimeoutError{Consistency: frame.Quorum, Received: 1, BlockFor: 2, WriteType: "COUNTER"},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "write_timeout_cas",
		err: &frame.WriteTimeoutError{Consistency: frame.Serial, Received: 1, BlockFor: 2, WriteType: "CAS"},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},

	// Unavailable.
	{name: "unavailable_three_of_five_alive",
		err: &frame.UnavailableError{Consistency: frame.All, Required: 5, Alive: 3},
		def: retryBoth("next rethrow rethrow rethrow"), down: retryBoth("same@THREE rethrow rethrow rethrow")},
	{name: "unavailable_two_of_three_alive",
		err: &frame.UnavailableError{Consistency: frame.All, Required: 3, Alive: 2},
		def: retryBoth("next rethrow rethrow rethrow"), down: retryBoth("same@TWO rethrow rethrow rethrow")},
	{name: "unavailable_one_of_two_alive",
		err: &frame.UnavailableError{Consistency: frame.LocalQuorum, Required: 2, Alive: 1},
		def: retryBoth("next rethrow rethrow rethrow"), down: retryBoth("same@ONE rethrow rethrow rethrow")},
	{name: "unavailable_none_alive",
		err: &frame.UnavailableError{Consistency: frame.One, Required: 1, Alive: 0},
		def: retryBoth("next rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "unavailable_each_quorum_none_alive",
		err: &frame.UnavailableError{Consistency: frame.EachQuorum, Required: 2, Alive: 0},
		def: retryBoth("next rethrow rethrow rethrow"), down: retryBoth("same@ONE rethrow rethrow rethrow")},
	{name: "unavailable_serial",
		err: &frame.UnavailableError{Consistency: frame.Serial, Required: 2, Alive: 1},
		def: retryBoth("next rethrow rethrow rethrow"), down: retryBoth("next rethrow rethrow rethrow")},

	// Other server errors.
	{name: "overloaded", err: &frame.OverloadedError{},
		def: retryIdem("next next next rethrow"), down: retryIdem("next next next rethrow")},
	{name: "bootstrapping", err: &frame.BootstrappingError{},
		def: retryIdem("next next next rethrow"), down: retryBoth("next next next rethrow")},
	{name: "server_error", err: &frame.InternalError{},
		def: retryIdem("next next next rethrow"), down: retryIdem("next next next rethrow")},
	{name: "truncate_error", err: &frame.TruncateError{},
		def: retryIdem("next next next rethrow"), down: retryIdem("next next next rethrow")},
	{name: "cas_write_unknown", err: &frame.CASWriteUnknownError{Consistency: frame.Serial},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryIdem("next next next rethrow")},
	{name: "cdc_write_failure", err: &frame.CDCWriteFailureError{},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryIdem("next next next rethrow")},
	{name: "unknown_server_error", err: &frame.UnknownServerError{ErrorCode: 0x7777},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryIdem("next next next rethrow")},
	{name: "read_failure", err: &frame.ReadFailureError{Received: 1, BlockFor: 2, NumFailures: 1},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "write_failure", err: &frame.WriteFailureError{Received: 1, BlockFor: 2, NumFailures: 1, WriteType: "SIMPLE"},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "syntax_error", err: &frame.SyntaxError{},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "invalid", err: &frame.InvalidError{},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "unauthorized", err: &frame.UnauthorizedError{},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "config_error", err: &frame.ConfigError{},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "already_exists", err: &frame.AlreadyExistsError{Keyspace: "ks"},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "function_failure", err: &frame.FunctionFailureError{},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "protocol_error", err: &frame.ProtocolError{},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "bad_credentials", err: &frame.BadCredentialsError{},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "unprepared", err: &frame.UnpreparedError{ID: []byte{1}},
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
	{name: "wrapped_overloaded_is_recognised", err: fmt.Errorf("attempt 1: %w", &frame.OverloadedError{}),
		def: retryIdem("next next next rethrow"), down: retryIdem("next next next rethrow")},

	// Client-side failures.
	{name: "client_side_request_maybe_sent", err: fmt.Errorf("connection lost: %w", errors.New("EOF")),
		clientSide: true, maybeSent: true,
		def: retryIdem("next next next rethrow"), down: retryIdem("next next next rethrow")},
	{name: "client_side_attempt_timeout_maybe_sent", err: context.DeadlineExceeded,
		clientSide: true, maybeSent: true,
		def: retryIdem("next next next rethrow"), down: retryIdem("next next next rethrow")},
	{name: "client_side_request_not_sent", err: errors.New("no stream id"),
		clientSide: true, maybeSent: false,
		def: retryIdem("next next next rethrow"), down: retryIdem("next next next rethrow")},

	// Neither a server error nor marked client side.
	{name: "other_error", err: errors.New("something else"),
		def: retryBoth("rethrow rethrow rethrow rethrow"), down: retryBoth("rethrow rethrow rethrow rethrow")},
}

// retryBoth: the same decisions whether or not the statement is idempotent.
func retryBoth(s string) [2]string { return [2]string{s, s} }

// retryIdem: rethrow for a non-idempotent statement, s for an idempotent one.
func retryIdem(s string) [2]string { return [2]string{"rethrow rethrow rethrow rethrow", s} }

func decisionString(d Decision) string {
	s := map[DecisionKind]string{RetrySameHost: "same", RetryNextHost: "next", Rethrow: "rethrow", Ignore: "ignore"}[d.Kind]
	if d.Consistency != 0 {
		s += "@" + d.Consistency.String()
	}
	return s
}

// runRetry feeds one session successive failures like f and returns its
// decisions.
func runRetry(p RetryPolicy, f Failure, n int) string {
	s := p.NewSession()
	out := make([]string, n)
	for i := range out {
		f.Attempt = i + 1
		out[i] = decisionString(s.OnFailure(&f))
	}
	return strings.Join(out, " ")
}

func TestRetryPolicyTables(t *testing.T) {
	policies := []struct {
		name string
		p    RetryPolicy
		want func(i, idem int) string
	}{
		{"default", DefaultRetry(), func(i, idem int) string { return retryKinds[i].def[idem] }},
		{"downgrading", DowngradingConsistencyRetry(), func(i, idem int) string { return retryKinds[i].down[idem] }},
		{"fallthrough", FallthroughRetry(), func(int, int) string { return "rethrow rethrow rethrow rethrow" }},
	}
	for _, pol := range policies {
		for i, k := range retryKinds {
			for idem, idemName := range []string{"not_idempotent", "idempotent"} {
				t.Run(pol.name+"/"+k.name+"/"+idemName, func(t *testing.T) {
					f := Failure{Err: k.err, ClientSide: k.clientSide, MaybeSent: k.maybeSent, Idempotent: idem == 1}
					if got, want := runRetry(pol.p, f, 4), pol.want(i, idem); got != want {
						t.Errorf("decisions %q, want %q", got, want)
					}
				})
			}
		}
	}
}

func TestRetryPolicyCountsAcrossErrorKinds(t *testing.T) {
	idemFailure := func(err error) *Failure { return &Failure{Err: err, Idempotent: true} }
	tests := []struct {
		name     string
		p        RetryPolicy
		failures []*Failure
		want     string
	}{
		{"downgrading_no_downgrade_after_a_next_host_retry", DowngradingConsistencyRetry(),
			[]*Failure{idemFailure(&frame.OverloadedError{}), idemFailure(&frame.ReadTimeoutError{Consistency: frame.Quorum, Received: 1, BlockFor: 2})},
			"next rethrow"},
		{"downgrading_no_second_downgrade", DowngradingConsistencyRetry(),
			[]*Failure{idemFailure(&frame.UnavailableError{Consistency: frame.Quorum, Required: 2, Alive: 1}), idemFailure(&frame.ReadTimeoutError{Consistency: frame.One, Received: 0, BlockFor: 1})},
			"same@ONE rethrow"},
		{"downgrading_bootstrapping_is_not_counted_as_a_retry", DowngradingConsistencyRetry(),
			[]*Failure{idemFailure(&frame.BootstrappingError{}), idemFailure(&frame.ReadTimeoutError{Consistency: frame.Quorum, Received: 1, BlockFor: 2})},
			"next same@ONE"},
		{"downgrading_next_host_bound_is_shared_by_all_kinds", DowngradingConsistencyRetry(),
			[]*Failure{idemFailure(&frame.BootstrappingError{}), idemFailure(&frame.OverloadedError{}), {Err: errors.New("EOF"), ClientSide: true, Idempotent: true}, idemFailure(&frame.BootstrappingError{})},
			"next next next rethrow"},
		{"downgrading_ignore_is_not_a_retry", DowngradingConsistencyRetry(),
			[]*Failure{idemFailure(&frame.WriteTimeoutError{Received: 1, BlockFor: 2, WriteType: "SIMPLE"}), idemFailure(&frame.WriteTimeoutError{Received: 1, WriteType: "BATCH_LOG"})},
			"ignore same"},
		{"default_unavailable_after_a_next_host_retry_rethrows", DefaultRetry(),
			[]*Failure{idemFailure(&frame.OverloadedError{}), idemFailure(&frame.UnavailableError{})},
			"next rethrow"},
		{"default_same_host_retry_is_shared_by_read_and_write_timeouts", DefaultRetry(),
			[]*Failure{idemFailure(&frame.ReadTimeoutError{Received: 2, BlockFor: 2}), idemFailure(&frame.WriteTimeoutError{WriteType: "BATCH_LOG"})},
			"same rethrow"},
		{"default_next_host_retries_after_a_same_host_retry", DefaultRetry(),
			[]*Failure{idemFailure(&frame.ReadTimeoutError{Received: 2, BlockFor: 2}), idemFailure(&frame.UnavailableError{})},
			"same next"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.p.NewSession()
			var got []string
			for i, f := range tc.failures {
				f.Attempt = i + 1
				got = append(got, decisionString(s.OnFailure(f)))
			}
			if g := strings.Join(got, " "); g != tc.want {
				t.Errorf("decisions %q, want %q", g, tc.want)
			}
		})
	}
}

// TestRetryPoliciesNeverRetryMaybeAppliedNonIdempotent pins the rule every
// policy of this package keeps: after a client-side failure, a
// non-idempotent statement is not tried again (nor reported a success),
// whatever the error and however many attempts came before. DefaultRetry
// keeps it because it retries client-side failures only when
// Failure.Idempotent is set.
func TestRetryPoliciesNeverRetryMaybeAppliedNonIdempotent(t *testing.T) {
	errs := []error{
		errors.New("EOF"), context.DeadlineExceeded, context.Canceled,
		fmt.Errorf("write: %w", &frame.OverloadedError{}), // a client-side error wrapping a server one
	}
	for _, p := range []struct {
		name string
		p    RetryPolicy
	}{{"default", DefaultRetry()}, {"downgrading", DowngradingConsistencyRetry()}, {"fallthrough", FallthroughRetry()}, {"never", NeverRetry()}} {
		for _, err := range errs {
			for _, sent := range []bool{true, false} {
				s := p.p.NewSession()
				for attempt := 1; attempt <= 5; attempt++ {
					d := s.OnFailure(&Failure{Err: err, ClientSide: true, MaybeSent: sent, Attempt: attempt})
					if d.Kind != Rethrow {
						t.Errorf("%s: %v (maybe sent %v), attempt %d: %v, want rethrow", p.name, err, sent, attempt, d.Kind)
					}
				}
			}
		}
	}
}

func TestDowngradingRetrySessionsArePerRequest(t *testing.T) {
	p := DowngradingConsistencyRetry()
	f := &Failure{Err: &frame.UnavailableError{Consistency: frame.Quorum, Required: 2, Alive: 1}}
	for i := 0; i < 2; i++ {
		if d := p.NewSession().OnFailure(f); d != (Decision{Kind: RetrySameHost, Consistency: frame.One}) {
			t.Fatalf("request %d: %+v, want a same-host retry at ONE", i+1, d)
		}
	}
}
