package policy

import (
	"errors"

	"github.com/cqlgo/cassandra/frame"
)

// FallthroughRetry returns a policy that rethrows every failure, leaving
// every decision to the application: the request ends with the error of
// its first failed attempt. It behaves as NeverRetry; the separate name
// says that the application handles retries itself, as the policy of the
// same name in the Java driver does.
func FallthroughRetry() RetryPolicy { return neverRetry{} }

// DowngradingConsistencyRetry returns a policy that, when the requested
// consistency level cannot be reached, retries at a lower one or, for a
// write already acknowledged by a replica, reports success.
//
// RISKY: it silently weakens consistency. A read at QUORUM retried at ONE
// may miss a preceding write at QUORUM, a write that the policy ignores
// was applied on fewer replicas than asked for, and a downgrade from a
// LOCAL_* level (LOCAL_QUORUM to ONE, say) lets the coordinator count
// replicas of other datacenters. The application is not told, so use it
// only if an answer at a lower consistency is better than an error, and
// log the requests it retries (Decision.Consistency non-zero) or ignores.
//
// It follows the Java driver 4's ConsistencyDowngradingRetryPolicy
// (com.datastax.oss.driver.internal.core.retry, the successor of the
// driver 3's DowngradingConsistencyRetryPolicy) together with the
// idempotence checks that the Java request handler makes before asking
// it. "Retries" below counts the RetrySameHost and RetryNextHost
// decisions already made for the request; "downgrade(n)" is THREE when
// n >= 3, TWO when n = 2, ONE when n = 1 or the level was EACH_QUORUM
// (whose counts cover one datacenter only), and otherwise rethrow; a
// downgrade retries on the same host at that level.
//
//	read timeout (any statement)
//	    retries > 0                    rethrow
//	    SERIAL or LOCAL_SERIAL         rethrow (never read a Paxos state at a non-serial level)
//	    received < blockFor            downgrade(received)
//	    no data present                same host, same level
//	    otherwise                      rethrow (a digest mismatch: a retry would not help)
//	write timeout
//	    not idempotent                 rethrow
//	    retries > 0                    rethrow
//	    SIMPLE or BATCH                ignore if received > 0, else rethrow
//	    UNLOGGED_BATCH                 downgrade(received)
//	    BATCH_LOG                      same host, same level
//	    COUNTER, CAS, VIEW, CDC, ...   rethrow
//	unavailable (any statement)
//	    retries > 0                    rethrow
//	    SERIAL or LOCAL_SERIAL         next host, same level (the coordinator may be isolated)
//	    otherwise                      downgrade(alive)
//	bootstrapping (any statement)      next host (the node ran nothing)
//	read failure, write failure,
//	syntax, invalid, unauthorized,
//	config, already exists, function
//	failure, protocol, unprepared      rethrow
//	other server errors (overloaded,
//	server error, truncate, CAS write
//	unknown, CDC write failure, ...)   next host if idempotent, else rethrow
//	client-side failure                next host if idempotent, else rethrow
//	anything else                      rethrow
//
// Two differences from the Java driver: next-host retries are bounded, at
// most 3 per request (Java bounds them only by the query plan), and every
// client-side failure (Failure.ClientSide: a broken connection or an
// attempt timeout, as DefaultRetry sees them) is retried on the next host
// when the statement is idempotent, where Java retries only closed
// connections. A client-side failure of a non-idempotent statement is
// never retried, whether or not Failure.MaybeSent says the request may
// have been written.
func DowngradingConsistencyRetry() RetryPolicy { return downgradingRetry{} }

type downgradingRetry struct{}

func (downgradingRetry) NewSession() RetrySession { return &downgradingSession{} }

type downgradingSession struct {
	retries  int // RetrySameHost and RetryNextHost decisions, bootstrapping excepted
	nextHost int // RetryNextHost decisions
}

func (s *downgradingSession) OnFailure(f *Failure) Decision {
	d := s.decide(f)
	switch d.Kind {
	case RetryNextHost:
		s.nextHost++
		if !isBootstrappingErr(f.Err) {
			s.retries++
		}
	case RetrySameHost:
		s.retries++
	}
	return d
}

var rethrowDecision = Decision{Kind: Rethrow}

func (s *downgradingSession) decide(f *Failure) Decision {
	var (
		rt *frame.ReadTimeoutError
		wt *frame.WriteTimeoutError
		un *frame.UnavailableError
		se frame.ServerError
	)
	switch {
	case errors.As(f.Err, &rt):
		switch {
		case s.retries > 0, rt.Consistency.IsSerial():
			return rethrowDecision
		case rt.Received < rt.BlockFor:
			return downgradeTo(rt.Received, rt.Consistency)
		case !rt.DataPresent:
			return Decision{Kind: RetrySameHost}
		}
		return rethrowDecision
	case errors.As(f.Err, &wt):
		if !f.Idempotent || s.retries > 0 {
			return rethrowDecision
		}
		switch wt.WriteType {
		case "SIMPLE", "BATCH":
			if wt.Received > 0 {
				return Decision{Kind: Ignore}
			}
		case "UNLOGGED_BATCH":
			return downgradeTo(wt.Received, wt.Consistency)
		case "BATCH_LOG":
			return Decision{Kind: RetrySameHost}
		}
		return rethrowDecision
	case errors.As(f.Err, &un):
		switch {
		case s.retries > 0:
			return rethrowDecision
		case un.Consistency.IsSerial():
			return s.nextHostDecision()
		}
		return downgradeTo(un.Alive, un.Consistency)
	case errors.As(f.Err, &se):
		switch {
		case isBootstrappingErr(se):
			return s.nextHostDecision()
		case isFinalServerError(se) || !f.Idempotent:
			return rethrowDecision
		}
		return s.nextHostDecision()
	case f.ClientSide && f.Idempotent:
		return s.nextHostDecision()
	}
	return rethrowDecision
}

func (s *downgradingSession) nextHostDecision() Decision {
	if s.nextHost >= maxNextHost {
		return rethrowDecision
	}
	return Decision{Kind: RetryNextHost}
}

// downgrade retries on the same host at the highest level that n
// replicas (those that answered, acknowledged or are alive) can satisfy.
func downgradeTo(n int32, current frame.Consistency) Decision {
	switch {
	case n >= 3:
		return Decision{Kind: RetrySameHost, Consistency: frame.Three}
	case n == 2:
		return Decision{Kind: RetrySameHost, Consistency: frame.Two}
	case n == 1, current == frame.EachQuorum:
		// EACH_QUORUM reports the replicas of the datacenter that failed,
		// so with none there another datacenter may still answer.
		return Decision{Kind: RetrySameHost, Consistency: frame.One}
	}
	return rethrowDecision
}

func isBootstrappingErr(err error) bool {
	var b *frame.BootstrappingError
	return errors.As(err, &b)
}

// isFinalServerError reports the server errors that another attempt
// cannot fix: the request itself is wrong, or replicas failed for a
// reason other than a timeout.
func isFinalServerError(err frame.ServerError) bool {
	switch err.Code() {
	case frame.CodeReadFailure, frame.CodeWriteFailure, frame.CodeSyntaxError, frame.CodeInvalid,
		frame.CodeUnauthorized, frame.CodeConfigError, frame.CodeAlreadyExists, frame.CodeFunctionFailure,
		frame.CodeProtocolError, frame.CodeBadCredentials, frame.CodeUnprepared:
		return true
	}
	return false
}
