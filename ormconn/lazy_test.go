package ormconn

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cqlgo/cassandra"
)

// Connecting, lazily or not, and closing, on simulated nodes.

// counting returns an OnConnect hook that counts its calls.
func counting(n *atomic.Int32) func(context.Context, string, *cassandra.Session) error {
	return func(context.Context, string, *cassandra.Session) error {
		n.Add(1)
		return nil
	}
}

func TestRegisterConnectsAtOnceAndGetReturnsTheSession(t *testing.T) {
	n := startNode(t)
	r := NewRegistry()
	ctx := testCtx(t)
	var connects atomic.Int32
	cl := simCluster(t, n)
	if err := r.Register(ctx, "a", cl, Options{Default: true, Keyspace: "shop", Consistency: cassandra.Quorum, OnConnect: counting(&connects)}); err != nil {
		t.Fatal(err)
	}
	if connects.Load() != 1 {
		t.Errorf("OnConnect ran %d times during Register, want 1", connects.Load())
	}
	s, err := r.Get(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if s2, _ := r.Get(ctx, "a"); s2 != s {
		t.Error("Get(a) and Get(\"\") returned different sessions")
	}
	if s.Keyspace() != "shop" {
		t.Errorf("session keyspace = %q, want shop", s.Keyspace())
	}
	const q = "INSERT INTO shop.t (k) VALUES (1)"
	if _, err := s.Execute(ctx, q); err != nil {
		t.Fatal(err)
	}
	if got := sentConsistency(t, n, q); got != cassandra.Quorum {
		t.Errorf("statement sent at %v, want QUORUM (Options.Consistency on the cluster)", got)
	}
	c, _ := r.Lookup("a")
	if c.attempts.Load() != 1 || connects.Load() != 1 {
		t.Errorf("%d connects, %d OnConnect calls after three Gets; want 1 and 1", c.attempts.Load(), connects.Load())
	}
}

func TestUnregisterClosesTheClusterItCreated(t *testing.T) {
	n := startNode(t)
	r := NewRegistry()
	ctx := testCtx(t)
	cl := simCluster(t, n)
	if err := r.Register(ctx, "a", cl, Options{}); err != nil {
		t.Fatal(err)
	}
	s, err := r.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := r.Lookup("a")
	if err := r.Unregister(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(ctx, "SELECT release_version FROM system.local"); !errors.Is(err, cassandra.ErrClosed) {
		t.Errorf("Execute on the unregistered session = %v, want ErrClosed", err)
	}
	if _, err := cl.Connect(ctx); !errors.Is(err, cassandra.ErrClosed) {
		t.Errorf("cluster Connect after Unregister = %v, want ErrClosed", err)
	}
	var unknown *UnknownConnectionError
	if _, err := c.Session(ctx); !errors.As(err, &unknown) {
		t.Errorf("Session of a held, unregistered Connection = %v, want *UnknownConnectionError", err)
	}
	if err := r.Unregister(ctx, "a"); !errors.As(err, &unknown) {
		t.Errorf("second Unregister = %v, want *UnknownConnectionError", err)
	}
}

func TestUserSessionSurvivesUnregisterAndCloseAll(t *testing.T) {
	n := startNode(t)
	r := NewRegistry()
	ctx := testCtx(t)
	cl := simCluster(t, n)
	s, err := cl.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterSession(ctx, "user", s, Options{Keyspace: "shop", Consistency: cassandra.LocalQuorum}); err != nil {
		t.Fatal(err)
	}
	if s.Keyspace() != "shop" {
		t.Errorf("session keyspace = %q, want shop (SetKeyspace during register)", s.Keyspace())
	}
	c, _ := r.Lookup("user")
	if c.Cluster() != nil || c.Keyspace() != "shop" {
		t.Errorf("Cluster = %v, Keyspace = %q; want nil and shop", c.Cluster(), c.Keyspace())
	}
	const q = "INSERT INTO shop.t (k) VALUES (2)"
	if _, err := s.ExecuteStatement(ctx, c.NewStatement(q)); err != nil {
		t.Fatal(err)
	}
	if got := sentConsistency(t, n, q); got != cassandra.LocalQuorum {
		t.Errorf("NewStatement sent at %v, want LOCAL_QUORUM", got)
	}
	if err := r.Unregister(ctx, "user"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(ctx, "SELECT release_version FROM system.local"); err != nil {
		t.Errorf("user session after Unregister: %v", err)
	}
	if err := r.RegisterSession(ctx, "again", s, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := r.CloseAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(ctx, "SELECT release_version FROM system.local"); err != nil {
		t.Errorf("user session after CloseAll: %v", err)
	}
}

func TestFailedOnConnectLeavesNothingBehind(t *testing.T) {
	n := startNode(t)
	r := NewRegistry()
	ctx := testCtx(t)
	boom := errors.New("boom")
	var opened *cassandra.Session
	fail := func(_ context.Context, _ string, s *cassandra.Session) error { opened = s; return boom }

	cl := simCluster(t, n)
	err := r.Register(ctx, "a", cl, Options{OnConnect: fail})
	if !errors.Is(err, boom) {
		t.Fatalf("Register = %v, want the OnConnect error", err)
	}
	if len(r.Names()) != 0 {
		t.Errorf("Names = %v, want none", r.Names())
	}
	if _, err := opened.Execute(ctx, "SELECT release_version FROM system.local"); !errors.Is(err, cassandra.ErrClosed) {
		t.Errorf("session of the failed Register = %v, want ErrClosed", err)
	}

	// A user's session is not closed by a failed RegisterSession.
	own := simCluster(t, n)
	s, err := own.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RegisterSession(ctx, "u", s, Options{OnConnect: fail}); !errors.Is(err, boom) {
		t.Fatalf("RegisterSession = %v, want the OnConnect error", err)
	}
	if len(r.Names()) != 0 {
		t.Errorf("Names = %v, want none", r.Names())
	}
	if _, err := s.Execute(ctx, "SELECT release_version FROM system.local"); err != nil {
		t.Errorf("user session after a failed RegisterSession: %v", err)
	}
}

func TestSetupRegistersTheDefault(t *testing.T) {
	n := startNode(t)
	r := NewRegistry()
	ctx := testCtx(t)
	t.Cleanup(func() { _ = r.CloseAll(context.Background()) })
	if err := r.Setup(ctx, []string{n.Addr().String()}, "shop", Options{Configure: quiet}); err != nil {
		t.Fatal(err)
	}
	if r.Default() != DefaultName {
		t.Errorf("Default = %q, want %q", r.Default(), DefaultName)
	}
	s, err := r.Get(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Keyspace() != "shop" {
		t.Errorf("keyspace = %q, want shop", s.Keyspace())
	}
}

func TestLazyConnectsOnceForConcurrentGets(t *testing.T) {
	n := startNode(t)
	entered, release := gate(t, n)
	r := NewRegistry()
	ctx := testCtx(t)
	var connects atomic.Int32
	if err := r.Register(ctx, "a", simCluster(t, n), Options{Lazy: true, OnConnect: counting(&connects)}); err != nil {
		t.Fatal(err)
	}
	if connects.Load() != 0 {
		t.Fatal("a lazy Register connected")
	}
	const k = 16
	results := make([]<-chan getResult, k)
	results[0] = goGet(ctx, r, "a")
	recv(t, entered, "connect of the first Get")
	for i := 1; i < k; i++ {
		results[i] = goGet(ctx, r, "a")
	}
	release()
	var first *cassandra.Session
	for i, ch := range results {
		res := recv(t, ch, "Get result")
		if res.err != nil {
			t.Fatalf("Get %d: %v", i, res.err)
		}
		if first == nil {
			first = res.s
		} else if res.s != first {
			t.Errorf("Get %d returned another session", i)
		}
	}
	c, _ := r.Lookup("a")
	if c.attempts.Load() != 1 || connects.Load() != 1 {
		t.Errorf("%d connects, %d OnConnect calls for %d Gets; want 1 and 1", c.attempts.Load(), connects.Load(), k)
	}
}

func TestWaitingGetReturnsWhenItsContextEnds(t *testing.T) {
	n := startNode(t)
	entered, release := gate(t, n)
	r := NewRegistry()
	ctx := testCtx(t)
	if err := r.Register(ctx, "a", simCluster(t, n), Options{Lazy: true}); err != nil {
		t.Fatal(err)
	}
	connecting := goGet(ctx, r, "a")
	recv(t, entered, "connect of the first Get")

	wctx, cancel := context.WithCancel(ctx)
	waiting := goGet(wctx, r, "a")
	cancel()
	// The connect is held at the gate, so this returns only if the waiter
	// gave up on its own context.
	res := recv(t, waiting, "result of the cancelled Get")
	if res.err != context.Canceled {
		t.Errorf("cancelled Get = %v, want exactly context.Canceled", res.err)
	}
	select {
	case res := <-connecting:
		t.Fatalf("the connecting Get ended with the waiter: %v", res.err)
	default:
	}
	release()
	if res := recv(t, connecting, "result of the connecting Get"); res.err != nil {
		t.Fatalf("connecting Get: %v", res.err)
	}
	c, _ := r.Lookup("a")
	if c.attempts.Load() != 1 {
		t.Errorf("%d connects, want 1", c.attempts.Load())
	}
}

func TestConnectEndedByTheCallersContextIsNotRemembered(t *testing.T) {
	n := startNode(t)
	entered, release := gate(t, n)
	r := NewRegistry()
	ctx := testCtx(t)
	if err := r.Register(ctx, "a", simCluster(t, n), Options{Lazy: true}); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	connecting := goGet(cctx, r, "a")
	recv(t, entered, "connect of the first Get")
	cancel()
	res := recv(t, connecting, "result of the cancelled connect")
	if !errors.Is(res.err, context.Canceled) {
		t.Fatalf("cancelled connect = %v, want it to wrap context.Canceled", res.err)
	}
	release()
	if _, err := r.Get(ctx, "a"); err != nil {
		t.Fatalf("Get after a cancelled connect (no RetryConnect) = %v, want a new connect", err)
	}
	c, _ := r.Lookup("a")
	if c.attempts.Load() != 2 {
		t.Errorf("%d connects, want 2", c.attempts.Load())
	}
}

func TestFailedLazyConnectIsRememberedWithoutRetryConnect(t *testing.T) {
	tests := []struct {
		name      string
		retry     bool
		wantAfter bool // the Get after the node is back succeeds
		attempts  int64
	}{
		{"without_retry_the_failure_is_returned_again", false, false, 1},
		{"with_retry_the_next_get_connects", true, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := startNode(t)
			n.Stop()
			r := NewRegistry()
			ctx := testCtx(t)
			if err := r.Register(ctx, "a", simCluster(t, n), Options{Lazy: true, RetryConnect: tt.retry}); err != nil {
				t.Fatal(err)
			}
			_, err1 := r.Get(ctx, "a")
			var ce *ConnectError
			if !errors.As(err1, &ce) || ce.Name != "a" {
				t.Fatalf("Get with the node down = %v, want *ConnectError{a}", err1)
			}
			if err := n.Restart(); err != nil {
				t.Fatal(err)
			}
			s, err2 := r.Get(ctx, "a")
			if tt.wantAfter {
				if err2 != nil || s == nil {
					t.Fatalf("Get with the node back = %v", err2)
				}
			} else if err2 != err1 {
				t.Fatalf("Get with the node back = %v, want the remembered %v", err2, err1)
			}
			c, _ := r.Lookup("a")
			if c.attempts.Load() != tt.attempts {
				t.Errorf("%d connects, want %d", c.attempts.Load(), tt.attempts)
			}
		})
	}
}

func TestUnregisterWaitsForAConnectInProgress(t *testing.T) {
	tests := []struct {
		name   string
		cancel bool // end Unregister's context while the connect is held
	}{
		{"returns_once_the_connect_has_ended", false},
		{"gives_up_when_its_context_ends", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := startNode(t)
			entered, release := gate(t, n)
			r := NewRegistry()
			ctx := testCtx(t)
			cl := simCluster(t, n)
			if err := r.Register(ctx, "a", cl, Options{Lazy: true}); err != nil {
				t.Fatal(err)
			}
			connecting := goGet(ctx, r, "a")
			recv(t, entered, "connect of the first Get")

			uctx, cancel := context.WithCancel(ctx)
			defer cancel()
			unregistered := make(chan error, 1)
			go func() { unregistered <- r.Unregister(uctx, "a") }()
			if tt.cancel {
				// The gate stays shut: Unregister can only return by its
				// context.
				cancel()
				if err := recv(t, unregistered, "Unregister"); !errors.Is(err, context.Canceled) {
					t.Errorf("Unregister during a held connect = %v, want it to end with its context", err)
				}
				release()
			} else {
				// A negative check: it cannot fail spuriously, only miss.
				select {
				case err := <-unregistered:
					t.Fatalf("Unregister returned while the connect was held: %v", err)
				case <-time.After(100 * time.Millisecond):
				}
				release()
				if err := recv(t, unregistered, "Unregister"); err != nil {
					t.Errorf("Unregister = %v", err)
				}
			}
			if len(r.Names()) != 0 {
				t.Errorf("Names = %v after Unregister, want none", r.Names())
			}
			res := recv(t, connecting, "result of the interrupted connect")
			var unknown *UnknownConnectionError
			if res.err == nil || (!errors.Is(res.err, cassandra.ErrClosed) && !errors.As(res.err, &unknown)) {
				t.Errorf("Get interrupted by Unregister = %v, %v; want ErrClosed or *UnknownConnectionError", res.s, res.err)
			}
			if _, err := cl.Connect(ctx); !errors.Is(err, cassandra.ErrClosed) {
				t.Errorf("cluster Connect after Unregister = %v, want ErrClosed", err)
			}
		})
	}
}

func TestCloseAllClosesEveryOwnedClusterAndEmptiesTheRegistry(t *testing.T) {
	n := startNode(t)
	r := NewRegistry()
	ctx := testCtx(t)
	a, b := simCluster(t, n), simCluster(t, n)
	if err := r.Register(ctx, "a", a, Options{Default: true}); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(ctx, "b", b, Options{Lazy: true}); err != nil {
		t.Fatal(err)
	}
	sa, err := r.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CloseAll(ctx); err != nil {
		t.Fatal(err)
	}
	if len(r.Names()) != 0 || r.Default() != "" {
		t.Errorf("after CloseAll: Names %v, Default %q", r.Names(), r.Default())
	}
	if _, err := sa.Execute(ctx, "SELECT release_version FROM system.local"); !errors.Is(err, cassandra.ErrClosed) {
		t.Errorf("session of a after CloseAll = %v, want ErrClosed", err)
	}
	for name, cl := range map[string]*cassandra.Cluster{"a": a, "b": b} {
		if _, err := cl.Connect(ctx); !errors.Is(err, cassandra.ErrClosed) {
			t.Errorf("cluster %s Connect after CloseAll = %v, want ErrClosed", name, err)
		}
	}
	// The registry is usable again.
	if err := r.Register(ctx, "a", cassandra.NewCluster(), Options{Lazy: true}); err != nil {
		t.Errorf("Register after CloseAll: %v", err)
	}
}
