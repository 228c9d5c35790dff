package ormconn

import (
	"errors"
	"fmt"
)

var (
	// ErrNoDefault is returned for the empty name when no connection is
	// the default (none was registered with Options.Default or chosen with
	// SetDefault, or the default was unregistered).
	ErrNoDefault = errors.New("ormconn: no default connection")
	// ErrEmptyName is returned by calls that register, choose or remove a
	// connection (or a user type) when given an empty name.
	ErrEmptyName = errors.New("ormconn: empty name")
	// ErrNilCluster is returned by Register for a nil cluster.
	ErrNilCluster = errors.New("ormconn: nil cluster")
	// ErrNilSession is returned by RegisterSession for a nil session.
	ErrNilSession = errors.New("ormconn: nil session")
	// ErrClusterInUse is returned by Register for a cluster that another
	// connection of the registry already owns: unregistering either would
	// close the other. Share a cluster with RegisterSession instead.
	ErrClusterInUse = errors.New("ormconn: cluster already owned by another connection")
)

// UnknownConnectionError means no connection has the name: it was never
// registered, was unregistered (possibly while the call ran), or its
// Register has not finished yet.
type UnknownConnectionError struct {
	Name string
}

// Error names the connection.
func (e *UnknownConnectionError) Error() string {
	return fmt.Sprintf("ormconn: connection %q is not registered", e.Name)
}

// ConnectionExistsError means Register or RegisterSession was given a name
// that is registered, or being registered by another call.
type ConnectionExistsError struct {
	Name string
}

// Error names the connection.
func (e *ConnectionExistsError) Error() string {
	return fmt.Sprintf("ormconn: connection %q is already registered", e.Name)
}

// ConnectError means connecting a connection, or setting it up (keyspace,
// OnConnect, user types), failed. Err is the cause; errors.As reaches the
// driver's error types through it.
type ConnectError struct {
	Name string
	Err  error
}

// Error names the connection and the cause.
func (e *ConnectError) Error() string {
	return fmt.Sprintf("ormconn: connection %q: %v", e.Name, e.Err)
}

// Unwrap returns the cause.
func (e *ConnectError) Unwrap() error { return e.Err }

// UserTypeError means registering the user-defined type Keyspace.Type on
// the session of connection Connection failed, for instance because the
// type does not exist there.
type UserTypeError struct {
	Connection string
	Keyspace   string
	Type       string
	Err        error
}

// Error names the type, the connection and the cause.
func (e *UserTypeError) Error() string {
	return fmt.Sprintf("ormconn: user type %s.%s on connection %q: %v", e.Keyspace, e.Type, e.Connection, e.Err)
}

// Unwrap returns the cause.
func (e *UserTypeError) Unwrap() error { return e.Err }
