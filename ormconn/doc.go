// Package ormconn keeps named Cassandra connections for model layers:
// object mappers, repositories inside services, anything that wants to ask
// for "the users connection" rather than carry a *cassandra.Session
// around. It wraps cassandra.Cluster and cassandra.Session and re-implements
// neither.
//
// A Registry maps names to connections; its zero value (or NewRegistry())
// is ready for use, and the package-level functions (Setup, Get, ...) work
// on a default registry for the one-line start:
//
//	err := ormconn.Setup(ctx, []string{"10.0.0.1"}, "shop", ormconn.Options{Lazy: true})
//	...
//	s, err := ormconn.Get(ctx, "") // "" is the default connection
//
// # Connections
//
// Register stores a connection built from a *cassandra.Cluster, which the
// registry then owns; RegisterSession stores one for a session the caller
// already has. Either stores the connection only after its setup (connect,
// keyspace, Options.OnConnect, user types) succeeded, so a failed register
// leaves nothing behind. Options.Default, SetDefault and Setup choose the
// default connection, the one the empty name means in Get and Lookup.
//
// # Ownership
//
// The registry closes what it created and nothing else: Unregister and
// CloseAll close the cluster of a Register (cluster.Close(ctx), which
// closes its sessions) but never a session passed to RegisterSession,
// which stays usable after Unregister.
//
// # Lazy connect
//
// With Options.Lazy, the first Get connects, exactly once however many
// goroutines ask together. Each connection has a one-token channel as its
// connect lock: the goroutine holding it connects with its own context,
// and a waiter whose context ends returns ctx.Err() at once without
// disturbing that connect. A failed connect is remembered and returned by
// later Gets, unless Options.RetryConnect keeps the connection lazy (the
// next Get tries again) or the failure came from the caller's context
// ending (never remembered).
//
// # User types
//
// RegisterUserType records a user-defined type on the registry and
// registers it on every connection: those connected now, and each later
// one before its session is handed out. A type a session refuses is an
// error, never skipped.
//
// # Errors
//
// Errors are typed for errors.As (*UnknownConnectionError,
// *ConnectionExistsError, *ConnectError, *UserTypeError) or sentinels for errors.Is (ErrNoDefault,
// ErrEmptyName, ErrNilCluster, ErrNilSession, ErrClusterInUse).
//
// # Concurrency
//
// Every method is safe for concurrent use. One mutex guards the name map
// and is never held across network calls; lazy connects lock per
// connection; user-type registration is serialized with the publishing of
// new sessions so that no connection misses a type.
package ormconn
