package conn

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

func TestStreamSet(t *testing.T) {
	t.Run("concurrent_alloc_free_never_hands_out_an_id_twice", func(t *testing.T) {
		for _, limit := range []int{64, 1000, maxStreams} {
			s := newStreamSet(limit)
			var owned [maxStreams]atomic.Bool
			var wg sync.WaitGroup
			for g := 0; g < 16; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var mine []int16
					for i := 0; i < 3000; i++ {
						if len(mine) > 0 && (len(mine) > 8 || rand.IntN(2) == 0) {
							id := mine[len(mine)-1]
							mine = mine[:len(mine)-1]
							owned[id].Store(false)
							s.free(id)
							continue
						}
						id, ok := s.alloc()
						if !ok {
							continue
						}
						if int(id) >= limit || id < 0 {
							t.Errorf("limit %d: got id %d", limit, id)
							return
						}
						if owned[id].Swap(true) {
							t.Errorf("limit %d: id %d handed out twice", limit, id)
							return
						}
						mine = append(mine, id)
					}
					for _, id := range mine {
						owned[id].Store(false)
						s.free(id)
					}
				}()
			}
			wg.Wait()
			if n := s.used(); n != 0 {
				t.Errorf("limit %d: %d ids in use after every one was freed", limit, n)
			}
		}
	})
	t.Run("limit_respected", func(t *testing.T) {
		s := newStreamSet(100)
		seen := map[int16]bool{}
		for i := 0; i < 100; i++ {
			id, ok := s.alloc()
			if !ok {
				t.Fatalf("alloc %d failed below the limit", i)
			}
			if id < 0 || id >= 100 || seen[id] {
				t.Fatalf("alloc %d: id %d (seen %v)", i, id, seen[id])
			}
			seen[id] = true
		}
		if id, ok := s.alloc(); ok {
			t.Fatalf("alloc past the limit gave id %d", id)
		}
		if s.used() != 100 {
			t.Errorf("used %d, want 100", s.used())
		}
	})
	t.Run("free_then_realloc_gives_the_freed_id", func(t *testing.T) {
		s := newStreamSet(10)
		for i := 0; i < 10; i++ {
			s.alloc()
		}
		s.free(7)
		if id, ok := s.alloc(); !ok || id != 7 {
			t.Errorf("realloc: %d %v, want 7", id, ok)
		}
	})
	t.Run("all_32768_ids_usable", func(t *testing.T) {
		s := newStreamSet(0)
		for i := 0; i < maxStreams; i++ {
			if _, ok := s.alloc(); !ok {
				t.Fatalf("alloc %d failed", i)
			}
		}
		if _, ok := s.alloc(); ok {
			t.Fatal("alloc beyond 32768 ids")
		}
	})
}

