package cassandratest

import (
	"encoding/binary"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

func start(t *testing.T, cfg Config) *Node {
	t.Helper()
	n, err := Start(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { n.Close() })
	return n
}

const localQuery = "SELECT * FROM system.local WHERE key='local'"

func TestHandshake(t *testing.T) {
	for _, v := range []frame.Version{frame.V3, frame.V4, frame.V5} {
		for _, comp := range []string{"", "lz4", "snappy"} {
			name := v.String() + "/" + comp
			if comp == "" {
				name = v.String() + "/none"
			}
			t.Run(name, func(t *testing.T) {
				n := start(t, Config{})
				c := dial(t, n, v)
				sup, ok := c.roundTrip(&frame.Options{}).(*frame.Supported)
				require.True(t, ok)
				assert.Equal(t, []string{"3.4.7"}, sup.Options["CQL_VERSION"])
				assert.Equal(t, []string{"lz4", "snappy"}, sup.Options["COMPRESSION"])
				assert.Equal(t, []string{"3/v3", "4/v4", "5/v5"}, sup.Options["PROTOCOL_VERSIONS"])

				c.expect(comp)
				f, resp := c.recvAfter(&frame.Startup{Options: map[string]string{"CQL_VERSION": "3.0.0", "COMPRESSION": comp}})
				if v == frame.V5 && comp == "snappy" {
					assert.Contains(t, serverErr(t, resp).Message(), "Snappy")
					return
				}
				require.IsType(t, &frame.Ready{}, resp)
				assert.Equal(t, v < frame.V5 && comp != "", f.Header.Flags&frame.FlagCompression != 0, "READY compressed in v3/v4 only")
				c.started(comp)
				md, rs := rows(t, c.roundTrip(&frame.Query{Query: localQuery}))
				require.Len(t, rs, 1)
				assert.Equal(t, "local", md.Columns[0].Table)
				assert.Equal(t, "5", string(rs[0]["native_protocol_version"]))
				// A large answer spans several v5 segments.
				big := make([]byte, 300<<10)
				n.AddRule(Rule{Match: Query("big"), Then: Rows(frame.NewRowsMetadata(frame.ColumnSpec{Keyspace: "k", Table: "t", Name: "b", Type: &frame.Type{ID: frame.TypeBlob}}), [][][]byte{{big}})})
				_, rs = rows(t, c.roundTrip(&frame.Query{Query: "big"}))
				assert.Equal(t, big, rs[0]["b"])
			})
		}
	}
}

func TestHandshakeErrors(t *testing.T) {
	n := start(t, Config{Compression: []string{"lz4"}})
	t.Run("query_before_startup_is_a_protocol_error", func(t *testing.T) {
		c := dial(t, n, frame.V4)
		err := serverErr(t, c.roundTrip(&frame.Query{Query: "SELECT 1"}))
		assert.Equal(t, "Unexpected message QUERY, expecting STARTUP or OPTIONS", err.Message())
	})
	t.Run("compression_not_offered_is_refused", func(t *testing.T) {
		c := dial(t, n, frame.V4)
		err := serverErr(t, c.handshake("snappy"))
		assert.Equal(t, "Unknown compression algorithm: snappy", err.Message())
		require.IsType(t, &frame.Ready{}, c.handshake("lz4"), "the connection is still usable")
	})
	t.Run("second_startup_is_refused", func(t *testing.T) {
		c := ready(t, n, frame.V4)
		err := serverErr(t, c.roundTrip(&frame.Startup{Options: map[string]string{"CQL_VERSION": "3.0.0"}}))
		assert.Equal(t, "Unexpected message STARTUP, the connection is already initialized", err.Message())
	})
	t.Run("missing_cql_version_is_refused", func(t *testing.T) {
		c := dial(t, n, frame.V4)
		err := serverErr(t, c.roundTrip(&frame.Startup{Options: map[string]string{}}))
		assert.IsType(t, &frame.ProtocolError{}, err)
	})
}

func TestAuth(t *testing.T) {
	const class = "org.apache.cassandra.auth.PasswordAuthenticator"
	n := start(t, Config{Authenticator: class, Username: "cassandra", Password: "secret"})
	for _, v := range []frame.Version{frame.V3, frame.V4, frame.V5} {
		t.Run(v.String()+"/good_credentials_succeed", func(t *testing.T) {
			c := dial(t, n, v)
			auth, ok := c.handshake("lz4").(*frame.Authenticate)
			require.True(t, ok)
			assert.Equal(t, class, auth.Authenticator)
			assert.Equal(t, "You have not logged in", serverErr(t, c.roundTrip(&frame.Query{Query: "SELECT 1"})).Message())
			require.IsType(t, &frame.AuthSuccess{}, c.roundTrip(&frame.AuthResponse{Token: []byte("\x00cassandra\x00secret")}))
			require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "INSERT"}))
		})
		t.Run(v.String()+"/bad_credentials_fail", func(t *testing.T) {
			c := dial(t, n, v)
			require.IsType(t, &frame.Authenticate{}, c.handshake(""))
			err := serverErr(t, c.roundTrip(&frame.AuthResponse{Token: []byte("\x00cassandra\x00wrong")}))
			require.IsType(t, &frame.BadCredentialsError{}, err)
			assert.Contains(t, err.Message(), "cassandra")
		})
	}
}

