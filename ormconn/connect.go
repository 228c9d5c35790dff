package ormconn

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/cqlgo/cassandra"
)

// cleanupTimeout bounds the closing of what a failed connect left open when
// the caller's context has ended already.
const cleanupTimeout = 10 * time.Second

// lazyState is a connection's session and the lock of its lazy connect.
type lazyState struct {
	// sem has room for one token, held by the goroutine that connects; a
	// channel rather than a mutex so that waiting honours the context.
	sem chan struct{}
	// sess is the connected session, set once.
	sess atomic.Pointer[cassandra.Session]
	// closed is set by Unregister and CloseAll.
	closed atomic.Bool
	// err is the remembered failure of a lazy connect without
	// RetryConnect. Guarded by sem.
	err error
	// attempts counts calls of Cluster.Connect.
	attempts atomic.Int64
}

// Session returns the connection's session, connecting it first when it is
// lazy and not yet connected. Only one goroutine connects at a time, with
// its own context; the others wait until it is done or their context ends,
// in which case they return ctx.Err() and the connect goes on. A failed
// connect returns a *ConnectError; without Options.RetryConnect it is
// remembered and returned by every later call, unless it failed because
// ctx ended.
func (c *Connection) Session(ctx context.Context) (*cassandra.Session, error) {
	if c.closed.Load() {
		return nil, &UnknownConnectionError{Name: c.name}
	}
	if s := c.sess.Load(); s != nil {
		return s, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	if c.closed.Load() {
		return nil, &UnknownConnectionError{Name: c.name}
	}
	if s := c.sess.Load(); s != nil {
		return s, nil
	}
	if c.err != nil {
		return nil, c.err
	}
	s, err := c.reg.connectLazy(ctx, c)
	if err != nil {
		if ctx.Err() == nil && !c.opts.RetryConnect && !c.closed.Load() {
			c.err = err
		}
		return nil, err
	}
	return s, nil
}

// connectLazy connects a lazy connection and publishes its session. A
// session that fails its setup is closed; the cluster stays open so that a
// later Get may try again.
func (r *Registry) connectLazy(ctx context.Context, c *Connection) (*cassandra.Session, error) {
	s, err := c.dial(ctx)
	if err != nil {
		return nil, err
	}
	err = r.setup(ctx, c, s, func() error {
		if c.closed.Load() { // unregistered while connecting
			return &UnknownConnectionError{Name: c.name}
		}
		c.sess.Store(s)
		return nil
	})
	if err != nil {
		closeSession(ctx, s)
		return nil, err
	}
	return s, nil
}

// dial opens a session on the connection's cluster in its keyspace.
func (c *Connection) dial(ctx context.Context) (*cassandra.Session, error) {
	c.attempts.Add(1)
	s, err := c.cluster.Connect(ctx)
	if err != nil {
		return nil, c.connectError(ctx, err)
	}
	// A cluster that had connected before the registry got it keeps the
	// keyspace of its first Connect.
	if ks := c.keyspace; ks != "" && s.Keyspace() != ks {
		if err := s.SetKeyspace(ctx, ks); err != nil {
			closeSession(ctx, s)
			return nil, c.connectError(ctx, fmt.Errorf("set keyspace %q: %w", ks, err))
		}
	}
	return s, nil
}

// setup runs OnConnect and registers the registry's user types on s, then
// calls publish while user-type registration is held off, so that a type
// registered concurrently is applied either here or by RegisterUserType.
func (r *Registry) setup(ctx context.Context, c *Connection, s *cassandra.Session, publish func() error) error {
	if f := c.opts.OnConnect; f != nil {
		if err := f(ctx, c.name, s); err != nil {
			return c.connectError(ctx, fmt.Errorf("OnConnect: %w", err))
		}
	}
	if err := r.lockTypes(ctx); err != nil {
		return c.connectError(ctx, err)
	}
	defer r.unlockTypes()
	if err := r.applyTypes(ctx, c.name, s); err != nil {
		return c.connectError(ctx, err)
	}
	return publish()
}

// connectError wraps err for the connection, adding ctx's error when ctx
// ended and err does not say so.
func (c *Connection) connectError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	return &ConnectError{Name: c.name, Err: err}
}

// close marks the connection unregistered, closes its cluster when the
// registry owns one, and waits for a lazy connect in progress to end.
func (c *Connection) close(ctx context.Context) error {
	c.closed.Store(true)
	if c.cluster == nil {
		return nil // a user's session: theirs to close
	}
	// Closing first makes a connect in progress fail soon.
	err := c.cluster.Close(ctx)
	select {
	case c.sem <- struct{}{}:
		<-c.sem
	case <-ctx.Done():
		err = errors.Join(err, ctx.Err())
	}
	if err != nil {
		return fmt.Errorf("ormconn: close connection %q: %w", c.name, err)
	}
	return nil
}

// closeSession closes a session the registry opened and will not hand out.
func closeSession(ctx context.Context, s *cassandra.Session) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_ = s.Close(ctx)
}
