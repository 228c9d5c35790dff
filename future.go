package cassandra

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ResponseFuture is the pending result of ExecuteAsync. Wait with Result or
// Done, or attach callbacks; the request completes exactly once.
type ResponseFuture struct {
	done   chan struct{}
	cancel context.CancelFunc

	mu        sync.Mutex
	rs        *ResultSet
	err       error
	completed bool
	cancelled bool
	callbacks []futureCallback
}

type futureCallback struct {
	ok  func(*ResultSet)
	bad func(error)
}

// ErrCancelled is the error of a future cancelled with Cancel.
// It wraps context.Canceled.
var ErrCancelled = fmt.Errorf("cassandra: request cancelled: %w", context.Canceled)

// ExecuteAsync starts a CQL string with positional values (as Execute)
// and returns at once. The request runs until it completes, fails, ctx ends
// or the future is cancelled.
func (s *Session) ExecuteAsync(ctx context.Context, cql string, args ...any) *ResponseFuture {
	return s.startAsync(ctx, func(ctx context.Context) (*request, error) { return s.newQueryRequest(ctx, cql, args) })
}

// ExecuteStatementAsync starts a statement (as ExecuteStatement) and
// returns at once.
func (s *Session) ExecuteStatementAsync(ctx context.Context, stmt Statement) *ResponseFuture {
	return s.startAsync(ctx, func(ctx context.Context) (*request, error) { return s.newRequest(ctx, stmt) })
}

func (s *Session) startAsync(ctx context.Context, build func(context.Context) (*request, error)) *ResponseFuture {
	f := newFuture()
	if err := s.admit(); err != nil {
		f.complete(nil, err)
		return f
	}
	if !s.goBackground() {
		s.active.Add(-1)
		f.complete(nil, ErrClosed)
		return f
	}
	parent := ctx
	ctx, f.cancel = context.WithCancel(ctx)
	go func() {
		var rs *ResultSet
		req, err := build(ctx)
		if err == nil {
			// Later pages run under the caller's context: the future's own
			// is cancelled as soon as it completes.
			rs, err = req.do(ctx, parent)
		}
		// The request is over: Session.Close waits for it, but not for the
		// callbacks, which are the user's code (a callback may close the
		// session, or block, without holding Close up).
		s.active.Add(-1)
		s.wg.Done()
		f.complete(rs, err)
	}()
	return f
}

func newFuture() *ResponseFuture {
	return &ResponseFuture{done: make(chan struct{}), cancel: func() {}}
}

// complete records the outcome once and runs the callbacks; later calls
// (a late speculative answer, a cancellation racing the answer) are ignored.
func (f *ResponseFuture) complete(rs *ResultSet, err error) {
	f.mu.Lock()
	if f.completed {
		f.mu.Unlock()
		return
	}
	f.completed = true
	f.rs, f.err = rs, err
	cbs := f.callbacks
	f.callbacks = nil
	run := !f.cancelled
	f.mu.Unlock()
	close(f.done)
	f.cancel()
	if !run {
		return
	}
	for _, cb := range cbs {
		// Cancel may come while earlier callbacks run: none starts after.
		f.mu.Lock()
		cancelled := f.cancelled
		f.mu.Unlock()
		if cancelled {
			return
		}
		cb.call(rs, err)
	}
}

func (cb futureCallback) call(rs *ResultSet, err error) {
	if err != nil {
		if cb.bad != nil {
			cb.bad(err)
		}
		return
	}
	if cb.ok != nil {
		cb.ok(rs)
	}
}

// Done is closed when the request has completed.
func (f *ResponseFuture) Done() <-chan struct{} { return f.done }

