package cassandra

import "time"

// The option setters of each statement kind. Each sets one field of the
// statement it is called on and returns that statement, so calls chain;
// a Batch has no paging options.

// ---- SimpleStatement ----

// Consistency sets the consistency level; the zero Consistency restores the
// profile's (or cluster's) default.
func (s *SimpleStatement) Consistency(c Consistency) *SimpleStatement {
	s.o.consistency = c
	return s
}

// SerialConsistency sets the consistency of the Paxos phase of conditional
// statements (Serial or LocalSerial).
func (s *SimpleStatement) SerialConsistency(c Consistency) *SimpleStatement {
	s.o.serial = c
	return s
}

// PageSize sets the number of rows per page; a negative size turns paging
// off (the whole result in one response).
func (s *SimpleStatement) PageSize(n int) *SimpleStatement {
	s.o.pageSize = int32(n)
	return s
}

// PagingState resumes paging from a state saved with ResultSet.PagingState.
func (s *SimpleStatement) PagingState(state []byte) *SimpleStatement {
	s.o.pagingState = state
	return s
}

// Timestamp sets the write time sent with the statement, overriding the
// session's timestamp generator.
func (s *SimpleStatement) Timestamp(t time.Time) *SimpleStatement {
	s.o.timestamp, s.o.hasTimestamp = t.UnixMicro(), true
	return s
}

// Idempotent marks the statement as safe to run more than once, which lets
// the driver retry it on another host after a timeout or a broken
// connection, and run speculative executions.
func (s *SimpleStatement) Idempotent(v bool) *SimpleStatement {
	s.o.idempotent = v
	return s
}

// Trace asks the server to trace the statement; read the trace with
// ResultSet.QueryTrace.
func (s *SimpleStatement) Trace(v bool) *SimpleStatement {
	s.o.tracing = v
	return s
}

// CustomPayload sets the custom payload sent with the statement (v4+).
func (s *SimpleStatement) CustomPayload(p map[string][]byte) *SimpleStatement {
	s.o.payload = p
	return s
}

// Profile selects a named execution profile.
func (s *SimpleStatement) Profile(name string) *SimpleStatement {
	s.o.profile = name
	return s
}

// Keyspace sets the keyspace the statement runs in (protocol v5; earlier
// versions use the session's keyspace). It also routes the statement.
func (s *SimpleStatement) Keyspace(ks string) *SimpleStatement {
	s.o.keyspace = ks
	return s
}

// NowInSeconds stands for the server's clock in TTL and tombstone
// computations (protocol v5, for tests).
func (s *SimpleStatement) NowInSeconds(sec int32) *SimpleStatement {
	s.o.nowInSeconds, s.o.hasNowInSeconds = sec, true
	return s
}

// RoutingKey overrides the serialized partition key used to route the
// statement to a replica.
func (s *SimpleStatement) RoutingKey(key []byte) *SimpleStatement {
	s.o.routingKey = key
	return s
}

// Host pins the statement to one host: no other host is tried.
func (s *SimpleStatement) Host(h *Host) *SimpleStatement {
	s.o.host = h
	return s
}

// Timeout bounds the statement, retries included, when the context has no
// earlier deadline. It overrides the profile's request timeout.
func (s *SimpleStatement) Timeout(d time.Duration) *SimpleStatement {
	s.o.timeout = d
	return s
}

// AttemptTimeout bounds each attempt of the statement on one host,
// overriding the profile's (see Timeouts.Attempt).
func (s *SimpleStatement) AttemptTimeout(d time.Duration) *SimpleStatement {
	s.o.attemptTimeout = d
	return s
}

// Prefetch makes the ResultSet fetch the next page in the background as
// soon as a page arrives, so iteration rarely waits on the network. At most
// two pages are held at once.
func (s *SimpleStatement) Prefetch(v bool) *SimpleStatement {
	s.o.prefetch = v
	return s
}

// ---- BoundStatement ----

// Consistency sets the consistency level; the zero Consistency restores the
// profile's (or cluster's) default.
func (b *BoundStatement) Consistency(c Consistency) *BoundStatement {
	b.o.consistency = c
	return b
}

// SerialConsistency sets the consistency of the Paxos phase of conditional
// statements (Serial or LocalSerial).
func (b *BoundStatement) SerialConsistency(c Consistency) *BoundStatement {
	b.o.serial = c
	return b
}

// PageSize sets the number of rows per page; a negative size turns paging
// off (the whole result in one response).
func (b *BoundStatement) PageSize(n int) *BoundStatement {
	b.o.pageSize = int32(n)
	return b
}

// PagingState resumes paging from a state saved with ResultSet.PagingState.
func (b *BoundStatement) PagingState(state []byte) *BoundStatement {
	b.o.pagingState = state
	return b
}

// Timestamp sets the write time sent with the statement, overriding the
// session's timestamp generator.
func (b *BoundStatement) Timestamp(t time.Time) *BoundStatement {
	b.o.timestamp, b.o.hasTimestamp = t.UnixMicro(), true
	return b
}

