package ormconn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/cqlgo/cassandra"
)

// Registry holds named connections. The zero value is an empty registry
// ready for use, as is NewRegistry(); a Registry must not be copied after
// first use. It is safe for concurrent use.
type Registry struct {
	mu      sync.Mutex
	conns   map[string]*Connection
	pending map[string]*cassandra.Cluster // names being registered, with the cluster (nil for a session)
	def     string

	// typeSem (room for one token, made on first use) serializes
	// RegisterUserType with the publishing of new sessions; types is
	// guarded by it.
	typeSem chan struct{}
	types   []userType

	// registrarHook replaces the assertion on *cassandra.Session in tests.
	registrarHook func(*cassandra.Session) (userTypeRegistrar, bool)
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// initLocked makes the maps and the semaphore; r.mu is held.
func (r *Registry) initLocked() {
	if r.conns == nil {
		r.conns = map[string]*Connection{}
		r.pending = map[string]*cassandra.Cluster{}
		r.typeSem = make(chan struct{}, 1)
	}
}

// Register registers a connection named name that owns cluster. Unless
// opts.Lazy is set it connects now (bounded by ctx), sets the session up
// (keyspace, OnConnect, user types) and stores the connection only once
// all of it succeeded: a failed Register leaves nothing registered and
// closes the cluster, so retry with a new one. With opts.Lazy it only
// records the connection; the first Get connects.
//
// opts.Configure, then opts.Keyspace and opts.Consistency, are applied to
// cluster's fields before anything else. The registry owns the cluster
// from then on and closes it on Unregister or CloseAll; a cluster can back
// one connection only (ErrClusterInUse). A taken name is a
// *ConnectionExistsError.
func (r *Registry) Register(ctx context.Context, name string, cluster *cassandra.Cluster, opts Options) error {
	if cluster == nil {
		return fmt.Errorf("ormconn: register %q: %w", name, ErrNilCluster)
	}
	if err := r.reserve(name, cluster); err != nil {
		return err
	}
	stored := false
	defer func() {
		if !stored {
			r.release(name)
		}
	}()
	if opts.Configure != nil {
		opts.Configure(cluster)
	}
	if opts.Keyspace != "" {
		cluster.Keyspace = opts.Keyspace
	}
	if opts.Consistency != 0 {
		cluster.Consistency = opts.Consistency
	}
	c := r.newConnection(name, opts)
	c.cluster = cluster
	c.keyspace = cluster.Keyspace
	c.consistency = cluster.Consistency
	if opts.Lazy {
		r.mu.Lock()
		r.storeLocked(c)
		r.mu.Unlock()
		stored = true
		return nil
	}
	s, err := c.dial(ctx)
	if err == nil {
		err = r.setup(ctx, c, s, func() error {
			c.sess.Store(s)
			r.mu.Lock()
			r.storeLocked(c)
			r.mu.Unlock()
			stored = true
			return nil
		})
	}
	if err != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_ = cluster.Close(cctx)
		return err
	}
	return nil
}

// RegisterSession registers a connection named name for a session the
// caller already has. The registry never closes it: Unregister and
// CloseAll leave it open. If opts.Keyspace is set and differs from
// session.Keyspace(), the session is switched to it with SetKeyspace; then
// OnConnect runs and the registry's user types are registered on the
// session. The connection is stored only when all of that succeeded.
// opts.Consistency is recorded (see Connection.Consistency); opts.Lazy,
// RetryConnect and Configure do not apply.
func (r *Registry) RegisterSession(ctx context.Context, name string, session *cassandra.Session, opts Options) error {
	if session == nil {
		return fmt.Errorf("ormconn: register %q: %w", name, ErrNilSession)
	}
	if err := r.reserve(name, nil); err != nil {
		return err
	}
	stored := false
	defer func() {
		if !stored {
			r.release(name)
		}
	}()
	c := r.newConnection(name, opts)
	c.consistency = opts.Consistency
	c.keyspace = session.Keyspace()
	if ks := opts.Keyspace; ks != "" {
		if ks != c.keyspace {
			if err := session.SetKeyspace(ctx, ks); err != nil {
				return c.connectError(ctx, fmt.Errorf("set keyspace %q: %w", ks, err))
			}
		}
		c.keyspace = ks
	}
	return r.setup(ctx, c, session, func() error {
		c.sess.Store(session)
		r.mu.Lock()
		r.storeLocked(c)
		r.mu.Unlock()
		stored = true
		return nil
	})
}