// Result waits for the outcome; ctx bounds the wait (not the request).
func (f *ResponseFuture) Result(ctx context.Context) (*ResultSet, error) {
	select {
	case <-f.done:
	case <-ctx.Done():
		// Only this wait ended; the request goes on (Cancel stops it).
		return nil, ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rs, f.err
}

// AddCallbacks registers functions run once when the request completes:
// onSuccess with the result or onError with the error, never both. When the
// future is already complete the right one runs at once, on the caller's
// goroutine; otherwise on the goroutine that completes the request. Neither
// runs after Cancel. Either may be nil.
func (f *ResponseFuture) AddCallbacks(onSuccess func(*ResultSet), onError func(error)) *ResponseFuture {
	cb := futureCallback{ok: onSuccess, bad: onError}
	f.mu.Lock()
	if !f.completed {
		f.callbacks = append(f.callbacks, cb)
		f.mu.Unlock()
		return f
	}
	rs, err, cancelled := f.rs, f.err, f.cancelled
	f.mu.Unlock()
	if !cancelled {
		cb.call(rs, err)
	}
	return f
}

// Cancel abandons the request: its context is cancelled, Result returns
// ErrCancelled if it had not completed, and no callback runs from now on.
func (f *ResponseFuture) Cancel() {
	f.mu.Lock()
	f.cancelled = true
	f.callbacks = nil
	f.mu.Unlock()
	// Complete before cancelling the context (complete does it): the other
	// way round the request could fail on its cancelled context first and
	// Result would report that rather than ErrCancelled.
	f.complete(nil, ErrCancelled)
}

// Warnings returns the server's warnings; nil until complete.
func (f *ResponseFuture) Warnings() []string {
	if rs := f.result(); rs != nil {
		return rs.Warnings()
	}
	return nil
}

// CustomPayload returns the response's custom payload; nil until complete.
func (f *ResponseFuture) CustomPayload() map[string][]byte {
	if rs := f.result(); rs != nil {
		return rs.CustomPayload()
	}
	return nil
}

// TraceID returns the tracing session id of a traced request.
func (f *ResponseFuture) TraceID() ([16]byte, bool) {
	if rs := f.result(); rs != nil {
		return rs.TraceID()
	}
	return [16]byte{}, false
}

// Attempts returns the attempts made; nil until complete.
func (f *ResponseFuture) Attempts() []Attempt {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rs != nil {
		return f.rs.attempts
	}
	var re *RequestError
	if errors.As(f.err, &re) {
		return re.Attempts
	}
	return nil
}

func (f *ResponseFuture) result() *ResultSet {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rs
}

// FetchNextPage returns a future for the page after this one. It fails
// with ErrNoMorePages when there is none.
func (f *ResponseFuture) FetchNextPage(ctx context.Context) *ResponseFuture {
	rs, err := f.Result(ctx)
	if err != nil {
		nf := newFuture()
		nf.complete(nil, err)
		return nf
	}
	return rs.FetchNextPageAsync(ctx)
}

// ErrNoMorePages is returned when asking for a page after the last.
var ErrNoMorePages = errors.New("cassandra: no more pages")

// FetchNextPageAsync starts fetching the page after the current one and
// returns a future for a ResultSet holding it. The receiver is unchanged.
func (rs *ResultSet) FetchNextPageAsync(ctx context.Context) *ResponseFuture {
	nf := newFuture()
	if rs.req == nil {
		nf.complete(nil, ErrNoMorePages)
		return nf
	}
	s := rs.req.s
	if !s.goBackground() {
		nf.complete(nil, ErrClosed)
		return nf
	}
	parent := ctx
	ctx, nf.cancel = context.WithCancel(ctx)
	// The next page gets a copy of the request, so this ResultSet can still
	// be read.
	req := *rs.req
	req.attempts = nil
	switch req.kind {
	case reqExecute:
		req.execute.Params.PagingState = rs.rows.Metadata.PagingState
	case reqQuery:
		req.query.Params.PagingState = rs.rows.Metadata.PagingState
	}
	go func() {
		defer s.wg.Done()
		nf.complete(req.do(ctx, parent))
	}()
	return nf
}
