package cassandra

import (
	"context"
	"sync"
	"time"

	"github.com/cqlgo/cassandra/policy"
)

// lockedPlan serialises a query plan shared by the executions of one
// request (plans need not be safe for concurrent use).
type lockedPlan struct {
	mu sync.Mutex
	p  policy.QueryPlan
}

func (l *lockedPlan) Next() *Host {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.p.Next()
}

type execResult struct {
	res  attemptResult
	host *Host
	err  error
	req  *request
}

// runSpeculative runs req as runPlan does and, each time the schedule's
// delay passes without an answer, starts one more execution on the next
// host of the same plan. The first success wins; the other executions are
// cancelled (their streams are released as their answers arrive) and
// waited for, so no goroutine outlives the request, and every attempt of
// every execution is in req's record.
func (s *Session) runSpeculative(ctx context.Context, deadline time.Time, req *request, plan policy.QueryPlan, sched policy.SpeculativeSchedule, delay time.Duration) (attemptResult, *Host, error) {
	lp := &lockedPlan{p: plan}
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make(chan execResult, 4)
	running := 0
	var wg sync.WaitGroup
	launch := func(r *request, speculative bool) {
		running++
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, h, err := s.runPlan(ectx, time.Time{}, deadline, r, lp, speculative)
			results <- execResult{res: res, host: h, err: err, req: r}
		}()
	}
	// Copies for extra executions come from a snapshot taken before the
	// first execution starts changing req.
	base := req.executionCopy()
	launch(req, false)
	var copies []*request
	timer := time.NewTimer(delay)
	defer timer.Stop()
	n := 1
	var winner, first, last *execResult
	for running > 0 && winner == nil {
		select {
		case r := <-results:
			running--
			switch {
			case r.err == nil:
				winner = &r
			case r.req == req:
				first = &r
			default:
				last = &r
			}
		case <-timer.C:
			cp := base.executionCopy()
			copies = append(copies, cp)
			launch(cp, true)
			n++
			if d, ok := sched.NextDelay(n); ok {
				timer.Reset(d)
			}
		}
	}
	cancel()
	wg.Wait()
	for running > 0 { // the losers, now cancelled
		<-results
		running--
	}
	// One record of every attempt, the first execution's first.
	for _, cp := range copies {
		req.attempts = append(req.attempts, cp.attempts...)
	}
	if winner != nil {
		if winner.req != req {
			// Consistency the winning execution's retries settled on.
			req.setConsistency(winner.req.consistency())
		}
		return winner.res, winner.host, nil
	}
	// Every execution failed: report the first one's error.
	if first == nil {
		first = last
	}
	return first.res, first.host, req.final(unwrapRequestError(first.err))
}

// executionCopy returns a copy of req for another execution: same message
// and options, its own record of attempts.
func (req *request) executionCopy() *request {
	cp := new(request)
	*cp = *req
	cp.attempts = cp.attemptsBuf[:0]
	cp.rs = nil
	return cp
}

// unwrapRequestError returns the last error of a *RequestError, so that
// the final error lists every execution's attempts once.
func unwrapRequestError(err error) error {
	if re, ok := err.(*RequestError); ok {
		return re.Last
	}
	return err
}
