// Package simnode is a simulated Cassandra node for unit tests of the
// driver's connection, pool, control-connection and request layers.
//
// It exists for what a real server cannot do on demand: answer a chosen
// error, answer late, drop the connection, write garbage, never answer.
// Real behaviour is tested against real Cassandra (see internal/testenv);
// simnode only imitates the handshake and the few system tables a driver
// needs to get going, and lets a test script the rest with rules.
//
// # Wire
//
// The node speaks protocol v3, v4 and v5 (Config.Versions) with the frame
// package's codecs, decoding requests and encoding responses, answering each
// request on its stream. A frame of another version gets a PROTOCOL_ERROR
// "Invalid or unsupported protocol version (N); highest supported version is
// M" in version M on the request's stream, and the connection is then
// half-closed. STARTUP negotiates compression: in v3/v4 bodies are
// compressed in both directions from the answer to STARTUP on (READY
// included, as Cassandra does); in v5 both directions switch to segments
// right after READY or AUTHENTICATE, LZ4-compressed when lz4 was asked for
// (snappy is refused in v5). Events go on stream -1 to the connections that
// REGISTERed for their type.
//
// # Built-in behaviour
//
// Without rules the node answers:
//
//   - OPTIONS: SUPPORTED with CQL_VERSION [3.4.7], COMPRESSION
//     Config.Compression and PROTOCOL_VERSIONS such as ["3/v3","4/v4","5/v5"].
//   - STARTUP: READY, or AUTHENTICATE when Config.Authenticator is set, then
//     AUTH_RESPONSE with the PLAIN token of Username/Password: AUTH_SUCCESS,
//     any other: BAD_CREDENTIALS. Other requests before the handshake ends
//     get PROTOCOL_ERROR (before STARTUP) or UNAUTHORIZED (during auth).
//   - REGISTER: READY, and the event types are remembered.
//   - QUERY, or EXECUTE of a statement prepared on the node, of
//     SELECT <* | columns> FROM system.local [WHERE key='local'],
//     system.peers_v2 or system.peers: rows with Cassandra 5.0's columns and
//     CQL types built from Config (identity, Peers, NoPeersV2) and from
//     SetPeers / SetSchemaVersion.
//   - USE ks or USE "Ks": SET_KEYSPACE.
//   - PREPARE: PREPARED with id md5(query) and empty metadata (rules give
//     metadata with Prepared); the statement is remembered node-wide.
//   - EXECUTE or BATCH of an unknown id: UNPREPARED.
//   - anything else: Config.Handler's reaction, or VOID.
//
// # Rules
//
// A Rule pairs a Matcher (Query, QueryPrefix, Prepare, Execute, Op, Nth,
// OnConn, All, Any or any func) with a Reaction (Error, Rows, Void, Respond,
// Prepared, Unprepared, Delay, Drop, Hang, Garbage, Builtin, Func), limited
// with Times or Once. Rules are tried in order; the first that matches
// reacts, and requests no rule takes get the built-in behaviour. Rules apply
// to every request, handshake included (a Drop on STARTUP, a Delay on
// OPTIONS).
//
// # Clusters and faults outside requests
//
// StartCluster starts nodes on 127.0.0.1, 127.0.0.2, ... sharing a port,
// each listing the others as peers. Stop drops every connection and stops
// listening (a node down), Restart listens again on the same address,
// DropConns drops the connections of a running node, SendEvent pushes
// TOPOLOGY_CHANGE, STATUS_CHANGE and SCHEMA_CHANGE events, SetPeers and
// SetSchemaVersion change what the system tables say, ForgetPrepared
// empties the prepared statement cache.
//
// # Invariants
//
// Requests of the handshake are handled in order on the connection's reader
// goroutine, so the framing switch after STARTUP is never raced; after it
// each request reacts on a goroutine of its own, so a delayed or hung
// request never holds back the others, and writes are serialized per
// connection. Every goroutine is counted: Stop and Close close the listener
// and the connections, which releases hung and delayed requests, and return
// once all of them have ended. Every request is logged (Requests, Count) for
// assertions.
package simnode
