// Package cassandratest simulates Cassandra nodes that fail on purpose, to
// test a service's Cassandra code without a real cluster: what it does
// when a node is overloaded, a read times out, a connection dies in the
// middle of an answer, a node refuses connections or never answers.
//
// A Node listens on a loopback address and speaks the native protocol (v3,
// v4 and v5, with lz4 or snappy compression and password authentication)
// well enough for the driver, or any driver, to connect to it, negotiate
// the protocol version (Config.Versions), discover the cluster and run
// statements. What it answers to those statements is up to the test:
// rules pair a condition on the request with a reaction.
//
//	nodes, _ := cassandratest.StartCluster(2, cassandratest.Config{})
//	defer func() { for _, n := range nodes { n.Close() } }()
//	for _, n := range nodes {
//		n.AddRule(cassandratest.Rule{
//			Match: cassandratest.Execute("SELECT name FROM shop.users WHERE id = ?"),
//			Then:  cassandratest.Error(&frame.OverloadedError{Msg: "overloaded"}),
//		})
//	}
//	cluster := cassandra.NewCluster(nodes[0].Addr().String())
//	// ... run the code under test, then check what it did and what each
//	// node saw: nodes[1].Count(cassandratest.Op(frame.OpExecute)).
//
// See the package example for a complete test of a small repository type.
//
// # What a node answers
//
// It is not a Cassandra: it stores nothing and parses no CQL but a few
// statements. Without rules (the Builtin reaction) it answers:
//
//   - OPTIONS: SUPPORTED with CQL_VERSION 3.4.7, the compressions of
//     Config.Compression and the protocol versions of Config.Versions.
//   - STARTUP: READY, or AUTHENTICATE when Config.Authenticator is set;
//     then AUTH_RESPONSE: AUTH_SUCCESS for the PLAIN token of
//     Config.Username and Password, BAD_CREDENTIALS otherwise. Requests
//     before the handshake ends get PROTOCOL_ERROR (before STARTUP) or
//     UNAUTHORIZED (during authentication), as Cassandra answers them.
//   - REGISTER: READY; the connection then gets the events of the types it
//     named (Node.SendEvent, PushEvent).
//   - SELECT ... FROM system.local, system.peers_v2 and system.peers (any
//     column list): rows with Cassandra 5.0's columns and types, filled
//     from Config (host id, datacenter, rack, tokens, release version,
//     partitioner, schema version) and the node's peers, so that drivers
//     discover every node of a cluster and where it sits.
//   - USE ks: SET_KEYSPACE (the connection's keyspace, Request.Keyspace).
//   - PREPARE: PREPARED with the md5 of the text as id (PreparedID) and no
//     bind markers or result columns; a Prepared rule gives them. Every
//     node keeps its own prepared statements, as Cassandra nodes do.
//   - EXECUTE or BATCH of an id the node does not know: UNPREPARED.
//   - any other QUERY, EXECUTE or BATCH: Config.Handler's reaction, or an
//     empty VOID result. A SELECT of a user table therefore returns no
//     rows and no columns unless a rule answers it; a driver that prepared
//     it with bind markers needs a Prepared rule for the markers' types.
//
// A request that asked for tracing is answered with a tracing session id
// (Request.TraceID); the rows of system_traces are up to rules.
//
// # Rules
//
// A Rule is a Matcher (the condition) and a Reaction. Node.AddRule
// appends one; for each request the node tries its rules in order, and
// the first whose Matcher accepts the request reacts. A request no rule
// takes gets the Builtin reaction. Rules see every request, handshake
// included, so a Drop on STARTUP or a Delay on OPTIONS works too.
//
// Conditions: Op (opcode), Query, QueryPrefix, QueryContains, Prepare,
// Execute, ExecuteID (prepared id), Statement (QUERY or EXECUTE of a
// text), Keyspace, Consistency, Nth (the node's n-th request), NthMatch
// (the n-th request that another matcher accepts), OnConn, and All and
// Any to combine them. A Matcher is a plain func of the Request, so a
// test can write its own. The condition "on node k" is the node the rule
// is added to.
//
// Reactions: Rows and PagedRows (a result, the latter in pages as the
// request asks), Void, Respond (any message), Error (any server error,
// with its fields), Prepared and Unprepared, Delay, Hang (no answer),
// Drop (close the connection), HalfFrame (close in the middle of a
// frame), Garbage (bytes that are no frame), PushEvent (answer, then push
// an event), Warn (answer with warnings), Builtin, and Func to choose per
// request. Times and Once limit a reaction to the first requests the rule
// matches, after which requests fall through to the later rules; one
// Times value shared by rules of several nodes counts across all of them.
//
// Outside of requests: StartCluster and StartClusterWith start nodes that
// list each other as peers; Node.Stop takes a node down (its listener and
// connections close) and Restart brings it back on the same address;
// RefuseConnections closes new connections before their handshake;
// DropConns closes the open ones; SendEvent pushes TOPOLOGY_CHANGE,
// STATUS_CHANGE and SCHEMA_CHANGE events; SetPeers and SetSchemaVersion
// change what the system tables say; ForgetPrepared empties the prepared
// statement cache.
//
// Every request is logged: Requests returns them, Count counts those a
// Matcher accepts, Counts counts them by opcode, ResetRequests starts
// over.
//
// # Concurrency
//
// Every method of Node is safe for concurrent use, also while the driver
// runs requests: AddRule, AddRuleID, RemoveRule and ClearRules may change
// the rules at any time, and a request is matched against the rules as
// they were when it arrived. After the handshake each request reacts on a
// goroutine of its own, so a delayed or hung request holds back no other,
// and the answers of one connection are written one at a time; Matchers
// and Func reactions may therefore run concurrently. The handshake's
// requests are handled in order on the connection's reader. Close (and
// Stop) close the listener and every connection, release hung and delayed
// requests, and return once every goroutine of the node has ended, so a
// test that closes its nodes leaks nothing.
//
// # Limits
//
// Nodes listen on loopback addresses. StartCluster puts node i on
// 127.0.0.(i+1), as Linux routes all of 127/8 to the loopback device; on
// other systems give each node its own port on 127.0.0.1 with
// StartClusterWith. A node answers its rules and the statements above,
// nothing else: no data is stored, no consistency or replication is
// simulated, and a cluster's nodes share nothing but the peers rows they
// were given (and any reaction value added to several of them).
package cassandratest
