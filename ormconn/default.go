package ormconn

import (
	"context"

	"github.com/cqlgo/cassandra"
)

// defaultRegistry backs the package-level functions.
var defaultRegistry Registry

// DefaultRegistry returns the registry the package-level functions use,
// for code that takes a *Registry.
func DefaultRegistry() *Registry { return &defaultRegistry }

// Register calls Register on the default registry.
func Register(ctx context.Context, name string, cluster *cassandra.Cluster, opts Options) error {
	return defaultRegistry.Register(ctx, name, cluster, opts)
}

// RegisterSession calls RegisterSession on the default registry.
func RegisterSession(ctx context.Context, name string, session *cassandra.Session, opts Options) error {
	return defaultRegistry.RegisterSession(ctx, name, session, opts)
}

// Setup calls Setup on the default registry: the one-line start.
func Setup(ctx context.Context, hosts []string, keyspace string, opts Options) error {
	return defaultRegistry.Setup(ctx, hosts, keyspace, opts)
}

// Get calls Get on the default registry.
func Get(ctx context.Context, name string) (*cassandra.Session, error) {
	return defaultRegistry.Get(ctx, name)
}

// Lookup calls Lookup on the default registry.
func Lookup(name string) (*Connection, error) { return defaultRegistry.Lookup(name) }

// SetDefault calls SetDefault on the default registry.
func SetDefault(name string) error { return defaultRegistry.SetDefault(name) }

// Default calls Default on the default registry.
func Default() string { return defaultRegistry.Default() }

// Names calls Names on the default registry.
func Names() []string { return defaultRegistry.Names() }

// Unregister calls Unregister on the default registry.
func Unregister(ctx context.Context, name string) error {
	return defaultRegistry.Unregister(ctx, name)
}

// CloseAll calls CloseAll on the default registry.
func CloseAll(ctx context.Context) error { return defaultRegistry.CloseAll(ctx) }

// RegisterUserType calls RegisterUserType on the default registry.
func RegisterUserType(ctx context.Context, keyspace, typeName string, sample any) error {
	return defaultRegistry.RegisterUserType(ctx, keyspace, typeName, sample)
}
