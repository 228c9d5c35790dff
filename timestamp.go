package cassandra

import (
	"sync/atomic"
	"time"
)

// TimestampGenerator hands out client-side write timestamps in microseconds
// since the epoch, strictly increasing even when the wall clock steps back
// or many calls land in one microsecond: a timestamp never repeats, so two
// writes of one client are never ordered by chance.
type TimestampGenerator struct {
	last atomic.Int64
	now  func() time.Time // for tests; nil means time.Now
}

// Next returns the next timestamp.
func (g *TimestampGenerator) Next() int64 {
	now := time.Now
	if g.now != nil {
		now = g.now
	}
	t := now().UnixMicro()
	for {
		last := g.last.Load()
		next := t
		if next <= last {
			next = last + 1
		}
		if g.last.CompareAndSwap(last, next) {
			return next
		}
	}
}
