package ormconn

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/cqlgo/cassandra"
)

// User-type bookkeeping with a fake Session.RegisterUserType, so that it is
// tested whether or not the driver core has the method (the integration
// test exercises the real one).

// fakeTypes stands in for Session.RegisterUserType: it records the types
// registered per session and refuses the ones in missing.
type fakeTypes struct {
	mu      sync.Mutex
	got     map[*cassandra.Session][]string // "ks.name" in order
	missing map[string]bool
}

type fakeRegistrar struct {
	f *fakeTypes
	s *cassandra.Session
}

func (r fakeRegistrar) RegisterUserType(_ context.Context, keyspace, name string, sample any) error {
	key := keyspace + "." + name
	r.f.mu.Lock()
	defer r.f.mu.Unlock()
	if r.f.missing[key] {
		return fmt.Errorf("no type %s", key)
	}
	r.f.got[r.s] = append(r.f.got[r.s], fmt.Sprintf("%s=%T", key, sample))
	return nil
}

// fakeRegistry returns a registry whose sessions register types on f.
func fakeRegistry(missing ...string) (*Registry, *fakeTypes) {
	f := &fakeTypes{got: map[*cassandra.Session][]string{}, missing: map[string]bool{}}
	for _, m := range missing {
		f.missing[m] = true
	}
	r := &Registry{registrarHook: func(s *cassandra.Session) (userTypeRegistrar, bool) {
		return fakeRegistrar{f, s}, true
	}}
	return r, f
}

func (f *fakeTypes) of(s *cassandra.Session) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got[s])
}

type address struct{ Street string }
type phone struct{ Number string }

func TestUserTypesApplyToPresentAndFutureConnections(t *testing.T) {
	n := startNode(t)
	r, f := fakeRegistry()
	ctx := testCtx(t)
	if err := r.Register(ctx, "present", simCluster(t, n), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(ctx, "lazy", simCluster(t, n), Options{Lazy: true}); err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterUserType(ctx, "shop", "address", address{}); err != nil {
		t.Fatal(err)
	}
	present, _ := r.Get(ctx, "present")
	if got, want := f.of(present), []string{"shop.address=ormconn.address"}; !slices.Equal(got, want) {
		t.Errorf("connected session got %v, want %v", got, want)
	}

	// A lazy connection gets the types when it connects, a new one when it
	// registers, a user's session too.
	lazy, err := r.Get(ctx, "lazy")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Register(ctx, "future", simCluster(t, n), Options{}); err != nil {
		t.Fatal(err)
	}
	future, _ := r.Get(ctx, "future")
	own, err := simCluster(t, n).Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterSession(ctx, "user", own, Options{}); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*cassandra.Session{"lazy": lazy, "future": future, "user": own} {
		if got, want := f.of(s), []string{"shop.address=ormconn.address"}; !slices.Equal(got, want) {
			t.Errorf("%s session got %v, want %v", name, got, want)
		}
	}

	// Registering the type again replaces the sample everywhere.
	if err := r.RegisterUserType(ctx, "shop", "address", phone{}); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(ctx, "later", simCluster(t, n), Options{}); err != nil {
		t.Fatal(err)
	}
	later, _ := r.Get(ctx, "later")
	if got, want := f.of(later), []string{"shop.address=ormconn.phone"}; !slices.Equal(got, want) {
		t.Errorf("session registered after the replacement got %v, want %v", got, want)
	}
	if got := f.of(present); len(got) != 2 || got[1] != "shop.address=ormconn.phone" {
		t.Errorf("connected session got %v, want the replacement second", got)
	}
}

func TestRefusedUserTypeIsReportedPerConnectionAndNotRecorded(t *testing.T) {
	n := startNode(t)
	r, _ := fakeRegistry("shop.nope")
	ctx := testCtx(t)
	for _, name := range []string{"b", "a"} {
		if err := r.Register(ctx, name, simCluster(t, n), Options{}); err != nil {
			t.Fatal(err)
		}
	}
	err := r.RegisterUserType(ctx, "shop", "nope", address{})
	if err == nil {
		t.Fatal("a type both connections refuse was accepted")
	}
	var refused []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var ut *UserTypeError
		if !errors.As(e, &ut) || ut.Keyspace != "shop" || ut.Type != "nope" {
			t.Fatalf("error %v is not a *UserTypeError for shop.nope", e)
		}
		refused = append(refused, ut.Connection)
	}
	if !slices.Equal(refused, []string{"a", "b"}) {
		t.Errorf("refusing connections = %v, want [a b]", refused)
	}
	if len(r.types) != 0 {
		t.Errorf("refused type recorded: %v", r.types)
	}
	// Not recorded, so a new connection does not trip on it.
	if err := r.Register(ctx, "c", simCluster(t, n), Options{}); err != nil {
		t.Errorf("Register after a refused type: %v", err)
	}
}

func TestRecordedTypeANewConnectionRefusesFailsItsRegister(t *testing.T) {
	n := startNode(t)
	r, _ := fakeRegistry("shop.nope")
	ctx := testCtx(t)
	// No connection yet: nothing can refuse it, so it is recorded.
	if err := r.RegisterUserType(ctx, "shop", "nope", address{}); err != nil {
		t.Fatal(err)
	}
	cl := simCluster(t, n)
	err := r.Register(ctx, "a", cl, Options{})
	var ut *UserTypeError
	if !errors.As(err, &ut) || ut.Connection != "a" {
		t.Fatalf("Register = %v, want a *UserTypeError for a", err)
	}
	if len(r.Names()) != 0 {
		t.Errorf("Names = %v, want none", r.Names())
	}
	if _, err := cl.Connect(ctx); !errors.Is(err, cassandra.ErrClosed) {
		t.Errorf("cluster of the failed Register = %v, want closed", err)
	}

	// A lazy connection fails at Get; with RetryConnect its session is
	// closed and the cluster kept for the next try.
	lazy := simCluster(t, n)
	if err := r.Register(ctx, "l", lazy, Options{Lazy: true, RetryConnect: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Get(ctx, "l"); !errors.As(err, &ut) || ut.Connection != "l" {
		t.Fatalf("lazy Get = %v, want a *UserTypeError for l", err)
	}
	if _, err := r.Get(ctx, "l"); !errors.As(err, &ut) {
		t.Fatalf("second lazy Get = %v, want a *UserTypeError again", err)
	}
	c, _ := r.Lookup("l")
	if c.attempts.Load() != 2 {
		t.Errorf("%d connects, want 2 (RetryConnect)", c.attempts.Load())
	}
}

func TestConcurrentUserTypeAndLazyConnectMissNoType(t *testing.T) {
	n := startNode(t)
	r, f := fakeRegistry()
	ctx := testCtx(t)
	const k = 4
	for i := range k {
		if err := r.Register(ctx, fmt.Sprint("c", i), simCluster(t, n), Options{Lazy: true}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	sessions := make([]*cassandra.Session, k)
	for i := range k {
		wg.Go(func() {
			s, err := r.Get(ctx, fmt.Sprint("c", i))
			if err != nil {
				t.Error(err)
			}
			sessions[i] = s
		})
	}
	wg.Go(func() {
		if err := r.RegisterUserType(ctx, "shop", "address", address{}); err != nil {
			t.Error(err)
		}
	})
	wg.Wait()
	for i, s := range sessions {
		if s == nil {
			continue
		}
		if got := f.of(s); !slices.Equal(got, []string{"shop.address=ormconn.address"}) {
			t.Errorf("session c%d got %v, want the type exactly once", i, got)
		}
	}
}
