package conn

import "sync/atomic"

// writeQueue hands calls from their callers to the connection's writer. It
// is a lock-free stack linked through call.next: a push is one
// compare-and-swap, and the writer takes every queued call at once. Unlike
// a buffered channel it holds no memory of its own (a 1024-slot channel
// was 8 KiB of every idle connection) and never blocks a caller: the
// stream ids already bound what can be queued.
type writeQueue struct {
	head atomic.Pointer[call]
	// wake holds a token when the writer may have calls to take: a push
	// onto an empty stack leaves one.
	wake chan struct{}
}

func newWriteQueue() writeQueue { return writeQueue{wake: make(chan struct{}, 1)} }

// push queues cl. cl.next belongs to the queue until the writer takes cl.
func (q *writeQueue) push(cl *call) {
	for {
		h := q.head.Load()
		cl.next = h
		if q.head.CompareAndSwap(h, cl) {
			if h == nil {
				// The writer may be asleep: a stack it has not yet
				// taken from is non-empty, so it is awake already.
				select {
				case q.wake <- struct{}{}:
				default:
				}
			}
			return
		}
	}
}

// take removes every queued call and returns them oldest first, linked
// through next, or nil when none is queued.
func (q *writeQueue) take() *call {
	top := q.head.Swap(nil)
	var first *call
	for top != nil {
		next := top.next
		top.next = first
		first = top
		top = next
	}
	return first
}