// Idempotent marks the statement as safe to run more than once, which lets
// the driver retry it on another host after a timeout or a broken
// connection, and run speculative executions.
func (b *BoundStatement) Idempotent(v bool) *BoundStatement {
	b.o.idempotent = v
	return b
}

// Trace asks the server to trace the statement; read the trace with
// ResultSet.QueryTrace.
func (b *BoundStatement) Trace(v bool) *BoundStatement {
	b.o.tracing = v
	return b
}

// CustomPayload sets the custom payload sent with the statement (v4+).
func (b *BoundStatement) CustomPayload(p map[string][]byte) *BoundStatement {
	b.o.payload = p
	return b
}

// Profile selects a named execution profile.
func (b *BoundStatement) Profile(name string) *BoundStatement {
	b.o.profile = name
	return b
}

// Keyspace sets the keyspace the statement runs in (protocol v5; earlier
// versions use the session's keyspace). It also routes the statement.
func (b *BoundStatement) Keyspace(ks string) *BoundStatement {
	b.o.keyspace = ks
	return b
}

// NowInSeconds stands for the server's clock in TTL and tombstone
// computations (protocol v5, for tests).
func (b *BoundStatement) NowInSeconds(sec int32) *BoundStatement {
	b.o.nowInSeconds, b.o.hasNowInSeconds = sec, true
	return b
}

// RoutingKey overrides the serialized partition key used to route the
// statement to a replica.
func (b *BoundStatement) RoutingKey(key []byte) *BoundStatement {
	b.o.routingKey = key
	return b
}

// Host pins the statement to one host: no other host is tried.
func (b *BoundStatement) Host(h *Host) *BoundStatement {
	b.o.host = h
	return b
}

// Timeout bounds the statement, retries included, when the context has no
// earlier deadline. It overrides the profile's request timeout.
func (b *BoundStatement) Timeout(d time.Duration) *BoundStatement {
	b.o.timeout = d
	return b
}

// AttemptTimeout bounds each attempt of the statement on one host,
// overriding the profile's (see Timeouts.Attempt).
func (b *BoundStatement) AttemptTimeout(d time.Duration) *BoundStatement {
	b.o.attemptTimeout = d
	return b
}

// Prefetch makes the ResultSet fetch the next page in the background as
// soon as a page arrives, so iteration rarely waits on the network. At most
// two pages are held at once.
func (b *BoundStatement) Prefetch(v bool) *BoundStatement {
	b.o.prefetch = v
	return b
}

// ---- Batch ----

// Consistency sets the consistency level; the zero Consistency restores the
// profile's (or cluster's) default.
func (b *Batch) Consistency(c Consistency) *Batch {
	b.o.consistency = c
	return b
}

// SerialConsistency sets the consistency of the Paxos phase of conditional
// statements (Serial or LocalSerial).
func (b *Batch) SerialConsistency(c Consistency) *Batch {
	b.o.serial = c
	return b
}

// Timestamp sets the write time sent with the statement, overriding the
// session's timestamp generator.
func (b *Batch) Timestamp(t time.Time) *Batch {
	b.o.timestamp, b.o.hasTimestamp = t.UnixMicro(), true
	return b
}

// Idempotent marks the statement as safe to run more than once, which lets
// the driver retry it on another host after a timeout or a broken
// connection, and run speculative executions.
func (b *Batch) Idempotent(v bool) *Batch {
	b.o.idempotent = v
	return b
}

// Trace asks the server to trace the statement; read the trace with
// ResultSet.QueryTrace.
func (b *Batch) Trace(v bool) *Batch {
	b.o.tracing = v
	return b
}

// CustomPayload sets the custom payload sent with the statement (v4+).
func (b *Batch) CustomPayload(p map[string][]byte) *Batch {
	b.o.payload = p
	return b
}

// Profile selects a named execution profile.
func (b *Batch) Profile(name string) *Batch {
	b.o.profile = name
	return b
}

// Keyspace sets the keyspace the statement runs in (protocol v5; earlier
// versions use the session's keyspace). It also routes the statement.
func (b *Batch) Keyspace(ks string) *Batch {
	b.o.keyspace = ks
	return b
}

// NowInSeconds stands for the server's clock in TTL and tombstone
// computations (protocol v5, for tests).
func (b *Batch) NowInSeconds(sec int32) *Batch {
	b.o.nowInSeconds, b.o.hasNowInSeconds = sec, true
	return b
}

// RoutingKey overrides the serialized partition key used to route the
// statement to a replica.
func (b *Batch) RoutingKey(key []byte) *Batch {
	b.o.routingKey = key
	return b
}

// Host pins the statement to one host: no other host is tried.
func (b *Batch) Host(h *Host) *Batch {
	b.o.host = h
	return b
}

// Timeout bounds the statement, retries included, when the context has no
// earlier deadline. It overrides the profile's request timeout.
func (b *Batch) Timeout(d time.Duration) *Batch {
	b.o.timeout = d
	return b
}

// AttemptTimeout bounds each attempt of the statement on one host,
// overriding the profile's (see Timeouts.Attempt).
func (b *Batch) AttemptTimeout(d time.Duration) *Batch {
	b.o.attemptTimeout = d
	return b
}
