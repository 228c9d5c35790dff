package policy

import (
	"math/rand/v2"
	"time"
)

// ReconnectionPolicy makes the schedule of delays between attempts to
// reconnect to a host that went down. Each host gets its own Schedule.
type ReconnectionPolicy interface {
	NewSchedule() Schedule
}

// Schedule yields successive delays. ok false ends the schedule: the driver
// stops trying until an event says the host is back.
type Schedule interface {
	Next() (delay time.Duration, ok bool)
}

// Exponential returns a policy whose delays start at base, double each time
// up to max, with up to 15% jitter either way so that many clients do not
// reconnect in step. The jittered delay never leaves [base, max]: the first
// attempts jitter upwards only and the last ones downwards only. Zero
// values mean 1s and 10min.
func Exponential(base, max time.Duration) ReconnectionPolicy {
	if base <= 0 {
		base = time.Second
	}
	if max <= 0 {
		max = 10 * time.Minute
	}
	if max < base {
		max = base
	}
	return exponential{base: base, max: max}
}

type exponential struct{ base, max time.Duration }

func (e exponential) NewSchedule() Schedule { return &expSchedule{p: e} }

type expSchedule struct {
	p       exponential
	attempt int
}

func (s *expSchedule) Next() (time.Duration, bool) {
	d := s.p.base
	for i := 0; i < s.attempt && d < s.p.max; i++ {
		d *= 2
	}
	if d > s.p.max {
		d = s.p.max
	}
	s.attempt++
	jitter := time.Duration((rand.Float64()*0.3 - 0.15) * float64(d))
	return min(max(d+jitter, s.p.base), s.p.max), true
}

// Constant returns a policy that waits delay between attempts, at most
// attempts times (0: forever).
func Constant(delay time.Duration, attempts int) ReconnectionPolicy {
	return constant{delay: delay, attempts: attempts}
}

type constant struct {
	delay    time.Duration
	attempts int
}

func (c constant) NewSchedule() Schedule { return &constSchedule{p: c} }

type constSchedule struct {
	p constant
	n int
}

func (s *constSchedule) Next() (time.Duration, bool) {
	if s.p.attempts > 0 && s.n >= s.p.attempts {
		return 0, false
	}
	s.n++
	return s.p.delay, true
}