func TestVersionRefusal(t *testing.T) {
	n := start(t, Config{Versions: []frame.Version{frame.V3, frame.V4}})
	t.Run("v5_refused_in_v4", func(t *testing.T) {
		c := dial(t, n, frame.V5)
		c.send(7, &frame.Options{})
		f, resp := c.recv()
		assert.Equal(t, frame.V4, f.Header.Version)
		assert.Equal(t, int16(7), f.Header.Stream)
		err := serverErr(t, resp)
		require.IsType(t, &frame.ProtocolError{}, err)
		assert.Equal(t, "Invalid or unsupported protocol version (5); highest supported version is 4", err.Message())
		c.expectClosed()
	})
	t.Run("v6_header_refused", func(t *testing.T) {
		c := dial(t, n, frame.V4)
		_, err := c.nc.Write([]byte{6, 0, 0, 3, byte(frame.OpOptions), 0, 0, 0, 0})
		require.NoError(t, err)
		_, resp := c.recv()
		assert.Contains(t, serverErr(t, resp).Message(), "version (6)")
		c.expectClosed()
	})
	t.Run("v2_header_refused_without_waiting_for_a_ninth_byte", func(t *testing.T) {
		c := dial(t, n, frame.V4)
		_, err := c.nc.Write([]byte{2, 0, 9, byte(frame.OpOptions), 0, 0, 0, 0})
		require.NoError(t, err)
		f, resp := c.recv()
		assert.Equal(t, int16(9), f.Header.Stream)
		assert.Contains(t, serverErr(t, resp).Message(), "version (2)")
	})
	assert.Equal(t, 3, n.Count(nil), "refused requests are logged")
}