func TestHandshake(t *testing.T) {
	for _, v := range []frame.Version{frame.V3, frame.V4, frame.V5} {
		for _, tc := range []struct {
			comp Compression
			want string // compression in STARTUP
		}{
			{NoCompression, ""},
			{LZ4, "lz4"},
			{Snappy, "snappy"},
		} {
			want := tc.want
			if v == frame.V5 && tc.comp == Snappy {
				want = "" // v5 compresses segments with lz4 only
			}
			t.Run(fmt.Sprintf("%v_%v_negotiates_%q", v, tc.comp, want), func(t *testing.T) {
				n := startNode(t, cassandratest.Config{Handler: echoRows})
				cfg := testConnConfig(v)
				cfg.Compression = tc.comp
				cn := mustDial(t, n, cfg)
				if cn.version != v {
					t.Errorf("version %v", cn.version)
				}
				got := ""
				for _, r := range n.Requests() {
					if st, ok := r.Msg.(*frame.Startup); ok {
						got = st.Options["COMPRESSION"]
					}
				}
				if got != want {
					t.Errorf("STARTUP COMPRESSION %q, want %q", got, want)
				}
				if (cn.comp != nil) != (want != "") {
					t.Errorf("connection compressor %v, want %q", cn.comp, want)
				}
				// A large answer goes through the compressor or across v5 segments.
				big := "SELECT " + string(make([]byte, 200<<10))
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				for _, q := range []string{"SELECT 1", big} {
					got, err := queryText(ctx, cn, q)
					if err != nil || got != q {
						t.Fatalf("query of %d bytes: %d bytes back, %v", len(q), len(got), err)
					}
				}
			})
		}
	}
	t.Run("compression_not_offered_stays_uncompressed", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{Compression: []string{}})
		cfg := testConnConfig(frame.V4)
		cfg.Compression = LZ4
		cn := mustDial(t, n, cfg)
		if cn.comp != nil {
			t.Errorf("compressor %v with a server offering none", cn.comp)
		}
	})
	t.Run("use_keyspace_on_connect", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		cfg := testConnConfig(frame.V4)
		cfg.Keyspace = `My"ks`
		cn := mustDial(t, n, cfg)
		if n.Count(cassandratest.Query(`USE "My""ks"`)) != 1 {
			t.Errorf("requests %+v: want one USE of the quoted keyspace", n.Requests())
		}
		if ks := cn.keyspace.Load(); ks == nil || *ks != `My"ks` {
			t.Errorf("keyspace %v", ks)
		}
	})
	t.Run("dial_failure_is_a_conn_error", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		n.Stop()
		_, err := dialNode(t, n, testConnConfig(frame.V4))
		var ce *ConnError
		if !errors.As(err, &ce) || ce.Op != "dial" {
			t.Errorf("err %v, want a dial *ConnError", err)
		}
	})
	t.Run("handshake_timeout_is_bounded_by_connect_timeout", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Op(frame.OpStartup), Then: cassandratest.Hang()})
		cfg := testConnConfig(frame.V4)
		cfg.ConnectTimeout = 100 * time.Millisecond
		start := time.Now()
		_, err := dialNode(t, n, cfg)
		var te *TimeoutError
		if !errors.As(err, &te) {
			t.Errorf("err %v, want *TimeoutError", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("handshake gave up after %v", d)
		}
	})
}

func TestAuthentication(t *testing.T) {
	const class = "org.apache.cassandra.auth.PasswordAuthenticator"
	tests := []struct {
		name    string
		server  string
		auth    Authenticator
		wantErr func(error) bool
	}{
		{"password_accepted", class, &PasswordAuthenticator{Username: "u", Password: "p"}, func(err error) bool { return err == nil }},
		{"wrong_password_is_bad_credentials", class, &PasswordAuthenticator{Username: "u", Password: "x"},
			func(err error) bool { var bc *frame.BadCredentialsError; return errors.As(err, &bc) }},
		{"no_authenticator_is_auth_error", class, nil,
			func(err error) bool { var ae *AuthError; return errors.As(err, &ae) && ae.Authenticator == class }},
		{"class_outside_allow_list_is_auth_error", "com.evil.CollectPasswords", &PasswordAuthenticator{Username: "u", Password: "p"},
			func(err error) bool {
				var ae *AuthError
				return errors.As(err, &ae) && ae.Authenticator == "com.evil.CollectPasswords"
			}},
		{"explicit_allow_list_admits_custom_class", "com.example.Auth", &PasswordAuthenticator{Username: "u", Password: "p", AllowedAuthenticators: []string{"com.example.Auth"}},
			func(err error) bool { return err == nil }},
		{"explicit_allow_list_replaces_defaults", class, &PasswordAuthenticator{Username: "u", Password: "p", AllowedAuthenticators: []string{"com.example.Auth"}},
			func(err error) bool { var ae *AuthError; return errors.As(err, &ae) }},
	}
	for _, v := range []frame.Version{frame.V4, frame.V5} {
		for _, tc := range tests {
			t.Run(fmt.Sprintf("%v_%s", v, tc.name), func(t *testing.T) {
				n := startNode(t, cassandratest.Config{Authenticator: tc.server, Username: "u", Password: "p"})
				cfg := testConnConfig(v)
				cfg.Auth = tc.auth
				cfg.Compression = LZ4
				cn, err := dialNode(t, n, cfg)
				if !tc.wantErr(err) {
					t.Fatalf("err %v (%T)", err, err)
				}
				if err == nil {
					if _, err := queryText(context.Background(), cn, "SELECT 1"); err != nil {
						t.Errorf("query after login: %v", err)
					}
				}
				if tc.name == "class_outside_allow_list_is_auth_error" && n.Count(cassandratest.Op(frame.OpAuthResponse)) != 0 {
					t.Error("the password was sent to a server whose authenticator is not allowed")
				}
			})
		}
	}
}

