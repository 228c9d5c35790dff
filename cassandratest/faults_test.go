package cassandratest

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

// Tests of the conditions and reactions added on top of the simulated
// node: NthMatch, Keyspace, Consistency, HalfFrame, PushEvent, Warn,
// PagedRows, tracing, RefuseConnections, rule ids and counts.

func TestNthMatch(t *testing.T) {
	t.Run("counts_every_request_whichever_rule_answered", func(t *testing.T) {
		n := start(t, Config{})
		// The first rule answers the first x itself; NthMatch still counts it.
		n.AddRule(Rule{Match: All(Query("x"), Nth(2)), Then: Error(&frame.InvalidError{Msg: "first"})})
		n.AddRule(Rule{Match: NthMatch(3, Query("x")), Then: Error(&frame.OverloadedError{Msg: "third"})})
		c := ready(t, n, frame.V4) // request 1: STARTUP
		assert.Equal(t, "first", serverErr(t, c.roundTrip(&frame.Query{Query: "x"})).Message())
		require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "y"}))
		require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "x"}))
		assert.Equal(t, "third", serverErr(t, c.roundTrip(&frame.Query{Query: "x"})).Message())
		require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "x"}), "only the third")
		assert.Equal(t, 1, n.Count(NthMatch(3, Query("x"))), "usable with Count")
		assert.Equal(t, 0, n.Count(NthMatch(5, Query("x"))))
	})
	t.Run("inside_all_it_still_counts_skipped_requests", func(t *testing.T) {
		n := start(t, Config{})
		c1 := ready(t, n, frame.V4)
		c2 := ready(t, n, frame.V4)
		// The second query of the node, if it comes on connection 2.
		n.AddRule(Rule{Match: All(OnConn(2), NthMatch(2, Op(frame.OpQuery))), Then: Error(&frame.OverloadedError{Msg: "busy"})})
		require.IsType(t, &frame.VoidResult{}, c1.roundTrip(&frame.Query{Query: "a"}))
		require.IsType(t, &frame.OverloadedError{}, serverErr(t, c2.roundTrip(&frame.Query{Query: "b"})))
		require.IsType(t, &frame.VoidResult{}, c2.roundTrip(&frame.Query{Query: "c"}))
	})
	t.Run("shared_by_nodes_counts_each_apart", func(t *testing.T) {
		a, b := start(t, Config{}), start(t, Config{})
		r := Rule{Match: NthMatch(2, Op(frame.OpQuery)), Then: Error(&frame.OverloadedError{Msg: "busy"})}
		a.AddRule(r)
		b.AddRule(r)
		for _, n := range []*Node{a, b} {
			c := ready(t, n, frame.V4)
			require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "q"}))
			require.IsType(t, &frame.OverloadedError{}, serverErr(t, c.roundTrip(&frame.Query{Query: "q"})))
		}
	})
	t.Run("zero_never_matches", func(t *testing.T) {
		n := start(t, Config{})
		ready(t, n, frame.V4)
		assert.Equal(t, 0, n.Count(NthMatch(0, nil)))
		assert.Equal(t, 1, n.Count(NthMatch(1, nil)), "nil m counts every request")
	})
}

func TestKeyspaceAndConsistencyMatchers(t *testing.T) {
	n := start(t, Config{})
	n.AddRule(Rule{Match: All(Keyspace("shop"), Consistency(frame.Quorum)), Then: Error(&frame.UnavailableError{Msg: "quorum in shop", Consistency: frame.Quorum, Required: 2, Alive: 1})})
	t.Run("connection_keyspace_comes_from_use", func(t *testing.T) {
		c := ready(t, n, frame.V4)
		quorum := frame.QueryParams{Consistency: frame.Quorum}
		require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "SELECT 1", Params: quorum}), "no keyspace yet")
		assert.Equal(t, &frame.SetKeyspaceResult{Keyspace: "shop"}, c.roundTrip(&frame.Query{Query: "USE Shop"}))
		require.IsType(t, &frame.UnavailableError{}, serverErr(t, c.roundTrip(&frame.Query{Query: "SELECT 1", Params: quorum})))
		require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "SELECT 1", Params: frame.QueryParams{Consistency: frame.One}}), "other consistency")
		reqs := n.Requests()
		last := reqs[len(reqs)-1]
		assert.Equal(t, "shop", last.Keyspace)
		assert.Equal(t, frame.One, last.Consistency)
	})
	t.Run("v5_request_keyspace_overrides_the_connection's", func(t *testing.T) {
		c := ready(t, n, frame.V5)
		p := frame.QueryParams{Consistency: frame.Quorum, Keyspace: "shop"}
		require.IsType(t, &frame.UnavailableError{}, serverErr(t, c.roundTrip(&frame.Query{Query: "SELECT 1", Params: p})))
		c.roundTrip(&frame.Query{Query: "USE shop"})
		p.Keyspace = "other"
		require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "SELECT 1", Params: p}))
		batch := &frame.Batch{Consistency: frame.Quorum, Statements: []frame.BatchStatement{{Query: "INSERT"}}}
		require.IsType(t, &frame.UnavailableError{}, serverErr(t, c.roundTrip(batch)), "a batch has a consistency too")
	})
	t.Run("consistency_matches_only_statements", func(t *testing.T) {
		c := dial(t, n, frame.V4)
		c.roundTrip(&frame.Options{})
		assert.Equal(t, 0, n.Count(All(Op(frame.OpOptions), Consistency(frame.Any))))
	})
}

