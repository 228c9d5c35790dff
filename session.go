package cassandra

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// Session runs statements against the cluster. It holds a connection pool
// per host and is safe for concurrent use. Get one from Cluster.Connect;
// Close it (or the Cluster) when done.
type Session struct {
	cluster *Cluster
	st      *clusterState
	cfg     *settings // the cluster's settings, fixed at its start

	metrics sessionMetrics

	closing atomic.Bool  // Close began: new requests are refused
	active  atomic.Int64 // requests admitted and not yet finished

	keyspace atomic.Pointer[string]
	pools    atomic.Pointer[map[*Host]*hostPool] // copy-on-write
	poolsMu  sync.Mutex

	bg       context.Context // cancelled by Close
	cancel   context.CancelFunc
	wg       sync.WaitGroup // background goroutines
	closeMu  sync.Mutex     // guards closed against wg.Add
	closed   bool
	closedCh chan struct{}

	req requestState // the request path's state (prepared cache, ...)

	utMu sync.Mutex                       // orders RegisterUserType calls
	ut   atomic.Pointer[sessionUserTypes] // nil: the cluster's registrations only
}

func newSession(c *Cluster, keyspace string) *Session {
	s := &Session{cluster: c, st: &c.state, cfg: c.state.s, closedCh: make(chan struct{})}
	s.keyspace.Store(&keyspace)
	s.pools.Store(&map[*Host]*hostPool{})
	s.bg, s.cancel = context.WithCancel(c.state.bg)
	s.req.init(s)
	return s
}

// Keyspace returns the session's current keyspace.
func (s *Session) Keyspace() string { return *s.keyspace.Load() }

// admit counts a request the user starts; ErrClosed once Close began. The
// count lets Close wait for requests in flight before it cancels them.
func (s *Session) admit() error {
	if s.closing.Load() {
		return ErrClosed
	}
	s.active.Add(1)
	if s.closing.Load() {
		s.active.Add(-1)
		return ErrClosed
	}
	return nil
}

// goBackground registers a background goroutine; false after Close.
func (s *Session) goBackground() bool {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// connect opens pools to every host that is not ignored or down and waits
// until one has a connection.
func (s *Session) connect(ctx context.Context) error {
	var started []*hostPool
	for _, h := range s.st.hosts.Hosts() {
		if h.State() == policy.StateIgnored || h.State() == policy.StateDown {
			continue
		}
		if p := s.addPool(h); p != nil {
			started = append(started, p)
		}
	}
	if len(started) == 0 {
		for _, h := range s.st.hosts.Hosts() { // every host is down: try them anyway
			if h.State() != policy.StateIgnored {
				if p := s.addPool(h); p != nil {
					started = append(started, p)
				}
			}
		}
	}
	// Return as soon as any pool has a connection; fail once every pool's
	// first attempt has failed.
	pending := started
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		var errs []HostError
		waiting := false
		for _, p := range pending {
			if p.live() {
				return nil
			}
			select {
			case <-p.ready:
				// The pool may have gone live between the check above and
				// its ready signal: look again before counting it failed.
				if p.live() {
					return nil
				}
				p.mu.Lock()
				err := p.lastErr
				p.mu.Unlock()
				if err == nil {
					waiting = true // ready without an error: a connection is coming
					continue
				}
				errs = append(errs, HostError{Host: p.host.Addr(), Err: err})
			default:
				waiting = true
			}
		}
		if !waiting {
			return &NoHostAvailableError{Msg: "session could not connect to any host", Errors: errs}
		}
		select {
		case <-ctx.Done():
			return &TimeoutError{Err: ctx.Err()}
		case <-t.C:
		}
	}
}

// addPool creates and starts filling a pool for h, if there is none.
func (s *Session) addPool(h *Host) *hostPool {
	s.poolsMu.Lock()
	defer s.poolsMu.Unlock()
	if s.isClosed() {
		return nil
	}
	cur := *s.pools.Load()
	if p, ok := cur[h]; ok {
		return p
	}
	p := newHostPool(s, h)
	next := make(map[*Host]*hostPool, len(cur)+1)
	for k, v := range cur {
		next[k] = v
	}
	next[h] = p
	s.pools.Store(&next)
	p.startFill()
	return p
}

