package cassandra

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cqlgo/cassandra/internal/conn"
	"github.com/cqlgo/cassandra/policy"
)

// hostPool holds one session's connections to one host. Requests pick the
// least busy open connection; a connection that breaks is replaced in the
// background, and when the last one breaks and cannot be replaced the host
// is reported down, which starts its reconnection schedule.
type hostPool struct {
	metrics nodeMetrics
	cfg     *settings
	host    *Host
	sess    *Session
	size    int

	conns atomic.Pointer[[]*conn.Conn] // copy-on-write; readers never lock

	mu      sync.Mutex
	filling bool
	closed  bool
	ready   chan struct{} // closed after the first fill attempt ends
	readyMu sync.Once
	lastErr error
}

func newHostPool(s *Session, h *Host) *hostPool {
	size := s.cfg.Pool.ConnectionsPerHost
	if s.st.distance(h) == policy.DistanceRemote {
		size = s.cfg.Pool.RemoteConnectionsPerHost
	}
	p := &hostPool{host: h, sess: s, cfg: s.cfg, size: size, ready: make(chan struct{})}
	p.conns.Store(&[]*conn.Conn{})
	return p
}

// pick returns the open connection with the fewest live requests (in
// flight and not orphaned), preferring connections that are not draining
// (past the orphan bound, waiting for their replacement); nil when the
// pool has none.
func (p *hostPool) pick() *conn.Conn {
	var best *conn.Conn
	bestN, bestDrain := 0, true
	for _, c := range *p.conns.Load() {
		if c.IsClosed() {
			continue
		}
		n, drain := c.InFlight()-c.Orphaned(), c.Draining()
		if best == nil || (bestDrain && !drain) || (drain == bestDrain && n < bestN) {
			best, bestN, bestDrain = c, n, drain
		}
	}
	if best == nil || p.serving() < p.size {
		p.startFill()
	}
	return best
}

// serving counts the connections that take new requests.
func (p *hostPool) serving() int {
	n := 0
	for _, c := range *p.conns.Load() {
		if !c.IsClosed() && !c.Draining() {
			n++
		}
	}
	return n
}

// drain replaces a connection past the orphan bound: a new one is opened,
// and the old one closes once another serves and only orphans are left on
// it (twice in a row, 10 ms apart), so no request finds the host without a
// connection and none still waiting on it is failed. Requests go to it only
// while every connection of the pool is draining.
func (p *hostPool) drain(cn *conn.Conn) {
	p.cfg.Logger.Debug("cassandra: connection past the orphan bound; replacing it", "host", p.host, "orphans", cn.Orphaned())
	p.startFill()
	s := p.sess
	if !s.goBackground() {
		cn.Close()
		return
	}
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		quiet := 0
		for !cn.IsClosed() {
			if p.serving() > 0 && cn.InFlight() <= cn.Orphaned() {
				quiet++
			} else {
				quiet = 0
			}
			if quiet >= 2 {
				break
			}
			select {
			case <-s.bg.Done():
				cn.Close()
				return
			case <-t.C:
			}
		}
		cn.CloseWith(&ConnError{Host: cn.Addr(), Op: "read", Err: fmt.Errorf("%d requests timed out without an answer", cn.Orphaned())})
	}()
}

// live reports whether the pool has an open connection.
func (p *hostPool) live() bool {
	for _, c := range *p.conns.Load() {
		if !c.IsClosed() {
			return true
		}
	}
	return false
}

// startFill opens missing connections in the background, unless a fill is
// running, the pool is closed, or the host is down (its reconnector will
// bring it back).
func (p *hostPool) startFill() {
	p.mu.Lock()
	if p.filling || p.closed || p.serving() >= p.size || p.host.State() == policy.StateDown {
		p.mu.Unlock()
		return
	}
	p.filling = true
	p.mu.Unlock()
	s := p.sess
	if !s.goBackground() {
		p.mu.Lock()
		p.filling = false
		p.mu.Unlock()
		return
	}
	go func() {
		defer s.wg.Done()
		p.fill(s.bg)
	}()
}

func (p *hostPool) fill(ctx context.Context) {
	st := p.sess.st
	defer func() {
		p.mu.Lock()
		p.filling = false
		p.mu.Unlock()
		p.readyMu.Do(func() { close(p.ready) })
	}()
	for {
		p.mu.Lock()
		n, closed := p.serving(), p.closed
		p.mu.Unlock()
		if closed || n >= p.size || ctx.Err() != nil {
			return
		}
		ks := p.sess.Keyspace()
		cn, err := st.dialWith(ctx, p.host, ks, func(cfg *conn.Config) {
			cfg.OnClose = p.connClosed
			cfg.OnDrain = p.drain
			cfg.Traffic = &p.sess.metrics.traffic
		})
		if err == nil && p.sess.Keyspace() != ks {
			// SetKeyspace ran while this connection was dialling and did not
			// see it: switch it now.
			if err = cn.UseKeyspace(ctx, p.sess.Keyspace()); err != nil {
				cn.Close()
			}
		}
		if err != nil {
			p.metrics.connectFailed(err)
			p.mu.Lock()
			p.lastErr = err
			p.mu.Unlock()
			p.cfg.Logger.Debug("cassandra: pool connection failed", "host", p.host, "err", err)
			if !p.live() && ctx.Err() == nil {
				st.hostDown(p.host, false)
			}
			return
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			cn.Close()
			return
		}
		l := append(append([]*conn.Conn(nil), *p.conns.Load()...), cn)
		p.conns.Store(&l)
		p.mu.Unlock()
		p.cfg.Logger.Debug("cassandra: connection opened", "host", p.host, "protocol", cn.Version())
		st.hostUp(p.host)
		p.readyMu.Do(func() { close(p.ready) })
	}
}

// connClosed drops a closed connection and replaces it.
func (p *hostPool) connClosed(cn *conn.Conn, err error) {
	p.mu.Lock()
	cur := *p.conns.Load()
	l := make([]*conn.Conn, 0, len(cur))
	for _, c := range cur {
		if c != cn {
			l = append(l, c)
		}
	}
	p.conns.Store(&l)
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return
	}
	p.cfg.Logger.Debug("cassandra: connection lost", "host", p.host, "err", err)
	var ce *conn.ConnError
	young := time.Since(cn.Opened()) < p.cfg.Timeouts.Connect && !errors.Is(err, ErrClosed) && !cn.Draining()
	switch {
	case young:
		// A connection that dies right after its handshake counts as a
		// failed attempt: the reconnection schedule paces the next ones
		// (a node that accepts and drops every connection would
		// otherwise be dialled in a tight loop).
		p.sess.st.hostFlapped(p.host)
		if !p.live() {
			p.sess.st.hostDown(p.host, false)
		}
		return
	case errors.As(err, &ce) && (ce.Op == "probe" || ce.Op == "heartbeat") && !p.live():
		// The node stopped answering (it did not fail to connect): mark it
		// down now, so plans skip it while it is dialled again.
		p.sess.st.hostDown(p.host, false)
	}
	p.startFill()
}

// close closes the pool's connections and waits for them.
func (p *hostPool) close() {
	p.mu.Lock()
	p.closed = true
	l := *p.conns.Load()
	p.conns.Store(&[]*conn.Conn{})
	p.mu.Unlock()
	for _, c := range l {
		c.Close()
	}
}

// conns returns a snapshot of the open connections.
func (p *hostPool) openConns() []*conn.Conn {
	var out []*conn.Conn
	for _, c := range *p.conns.Load() {
		if !c.IsClosed() {
			out = append(out, c)
		}
	}
	return out
}