// readRaw reads a v4 frame header and what follows it until the node
// closes the connection.
func readRaw(t *testing.T, c *client) (frame.Header, []byte) {
	t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	hb := make([]byte, frame.HeaderSize)
	_, err := io.ReadFull(c.br, hb)
	require.NoError(t, err)
	h, err := frame.DecodeHeader(hb, 0)
	require.NoError(t, err)
	rest, err := io.ReadAll(c.br)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "connection still open")
	return h, rest
}

func TestHalfFrame(t *testing.T) {
	big := make([]byte, 1000)
	meta := frame.NewRowsMetadata(frame.ColumnSpec{Keyspace: "k", Table: "t", Name: "b", Type: &frame.Type{ID: frame.TypeBlob}})
	t.Run("v4_header_then_half_the_body_then_close", func(t *testing.T) {
		n := start(t, Config{})
		n.AddRule(Rule{Match: Query("big"), Then: HalfFrame(Rows(meta, [][][]byte{{big}}))})
		c := ready(t, n, frame.V4)
		c.send(3, &frame.Query{Query: "big"})
		h, rest := readRaw(t, c)
		assert.Equal(t, int16(3), h.Stream)
		assert.Equal(t, frame.OpResult, h.Opcode)
		require.True(t, h.Length > 1000, "the header announces the whole body")
		assert.Equal(t, int(h.Length)/2, len(rest))
		require.Eventually(t, func() bool { return n.Conns() == 0 }, 5*time.Second, 5*time.Millisecond)
	})
	t.Run("nil_halves_the_builtin_answer", func(t *testing.T) {
		n := start(t, Config{})
		n.AddRule(Rule{Match: Query("x"), Then: HalfFrame(nil)})
		c := ready(t, n, frame.V4)
		c.send(1, &frame.Query{Query: "x"})
		h, rest := readRaw(t, c)
		assert.Equal(t, int32(4), h.Length, "VOID")
		assert.Equal(t, 2, len(rest))
	})
	t.Run("v5_segment_cut_in_the_middle", func(t *testing.T) {
		n := start(t, Config{})
		n.AddRule(Rule{Match: Query("big"), Then: HalfFrame(Rows(meta, [][][]byte{{big}}))})
		c := ready(t, n, frame.V5)
		c.send(1, &frame.Query{Query: "big"})
		_, err := c.read()
		require.Error(t, err)
		c.expectClosed()
	})
	t.Run("hang_inside_still_closes", func(t *testing.T) {
		n := start(t, Config{})
		n.AddRule(Rule{Match: Query("x"), Then: HalfFrame(Hang())})
		c := ready(t, n, frame.V4)
		c.send(1, &frame.Query{Query: "x"})
		c.expectClosed()
	})
}

func TestPushEvent(t *testing.T) {
	for _, v := range []frame.Version{frame.V4, frame.V5} {
		t.Run(v.String()+"/answer_first_then_the_event_to_registered_connections", func(t *testing.T) {
			n := start(t, Config{})
			ev := &frame.Event{Type: frame.EventSchemaChange, Schema: frame.SchemaChange{Change: frame.SchemaCreated, Target: frame.TargetTable, Keyspace: "shop", Name: "users"}}
			change := &frame.SchemaChangeResult{SchemaChange: ev.Schema}
			n.AddRule(Rule{Match: QueryPrefix("CREATE TABLE"), Then: PushEvent(ev, Respond(change))})
			listener := ready(t, n, v)
			require.IsType(t, &frame.Ready{}, listener.roundTrip(&frame.Register{EventTypes: []string{frame.EventSchemaChange}}))
			c := ready(t, n, v)
			assert.Equal(t, change, c.roundTrip(&frame.Query{Query: "CREATE TABLE shop.users (id int PRIMARY KEY)"}))
			f, m := listener.recv()
			assert.Equal(t, int16(-1), f.Header.Stream)
			assert.Equal(t, ev, m)
			// The caller, not registered, got no event: its next frame is
			// its next answer.
			require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "x"}))
		})
	}
}