func (s *Session) removePool(h *Host) {
	s.poolsMu.Lock()
	cur := *s.pools.Load()
	p, ok := cur[h]
	if ok {
		next := make(map[*Host]*hostPool, len(cur))
		for k, v := range cur {
			if k != h {
				next[k] = v
			}
		}
		s.pools.Store(&next)
	}
	s.poolsMu.Unlock()
	if ok {
		p.close()
	}
}

func (s *Session) pool(h *Host) *hostPool { return (*s.pools.Load())[h] }

func (s *Session) isClosed() bool {
	select {
	case <-s.closedCh:
		return true
	default:
		return false
	}
}

// hasLiveConn reports whether the session holds an open connection to h.
func (s *Session) hasLiveConn(h *Host) bool {
	p := s.pool(h)
	return p != nil && p.live()
}

// Host events from the cluster.
func (s *Session) hostAdded(h *Host) {
	if h.State() != policy.StateIgnored {
		s.addPool(h)
	}
}
func (s *Session) hostRemoved(h *Host) { s.removePool(h) }
func (s *Session) hostUp(h *Host) {
	p := s.addPool(h)
	if p == nil {
		return
	}
	p.startFill()
	// A host that was down may have restarted with an empty prepared
	// statement cache: prepare the session's statements there again, once
	// the pool has a connection, rather than pay an UNPREPARED round trip
	// on each statement's next execution.
	if list := s.req.prepared.all(); len(list) > 0 && s.goBackground() {
		go func() {
			defer s.wg.Done()
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			deadline := time.After(s.cfg.Timeouts.Connect)
			for !p.live() {
				select {
				case <-s.bg.Done():
					return
				case <-deadline:
					return
				case <-t.C:
				}
			}
			s.reprepareOn(p, list)
		}()
	}
}
func (s *Session) hostDown(h *Host) {}

// schemaChanged is told about debounced schema events.
func (s *Session) schemaChanged(changes []frame.SchemaChange) { s.req.schemaChanged(changes) }

// SetKeyspace switches the session to keyspace ks on every connection; new
// connections open in it too.
func (s *Session) SetKeyspace(ctx context.Context, ks string) error {
	if s.isClosed() {
		return ErrClosed
	}
	s.keyspace.Store(&ks)
	var errs []error
	for _, p := range *s.pools.Load() {
		for _, cn := range p.openConns() {
			if err := cn.UseKeyspace(ctx, ks); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// Close closes the session gracefully: new requests fail with ErrClosed at
// once, requests in flight may finish until ctx ends (as the Java driver's
// closeAsync; an ended or short ctx is its forceCloseAsync), then the rest
// are cancelled, the connections closed, and Close waits, until ctx ends,
// for the session's goroutines to exit. Callbacks are the caller's code and
// are not waited for. It returns ctx.Err() when the wait was cut short, and
// is idempotent.
func (s *Session) Close(ctx context.Context) error {
	// Graceful first: refuse new requests, let those in flight finish
	// until ctx ends; then cancel what is left and close the pools.
	if !s.closing.Swap(true) {
		s.drain(ctx)
	}
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closedCh)
	s.closeMu.Unlock()
	s.cancel()
	s.poolsMu.Lock()
	pools := *s.pools.Load()
	s.pools.Store(&map[*Host]*hostPool{})
	s.poolsMu.Unlock()
	for _, p := range pools {
		p.close()
	}
	st := s.st
	st.mu.Lock()
	delete(st.sessions, s)
	st.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		// A callback still running (or blocked): it was told to stop;
		// the session's other goroutines have exited or are exiting.
		return ctx.Err()
	}
}

// drain waits, until ctx ends, for the requests admitted before Close to
// finish. Requests have their own deadlines, so the wait is bounded even
// without one on ctx.
func (s *Session) drain(ctx context.Context) {
	if s.active.Load() == 0 {
		return
	}
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for s.active.Load() > 0 {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