func TestRequests(t *testing.T) {
	t.Run("multiplexes_many_concurrent_requests_on_one_connection", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{Handler: func(r *cassandratest.Request) cassandratest.Reaction {
			return cassandratest.Delay(time.Duration(rand.IntN(3000))*time.Microsecond, echoRows(r))
		}})
		for _, v := range []frame.Version{frame.V4, frame.V5} {
			cfg := testConnConfig(v)
			cfg.Compression = LZ4
			cn := mustDial(t, n, cfg)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			var wg sync.WaitGroup
			for i := 0; i < 2000; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					q := fmt.Sprintf("SELECT %d", i)
					got, err := queryText(ctx, cn, q)
					if err != nil || got != q {
						t.Errorf("%v: %q: got %q, %v", v, q, got, err)
					}
				}()
			}
			wg.Wait()
			cancel()
			if cn.InFlight() != 0 {
				t.Errorf("%v: %d streams still in use", v, cn.InFlight())
			}
		}
		if n.Conns() != 2 {
			t.Errorf("node has %d connections, want one per version", n.Conns())
		}
	})
	t.Run("server_error_comes_back_typed", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT x"), Then: cassandratest.Error(&frame.UnavailableError{Consistency: frame.Quorum, Required: 3, Alive: 1})})
		cn := mustDial(t, n, testConnConfig(frame.V4))
		_, err := queryText(context.Background(), cn, "SELECT x")
		var un *frame.UnavailableError
		if !errors.As(err, &un) || un.Alive != 1 {
			t.Errorf("err %v, want *frame.UnavailableError", err)
		}
	})
	t.Run("late_answer_times_out_promptly_and_keeps_the_stream_until_it_arrives", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		release := make(chan struct{})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT slow"), Then: cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
			<-release
			return cassandratest.Void()
		})})
		cn := mustDial(t, n, testConnConfig(frame.V4))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := queryText(ctx, cn, "SELECT slow")
		var te *TimeoutError
		if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || !te.MaybeApplied {
			t.Fatalf("err %v, want a *TimeoutError that may have been applied", err)
		}
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("released after %v, want about 50ms", d)
		}
		if cn.InFlight() != 1 || cn.orphans.Load() != 1 {
			t.Errorf("in flight %d, orphans %d: the stream must stay reserved", cn.InFlight(), cn.orphans.Load())
		}
		// Other requests go on meanwhile.
		if _, err := queryText(context.Background(), cn, "SELECT 1"); err != nil {
			t.Fatalf("request beside an orphan: %v", err)
		}
		close(release)
		pollUntil(t, 2*time.Second, "late answer frees the stream", func() bool { return cn.InFlight() == 0 && cn.orphans.Load() == 0 })
		if cn.IsClosed() {
			t.Errorf("connection closed by a late answer: %v", cn.Err())
		}
		if _, err := queryText(context.Background(), cn, "SELECT 1"); err != nil {
			t.Fatalf("request after the late answer: %v", err)
		}
	})
	t.Run("request_deadline_holds_under_concurrent_reuse_of_calls", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT hang"), Then: cassandratest.Hang()})
		cfg := testConnConfig(frame.V4)
		cfg.MaxOrphans = 0
		cn := mustDial(t, n, cfg)
		var wg sync.WaitGroup
		for g := 0; g < 32; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 100; i++ {
					q := "SELECT 1"
					if i%10 == 9 {
						q = "SELECT hang"
					}
					done := make(chan error, 1)
					go func() {
						_, err := cn.ExecUntil(context.Background(), time.Now().Add(20*time.Millisecond), &frame.Query{Query: q}, nil, false)
						done <- err
					}()
					select {
					case err := <-done:
						if q == "SELECT hang" && err == nil {
							t.Error("a hung request succeeded")
						}
					case <-time.After(2 * time.Second):
						t.Errorf("%q ignored its 20ms deadline", q)
						return
					}
				}
			}()
		}
		wg.Wait()
	})
	t.Run("cancelled_context_releases_the_caller_at_once", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT hang"), Then: cassandratest.Hang()})
		cn := mustDial(t, n, testConnConfig(frame.V4))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { _, err := queryText(ctx, cn, "SELECT hang"); done <- err }()
		pollUntil(t, 2*time.Second, "request sent", func() bool { return n.Count(cassandratest.Query("SELECT hang")) == 1 })
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err %v, want context.Canceled inside", err)
			}
		case <-time.After(time.Second):
			t.Fatal("caller still waiting after cancel")
		}
	})
	t.Run("orphans_past_the_bound_close_the_connection", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT hang"), Then: cassandratest.Hang()})
		cfg := testConnConfig(frame.V4)
		cfg.MaxOrphans = 3
		cn := mustDial(t, n, cfg)
		for i := 0; i < 4; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			_, err := queryText(ctx, cn, "SELECT hang")
			cancel()
			var te *TimeoutError
			if !errors.As(err, &te) {
				t.Fatalf("request %d: %v", i, err)
			}
		}
		pollUntil(t, time.Second, "connection closed past 3 orphans", cn.IsClosed)
		var ce *ConnError
		if !errors.As(cn.Err(), &ce) {
			t.Errorf("close reason %v, want *ConnError", cn.Err())
		}
		if cn.InFlight() != 0 {
			t.Errorf("%d streams in use after close", cn.InFlight())
		}
	})
	t.Run("dropped_connection_fails_in_flight_requests_at_once", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT hang"), Then: cassandratest.Hang()})
		cn := mustDial(t, n, testConnConfig(frame.V5))
		errs := make(chan error, 10)
		for i := 0; i < 10; i++ {
			go func() { _, err := queryText(context.Background(), cn, "SELECT hang"); errs <- err }()
		}
		pollUntil(t, 2*time.Second, "requests sent", func() bool { return n.Count(cassandratest.Query("SELECT hang")) == 10 })
		n.DropConns()
		for i := 0; i < 10; i++ {
			select {
			case err := <-errs:
				var ce *ConnError
				if !errors.As(err, &ce) || ce.Op != "read" {
					t.Errorf("err %v, want a read *ConnError", err)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("a request still waits on a dead connection")
			}
		}
		if _, err := queryText(context.Background(), cn, "SELECT 1"); err == nil {
			t.Error("request on a closed connection succeeded")
		}
	})
	t.Run("garbage_from_the_server_is_a_decode_error", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			v    frame.Version
			junk []byte
		}{
			{"v4_bad_version_byte", frame.V4, []byte("HTTP/1.1 400 Bad Request\r\n\r\n")},
			{"v4_lying_length", frame.V4, []byte{0x84, 0, 0, 1, 0x08, 0x7f, 0xff, 0xff, 0xff}},
			{"v5_bad_segment_crc", frame.V5, []byte{0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				n := startNode(t, cassandratest.Config{})
				n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT junk"), Then: cassandratest.Garbage(tc.junk)})
				cn := mustDial(t, n, testConnConfig(tc.v))
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				defer cancel()
				_, err := queryText(ctx, cn, "SELECT junk")
				var ce *ConnError
				if !errors.As(err, &ce) || ce.Op != "decode" {
					t.Errorf("err %v, want a decode *ConnError", err)
				}
			})
		}
	})
	t.Run("heartbeat_closes_a_connection_to_a_hung_node", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		cfg := testConnConfig(frame.V4)
		cfg.Heartbeat = 100 * time.Millisecond
		cfg.HeartbeatTimeout = 100 * time.Millisecond
		n.AddRule(cassandratest.Rule{Match: cassandratest.All(cassandratest.Op(frame.OpOptions), func(r *cassandratest.Request) bool { return r.Seq > 1 }), Then: cassandratest.Hang()})
		start := time.Now()
		cn := mustDial(t, n, cfg)
		pollUntil(t, 2*time.Second, "heartbeat closes the connection", cn.IsClosed)
		if d := time.Since(start); d > 200*time.Millisecond+150*time.Millisecond {
			t.Errorf("closed after %v, want within interval+timeout (200ms)", d)
		}
		var ce *ConnError
		if !errors.As(cn.Err(), &ce) || ce.Op != "heartbeat" {
			t.Errorf("close reason %v, want a heartbeat *ConnError", cn.Err())
		}
	})
	t.Run("heartbeat_fires_one_interval_after_the_last_read", func(t *testing.T) {
		// Wide margins: a fixed-period check would close the connection
		// up to a whole interval later than the right one, and the
		// assertion sits half an interval past the right time, so a
		// loaded machine's scheduling delays cannot make it fail.
		const interval, timeout = 400 * time.Millisecond, 100 * time.Millisecond
		n := startNode(t, cassandratest.Config{})
		var hung atomic.Bool
		n.AddRule(cassandratest.Rule{Match: func(r *cassandratest.Request) bool { return r.Opcode == frame.OpOptions && hung.Load() }, Then: cassandratest.Hang()})
		cfg := testConnConfig(frame.V4)
		cfg.Heartbeat, cfg.HeartbeatTimeout = interval, timeout
		cn := mustDial(t, n, cfg)
		// The last answer comes just after the heartbeat timer's first
		// interval: a check on a fixed period would wait almost two
		// intervals more before its heartbeat.
		time.Sleep(interval + interval/10)
		hung.Store(true)
		if _, err := queryText(context.Background(), cn, "SELECT 1"); err != nil {
			t.Fatal(err)
		}
		last := time.Now()
		pollUntil(t, 2*time.Second, "heartbeat closes the connection", cn.IsClosed)
		if d := time.Since(last); d > interval+timeout+interval/2 {
			t.Errorf("closed %v after the last answer, want within interval+timeout (%v)", d, interval+timeout)
		}
	})
	t.Run("heartbeat_keeps_a_healthy_idle_connection", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		cfg := testConnConfig(frame.V4)
		cfg.Heartbeat = 20 * time.Millisecond
		cfg.HeartbeatTimeout = 500 * time.Millisecond
		cn := mustDial(t, n, cfg)
		pollUntil(t, 2*time.Second, "heartbeats sent", func() bool { return n.Count(cassandratest.Op(frame.OpOptions)) >= 4 })
		if cn.IsClosed() {
			t.Errorf("healthy connection closed: %v", cn.Err())
		}
	})
	t.Run("events_reach_the_handler", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		got := make(chan *frame.Event, 1)
		cfg := testConnConfig(frame.V5)
		cfg.OnEvent = func(ev *frame.Event) { got <- ev }
		cn := mustDial(t, n, cfg)
		if _, err := cn.Exec(context.Background(), &frame.Register{EventTypes: []string{"STATUS_CHANGE"}}, nil, false); err != nil {
			t.Fatal(err)
		}
		n.SendEvent(&frame.Event{Type: "STATUS_CHANGE", Change: "DOWN", Address: n.Addr()})
		select {
		case ev := <-got:
			if ev.Change != "DOWN" || ev.Address != n.Addr() {
				t.Errorf("event %+v", ev)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("no event")
		}
	})
	t.Run("close_stops_the_connection_goroutines", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		cfg := testConnConfig(frame.V5)
		cfg.Heartbeat = time.Hour
		cn := mustDial(t, n, cfg)
		cn.Close()
		cn.Close()
		if !errors.Is(cn.Err(), ErrClosed) {
			t.Errorf("close reason %v", cn.Err())
		}
	})
}

