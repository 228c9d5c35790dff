package conn

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// The connection's one deadline timer (deadlines.go) enforces every call's
// own deadline: a short one made after a long one, calls never written,
// answers racing their deadlines, and the orphan bound.
func TestDeadlineSweep(t *testing.T) {
	t.Run("a_short_deadline_after_a_long_one_ends_on_time", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT hang"), Then: cassandratest.Hang()})
		cn := mustDial(t, n, testConnConfig(frame.V4))
		long := make(chan error, 1)
		go func() {
			_, err := cn.ExecUntil(context.Background(), time.Now().Add(time.Hour), &frame.Query{Query: "SELECT hang"}, nil, false)
			long <- err
		}()
		pollUntil(t, 2*time.Second, "the long request sent", func() bool { return n.Count(cassandratest.Query("SELECT hang")) == 1 })
		// The context only bounds the test: the deadline must end it first.
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		start := time.Now()
		_, err := cn.ExecUntil(ctx, start.Add(50*time.Millisecond), &frame.Query{Query: "SELECT hang"}, nil, false)
		took := time.Since(start)
		var te *TimeoutError
		if !errors.As(err, &te) || !errors.Is(err, ErrDeadline) || !te.MaybeApplied {
			t.Fatalf("err %v, want a *TimeoutError for the deadline that may have been applied", err)
		}
		if took < 50*time.Millisecond || took > time.Second {
			t.Errorf("the 50ms request ended after %v", took)
		}
		if te.Elapsed < 50*time.Millisecond || te.Elapsed > time.Second {
			t.Errorf("Elapsed %v", te.Elapsed)
		}
		select {
		case err := <-long:
			t.Fatalf("the one-hour request ended: %v", err)
		default:
		}
		if cn.InFlight() != 2 || cn.Orphaned() != 1 {
			t.Errorf("in flight %d, orphans %d; want 2 and 1 (the expired call keeps its stream)", cn.InFlight(), cn.Orphaned())
		}
		cn.Close()
		select {
		case err := <-long:
			var ce *ConnError
			if !errors.As(err, &ce) && !errors.Is(err, ErrClosed) {
				t.Errorf("the long request after Close: %v", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("the long request still waits after Close")
		}
		cn.armMu.Lock()
		closed := cn.sweepClosed
		cn.armMu.Unlock()
		if !closed || cn.sweepTimer.Stop() {
			t.Error("the deadline timer is still armed after Close")
		}
	})
	t.Run("an_expired_call_keeps_its_stream_until_the_late_answer", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{Handler: func(r *cassandratest.Request) cassandratest.Reaction { return echoRows(r) }})
		release := make(chan struct{})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT slow"), Then: cassandratest.Func(func(r *cassandratest.Request) cassandratest.Reaction {
			<-release
			return echoRows(r)
		})})
		cn := mustDial(t, n, testConnConfig(frame.V4))
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_, err := cn.ExecUntil(ctx, time.Now().Add(30*time.Millisecond), &frame.Query{Query: "SELECT slow"}, nil, false)
		var te *TimeoutError
		if !errors.As(err, &te) || !te.MaybeApplied {
			t.Fatalf("err %v, want a *TimeoutError that may have been applied", err)
		}
		if cn.InFlight() != 1 || cn.Orphaned() != 1 {
			t.Fatalf("in flight %d, orphans %d, want 1 and 1", cn.InFlight(), cn.Orphaned())
		}
		close(release)
		pollUntil(t, 2*time.Second, "the late answer frees the stream", func() bool { return cn.InFlight() == 0 && cn.Orphaned() == 0 })
		// The freed stream and the calls are reused: every answer still
		// reaches its own caller.
		for i := range 300 {
			q := fmt.Sprintf("SELECT %d", i)
			got, err := queryText(context.Background(), cn, q)
			if err != nil || got != q {
				t.Fatalf("%q: got %q, %v", q, got, err)
			}
		}
	})
	t.Run("answers_racing_their_deadlines_never_cross", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{Handler: func(r *cassandratest.Request) cassandratest.Reaction {
			return cassandratest.Delay(time.Duration(rand.IntN(3000))*time.Microsecond, echoRows(r))
		}})
		cn := mustDial(t, n, testConnConfig(frame.V4))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // bounds the test only
		defer cancel()
		var wg sync.WaitGroup
		var mu sync.Mutex
		answered, expired := 0, 0
		for g := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 150 {
					q := fmt.Sprintf("SELECT %d-%d", g, i)
					deadline := time.Now().Add(time.Duration(500+rand.IntN(3500)) * time.Microsecond)
					f, err := cn.ExecUntil(ctx, deadline, &frame.Query{Query: q, Params: frame.QueryParams{Consistency: frame.One}}, nil, false)
					var te *TimeoutError
					switch {
					case err == nil:
						got, derr := firstText(f, cn.Version())
						if derr != nil || got != q {
							t.Errorf("%q answered with %q (%v)", q, got, derr)
							return
						}
						mu.Lock()
						answered++
						mu.Unlock()
					case errors.As(err, &te) && errors.Is(err, ErrDeadline):
						if time.Now().Before(deadline) {
							t.Errorf("%q timed out before its deadline", q)
						}
						mu.Lock()
						expired++
						mu.Unlock()
					default:
						t.Errorf("%q: %v", q, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		t.Logf("%d answered, %d expired", answered, expired)
		if answered == 0 || expired == 0 {
			t.Errorf("%d answered, %d expired: the test needs both", answered, expired)
		}
		pollUntil(t, 5*time.Second, "every late answer read", func() bool { return cn.InFlight() == 0 && cn.Orphaned() == 0 })
		if cn.IsClosed() {
			t.Fatalf("connection closed: %v", cn.Err())
		}
	})
	t.Run("expired_calls_past_the_orphan_bound_drain_the_connection", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT hang"), Then: cassandratest.Hang()})
		cfg := testConnConfig(frame.V4)
		cfg.MaxOrphans = 3
		drained := make(chan *Conn, 1)
		cfg.OnDrain = func(c *Conn) { drained <- c }
		cn := mustDial(t, n, cfg)
		for i := range 4 {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			_, err := cn.ExecUntil(ctx, time.Now().Add(10*time.Millisecond), &frame.Query{Query: "SELECT hang"}, nil, false)
			cancel()
			if !errors.Is(err, ErrDeadline) {
				t.Fatalf("request %d: %v", i, err)
			}
		}
		select {
		case c := <-drained:
			if c != cn || !cn.Draining() {
				t.Error("OnDrain was told of another connection, or it is not draining")
			}
		case <-time.After(2 * time.Second):
			t.Fatal("4 expired requests over a bound of 3 did not drain the connection")
		}
	})
	t.Run("an_owner_closing_the_drained_connection_at_once_does_not_wait_on_the_sweep", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT hang"), Then: cassandratest.Hang()})
		cfg := testConnConfig(frame.V4)
		cfg.MaxOrphans = 1
		closed := make(chan struct{})
		cfg.OnDrain = func(c *Conn) { c.Close(); close(closed) } // Close waits for the connection's goroutines
		cn := mustDial(t, n, cfg)
		for range 2 {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			cn.ExecUntil(ctx, time.Now().Add(10*time.Millisecond), &frame.Query{Query: "SELECT hang"}, nil, false)
			cancel()
		}
		select {
		case <-closed:
		case <-time.After(3 * time.Second):
			t.Fatal("OnDrain's Close did not return: it waits on the sweep that called it")
		}
		if !cn.IsClosed() {
			t.Error("the drained connection is open")
		}
	})
}

// firstText is the first column of the first row of a RESULT frame.
func firstText(f frame.Frame, v frame.Version) (string, error) {
	var rows frame.RowsResult
	if err := rows.Decode(f.Body, v); err != nil {
		return "", err
	}
	cells := make([][]byte, rows.Metadata.ColumnCount)
	it := rows.Rows()
	if !it.Next(cells) {
		return "", errors.New("no row")
	}
	return string(cells[0]), nil
}