func TestRules(t *testing.T) {
	unavailable := &frame.UnavailableError{Msg: "Cannot achieve consistency level QUORUM", Consistency: frame.Quorum, Required: 2, Alive: 1}
	t.Run("error", func(t *testing.T) {
		n := start(t, Config{})
		n.AddRule(Rule{Match: Query("SELECT * FROM ks.t"), Then: Error(unavailable)})
		c := ready(t, n, frame.V4)
		assert.Equal(t, unavailable, serverErr(t, c.roundTrip(&frame.Query{Query: "SELECT  *  FROM ks.t;"})))
		require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "SELECT * FROM ks.other"}))
	})
	t.Run("delay_does_not_block_other_streams", func(t *testing.T) {
		n := start(t, Config{})
		n.AddRule(Rule{Match: QueryPrefix("SLOW"), Then: Delay(300*time.Millisecond, Void())})
		c := ready(t, n, frame.V5)
		begin := time.Now()
		c.send(1, &frame.Query{Query: "SLOW"})
		c.send(2, &frame.Query{Query: "FAST"})
		f, _ := c.recv()
		assert.Equal(t, int16(2), f.Header.Stream)
		f, resp := c.recv()
		assert.Equal(t, int16(1), f.Header.Stream)
		require.IsType(t, &frame.VoidResult{}, resp)
		assert.GreaterOrEqual(t, time.Since(begin), 300*time.Millisecond)
	})
	t.Run("drop_closes_the_connection", func(t *testing.T) {
		n := start(t, Config{})
		n.AddRule(Rule{Match: Op(frame.OpQuery), Then: Drop()})
		c := ready(t, n, frame.V4)
		c.send(1, &frame.Query{Query: "x"})
		c.expectClosed()
		require.Eventually(t, func() bool { return n.Conns() == 0 }, 5*time.Second, 10*time.Millisecond)
	})
	t.Run("drop_on_startup", func(t *testing.T) {
		n := start(t, Config{})
		n.AddRule(Rule{Match: Op(frame.OpStartup), Then: Drop()})
		c := dial(t, n, frame.V4)
		c.send(1, &frame.Startup{Options: map[string]string{"CQL_VERSION": "3.0.0"}})
		c.expectClosed()
	})
	t.Run("garbage_is_written_raw", func(t *testing.T) {
		n := start(t, Config{})
		n.AddRule(Rule{Match: Query("x"), Then: Garbage([]byte{0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0})})
		c := ready(t, n, frame.V4)
		c.send(1, &frame.Query{Query: "x"})
		_, err := c.read()
		require.Error(t, err)
	})
	t.Run("once_then_fall_through", func(t *testing.T) {
		n := start(t, Config{})
		n.AddRule(Rule{Match: Query("x"), Then: Once(Error(&frame.OverloadedError{Msg: "busy"}))})
		n.AddRule(Rule{Match: Query("x"), Then: Times(2, Rows(frame.NewRowsMetadata(frame.ColumnSpec{Keyspace: "k", Table: "t", Name: "v", Type: intType}), [][][]byte{{IntCell(7)}, {nil}}))})
		c := ready(t, n, frame.V4)
		require.IsType(t, &frame.OverloadedError{}, serverErr(t, c.roundTrip(&frame.Query{Query: "x"})))
		for range 2 {
			_, rs := rows(t, c.roundTrip(&frame.Query{Query: "x"}))
			assert.Equal(t, []map[string][]byte{{"v": IntCell(7)}, {"v": nil}}, rs)
		}
		require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "x"}))
	})
	t.Run("nth_and_on_conn", func(t *testing.T) {
		n := start(t, Config{})
		c1 := ready(t, n, frame.V4) // requests 1 (STARTUP)
		c2 := ready(t, n, frame.V4) // request 2
		n.AddRule(Rule{Match: All(OnConn(2), Nth(4)), Then: Error(&frame.InvalidError{Msg: "fourth"})})
		require.IsType(t, &frame.VoidResult{}, c1.roundTrip(&frame.Query{Query: "a"}))
		require.IsType(t, &frame.InvalidError{}, serverErr(t, c2.roundTrip(&frame.Query{Query: "b"})))
		require.IsType(t, &frame.VoidResult{}, c2.roundTrip(&frame.Query{Query: "c"}))
	})
	t.Run("handler_answers_the_rest", func(t *testing.T) {
		n := start(t, Config{Handler: func(r *Request) Reaction {
			if r.Query == "handled" {
				return Error(&frame.SyntaxError{Msg: "from handler"})
			}
			return nil
		}})
		c := ready(t, n, frame.V4)
		require.IsType(t, &frame.SyntaxError{}, serverErr(t, c.roundTrip(&frame.Query{Query: "handled"})))
		require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "other"}))
	})
}

func TestHangReleasedByClose(t *testing.T) {
	before := runtime.NumGoroutine()
	n, err := Start(Config{})
	require.NoError(t, err)
	n.AddRule(Rule{Match: Query("hang"), Then: Hang()})
	n.AddRule(Rule{Match: Query("slow"), Then: Delay(time.Hour, nil)})
	c := ready(t, n, frame.V5)
	c.send(1, &frame.Query{Query: "hang"})
	c.send(2, &frame.Query{Query: "slow"})
	c.send(3, &frame.Query{Query: "other"})
	f, _ := c.recv()
	assert.Equal(t, int16(3), f.Header.Stream, "hung and delayed requests hold back nothing")
	require.Equal(t, 1, n.Conns())

	begin := time.Now()
	require.NoError(t, n.Close())
	assert.Less(t, time.Since(begin), 2*time.Second)
	c.expectClosed()
	c.nc.Close()
	require.Eventually(t, func() bool { return runtime.NumGoroutine() <= before }, 5*time.Second, 10*time.Millisecond,
		"goroutines: %d before, %d after", before, runtime.NumGoroutine())
	_, err = net.DialTimeout("tcp", n.Addr().String(), time.Second)
	assert.Error(t, err, "listener closed")
}

