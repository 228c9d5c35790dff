package ormconn

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/cqlgo/cassandra"
)

// Registry bookkeeping that needs no server: lazy registrations never
// connect, and a failed connect uses a closed port.

func TestZeroRegistryAnswersEmpty(t *testing.T) {
	var r Registry
	if got := r.Names(); len(got) != 0 {
		t.Errorf("Names = %v, want none", got)
	}
	if got := r.Default(); got != "" {
		t.Errorf("Default = %q, want empty", got)
	}
	if _, err := r.Get(testCtx(t), ""); !errors.Is(err, ErrNoDefault) {
		t.Errorf("Get(\"\") = %v, want ErrNoDefault", err)
	}
	if err := r.CloseAll(testCtx(t)); err != nil {
		t.Errorf("CloseAll = %v", err)
	}
}

func TestUnknownNamesAreTypedErrors(t *testing.T) {
	r := NewRegistry()
	if err := r.Register(testCtx(t), "a", cassandra.NewCluster("127.0.0.1"), Options{Lazy: true}); err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	tests := []struct {
		name string
		call func() error
	}{
		{"get_unknown", func() error { _, err := r.Get(ctx, "nope"); return err }},
		{"lookup_unknown", func() error { _, err := r.Lookup("nope"); return err }},
		{"set_default_unknown", func() error { return r.SetDefault("nope") }},
		{"unregister_unknown", func() error { return r.Unregister(ctx, "nope") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var unknown *UnknownConnectionError
			if !errors.As(err, &unknown) || unknown.Name != "nope" {
				t.Fatalf("error = %v, want *UnknownConnectionError{nope}", err)
			}
		})
	}
	if got := r.Names(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("Names = %v after the failed calls, want [a]", got)
	}
}

func TestEmptyNamesAreRefused(t *testing.T) {
	r := NewRegistry()
	ctx := testCtx(t)
	tests := []struct {
		name string
		call func() error
	}{
		{"register", func() error { return r.Register(ctx, "", cassandra.NewCluster(), Options{Lazy: true}) }},
		{"register_session", func() error { return r.RegisterSession(ctx, "", new(cassandra.Session), Options{}) }},
		{"set_default", func() error { return r.SetDefault("") }},
		{"unregister", func() error { return r.Unregister(ctx, "") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, ErrEmptyName) {
				t.Fatalf("error = %v, want ErrEmptyName", err)
			}
		})
	}
	if got := r.Names(); len(got) != 0 {
		t.Errorf("Names = %v, want none", got)
	}
}

func TestNilClusterOrSessionIsRefused(t *testing.T) {
	r := NewRegistry()
	ctx := testCtx(t)
	if err := r.Register(ctx, "a", nil, Options{}); !errors.Is(err, ErrNilCluster) {
		t.Errorf("Register(nil) = %v, want ErrNilCluster", err)
	}
	if err := r.RegisterSession(ctx, "a", nil, Options{}); !errors.Is(err, ErrNilSession) {
		t.Errorf("RegisterSession(nil) = %v, want ErrNilSession", err)
	}
	if got := r.Names(); len(got) != 0 {
		t.Errorf("Names = %v, want none", got)
	}
}

func TestRegisteringATakenNameIsATypedError(t *testing.T) {
	r := NewRegistry()
	ctx := testCtx(t)
	first := cassandra.NewCluster("127.0.0.1")
	if err := r.Register(ctx, "a", first, Options{Lazy: true, Keyspace: "one"}); err != nil {
		t.Fatal(err)
	}
	second := cassandra.NewCluster("127.0.0.1")
	err := r.Register(ctx, "a", second, Options{Lazy: true, Keyspace: "two"})
	var exists *ConnectionExistsError
	if !errors.As(err, &exists) || exists.Name != "a" {
		t.Fatalf("second Register = %v, want *ConnectionExistsError{a}", err)
	}
	if second.Keyspace != "" {
		t.Errorf("the refused cluster was configured: Keyspace = %q", second.Keyspace)
	}
	c, err := r.Lookup("a")
	if err != nil || c.Cluster() != first || c.Keyspace() != "one" {
		t.Errorf("Lookup(a) = %v, %v; want the first registration", c, err)
	}
}

func TestOneClusterCannotBackTwoConnections(t *testing.T) {
	r := NewRegistry()
	ctx := testCtx(t)
	cl := cassandra.NewCluster("127.0.0.1")
	if err := r.Register(ctx, "a", cl, Options{Lazy: true}); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(ctx, "b", cl, Options{Lazy: true}); !errors.Is(err, ErrClusterInUse) {
		t.Fatalf("Register(b, same cluster) = %v, want ErrClusterInUse", err)
	}
	if got := r.Names(); !slices.Equal(got, []string{"a"}) {
		t.Errorf("Names = %v, want [a]", got)
	}
}

func TestDefaultFollowsOptionsSetDefaultAndUnregister(t *testing.T) {
	r := NewRegistry()
	ctx := testCtx(t)
	for _, name := range []string{"b", "a", "c"} {
		if err := r.Register(ctx, name, cassandra.NewCluster("127.0.0.1"), Options{Lazy: true, Default: name == "b"}); err != nil {
			t.Fatal(err)
		}
	}
	if got := r.Names(); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("Names = %v, want sorted [a b c]", got)
	}
	if got := r.Default(); got != "b" {
		t.Errorf("Default = %q, want b (Options.Default)", got)
	}
	if c, err := r.Lookup(""); err != nil || c.Name() != "b" {
		t.Errorf("Lookup(\"\") = %v, %v; want b", c, err)
	}
	if err := r.SetDefault("nope"); err == nil || r.Default() != "b" {
		t.Errorf("SetDefault(nope) = %v and Default = %q; want an error and b kept", err, r.Default())
	}
	if err := r.SetDefault("c"); err != nil || r.Default() != "c" {
		t.Errorf("SetDefault(c) = %v, Default = %q; want c", err, r.Default())
	}
	if err := r.Unregister(ctx, "c"); err != nil {
		t.Fatal(err)
	}
	if got := r.Default(); got != "" {
		t.Errorf("Default = %q after unregistering it, want empty", got)
	}
	if _, err := r.Get(ctx, ""); !errors.Is(err, ErrNoDefault) {
		t.Errorf("Get(\"\") = %v, want ErrNoDefault", err)
	}
}

