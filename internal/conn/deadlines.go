package conn

import (
	"fmt"
	"time"
)

// Deadlines of calls are kept by one timer per connection instead of one
// per call: a call records its deadline (call.deadline) and the timer is
// armed for the earliest one it may have to enforce. When it fires, sweep
// walks the call table, times out every call whose deadline has passed and
// aims the timer at the earliest deadline left. Calls made with the same
// timeout have increasing deadlines, so under steady traffic a request
// costs one atomic load here, and the timer fires about once per timeout
// period; the caller waits on its call's channel alone (and its context's,
// when that has one).
//
// A sweep holds sweepMu for writing and finish holds it for reading, so
// that no call the sweep sees can be finished, recycled and reused by
// another request while the sweep decides about it.

// mono returns the connection's monotonic clock: nanoseconds since it was
// opened.
func (c *Conn) mono(t time.Time) int64 { return int64(t.Sub(c.opened)) }

// armSweep makes sure the sweep runs no later than deadline (mono).
func (c *Conn) armSweep(deadline int64) {
	if at := c.sweepAt.Load(); at != 0 && at <= deadline {
		return // armed for an earlier time: that sweep sees this call
	}
	c.armMu.Lock()
	defer c.armMu.Unlock()
	if c.sweepClosed {
		return
	}
	if at := c.sweepAt.Load(); at != 0 && at <= deadline {
		return
	}
	c.sweepAt.Store(deadline)
	d := time.Duration(deadline - c.mono(time.Now()))
	if c.sweepTimer == nil {
		c.sweepTimer = time.AfterFunc(d, c.sweep)
	} else {
		c.sweepTimer.Reset(d)
	}
}

// sweep times out the calls whose deadline has passed and arms the timer
// for the earliest one left.
func (c *Conn) sweep() {
	c.armMu.Lock()
	if c.sweepClosed {
		c.armMu.Unlock()
		return
	}
	c.wg.Add(1) // Close waits for a sweep under way
	c.sweepAt.Store(0)
	c.armMu.Unlock()

	now := c.mono(time.Now())
	var next int64
	drain := 0
	c.sweepMu.Lock()
	c.calls.each(func(cl *call) {
		dl := cl.deadline
		if dl == 0 {
			return
		}
		if dl > now {
			if next == 0 || dl < next {
				next = dl
			}
			return
		}
		if n := c.expireLocked(cl, now); n > 0 {
			drain = n
		}
	})
	c.sweepMu.Unlock()
	if next != 0 {
		c.armSweep(next)
	}
	// Done before the drain: OnDrain may close the connection and wait
	// for its goroutines, this one included.
	c.wg.Done()
	if drain > 0 {
		c.tooManyOrphans(drain)
	}
}

// expireLocked times out cl, whose deadline passed, unless its caller is
// already leaving or its answer came. It returns the orphan count when the
// expiry makes it pass MaxOrphans for the first time, else 0. The caller
// holds sweepMu.
func (c *Conn) expireLocked(cl *call, now int64) int {
	elapsed := time.Duration(now - cl.started)
	switch cl.claim.Load() {
	case 2:
		return 0 // its caller gave up before it went out
	case 0:
		if cl.claim.CompareAndSwap(0, 2) {
			// Never written: nothing was applied and no answer will
			// come, so the stream is released now. Not pooled (the
			// writer may yet dequeue it): its caller gets an error.
			c.finishLocked(cl, response{err: &TimeoutError{Host: c.addr, Err: ErrDeadline, Elapsed: elapsed}})
			return 0
		}
		if cl.claim.Load() != 1 {
			return 0
		}
	}
	if !cl.state.CompareAndSwap(callPending, callExpired) {
		return 0 // answered, or abandoned by its caller
	}
	// Written and unanswered: the caller leaves with the error; the stream
	// stays reserved until the late answer arrives (an orphan), and the
	// call is left to the collector then, since its caller read it last.
	// Counted before the caller is woken, so that it returns with the
	// orphan already counted.
	n := c.orphans.Add(1)
	cl.resp = response{err: &TimeoutError{Host: c.addr, MaybeApplied: true, Err: ErrDeadline, Elapsed: elapsed}}
	cl.done <- struct{}{}
	if c.cfg.MaxOrphans > 0 && int(n) > c.cfg.MaxOrphans && c.draining.CompareAndSwap(false, true) {
		return int(n)
	}
	return 0
}

// tooManyOrphans acts on a connection with more than MaxOrphans requests
// that timed out unanswered: its owner replaces it (OnDrain), or it closes.
func (c *Conn) tooManyOrphans(n int) {
	if c.cfg.OnDrain != nil {
		// The owner replaces the connection before closing it, so
		// requests never find the host without one.
		c.cfg.OnDrain(c)
		return
	}
	c.CloseWith(&ConnError{Host: c.addr, Op: "read", Err: fmt.Errorf("%d requests timed out without an answer", n)})
}

// stopSweeps stops the deadline timer for good (the connection closed):
// Close then waits for a sweep already under way.
func (c *Conn) stopSweeps() {
	c.armMu.Lock()
	c.sweepClosed = true
	if c.sweepTimer != nil {
		c.sweepTimer.Stop()
	}
	c.armMu.Unlock()
}
