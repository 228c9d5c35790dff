package policy

import (
	"errors"

	"github.com/cqlgo/cassandra/frame"
)

// DecisionKind is what the driver does after a failed attempt.
type DecisionKind int

// Decision kinds.
const (
	// Rethrow ends the request with the attempt's error.
	Rethrow DecisionKind = iota
	// RetrySameHost sends the request again to the host that failed.
	RetrySameHost
	// RetryNextHost sends it to the next host of the query plan.
	RetryNextHost
	// Ignore ends the request with an empty successful result.
	Ignore
)

// String names the decision.
func (k DecisionKind) String() string {
	return [...]string{"rethrow", "retry same host", "retry next host", "ignore"}[k]
}

// Decision is a RetrySession's verdict. Consistency, when not Unset (zero),
// replaces the consistency level of the retried request.
type Decision struct {
	Kind        DecisionKind
	Consistency frame.Consistency
}

// Failure describes one failed attempt.
type Failure struct {
	// Err is the attempt's error: a server error from the frame package
	// (*frame.ReadTimeoutError, *frame.UnavailableError, ...), or a client
	// side one (connection lost, attempt timed out).
	Err error
	// ClientSide reports an error raised by the driver, not the server: the
	// connection broke or the attempt timed out. The request may or may not
	// have been applied.
	ClientSide bool
	// Attempt counts attempts so far, starting at 1.
	Attempt    int
	Idempotent bool
	Host       *Host
	// MaybeSent reports, for a client-side failure, that a frame carrying
	// the request was written to the connection, so a non-idempotent
	// statement may have been applied even though no answer came back.
	// False claims the request never left the driver (no connection, no
	// stream id, write refused); a driver that cannot tell sets it true.
	// It is meaningless for server errors, which always mean the request
	// arrived. The policies of this package retry a non-idempotent
	// statement after a client-side failure in neither case.
	MaybeSent bool
}

// RetryPolicy makes a RetrySession per request.
type RetryPolicy interface {
	NewSession() RetrySession
}

// RetrySession judges the failed attempts of one request: the one place
// where the driver decides whether to try again.
type RetrySession interface {
	OnFailure(f *Failure) Decision
}

// DefaultRetry returns the policy the driver uses unless told otherwise.
// It retries only what is safe:
//   - read timeout: once on the same host, when enough replicas answered but
//     the data was not retrieved;
//   - write timeout: once on the same host for a batch log write, which the
//     coordinator replays anyway; for idempotent statements, a simple,
//     batch or unlogged batch write on the next host (up to three);
//   - unavailable: once on the next host (another coordinator may see more
//     replicas alive);
//   - overloaded, bootstrapping, server and truncate errors, broken
//     connections and attempt timeouts: on the next host, only for idempotent
//     requests;
//   - anything else: rethrow.
func DefaultRetry() RetryPolicy { return defaultRetry{} }

type defaultRetry struct{}

func (defaultRetry) NewSession() RetrySession { return &defaultRetrySession{} }

type defaultRetrySession struct{ sameHost, nextHost int }

// maxNextHost bounds the next-host retries of one request.
const maxNextHost = 3

func (s *defaultRetrySession) OnFailure(f *Failure) Decision {
	var (
		rt *frame.ReadTimeoutError
		wt *frame.WriteTimeoutError
		un *frame.UnavailableError
	)
	switch {
	case errors.As(f.Err, &rt):
		if s.sameHost == 0 && rt.Received >= rt.BlockFor && !rt.DataPresent {
			s.sameHost++
			return Decision{Kind: RetrySameHost}
		}
	case errors.As(f.Err, &wt):
		if s.sameHost == 0 && wt.WriteType == "BATCH_LOG" {
			s.sameHost++
			return Decision{Kind: RetrySameHost}
		}
		// An idempotent write may be applied twice by definition: another
		// coordinator may reach the replicas this one could not (a node
		// cut off from its peers times out every write it coordinates).
		switch wt.WriteType {
		case "SIMPLE", "BATCH", "UNLOGGED_BATCH":
			if f.Idempotent && s.nextHost < maxNextHost {
				s.nextHost++
				return Decision{Kind: RetryNextHost}
			}
		}
	case errors.As(f.Err, &un):
		if s.nextHost == 0 {
			s.nextHost++
			return Decision{Kind: RetryNextHost}
		}
	case f.ClientSide || isRetryableServerError(f.Err):
		if f.Idempotent && s.nextHost < maxNextHost {
			s.nextHost++
			return Decision{Kind: RetryNextHost}
		}
	}
	return Decision{Kind: Rethrow}
}

func isRetryableServerError(err error) bool {
	var (
		o *frame.OverloadedError
		b *frame.BootstrappingError
		i *frame.InternalError
		t *frame.TruncateError
	)
	return errors.As(err, &o) || errors.As(err, &b) || errors.As(err, &i) || errors.As(err, &t)
}

// NeverRetry returns a policy that rethrows every failure.
func NeverRetry() RetryPolicy { return neverRetry{} }

type neverRetry struct{}

func (neverRetry) NewSession() RetrySession    { return neverRetry{} }
func (neverRetry) OnFailure(*Failure) Decision { return Decision{Kind: Rethrow} }