func TestEvents(t *testing.T) {
	for _, v := range []frame.Version{frame.V3, frame.V4, frame.V5} {
		t.Run(v.String(), func(t *testing.T) {
			n := start(t, Config{})
			listener := dial(t, n, v)
			require.IsType(t, &frame.Ready{}, listener.handshake("lz4"))
			require.IsType(t, &frame.Ready{}, listener.roundTrip(&frame.Register{EventTypes: []string{frame.EventStatusChange}}))
			other := ready(t, n, v)

			ev := &frame.Event{Type: frame.EventStatusChange, Change: "DOWN", Address: netip.MustParseAddrPort("127.0.0.2:9042")}
			assert.Equal(t, 1, n.SendEvent(ev))
			assert.Equal(t, 0, n.SendEvent(&frame.Event{Type: frame.EventTopologyChange, Change: "NEW_NODE", Address: ev.Address}))
			f, m := listener.recv()
			assert.Equal(t, int16(-1), f.Header.Stream)
			assert.Equal(t, ev, m)
			// The unregistered connection got nothing: its next frame is
			// the answer to its next request.
			require.IsType(t, &frame.VoidResult{}, other.roundTrip(&frame.Query{Query: "x"}))
		})
	}
}

func TestSystemTables(t *testing.T) {
	hostID := [16]byte{1, 2, 3, 4, 5, 6, 0x47, 8, 0x89, 10, 11, 12, 13, 14, 15, 16}
	peer := PeerInfo{Addr: netip.MustParseAddrPort("127.0.0.2:9043"), HostID: [16]byte{2}, DC: "dc2", Tokens: []string{"-100", "100"}}
	n := start(t, Config{HostID: hostID, DC: "dc1", Rack: "r1", ClusterName: "test", Tokens: []string{"1", "2"}, Peers: []PeerInfo{peer}})
	c := ready(t, n, frame.V4)

	t.Run("local_row", func(t *testing.T) {
		md, rs := rows(t, c.roundTrip(&frame.Query{Query: localQuery}))
		require.Len(t, rs, 1)
		types := map[string]string{}
		for _, col := range md.Columns {
			types[col.Name] = col.Type.String()
		}
		assert.Equal(t, "key", md.Columns[0].Name)
		assert.Equal(t, "uuid", types["host_id"])
		assert.Equal(t, "inet", types["rpc_address"])
		assert.Equal(t, "set<text>", types["tokens"])
		r := rs[0]
		assert.Equal(t, hostID[:], r["host_id"])
		assert.Equal(t, "dc1", string(r["data_center"]))
		assert.Equal(t, "r1", string(r["rack"]))
		assert.Equal(t, "test", string(r["cluster_name"]))
		assert.Equal(t, "5.0.2", string(r["release_version"]))
		assert.Equal(t, []byte{127, 0, 0, 1}, r["rpc_address"])
		assert.Equal(t, DefaultSchemaVersion[:], r["schema_version"])
		assert.Equal(t, []string{"1", "2"}, decodeTextSet(t, r["tokens"]))
		assert.Equal(t, int32(n.Addr().Port()), int32(binary.BigEndian.Uint32(r["rpc_port"])))
	})
	t.Run("peers_v2_rows", func(t *testing.T) {
		_, rs := rows(t, c.roundTrip(&frame.Query{Query: "SELECT * FROM system.peers_v2"}))
		require.Len(t, rs, 1)
		r := rs[0]
		assert.Equal(t, []byte{127, 0, 0, 2}, r["peer"])
		assert.Equal(t, []byte{127, 0, 0, 2}, r["native_address"])
		assert.Equal(t, IntCell(9043), r["native_port"])
		assert.Equal(t, "dc2", string(r["data_center"]))
		assert.Equal(t, "rack1", string(r["rack"]))
		assert.Nil(t, r["preferred_ip"])
		assert.Equal(t, []string{"-100", "100"}, decodeTextSet(t, r["tokens"]))
	})
	t.Run("peers_rows", func(t *testing.T) {
		md, rs := rows(t, c.roundTrip(&frame.Query{Query: "SELECT * FROM system.peers"}))
		require.Len(t, rs, 1)
		assert.Equal(t, []byte{127, 0, 0, 2}, rs[0]["rpc_address"])
		assert.Len(t, md.Columns, 9)
	})
	t.Run("schema_version_subsets", func(t *testing.T) {
		v := RandomUUID()
		n.SetSchemaVersion(v)
		md, rs := rows(t, c.roundTrip(&frame.Query{Query: "SELECT schema_version FROM system.local WHERE key='local'"}))
		require.Len(t, md.Columns, 1)
		assert.Equal(t, v[:], rs[0]["schema_version"])
		md, rs = rows(t, c.roundTrip(&frame.Query{Query: "SELECT peer, native_address, schema_version FROM system.peers_v2"}))
		assert.Equal(t, []string{"peer", "native_address", "schema_version"}, names(md))
		assert.Equal(t, v[:], rs[0]["schema_version"], "peers without their own version follow the node's")
		md, _ = rows(t, c.roundTrip(&frame.Query{Query: "SELECT peer, rpc_address, schema_version FROM system.peers"}))
		assert.Equal(t, []string{"peer", "rpc_address", "schema_version"}, names(md))
		require.IsType(t, &frame.InvalidError{}, serverErr(t, c.roundTrip(&frame.Query{Query: "SELECT nope FROM system.local"})))
	})
	t.Run("set_peers", func(t *testing.T) {
		n.SetPeers(nil)
		_, rs := rows(t, c.roundTrip(&frame.Query{Query: "SELECT * FROM system.peers_v2"}))
		assert.Empty(t, rs)
	})
	t.Run("no_peers_v2_like_cassandra_3", func(t *testing.T) {
		old := start(t, Config{NoPeersV2: true})
		c := ready(t, old, frame.V4)
		err := serverErr(t, c.roundTrip(&frame.Query{Query: "SELECT * FROM system.peers_v2"}))
		require.IsType(t, &frame.InvalidError{}, err)
		assert.Equal(t, "unconfigured table peers_v2", err.Message())
	})
}