func TestWarn(t *testing.T) {
	for _, v := range []frame.Version{frame.V3, frame.V4, frame.V5} {
		t.Run(v.String(), func(t *testing.T) {
			n := start(t, Config{})
			n.AddRule(Rule{Match: QueryPrefix("BEGIN BATCH"), Then: Warn([]string{"Batch too large"}, nil)})
			c := ready(t, n, v)
			f, m := c.recvAfter(&frame.Query{Query: "BEGIN BATCH INSERT ... APPLY BATCH"})
			require.IsType(t, &frame.VoidResult{}, m)
			if v == frame.V3 {
				assert.Nil(t, f.Warnings, "v3 has no warnings")
			} else {
				assert.Equal(t, []string{"Batch too large"}, f.Warnings)
			}
		})
	}
}

func TestTracing(t *testing.T) {
	n := start(t, Config{})
	c := ready(t, n, frame.V4)
	c.sendFlags(1, frame.FlagTracing, &frame.Query{Query: "SELECT * FROM ks.t"})
	f, m := c.recv()
	require.IsType(t, &frame.VoidResult{}, m)
	require.True(t, f.Header.Flags&frame.FlagTracing != 0, "traced answer")
	reqs := n.Requests()
	r := reqs[len(reqs)-1]
	require.True(t, r.Tracing)
	assert.Equal(t, r.TraceID, f.TracingID)
	assert.Equal(t, byte(1), r.TraceID[6]>>4, "a time uuid")

	f, _ = c.recvAfter(&frame.Query{Query: "SELECT * FROM ks.t"})
	assert.Equal(t, frame.Flags(0), f.Header.Flags&frame.FlagTracing, "untraced request")
	n.AddRule(Rule{Match: Query("fail"), Then: Error(&frame.InvalidError{Msg: "no"})})
	c.sendFlags(2, frame.FlagTracing, &frame.Query{Query: "fail"})
	f, m = c.recv()
	require.IsType(t, &frame.ErrorResponse{}, m)
	assert.Equal(t, frame.Flags(0), f.Header.Flags&frame.FlagTracing, "errors carry no tracing id")
}

func TestPagedRows(t *testing.T) {
	meta := frame.NewRowsMetadata(frame.ColumnSpec{Keyspace: "k", Table: "t", Name: "v", Type: intType})
	var all [][][]byte
	for i := range 5 {
		all = append(all, [][]byte{IntCell(int32(i))})
	}
	n := start(t, Config{})
	n.AddRule(Rule{Match: Statement("SELECT v FROM k.t"), Then: PagedRows(meta, all)})
	c := ready(t, n, frame.V4)
	page := func(size int32, state []byte) ([]int32, []byte) {
		t.Helper()
		md, rs := rows(t, c.roundTrip(&frame.Query{Query: "SELECT v FROM k.t", Params: frame.QueryParams{PageSize: size, PagingState: state}}))
		var out []int32
		for _, r := range rs {
			out = append(out, int32(binary.BigEndian.Uint32(r["v"])))
		}
		return out, md.PagingState
	}
	t.Run("pages_follow_the_page_size_and_state", func(t *testing.T) {
		var got [][]int32
		var state []byte
		for {
			vs, next := page(2, state)
			got = append(got, vs)
			if next == nil {
				break
			}
			state = next
		}
		assert.Equal(t, [][]int32{{0, 1}, {2, 3}, {4}}, got)
	})
	t.Run("no_page_size_is_everything", func(t *testing.T) {
		vs, next := page(0, nil)
		assert.Len(t, vs, 5)
		assert.Nil(t, next)
	})
	t.Run("exact_fit_has_no_next_page", func(t *testing.T) {
		_, next := page(5, nil)
		assert.Nil(t, next)
	})
	t.Run("foreign_state_is_a_protocol_error", func(t *testing.T) {
		err := serverErr(t, c.roundTrip(&frame.Query{Query: "SELECT v FROM k.t", Params: frame.QueryParams{PageSize: 2, PagingState: []byte("nope")}}))
		require.IsType(t, &frame.ProtocolError{}, err)
	})
}

