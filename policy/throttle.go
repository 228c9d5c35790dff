package policy

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

// Throttler limits the requests a session has in progress, so that a burst
// of work queues (or fails fast) in the client instead of overloading the
// cluster. The driver calls Acquire before a request's first attempt and,
// if it returned nil, Release once the request is over (answered, failed
// or canceled; its retries and speculative executions included).
type Throttler interface {
	// Acquire waits for permission to start a request. It returns nil or
	// a *ThrottledError.
	Acquire(ctx context.Context) error
	// Release ends a request that Acquire let through.
	Release()
}

// ThrottleReason says why a Throttler refused a request.
type ThrottleReason int

// Throttle reasons.
const (
	// QueueFull: the throttler's queue of waiting requests was full.
	QueueFull ThrottleReason = iota + 1
	// QueueTimeout: the request waited in the queue for the throttler's
	// queue timeout (or, for RateLimiter, would have).
	QueueTimeout
	// Canceled: the request's context ended while it waited.
	Canceled
)

// String describes the reason.
func (r ThrottleReason) String() string {
	switch r {
	case QueueFull:
		return "queue full"
	case QueueTimeout:
		return "queue timeout"
	case Canceled:
		return "canceled"
	}
	return fmt.Sprintf("ThrottleReason(%d)", int(r))
}

// ThrottledError is a request refused by a Throttler. For Canceled, Err
// is the context's error, so errors.Is(err, context.Canceled) (or
// context.DeadlineExceeded) holds.
type ThrottledError struct {
	Reason ThrottleReason
	Waited time.Duration // time spent in the queue
	Err    error         // the context's error for Canceled, else nil
}

// Error describes the refusal.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("cassandra: request throttled: %s after %v", e.Reason, e.Waited)
}

// Unwrap returns the context's error, if any.
func (e *ThrottledError) Unwrap() error { return e.Err }

// NoThrottle returns a Throttler that lets every request through at once.
// It is the driver's default; it holds no state and never allocates.
func NoThrottle() Throttler { return noThrottle{} }

type noThrottle struct{}

func (noThrottle) Acquire(context.Context) error { return nil }
func (noThrottle) Release()                      {}

// ConcurrencyLimiter returns a Throttler that lets at most maxInFlight
// requests hold a permit at once (as the Java driver's
// ConcurrencyLimitingRequestThrottler). Further requests wait in a FIFO
// queue of at most maxQueue; when it is full they fail at once with
// QueueFull. A waiter gives up after queueTimeout (QueueTimeout) or when
// its context ends (Canceled), whichever comes first.
//
// maxInFlight below 1 counts as 1; maxQueue <= 0 means no queue: a request
// that finds every permit taken fails at once; queueTimeout <= 0 means
// waiters wait until their context ends. Release panics when no permit is
// held. Acquire and Release do not allocate while no request has to wait.
func ConcurrencyLimiter(maxInFlight, maxQueue int, queueTimeout time.Duration) Throttler {
	return &concurrencyLimiter{max: max(maxInFlight, 1), maxQueue: max(maxQueue, 0), timeout: queueTimeout}
}

type concurrencyLimiter struct {
	max, maxQueue int
	timeout       time.Duration

	mu         sync.Mutex
	inFlight   int
	head, tail *permitWaiter // FIFO queue
	queued     int
	peakQueued int // the longest the queue has been (tests)
}

// permitWaiter is a request in the queue. When a permit is handed to it,
// granted is set and ready closed, under the limiter's lock.
type permitWaiter struct {
	ready      chan struct{}
	granted    bool
	prev, next *permitWaiter
}

func (l *concurrencyLimiter) Acquire(ctx context.Context) error {
	l.mu.Lock()
	if l.inFlight < l.max && l.head == nil {
		l.inFlight++
		l.mu.Unlock()
		return nil
	}
	if l.queued >= l.maxQueue {
		l.mu.Unlock()
		return &ThrottledError{Reason: QueueFull}
	}
	if err := ctx.Err(); err != nil {
		l.mu.Unlock()
		return &ThrottledError{Reason: Canceled, Err: err}
	}
	w := &permitWaiter{ready: make(chan struct{})}
	l.push(w)
	l.mu.Unlock()

	start := time.Now()
	var expired <-chan time.Time
	if l.timeout > 0 {
		t := time.NewTimer(l.timeout)
		defer t.Stop()
		expired = t.C
	}
	var reason ThrottleReason
	select {
	case <-w.ready:
		return nil
	case <-expired:
		reason = QueueTimeout
	case <-ctx.Done():
		reason = Canceled
	}
	l.mu.Lock()
	if w.granted {
		// The permit came as the wait ended: pass it on.
		l.releaseLocked()
	} else {
		l.remove(w)
	}
	l.mu.Unlock()
	e := &ThrottledError{Reason: reason, Waited: time.Since(start)}
	if reason == Canceled {
		e.Err = ctx.Err()
	}
	return e
}

