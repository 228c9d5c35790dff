package cassandra

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/metadata"
)

// User-type registration (the Python driver's register_user_type): a Go
// struct registered for a keyspace's user-defined type is what values of
// that type decode to wherever the destination is an interface — Row.Values,
// MapScan, Scan into a *any, the elements of a []any or map[string]any, a
// struct field of type any — instead of a map[string]any. Destinations of a
// concrete type (a *Address, a []Address field) decode as always.

// UserTypeError reports a registration that does not match the schema:
// errors.Is(err, ErrUnknownUserType) when the type does not exist.
type UserTypeError = cqltype.UserTypeError

// ErrUnknownUserType marks a registration naming a user-defined type that
// the schema does not have.
var ErrUnknownUserType = cqltype.ErrUnknownUserType

// userTypeRegistry is the Cluster's registrations: a snapshot every session
// reads without locks, and those made before Connect, checked against the
// schema when it connects.
type userTypeRegistry struct {
	mu      sync.Mutex
	types   atomic.Pointer[cqltype.UserTypes]
	pending []pendingUserType
}

type pendingUserType struct {
	keyspace, name string
	rt             reflect.Type
}

// RegisterUserType makes values of the user-defined type keyspace.name
// decode to sample's Go type (a struct, or a pointer to one) wherever the
// destination is an interface, for every session of the cluster, present
// and future. The struct's mapped fields (tag `cql:"name"`, or the lower-case
// Go name; `cql:"-"` skips one) must all be fields of the type: the type is
// looked up in the schema metadata, or read from the server when the
// metadata does not have it (metadata disabled, or not yet refreshed), and a
// mismatch or an unknown type is a *UserTypeError. Called before Connect,
// the registration takes effect at once and is checked when Connect reads
// the schema (a mismatch then fails Connect). Registering a type again
// replaces the earlier Go type.
func (c *Cluster) RegisterUserType(ctx context.Context, keyspace, name string, sample any) error {
	rt, err := userTypeOf(keyspace, name, sample)
	if err != nil {
		return err
	}
	r := &c.userTypes
	r.mu.Lock()
	if c.control() == nil {
		// Not connected: record it; Connect checks it. Holding r.mu across
		// the check orders this with Connect's checkPendingUserTypes.
		defer r.mu.Unlock()
		next, err := r.types.Load().With(keyspace, name, rt)
		if err != nil {
			return err
		}
		r.pending = append(r.pending, pendingUserType{keyspace, name, rt})
		r.types.Store(next)
		return nil
	}
	r.mu.Unlock()
	ut, err := c.checkedUserType(ctx, keyspace, name, rt)
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	next, err := r.types.Load().With(ut.Keyspace, ut.Name, rt)
	if err != nil {
		return err
	}
	r.types.Store(next)
	return nil
}

// checkPendingUserTypes checks registrations made before Connect against the
// schema, dropping those that fail; it runs once the control connection is
// up.
func (c *Cluster) checkPendingUserTypes(ctx context.Context) error {
	r := &c.userTypes
	r.mu.Lock()
	pending := r.pending
	r.pending = nil
	r.mu.Unlock()
	var errs []error
	for _, p := range pending {
		if _, err := c.checkedUserType(ctx, p.keyspace, p.name, p.rt); err != nil {
			errs = append(errs, err)
			r.mu.Lock()
			r.types.Store(r.types.Load().Without(p.keyspace, p.name))
			r.mu.Unlock()
		}
	}
	return errors.Join(errs...)
}

// RegisterUserType is Cluster.RegisterUserType for this session only: its
// registrations win over the cluster's and no other session sees them.
func (s *Session) RegisterUserType(ctx context.Context, keyspace, name string, sample any) error {
	rt, err := userTypeOf(keyspace, name, sample)
	if err != nil {
		return err
	}
	ut, err := s.cluster.checkedUserType(ctx, keyspace, name, rt)
	if err != nil {
		return err
	}
	s.utMu.Lock()
	defer s.utMu.Unlock()
	var own *cqltype.UserTypes
	if cur := s.ut.Load(); cur != nil {
		own = cur.own
	}
	if own, err = own.With(ut.Keyspace, ut.Name, rt); err != nil {
		return err
	}
	base := s.cluster.userTypes.types.Load()
	s.ut.Store(&sessionUserTypes{base: base, own: own, merged: base.Merge(own)})
	return nil
}