func TestRefuseConnections(t *testing.T) {
	n := start(t, Config{})
	open := ready(t, n, frame.V4)
	n.RefuseConnections(true)
	for range 2 {
		c := dial(t, n, frame.V4)
		c.expectClosed()
	}
	require.Eventually(t, func() bool { return n.Refused() == 2 }, 5*time.Second, 5*time.Millisecond)
	require.IsType(t, &frame.VoidResult{}, open.roundTrip(&frame.Query{Query: "x"}), "open connections are kept")
	assert.Equal(t, 0, n.Count(Op(frame.OpOptions)), "refused before any request")
	n.RefuseConnections(false)
	ready(t, n, frame.V4)
	assert.Equal(t, 2, n.Refused())
}

func TestRuleIDs(t *testing.T) {
	n := start(t, Config{})
	first := n.AddRuleID(Rule{Match: Query("x"), Then: Error(&frame.InvalidError{Msg: "first"})})
	second := n.AddRuleID(Rule{Match: Query("x"), Then: Error(&frame.InvalidError{Msg: "second"})})
	n.AddRule(Rule{Match: Query("x"), Then: Error(&frame.InvalidError{Msg: "third"})})
	c := ready(t, n, frame.V4)
	assert.Equal(t, "first", serverErr(t, c.roundTrip(&frame.Query{Query: "x"})).Message())
	require.True(t, n.RemoveRule(first))
	assert.Equal(t, "second", serverErr(t, c.roundTrip(&frame.Query{Query: "x"})).Message())
	require.True(t, n.RemoveRule(second))
	require.False(t, n.RemoveRule(second), "already removed")
	assert.Equal(t, "third", serverErr(t, c.roundTrip(&frame.Query{Query: "x"})).Message())
	n.ClearRules()
	require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "x"}))
}

func TestRulesChangeWhileRequestsRun(t *testing.T) {
	n := start(t, Config{})
	c := ready(t, n, frame.V5)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			id := n.AddRuleID(Rule{Match: Query("x"), Then: Error(&frame.OverloadedError{Msg: "busy"})})
			n.AddRule(Rule{Match: Query("y"), Then: Void()})
			n.RemoveRule(id)
			n.ClearRules()
		}
	}()
	for i := range 200 {
		c.send(int16(i+1), &frame.Query{Query: "x"})
	}
	for range 200 {
		_, m := c.recv()
		switch m := m.(type) {
		case *frame.VoidResult:
		case *frame.ErrorResponse:
			require.IsType(t, &frame.OverloadedError{}, m.Err)
		default:
			t.Fatalf("unexpected answer %T", m)
		}
	}
	close(stop)
	wg.Wait()
}

func TestCounts(t *testing.T) {
	n := start(t, Config{})
	c := ready(t, n, frame.V4)
	c.roundTrip(&frame.Options{})
	c.roundTrip(&frame.Query{Query: "a"})
	c.roundTrip(&frame.Query{Query: "b"})
	c.roundTrip(&frame.Prepare{Query: "c"})
	assert.Equal(t, map[frame.Opcode]int{frame.OpStartup: 1, frame.OpOptions: 1, frame.OpQuery: 2, frame.OpPrepare: 1}, n.Counts())
	n.ResetRequests()
	assert.Equal(t, map[frame.Opcode]int{}, n.Counts())
}