func TestRegisterAppliesOptionsToTheCluster(t *testing.T) {
	r := NewRegistry()
	cl := cassandra.NewCluster("127.0.0.1")
	cl.Keyspace = "from_cluster"
	configured := false
	err := r.Register(testCtx(t), "a", cl, Options{
		Lazy:        true,
		Keyspace:    "shop",
		Consistency: cassandra.LocalQuorum,
		Configure: func(c *cassandra.Cluster) {
			configured = c == cl
			c.Keyspace = "from_configure" // Options.Keyspace wins
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !configured || cl.Keyspace != "shop" || cl.Consistency != cassandra.LocalQuorum {
		t.Errorf("configured=%v Keyspace=%q Consistency=%v; want true, shop, LOCAL_QUORUM", configured, cl.Keyspace, cl.Consistency)
	}
	c, _ := r.Lookup("a")
	if level, ok := c.Consistency(); !ok || level != cassandra.LocalQuorum || c.Keyspace() != "shop" {
		t.Errorf("Connection: Consistency = %v, %v; Keyspace %q", level, ok, c.Keyspace())
	}
	if st := c.NewStatement("SELECT 1"); st.CQL() != "SELECT 1" {
		t.Errorf("NewStatement CQL = %q", st.CQL())
	}
}

func TestConnectionWithoutConsistencyReportsUnset(t *testing.T) {
	r := NewRegistry()
	if err := r.Register(testCtx(t), "a", cassandra.NewCluster(), Options{Lazy: true}); err != nil {
		t.Fatal(err)
	}
	c, _ := r.Lookup("a")
	if level, ok := c.Consistency(); ok {
		t.Errorf("Consistency = %v, true; want unset", level)
	}
}

func TestFailedRegisterLeavesNothingBehind(t *testing.T) {
	r := NewRegistry()
	ctx := testCtx(t)
	cl := deadCluster(t)
	err := r.Register(ctx, "a", cl, Options{Default: true})
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Name != "a" {
		t.Fatalf("Register on a dead node = %v, want *ConnectError{a}", err)
	}
	if got := r.Names(); len(got) != 0 {
		t.Errorf("Names = %v, want none", got)
	}
	if got := r.Default(); got != "" {
		t.Errorf("Default = %q, want empty", got)
	}
	var unknown *UnknownConnectionError
	if _, err := r.Get(ctx, "a"); !errors.As(err, &unknown) {
		t.Errorf("Get(a) = %v, want *UnknownConnectionError", err)
	}
	if _, err := cl.Connect(ctx); !errors.Is(err, cassandra.ErrClosed) {
		t.Errorf("the failed cluster's Connect = %v, want ErrClosed (Register closes it)", err)
	}
	// The name is free again, and the cluster too.
	if err := r.Register(ctx, "a", cassandra.NewCluster(), Options{Lazy: true}); err != nil {
		t.Errorf("Register(a) after the failure = %v", err)
	}
}

func TestRegisterUserTypeValidatesArguments(t *testing.T) {
	r := NewRegistry()
	ctx := testCtx(t)
	if err := r.RegisterUserType(ctx, "", "address", struct{}{}); !errors.Is(err, ErrEmptyName) {
		t.Errorf("empty keyspace: %v, want ErrEmptyName", err)
	}
	if err := r.RegisterUserType(ctx, "ks", "", struct{}{}); !errors.Is(err, ErrEmptyName) {
		t.Errorf("empty type: %v, want ErrEmptyName", err)
	}
	if err := r.RegisterUserType(ctx, "ks", "address", nil); err == nil {
		t.Error("nil sample accepted")
	}
}

func TestPackageFunctionsUseTheDefaultRegistry(t *testing.T) {
	ctx := testCtx(t)
	t.Cleanup(func() { _ = CloseAll(context.Background()) })
	if err := Setup(ctx, []string{"127.0.0.1"}, "shop", Options{Lazy: true}); err != nil {
		t.Fatal(err)
	}
	if Default() != DefaultName || !slices.Equal(Names(), []string{DefaultName}) {
		t.Errorf("Default = %q, Names = %v; want %q", Default(), Names(), DefaultName)
	}
	c, err := Lookup("")
	if err != nil || c.Keyspace() != "shop" || c.Cluster().Keyspace != "shop" {
		t.Fatalf("Lookup(\"\") = %v, %v; want keyspace shop", c, err)
	}
	if c2, _ := DefaultRegistry().Lookup(DefaultName); c2 != c {
		t.Error("DefaultRegistry is not the registry of the package functions")
	}
	if err := Register(ctx, DefaultName, cassandra.NewCluster(), Options{Lazy: true}); err == nil {
		t.Error("Register of a taken name through the package function succeeded")
	}
	if err := SetDefault("nope"); err == nil {
		t.Error("SetDefault(nope) succeeded")
	}
	if err := Unregister(ctx, DefaultName); err != nil {
		t.Fatal(err)
	}
	if _, err := Get(ctx, ""); !errors.Is(err, ErrNoDefault) {
		t.Errorf("Get after Unregister = %v, want ErrNoDefault", err)
	}
}
