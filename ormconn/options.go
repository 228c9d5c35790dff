package ormconn

import (
	"context"

	"github.com/cqlgo/cassandra"
)

// DefaultName is the name Setup registers its connection under.
const DefaultName = "default"

// Options configure one connection. The zero value registers a connection
// that connects at once, is not the default, and keeps the keyspace and
// consistency of its cluster or session.
type Options struct {
	// Default makes the connection the registry's default, the one Get
	// returns for the empty name. Setup always sets it.
	Default bool

	// Keyspace is the connection's default keyspace. Register and Setup
	// set it as cluster.Keyspace before connecting (and switch the session
	// to it should the cluster have connected before); RegisterSession
	// calls session.SetKeyspace when it differs from session.Keyspace().
	// Empty: keep the cluster's or session's keyspace.
	Keyspace string

	// Consistency is the connection's default consistency. Register and
	// Setup set it as cluster.Consistency, so it applies to every
	// statement of the session that sets none (an execution profile's or
	// a statement's own consistency still wins). A session passed to
	// RegisterSession cannot be changed: the level is only recorded, for
	// Connection.Consistency and Connection.NewStatement to apply. The
	// zero Consistency means unset: keep the cluster's default (LocalOne)
	// or the session's own; cassandra.Any is a level like the others.
	Consistency cassandra.Consistency

	// Lazy defers connecting to the first Get, which connects exactly
	// once however many goroutines ask at the same time. Register then
	// only records the connection. Ignored by RegisterSession.
	Lazy bool

	// RetryConnect keeps a lazy connection lazy after a failed connect:
	// the failing Get returns the error and the next Get tries again.
	// Without it the first failure is remembered and every later Get
	// returns it (a ConnectError) until the connection is unregistered.
	// A connect that fails because the caller's context ended is never
	// remembered. Only lazy connections retry: a Register that connects
	// at once and fails registers nothing.
	RetryConnect bool

	// Configure, when set, is called with the cluster before the registry
	// applies Keyspace and Consistency, to set what Setup's hosts and
	// keyspace do not cover: Auth, TLS, Timeouts, policies. Ignored by
	// RegisterSession.
	Configure func(*cassandra.Cluster)

	// OnConnect, when set, runs once per connection on its new session,
	// after the keyspace is set and before the registry's user types are
	// registered and the session is handed out (at Register or
	// RegisterSession, or at the first Get of a lazy connection). It may
	// create tables or types or prepare statements. An error fails the
	// connect as any other would. It must not Get its own connection.
	OnConnect func(ctx context.Context, name string, s *cassandra.Session) error
}

// Connection is one registered connection. Its accessors describe how it
// was configured; Session connects it when it is lazy. Get one with
// Registry.Lookup. After Unregister or CloseAll, Session fails with
// *UnknownConnectionError.
type Connection struct {
	name        string
	reg         *Registry
	cluster     *cassandra.Cluster // set when the registry owns a cluster
	keyspace    string
	consistency cassandra.Consistency
	opts        Options

	lazyState
}

// Name returns the name the connection is registered under.
func (c *Connection) Name() string { return c.name }

// Keyspace returns the connection's default keyspace: Options.Keyspace,
// else the cluster's Keyspace (Register) or the session's keyspace when it
// was registered (RegisterSession). A session switched later with
// SetKeyspace does not change it.
func (c *Connection) Keyspace() string { return c.keyspace }

// Consistency returns the connection's default consistency: the one set
// with Options.Consistency, else the cluster's Consistency field for
// Register. ok is false when neither is set; the driver's default
// (LocalOne) or the user session's own then applies. For Register the
// level is the cluster's default, already applied to every statement; for
// RegisterSession it is only recorded here (see NewStatement).
func (c *Connection) Consistency() (level cassandra.Consistency, ok bool) {
	return c.consistency, c.consistency != 0
}

// Cluster returns the cluster the registry owns for this connection
// (Register, Setup), or nil for a session passed to RegisterSession. The
// registry closes it on Unregister and CloseAll; do not close it yourself.
func (c *Connection) Cluster() *cassandra.Cluster { return c.cluster }

// NewStatement returns cassandra.NewStatement(cql, values...) with the
// connection's consistency set on it when there is one, so that a model
// layer honours the level on user sessions too, where the registry could
// not make it the session's default. A statement-level consistency
// overrides the one of an execution profile chosen with Profile.
func (c *Connection) NewStatement(cql string, values ...any) *cassandra.SimpleStatement {
	st := cassandra.NewStatement(cql, values...)
	if level, ok := c.Consistency(); ok {
		st = st.Consistency(level)
	}
	return st
}
