package conn

import (
	"sync"
	"testing"
)

// Calls pushed by many goroutines are each taken exactly once, every
// producer's in the order it pushed them, and the writer is woken whenever
// there is something to take.
func TestWriteQueueTakesEveryCallOnceInOrder(t *testing.T) {
	q := newWriteQueue()
	const producers, each = 8, 5000
	calls := make([][]*call, producers)
	for p := range calls {
		calls[p] = make([]*call, each)
		for i := range calls[p] {
			calls[p][i] = &call{stream: int16(p), buf: []byte{byte(i), byte(i >> 8)}}
		}
	}
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, cl := range calls[p] {
				q.push(cl)
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	next := make([]int, producers) // the index each producer's next call must have
	got := 0
	take := func() {
		for cl := q.take(); cl != nil; {
			p := int(cl.stream)
			i := int(cl.buf[0]) | int(cl.buf[1])<<8
			if i != next[p] {
				t.Fatalf("producer %d: took call %d, want %d", p, i, next[p])
			}
			next[p]++
			got++
			n := cl.next
			cl.next = nil
			cl = n
		}
	}
	for finished := false; !finished; {
		select {
		case <-q.wake:
		case <-done:
			finished = true
		}
		take()
	}
	take()
	if got != producers*each {
		t.Fatalf("took %d calls, pushed %d", got, producers*each)
	}
	if q.take() != nil {
		t.Fatal("calls left after every one was taken")
	}
}

// A push onto an empty queue leaves a wake token; pushes onto a non-empty
// one do not need to.
func TestWriteQueueWakesOnFirstPush(t *testing.T) {
	q := newWriteQueue()
	q.push(&call{})
	select {
	case <-q.wake:
	default:
		t.Fatal("no wake token after a push onto an empty queue")
	}
	q.push(&call{})
	if first := q.take(); first == nil || first.next == nil || first.next.next != nil {
		t.Fatal("take did not return both calls")
	}
	q.push(&call{})
	select {
	case <-q.wake:
	default:
		t.Fatal("no wake token after the queue was emptied and pushed again")
	}
}