func TestUseAndPrepare(t *testing.T) {
	n := start(t, Config{})
	for _, v := range []frame.Version{frame.V3, frame.V4, frame.V5} {
		t.Run(v.String(), func(t *testing.T) {
			c := ready(t, n, v)
			assert.Equal(t, &frame.SetKeyspaceResult{Keyspace: "ks"}, c.roundTrip(&frame.Query{Query: "USE Ks"}))
			assert.Equal(t, &frame.SetKeyspaceResult{Keyspace: "My Ks"}, c.roundTrip(&frame.Query{Query: `USE "My Ks"`}))

			const q = "SELECT v FROM ks.t WHERE k = ?"
			unknown := PreparedID("never prepared")
			err := serverErr(t, c.roundTrip(&frame.Execute{ID: unknown}))
			require.IsType(t, &frame.UnpreparedError{}, err)
			assert.Equal(t, unknown, err.(*frame.UnpreparedError).ID)

			col := frame.ColumnSpec{Keyspace: "ks", Table: "t", Name: "k", Type: intType}
			n.AddRule(Rule{Match: Prepare(q), Then: Prepared(frame.NewPreparedMetadata([]frame.ColumnSpec{col}), frame.NewRowsMetadata(frame.ColumnSpec{Keyspace: "ks", Table: "t", Name: "v", Type: textType}))})
			p, ok := c.roundTrip(&frame.Prepare{Query: q}).(*frame.PreparedResult)
			require.True(t, ok)
			assert.Equal(t, PreparedID(q), p.ID)
			assert.Equal(t, "k", p.Params.Columns[0].Name)
			assert.Equal(t, v >= frame.V5, p.ResultMetadataID != nil)

			n.AddRule(Rule{Match: Execute(q), Then: Once(Unprepared())})
			n.AddRule(Rule{Match: Execute(q), Then: Rows(p.Result, [][][]byte{{TextCell("hello")}})})
			exec := &frame.Execute{ID: p.ID, ResultMetadataID: p.ResultMetadataID}
			require.IsType(t, &frame.UnpreparedError{}, serverErr(t, c.roundTrip(exec)))
			_, rs := rows(t, c.roundTrip(exec))
			assert.Equal(t, "hello", string(rs[0]["v"]))
			assert.Equal(t, 2, n.Count(All(Execute(q), OnConn(rs0conn(n)))))

			n.ClearRules()
			n.ForgetPrepared()
			require.IsType(t, &frame.UnpreparedError{}, serverErr(t, c.roundTrip(exec)))
			p2, ok := c.roundTrip(&frame.Prepare{Query: "INSERT INTO ks.t (k) VALUES (?)"}).(*frame.PreparedResult)
			require.True(t, ok)
			require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Execute{ID: p2.ID, ResultMetadataID: p2.ResultMetadataID}))
			batch := &frame.Batch{Statements: []frame.BatchStatement{{ID: p2.ID}, {ID: unknown}}}
			require.IsType(t, &frame.UnpreparedError{}, serverErr(t, c.roundTrip(batch)))
			n.ResetRequests()
		})
	}
}

