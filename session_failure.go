package cassandra

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/conn"
	"github.com/cqlgo/cassandra/policy"
)

// What follows a failed attempt (afterFailure), and the other cold parts of
// runPlan, kept out of its frame.

// failureState is what runPlan's failed attempts carry to the next: the
// retry policy's session and the count of re-prepares.
type failureState struct {
	retry      policy.RetrySession
	reprepares int
}

// attempt is one failed attempt, as afterFailure sees it.
type attempt struct {
	host        *Host
	cn          *conn.Conn
	p           *hostPool
	load        *hostLoad
	err         error
	latency     time.Duration
	bounded     bool // the attempt timeout set its deadline
	speculative bool
}

// afterFailure decides what follows a failed attempt: the host of the next
// attempt (the same one, the plan's next), void when the retry policy
// ignores the failure, or the request's final error. It is runPlan's cold
// half, kept out of its frame: every request parks in runPlan's call to
// the connection, so its stack is part of each waiting goroutine's.
//
//go:noinline
func (s *Session) afterFailure(ctx context.Context, deadline time.Time, req *request, fs *failureState, a attempt, plan policy.QueryPlan) (next *Host, void bool, err error) {
	host, cn, p, err := a.host, a.cn, a.p, a.err
	var te *TimeoutError
	if errors.As(err, &te) {
		a.load.timedOut()
		if a.bounded || ctx.Err() != nil {
			// No answer by the attempt's bound, or before the context
			// ended (another execution of the request won, for one): the
			// node may have stopped answering. Find out now, not at the
			// heartbeat; probes of one connection are merged, so a
			// healthy node costs one OPTIONS now and then.
			cn.Probe()
		}
	}
	req.record(host, err, a.latency, a.speculative)
	if errors.Is(err, ErrConnBusy) {
		return plan.Next(), false, nil // never sent: any statement may move on
	}
	var unp *UnpreparedError
	if errors.As(err, &unp) && fs.reprepares < maxReprepares {
		if ps := req.unprepared(unp.ID); ps != nil {
			fs.reprepares++
			pctx, cancel := withDeadline(ctx, deadline)
			perr := s.prepareOn(pctx, cn, ps)
			cancel()
			if perr != nil {
				return nil, false, req.final(perr)
			}
			return host, false, nil // same host
		}
	}
	if ctx.Err() != nil {
		return nil, false, req.final(err)
	}
	if fs.retry == nil {
		fs.retry = req.prof.retry.NewSession()
	}
	d := fs.retry.OnFailure(&policy.Failure{
		Err: err, ClientSide: isClientSide(err), Attempt: len(req.attempts),
		Idempotent: req.opts.idempotent, Host: host, MaybeSent: maybeSent(err),
	})
	if d.Kind == policy.RetrySameHost || d.Kind == policy.RetryNextHost {
		p.metrics.retries.Add(1)
	}
	switch d.Kind {
	case policy.RetrySameHost:
		req.setConsistency(d.Consistency)
		return host, false, nil
	case policy.RetryNextHost:
		req.setConsistency(d.Consistency)
		return plan.Next(), false, nil
	case policy.Ignore:
		return nil, true, nil
	}
	return nil, false, req.final(err)
}

// attemptPayload is the custom payload of an attempt on a v4+ connection:
// the statement's, merged over the profile's, with the request id when
// Cluster.RequestIDs is set.
//
//go:noinline
func (s *Session) attemptPayload(req *request, attemptID uint64) map[string][]byte {
	payload := req.opts.payload
	if req.prof.payload != nil {
		payload = mergePayload(req.prof.payload, payload)
	}
	if s.cfg.RequestIDs {
		payload = withRequestID(payload, attemptID)
	}
	return payload
}

// unexpectedAnswer is the error of an answer that is not a RESULT.
//
//go:noinline
func unexpectedAnswer(cn *conn.Conn, fr frame.Frame, req *request) error {
	return &ConnError{Host: cn.Addr(), Op: "decode", Err: fmt.Errorf("%v in answer to %v", fr.Header.Opcode, req.message(cn.Version()).Opcode())}
}