func (l *concurrencyLimiter) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.releaseLocked()
}

// releaseLocked hands the permit to the first waiter, if any, or returns
// it.
func (l *concurrencyLimiter) releaseLocked() {
	if w := l.head; w != nil {
		l.remove(w)
		w.granted = true
		close(w.ready)
		return
	}
	if l.inFlight == 0 {
		panic("policy: ConcurrencyLimiter.Release without a permit")
	}
	l.inFlight--
}

func (l *concurrencyLimiter) push(w *permitWaiter) {
	w.prev = l.tail
	if l.tail != nil {
		l.tail.next = w
	} else {
		l.head = w
	}
	l.tail = w
	l.queued++
	l.peakQueued = max(l.peakQueued, l.queued)
}

func (l *concurrencyLimiter) remove(w *permitWaiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		l.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		l.tail = w.prev
	}
	w.prev, w.next = nil, nil
	l.queued--
}

// RateLimiter returns a Throttler that starts at most perSecond requests
// per second on average, and up to burst at once after a quiet period (a
// token bucket of burst tokens, refilled at perSecond). Requests beyond
// the rate wait their turn, first come first served; at most maxQueue wait
// at once (more fail with QueueFull), and a request whose turn would come
// after queueTimeout fails at once with QueueTimeout instead of waiting.
// A waiter whose context ends fails with Canceled.
//
// perSecond <= 0 (or NaN) means no limit; burst below 1 counts as 1;
// maxQueue <= 0 means no queue; queueTimeout <= 0 means waiters wait
// until their turn or the end of their context. Release does nothing: a
// permit is used up by starting the request.
func RateLimiter(perSecond float64, burst, maxQueue int, queueTimeout time.Duration) Throttler {
	if !(perSecond > 0) {
		return NoThrottle()
	}
	b := float64(max(burst, 1))
	return &rateLimiter{
		perNano: perSecond / float64(time.Second), burst: b, tokens: b, last: time.Now(),
		maxQueue: max(maxQueue, 0), timeout: queueTimeout,
	}
}

type rateLimiter struct {
	perNano  float64 // tokens per nanosecond
	burst    float64
	maxQueue int
	timeout  time.Duration

	mu      sync.Mutex
	tokens  float64 // negative: reserved by waiters
	last    time.Time
	waiting int
}

func (r *rateLimiter) Acquire(ctx context.Context) error {
	r.mu.Lock()
	now := time.Now()
	if el := now.Sub(r.last); el > 0 {
		r.tokens = min(r.burst, r.tokens+float64(el)*r.perNano)
		r.last = now
	}
	if r.tokens >= 1 {
		r.tokens--
		r.mu.Unlock()
		return nil
	}
	if r.waiting >= r.maxQueue {
		r.mu.Unlock()
		return &ThrottledError{Reason: QueueFull}
	}
	// The request takes the next token now and waits until it exists:
	// waiters reserve in arrival order, so they are served in it.
	wait := time.Duration(math.Ceil((1 - r.tokens) / r.perNano))
	if r.timeout > 0 && wait > r.timeout {
		r.mu.Unlock()
		return &ThrottledError{Reason: QueueTimeout}
	}
	if err := ctx.Err(); err != nil {
		r.mu.Unlock()
		return &ThrottledError{Reason: Canceled, Err: err}
	}
	r.tokens--
	r.waiting++
	r.mu.Unlock()

	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		r.mu.Lock()
		r.waiting--
		r.mu.Unlock()
		return nil
	case <-ctx.Done():
		r.mu.Lock()
		r.waiting--
		r.tokens++ // give the reserved token back
		r.mu.Unlock()
		return &ThrottledError{Reason: Canceled, Waited: time.Since(now), Err: ctx.Err()}
	}
}

func (r *rateLimiter) Release() {}