// rs0conn returns the connection of the last request logged.
func rs0conn(n *Node) int {
	reqs := n.Requests()
	return reqs[len(reqs)-1].Conn
}

func TestStopRestart(t *testing.T) {
	n := start(t, Config{})
	c := ready(t, n, frame.V4)
	require.Equal(t, 1, n.Conns())
	n.Stop()
	c.expectClosed()
	assert.Equal(t, 0, n.Conns())
	_, err := net.DialTimeout("tcp", n.Addr().String(), time.Second)
	require.Error(t, err, "stopped node refuses connections")

	require.NoError(t, n.Restart())
	c = ready(t, n, frame.V4)
	require.IsType(t, &frame.VoidResult{}, c.roundTrip(&frame.Query{Query: "x"}))
	n.DropConns()
	c.expectClosed()
	ready(t, n, frame.V4)

	require.NoError(t, n.Close())
	require.ErrorIs(t, n.Restart(), ErrClosed)
}

func TestRequestsLog(t *testing.T) {
	n := start(t, Config{})
	c := ready(t, n, frame.V4)
	c.send(5, &frame.Query{Query: "INSERT INTO ks.t (k) VALUES (1)", Params: frame.QueryParams{Consistency: frame.One}})
	c.recv()
	reqs := n.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, frame.OpStartup, reqs[0].Opcode)
	r := reqs[1]
	assert.Equal(t, 2, r.Seq)
	assert.Equal(t, 1, r.Conn)
	assert.Equal(t, int16(5), r.Stream)
	assert.Equal(t, frame.V4, r.Version)
	assert.Equal(t, "INSERT INTO ks.t (k) VALUES (1)", r.Query)
	assert.Equal(t, frame.One, r.Msg.(*frame.Query).Params.Consistency)
	assert.Equal(t, 1, n.Count(QueryContains("ks.t")))
}

func names(md frame.RowsMetadata) []string {
	var out []string
	for _, c := range md.Columns {
		out = append(out, c.Name)
	}
	return out
}

func decodeTextSet(t *testing.T, b []byte) []string {
	t.Helper()
	r := frame.NewReader(b, "set<text>")
	k := r.Int("n")
	var out []string
	for range k {
		out = append(out, string(r.Bytes("elem")))
	}
	require.NoError(t, r.Done())
	return out
}

func TestStartCluster(t *testing.T) {
	nodes, err := StartCluster(3, Config{DC: "dc9"})
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, n := range nodes {
			n.Close()
		}
	})
	require.Len(t, nodes, 3)
	port := nodes[0].Addr().Port()
	for i, n := range nodes {
		assert.Equal(t, netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)}), port), n.Addr())
	}
	c := ready(t, nodes[1], frame.V4)
	_, local := rows(t, c.roundTrip(&frame.Query{Query: localQuery}))
	_, peers := rows(t, c.roundTrip(&frame.Query{Query: "SELECT peer, rpc_address, host_id, data_center, tokens FROM system.peers"}))
	require.Len(t, peers, 2)
	seen := map[string]bool{string(decodeTextSet(t, local[0]["tokens"])[0]): true}
	for i, p := range peers {
		want := nodes[[]int{0, 2}[i]]
		assert.Equal(t, want.Addr().Addr().AsSlice(), p["rpc_address"])
		id := want.HostID()
		assert.Equal(t, id[:], p["host_id"])
		assert.Equal(t, "dc9", string(p["data_center"]))
		seen[decodeTextSet(t, p["tokens"])[0]] = true
	}
	assert.Len(t, seen, 3, "distinct tokens")
}