func TestStartClusterWith(t *testing.T) {
	closeAll := func(nodes []*Node) {
		t.Cleanup(func() {
			for _, n := range nodes {
				n.Close()
			}
		})
	}
	t.Run("each_node_reports_its_own_identity", func(t *testing.T) {
		nodes, err := StartClusterWith(
			Config{DC: "dc1", Rack: "r1", Tokens: []string{"-100", "100"}, ReleaseVersion: "4.1.5"},
			Config{DC: "dc2", Rack: "r2", Tokens: []string{"0"}, ReleaseVersion: "5.0.2"},
		)
		require.NoError(t, err)
		closeAll(nodes)
		require.Equal(t, nodes[0].Addr().Port(), nodes[1].Addr().Port(), "shared port")
		assert.Equal(t, netip.MustParseAddr("127.0.0.2"), nodes[1].Addr().Addr())
		c := ready(t, nodes[0], frame.V4)
		_, local := rows(t, c.roundTrip(&frame.Query{Query: localQuery}))
		assert.Equal(t, "dc1", string(local[0]["data_center"]))
		assert.Equal(t, "r1", string(local[0]["rack"]))
		assert.Equal(t, "4.1.5", string(local[0]["release_version"]))
		assert.Equal(t, []string{"-100", "100"}, decodeTextSet(t, local[0]["tokens"]))
		_, peers := rows(t, c.roundTrip(&frame.Query{Query: "SELECT * FROM system.peers_v2"}))
		require.Len(t, peers, 1)
		p := peers[0]
		assert.Equal(t, "dc2", string(p["data_center"]))
		assert.Equal(t, "r2", string(p["rack"]))
		assert.Equal(t, "5.0.2", string(p["release_version"]))
		assert.Equal(t, []string{"0"}, decodeTextSet(t, p["tokens"]))
		id := nodes[1].HostID()
		assert.Equal(t, id[:], p["host_id"])
	})
	t.Run("given_addresses_are_kept_and_announced_with_their_ports", func(t *testing.T) {
		nodes, err := StartClusterWith(Config{Addr: "127.0.0.1:0"}, Config{Addr: "127.0.0.1:0"}, Config{Addr: "127.0.0.1:0"})
		require.NoError(t, err)
		closeAll(nodes)
		c := ready(t, nodes[0], frame.V4)
		_, peers := rows(t, c.roundTrip(&frame.Query{Query: "SELECT native_address, native_port, tokens FROM system.peers_v2"}))
		require.Len(t, peers, 2)
		tokens := map[string]bool{}
		for i, p := range peers {
			assert.Equal(t, []byte{127, 0, 0, 1}, p["native_address"])
			assert.Equal(t, IntCell(int32(nodes[i+1].Addr().Port())), p["native_port"])
			tokens[decodeTextSet(t, p["tokens"])[0]] = true
		}
		assert.Len(t, tokens, 2, "distinct default tokens")
	})
	t.Run("no_config_is_an_error", func(t *testing.T) {
		_, err := StartClusterWith()
		require.Error(t, err)
	})
}

func TestServerErrorsReachTheClient(t *testing.T) {
	errs := []frame.ServerError{
		&frame.UnavailableError{Msg: "u", Consistency: frame.Quorum, Required: 3, Alive: 1},
		&frame.OverloadedError{Msg: "o"},
		&frame.BootstrappingError{Msg: "b"},
		&frame.ReadTimeoutError{Msg: "rt", Consistency: frame.LocalQuorum, Received: 1, BlockFor: 2, DataPresent: true},
		&frame.WriteTimeoutError{Msg: "wt", Consistency: frame.One, Received: 0, BlockFor: 1, WriteType: "SIMPLE"},
		&frame.ReadFailureError{Msg: "rf", Consistency: frame.One, Received: 0, BlockFor: 1, NumFailures: 1},
		&frame.WriteFailureError{Msg: "wf", Consistency: frame.One, Received: 0, BlockFor: 1, NumFailures: 1, WriteType: "BATCH"},
		&frame.CASWriteUnknownError{Msg: "cas", Consistency: frame.Serial, Received: 1, BlockFor: 2},
		&frame.CDCWriteFailureError{Msg: "cdc"},
		&frame.TruncateError{Msg: "tr"},
		&frame.FunctionFailureError{Msg: "ff", Keyspace: "ks", Function: "f", ArgTypes: []string{"int"}},
		&frame.SyntaxError{Msg: "s"},
		&frame.InvalidError{Msg: "i"},
		&frame.ConfigError{Msg: "c"},
		&frame.UnauthorizedError{Msg: "un"},
		&frame.AlreadyExistsError{Msg: "ae", Keyspace: "ks", Table: "t"},
		&frame.UnpreparedError{Msg: "up", ID: []byte{1, 2}},
		&frame.InternalError{Msg: "se"},
	}
	for _, v := range []frame.Version{frame.V4, frame.V5} {
		n := start(t, Config{})
		for i, e := range errs {
			n.AddRule(Rule{Match: Nth(i + 2), Then: Error(e)})
		}
		c := ready(t, n, v)
		for _, e := range errs {
			got := serverErr(t, c.roundTrip(&frame.Query{Query: "q"}))
			if v == frame.V5 {
				// v5 sends failure reasons by replica; the count follows.
				if rf, ok := got.(*frame.ReadFailureError); ok && len(rf.Reasons) == 0 {
					rf.NumFailures = e.(*frame.ReadFailureError).NumFailures
				}
				if wf, ok := got.(*frame.WriteFailureError); ok && len(wf.Reasons) == 0 {
					wf.NumFailures = e.(*frame.WriteFailureError).NumFailures
				}
			}
			assert.Equal(t, e, got, "%v %T", v, e)
		}
	}
}