// sessionUserTypes is a session's own registrations merged over the
// cluster's snapshot base.
type sessionUserTypes struct {
	base, own, merged *cqltype.UserTypes
}

// userTypes returns the registrations that apply to this session's results:
// two atomic loads when nothing changed.
func (s *Session) userTypes() *cqltype.UserTypes {
	base := s.cluster.userTypes.types.Load()
	cur := s.ut.Load()
	if cur == nil {
		return base
	}
	if cur.base == base {
		return cur.merged
	}
	next := &sessionUserTypes{base: base, own: cur.own, merged: base.Merge(cur.own)}
	s.ut.CompareAndSwap(cur, next)
	return next.merged
}

// userTypeOf checks the arguments of a registration; whether the sample is
// a struct is checked by cqltype (UserTypes.With, CheckUserType).
func userTypeOf(keyspace, name string, sample any) (reflect.Type, error) {
	rt := reflect.TypeOf(sample)
	if keyspace == "" || name == "" {
		return nil, &UserTypeError{Keyspace: keyspace, Name: name, GoType: fmt.Sprint(rt), Err: errors.New("keyspace and type name are required")}
	}
	return rt, nil
}

// checkedUserType returns the definition of keyspace.name once rt is known
// to map onto it.
func (c *Cluster) checkedUserType(ctx context.Context, keyspace, name string, rt reflect.Type) (*frame.Type, error) {
	ut, err := c.userTypeDef(ctx, keyspace, name)
	if err != nil {
		return nil, err
	}
	if err := cqltype.CheckUserType(ut, rt); err != nil {
		return nil, err
	}
	return ut, nil
}

// userTypeDef returns the definition of keyspace.name: from the schema
// metadata, else read from the server on the control connection (without
// changing the metadata, which the control connection's own goroutine
// refreshes). Unquoted CQL names are case-insensitive, so a name not found
// as given is also looked up in lower case.
func (c *Cluster) userTypeDef(ctx context.Context, keyspace, name string) (*frame.Type, error) {
	find := func(sc *metadata.Schema) *frame.Type {
		if sc == nil {
			return nil
		}
		for _, ks := range []string{keyspace, strings.ToLower(keyspace)} {
			k := sc.Keyspace(ks)
			if k == nil {
				continue
			}
			for _, n := range []string{name, strings.ToLower(name)} {
				if t := k.Type(n); t != nil && t.Type != nil {
					return t.Type
				}
			}
		}
		return nil
	}
	if t := find(c.Metadata()); t != nil {
		return t, nil
	}
	cc := c.control()
	if cc == nil {
		return nil, errors.New("cassandra: user type lookup needs a connected cluster")
	}
	v := cc.schemaVersion()
	for _, ks := range uniq(keyspace, strings.ToLower(keyspace)) {
		ch := frame.SchemaChange{Change: "UPDATED", Target: frame.TargetKeyspace, Keyspace: ks}
		rows, err := cc.schemaRows(ctx, metadata.RefreshQueries(v, ch))
		if err != nil {
			return nil, fmt.Errorf("cassandra: reading user type %s.%s: %w", keyspace, name, err)
		}
		k, err := metadata.ParseKeyspace(v, ks, rows)
		if err != nil {
			return nil, fmt.Errorf("cassandra: reading user type %s.%s: %w", keyspace, name, err)
		}
		if k != nil {
			if t := find((&metadata.Schema{Version: v}).WithKeyspace(k)); t != nil {
				return t, nil
			}
		}
	}
	return nil, &UserTypeError{Keyspace: keyspace, Name: name, Err: ErrUnknownUserType}
}

// control returns the control connection once Connect has started the
// cluster, else nil.
func (c *Cluster) control() *controlConn {
	st := &c.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.started {
		return nil
	}
	return st.ctrl
}

func uniq(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}
