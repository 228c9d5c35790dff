package policy

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cqlgo/cassandra/frame"
)

func TestDefaultRetry(t *testing.T) {
	connLost := fmt.Errorf("connection lost: %w", errors.New("EOF"))
	tests := []struct {
		name       string
		err        error
		clientSide bool
		idempotent bool
		want       []DecisionKind // decisions for successive failures of one request
	}{
		{"read_timeout_enough_replicas_no_data_retries_same_host_once",
			&frame.ReadTimeoutError{Received: 2, BlockFor: 2, DataPresent: false}, false, false,
			[]DecisionKind{RetrySameHost, Rethrow}},
		{"read_timeout_data_present_rethrows",
			&frame.ReadTimeoutError{Received: 2, BlockFor: 2, DataPresent: true}, false, true,
			[]DecisionKind{Rethrow}},
		{"read_timeout_too_few_replicas_rethrows",
			&frame.ReadTimeoutError{Received: 1, BlockFor: 2}, false, true,
			[]DecisionKind{Rethrow}},
		{"write_timeout_batch_log_retries_same_host_once",
			&frame.WriteTimeoutError{WriteType: "BATCH_LOG"}, false, false,
			[]DecisionKind{RetrySameHost, Rethrow}},
		{"write_timeout_simple_idempotent_moves_on_three_times",
			&frame.WriteTimeoutError{WriteType: "SIMPLE"}, false, true,
			[]DecisionKind{RetryNextHost, RetryNextHost, RetryNextHost, Rethrow}},
		{"write_timeout_simple_not_idempotent_rethrows",
			&frame.WriteTimeoutError{WriteType: "SIMPLE"}, false, false,
			[]DecisionKind{Rethrow}},
		{"unavailable_retries_next_host_once",
			&frame.UnavailableError{Required: 3, Alive: 1}, false, false,
			[]DecisionKind{RetryNextHost, Rethrow}},
		{"overloaded_idempotent_retries_next_host_up_to_three_times",
			&frame.OverloadedError{}, false, true,
			[]DecisionKind{RetryNextHost, RetryNextHost, RetryNextHost, Rethrow}},
		{"overloaded_not_idempotent_rethrows",
			&frame.OverloadedError{}, false, false,
			[]DecisionKind{Rethrow}},
		{"bootstrapping_idempotent_retries_next_host",
			&frame.BootstrappingError{}, false, true,
			[]DecisionKind{RetryNextHost}},
		{"server_error_idempotent_retries_next_host",
			&frame.InternalError{}, false, true,
			[]DecisionKind{RetryNextHost}},
		{"truncate_error_not_idempotent_rethrows",
			&frame.TruncateError{}, false, false,
			[]DecisionKind{Rethrow}},
		{"client_side_error_idempotent_retries_next_host",
			connLost, true, true,
			[]DecisionKind{RetryNextHost, RetryNextHost, RetryNextHost, Rethrow}},
		{"client_side_error_not_idempotent_rethrows",
			context.DeadlineExceeded, true, false,
			[]DecisionKind{Rethrow}},
		{"syntax_error_rethrows",
			&frame.SyntaxError{}, false, true,
			[]DecisionKind{Rethrow}},
		{"wrapped_server_error_is_recognised",
			fmt.Errorf("attempt 1: %w", &frame.UnavailableError{}), false, false,
			[]DecisionKind{RetryNextHost}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultRetry().NewSession()
			for i, want := range tc.want {
				d := s.OnFailure(&Failure{Err: tc.err, ClientSide: tc.clientSide, Idempotent: tc.idempotent, Attempt: i + 1})
				if d.Kind != want {
					t.Fatalf("failure %d: decision %v, want %v", i+1, d.Kind, want)
				}
				if d.Consistency != 0 {
					t.Errorf("failure %d: consistency changed to %v", i+1, d.Consistency)
				}
			}
		})
	}
	t.Run("sessions_are_per_request", func(t *testing.T) {
		p := DefaultRetry()
		un := &Failure{Err: &frame.UnavailableError{}}
		if d := p.NewSession().OnFailure(un); d.Kind != RetryNextHost {
			t.Fatalf("first request: %v", d.Kind)
		}
		if d := p.NewSession().OnFailure(un); d.Kind != RetryNextHost {
			t.Errorf("a second request inherited the first one's retry count: %v", d.Kind)
		}
	})
}

func TestNeverRetry(t *testing.T) {
	s := NeverRetry().NewSession()
	for _, err := range []error{&frame.UnavailableError{}, &frame.OverloadedError{}, errors.New("x")} {
		if d := s.OnFailure(&Failure{Err: err, Idempotent: true, ClientSide: true}); d.Kind != Rethrow {
			t.Errorf("%T: %v, want rethrow", err, d.Kind)
		}
	}
}