func TestBytesThatAreNoCQL(t *testing.T) {
	t.Run("garbage_before_the_handshake_is_not_a_version_refusal", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Op(frame.OpOptions), Then: cassandratest.Garbage([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))})
		_, err := dialNode(t, n, testConnConfig(frame.V5))
		var pv *ProtocolVersionError
		var ce *ConnError
		if errors.As(err, &pv) || !errors.As(err, &ce) || ce.Op != "handshake" {
			t.Fatalf("err %v (%T), want a handshake *ConnError, not a protocol version refusal", err, err)
		}
	})
	t.Run("old_version_answer_is_a_version_refusal", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		// A v2 response header, as Cassandra 2.0 answers a v3+ request.
		n.AddRule(cassandratest.Rule{Match: cassandratest.Op(frame.OpOptions), Then: cassandratest.Garbage([]byte{0x82, 0, 0, 0, 0, 0, 0, 0, 0})})
		_, err := dialNode(t, n, testConnConfig(frame.V4))
		var pv *ProtocolVersionError
		if !errors.As(err, &pv) {
			t.Fatalf("err %v (%T), want a *ProtocolVersionError", err, err)
		}
	})
	t.Run("response_of_another_version_closes_the_connection", func(t *testing.T) {
		n := startNode(t, cassandratest.Config{})
		cn := mustDial(t, n, testConnConfig(frame.V4))
		n.AddRule(cassandratest.Rule{Match: cassandratest.Query("SELECT odd"), Then: cassandratest.Func(func(r *cassandratest.Request) cassandratest.Reaction {
			// A v3 VOID result on this v4 connection.
			return cassandratest.Garbage([]byte{0x83, 0, byte(uint16(r.Stream) >> 8), byte(r.Stream), byte(frame.OpResult), 0, 0, 0, 4, 0, 0, 0, 1})
		})})
		_, err := queryText(context.Background(), cn, "SELECT odd")
		var ce *ConnError
		if !errors.As(err, &ce) || ce.Op != "decode" {
			t.Fatalf("err %v, want a decode *ConnError", err)
		}
		if !cn.IsClosed() {
			t.Error("the connection stayed open after a frame of another version")
		}
	})
}

// TestProbeOnABusyConnectionKeepsIt: a probe whose answer is slow while
// other answers keep arriving does not close the connection.
func TestProbeOnABusyConnectionKeepsIt(t *testing.T) {
	n := startNode(t, cassandratest.Config{})
	cfg := testConnConfig(frame.V4)
	cfg.ProbeTimeout = 50 * time.Millisecond
	cn := mustDial(t, n, cfg)
	// OPTIONS answers late, queries at once.
	n.AddRule(cassandratest.Rule{Match: cassandratest.Op(frame.OpOptions), Then: cassandratest.Delay(300*time.Millisecond, nil)})
	cn.Probe()
	deadline := time.Now().Add(400 * time.Millisecond)
	for time.Now().Before(deadline) {
		if _, err := queryText(context.Background(), cn, "SELECT 1"); err != nil {
			t.Fatalf("query on the probed connection: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if cn.IsClosed() {
		t.Fatalf("the probe closed a connection that kept answering: %v", cn.Err())
	}
	// A connection that answers nothing at all is closed by the probe.
	n.AddRule(cassandratest.Rule{Then: cassandratest.Hang()})
	cn.Probe()
	pollUntil(t, 2*time.Second, "the probe to close the silent connection", cn.IsClosed)
}