// Setup registers the connection DefaultName ("default") as the default,
// on a cluster built with cassandra.NewCluster(hosts...) and keyspace as
// its keyspace (empty: opts.Keyspace). Use opts.Configure for auth, TLS
// and other cluster settings. See Register.
func (r *Registry) Setup(ctx context.Context, hosts []string, keyspace string, opts Options) error {
	if keyspace != "" {
		opts.Keyspace = keyspace
	}
	opts.Default = true
	return r.Register(ctx, DefaultName, cassandra.NewCluster(hosts...), opts)
}

// newConnection returns an unregistered connection.
func (r *Registry) newConnection(name string, opts Options) *Connection {
	c := &Connection{name: name, reg: r, opts: opts}
	c.sem = make(chan struct{}, 1)
	return c
}

// reserve claims name for a Register in progress.
func (r *Registry) reserve(name string, cluster *cassandra.Cluster) error {
	if name == "" {
		return fmt.Errorf("ormconn: register: %w", ErrEmptyName)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.initLocked()
	if _, ok := r.conns[name]; ok {
		return &ConnectionExistsError{Name: name}
	}
	if _, ok := r.pending[name]; ok {
		return &ConnectionExistsError{Name: name}
	}
	if cluster != nil {
		for other, c := range r.conns {
			if c.cluster == cluster {
				return fmt.Errorf("ormconn: register %q: %w (%q)", name, ErrClusterInUse, other)
			}
		}
		for other, cl := range r.pending {
			if cl == cluster {
				return fmt.Errorf("ormconn: register %q: %w (%q)", name, ErrClusterInUse, other)
			}
		}
	}
	r.pending[name] = cluster
	return nil
}

// release drops the claim of a failed Register.
func (r *Registry) release(name string) {
	r.mu.Lock()
	delete(r.pending, name)
	r.mu.Unlock()
}

// storeLocked stores a registered connection; r.mu is held.
func (r *Registry) storeLocked(c *Connection) {
	delete(r.pending, c.name)
	r.conns[c.name] = c
	if c.opts.Default {
		r.def = c.name
	}
}

// Lookup returns the connection named name, or the default for the empty
// name, without connecting it. An unknown name is an
// *UnknownConnectionError; the empty name without a default is
// ErrNoDefault.
func (r *Registry) Lookup(name string) (*Connection, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name == "" {
		if r.def == "" {
			return nil, ErrNoDefault
		}
		name = r.def
	}
	c, ok := r.conns[name]
	if !ok {
		return nil, &UnknownConnectionError{Name: name}
	}
	return c, nil
}

// Get returns the session of the connection named name (the default for
// the empty name), connecting it first if it is lazy; see
// Connection.Session. Errors are those of Lookup and Connection.Session.
func (r *Registry) Get(ctx context.Context, name string) (*cassandra.Session, error) {
	c, err := r.Lookup(name)
	if err != nil {
		return nil, err
	}
	return c.Session(ctx)
}

// SetDefault makes the connection named name the default. An unknown name
// is an *UnknownConnectionError and leaves the default as it was.
func (r *Registry) SetDefault(name string) error {
	if name == "" {
		return fmt.Errorf("ormconn: set default: %w", ErrEmptyName)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.conns[name]; !ok {
		return &UnknownConnectionError{Name: name}
	}
	r.def = name
	return nil
}

// Default returns the name of the default connection, or "" when there is
// none.
func (r *Registry) Default() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.def
}

// Names returns the names of the registered connections, sorted.
func (r *Registry) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.conns))
	for n := range r.conns {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Unregister removes the connection named name; if it was the default
// there is no default any more. A connection the registry owns has its
// cluster closed (cluster.Close(ctx)), after any lazy connect in progress
// has ended; a session passed to RegisterSession is left open. An unknown
// name is an *UnknownConnectionError. The connection is removed even when
// closing fails or ctx ends first.
func (r *Registry) Unregister(ctx context.Context, name string) error {
	if name == "" {
		return fmt.Errorf("ormconn: unregister: %w", ErrEmptyName)
	}
	r.mu.Lock()
	c, ok := r.conns[name]
	if ok {
		delete(r.conns, name)
		if r.def == name {
			r.def = ""
		}
	}
	r.mu.Unlock()
	if !ok {
		return &UnknownConnectionError{Name: name}
	}
	return c.close(ctx)
}

// CloseAll unregisters every connection, closing the clusters the
// registry owns in parallel, and returns their errors joined. Sessions
// passed to RegisterSession stay open. Registered user types are kept for
// the connections registered afterwards. A Register running concurrently
// with CloseAll may store its connection after CloseAll returns.
func (r *Registry) CloseAll(ctx context.Context) error {
	r.mu.Lock()
	conns := make([]*Connection, 0, len(r.conns))
	for _, c := range r.conns {
		conns = append(conns, c)
	}
	clear(r.conns)
	r.def = ""
	r.mu.Unlock()
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() { errs[i] = c.close(ctx) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
