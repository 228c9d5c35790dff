package policy

import (
	"math"
	"sync/atomic"
	"time"
)

// SpeculativeExecutionPolicy decides when a request that is slow to answer
// gets extra executions: the same request sent to the next host of its
// query plan while the previous executions are still running. The first
// answer wins and the others are abandoned. The driver speculates only for
// idempotent statements (an extra execution may apply a statement twice);
// the policies of this package also return an empty schedule for a
// request whose RoutingInfo says it is not idempotent.
type SpeculativeExecutionPolicy interface {
	// NewSchedule returns the schedule of one request's extra executions.
	// It is called once per request and must be cheap.
	NewSchedule(info *RoutingInfo) SpeculativeSchedule
}

// SpeculativeSchedule yields the delays of a request's extra executions.
// NextDelay(n) is asked for the n-th extra execution (n = 1 for the first)
// once the previous execution has started; the driver starts it delay
// after the previous one started, unless an answer came first. ok false
// means no more extra executions. A schedule need not be safe for
// concurrent use.
type SpeculativeSchedule interface {
	NextDelay(n int) (delay time.Duration, ok bool)
}

// NoSpeculativeExecution returns a policy that never starts extra
// executions. It is the driver's default.
func NoSpeculativeExecution() SpeculativeExecutionPolicy { return noSpeculation{} }

type noSpeculation struct{}

func (noSpeculation) NewSchedule(*RoutingInfo) SpeculativeSchedule { return noSpeculation{} }
func (noSpeculation) NextDelay(int) (time.Duration, bool)          { return 0, false }

// ConstantSpeculativeExecution returns a policy that starts up to maxExtra
// extra executions, each delay after the previous one started. A delay of
// 0 starts them all at once (a negative delay counts as 0); maxExtra <= 0
// means none. Its schedules are one shared value: NewSchedule does not
// allocate.
func ConstantSpeculativeExecution(delay time.Duration, maxExtra int) SpeculativeExecutionPolicy {
	return &fixedSpeculation{delay: max(delay, 0), maxExtra: maxExtra}
}

// fixedSpeculation is both a policy and its own stateless schedule.
type fixedSpeculation struct {
	delay    time.Duration
	maxExtra int
	at       int64 // PercentileSpeculativeExecution: tracker time of the computation
}

func (p *fixedSpeculation) NewSchedule(info *RoutingInfo) SpeculativeSchedule {
	if info != nil && !info.Idempotent {
		return noSpeculation{}
	}
	return p
}

func (p *fixedSpeculation) NextDelay(n int) (time.Duration, bool) {
	if n < 1 || n > p.maxExtra {
		return 0, false
	}
	return p.delay, true
}

// PercentileSpeculativeExecution returns a policy that starts up to
// maxExtra extra executions, each after the given percentile (0 < p <=
// 100; 99 for p99) of the latencies that tracker saw for the whole cluster
// in its window: a request slower than, say, 99% of recent ones is likely
// stuck on a slow host. The delay is never below 1 ms. While the tracker
// has fewer latencies than its minimum (LatencyMinSamples, 100 by
// default) there are no extra executions; so there are none with a nil
// tracker or maxExtra <= 0.
//
// The driver must record latencies into tracker: the policy implements
// LatencyAware to say so. The percentile is recomputed at most every
// 100 ms and shared by the requests in between, so NewSchedule does not
// allocate.
func PercentileSpeculativeExecution(tracker *LatencyTracker, percentile float64, maxExtra int) SpeculativeExecutionPolicy {
	if math.IsNaN(percentile) || percentile <= 0 {
		percentile = math.SmallestNonzeroFloat64
	}
	return &percentileSpeculation{tracker: tracker, p: min(percentile, 100), maxExtra: maxExtra}
}

// LatencyAware is implemented by policies that need the driver to record
// attempt latencies: the driver calls LatencyTracker().Record(host,
// latency) after each successful attempt (once per tracker, when several
// policies share one).
type LatencyAware interface {
	LatencyTracker() *LatencyTracker
}

const (
	// percentileRefresh is how long a computed percentile is reused.
	percentileRefresh = 100 * time.Millisecond
	// minSpeculativeDelay is the floor of percentile delays.
	minSpeculativeDelay = time.Millisecond
)

type percentileSpeculation struct {
	tracker  *LatencyTracker
	p        float64
	maxExtra int
	current  atomic.Pointer[fixedSpeculation]
}

// LatencyTracker returns the tracker the policy reads.
func (p *percentileSpeculation) LatencyTracker() *LatencyTracker { return p.tracker }

func (p *percentileSpeculation) NewSchedule(info *RoutingInfo) SpeculativeSchedule {
	if p.tracker == nil || p.maxExtra <= 0 || (info != nil && !info.Idempotent) {
		return noSpeculation{}
	}
	now := p.tracker.elapsed()
	s := p.current.Load()
	if s == nil || now-s.at >= int64(percentileRefresh) {
		next := &fixedSpeculation{at: now}
		if d, ok := p.tracker.ClusterPercentile(p.p); ok {
			next.delay, next.maxExtra = max(d, minSpeculativeDelay), p.maxExtra
		}
		// Of concurrent refreshes one wins; the others use its result.
		if p.current.CompareAndSwap(s, next) {
			s = next
		} else {
			s = p.current.Load() // set by the winner, never nil again
		}
	}
	return s
}
