package ormconn

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/cqlgo/cassandra"
)

// userTypeRegistrar is *cassandra.Session's user-type registration; the
// unit tests replace it (Registry.registrarHook).
type userTypeRegistrar interface {
	RegisterUserType(ctx context.Context, keyspace, name string, sample any) error
}

// userType is a type registered on the registry.
type userType struct {
	keyspace, name string
	sample         any
}

// registrar returns the user-type registration of s (nil s: of the
// Session type).
func (r *Registry) registrar(s *cassandra.Session) (userTypeRegistrar, bool) {
	if r.registrarHook != nil {
		return r.registrarHook(s)
	}
	return s, s != nil
}

// RegisterUserType maps the user-defined type keyspace.typeName to the Go
// type of sample (a struct value, as the driver's RegisterUserType takes
// it) on every connection of the registry: now on each connected one, and
// later on each connection as it connects, before its session is handed
// out.
//
// Failures are reported, never ignored: each connected session that
// refuses the type (it does not exist there, say) adds a *UserTypeError
// naming the connection to the joined error, and the type is then not
// recorded for future connections (sessions that accepted it keep it). A
// recorded type a new connection refuses fails that connection's Register
// or lazy connect, so every connection of a registry must see every type
// registered on it: keep clusters with other schemas in another Registry.
// Registering the same keyspace.typeName again replaces the sample.
//
// Each session checks the type against its cluster's schema
// (cassandra.Session.RegisterUserType): a struct field the type lacks, or a
// type the keyspace does not have, is refused.
func (r *Registry) RegisterUserType(ctx context.Context, keyspace, typeName string, sample any) error {
	if keyspace == "" || typeName == "" {
		return fmt.Errorf("ormconn: register user type %q.%q: %w", keyspace, typeName, ErrEmptyName)
	}
	if sample == nil {
		return fmt.Errorf("ormconn: register user type %s.%s: nil sample", keyspace, typeName)
	}
	if err := r.lockTypes(ctx); err != nil {
		return err
	}
	defer r.unlockTypes()

	type target struct {
		name string
		s    *cassandra.Session
	}
	r.mu.Lock()
	var targets []target
	for name, c := range r.conns {
		if s := c.sess.Load(); s != nil {
			targets = append(targets, target{name, s})
		}
	}
	r.mu.Unlock()
	slices.SortFunc(targets, func(a, b target) int { return cmp.Compare(a.name, b.name) })

	t := userType{keyspace: keyspace, name: typeName, sample: sample}
	var errs []error
	for _, tg := range targets {
		if err := r.applyType(ctx, tg.name, tg.s, t); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	i := slices.IndexFunc(r.types, func(u userType) bool { return u.keyspace == keyspace && u.name == typeName })
	if i >= 0 {
		r.types[i] = t
	} else {
		r.types = append(r.types, t)
	}
	return nil
}

// applyTypes registers every recorded type on the new session of
// connection name; the types lock is held.
func (r *Registry) applyTypes(ctx context.Context, name string, s *cassandra.Session) error {
	var errs []error
	for _, t := range r.types {
		if err := r.applyType(ctx, name, s, t); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// applyType registers t on the session of connection name.
func (r *Registry) applyType(ctx context.Context, name string, s *cassandra.Session, t userType) error {
	reg, ok := r.registrar(s)
	if !ok {
		return &UserTypeError{Connection: name, Keyspace: t.keyspace, Type: t.name, Err: ErrNilSession}
	}
	if err := reg.RegisterUserType(ctx, t.keyspace, t.name, t.sample); err != nil {
		return &UserTypeError{Connection: name, Keyspace: t.keyspace, Type: t.name, Err: err}
	}
	return nil
}

// lockTypes takes the user-types lock, or returns ctx's error.
func (r *Registry) lockTypes(ctx context.Context) error {
	r.mu.Lock()
	r.initLocked()
	sem := r.typeSem
	r.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// unlockTypes releases the user-types lock.
func (r *Registry) unlockTypes() { <-r.typeSem }
