package cassandra

import (
	"context"
	"encoding/binary"
	"sync/atomic"
	"time"
)

// RequestObserver is told about every request and every attempt of it, at
// start and at end: for metrics, tracing spans or slow-query logs. Calls are
// made on the request's goroutine and must not block; with no observer
// configured the request path pays one nil check.
type RequestObserver interface {
	ObserveRequest(ctx context.Context, e RequestEvent)
	ObserveAttempt(ctx context.Context, e AttemptEvent)
}

// RequestEvent describes a request starting (End false) or ending (End
// true, with Latency, Attempts and Err).
type RequestEvent struct {
	// ID identifies the request (unique in the process): its start and
	// end events share it, and its attempts carry it as RequestID.
	ID uint64
	// Statement is the CQL text, or "BATCH" for a batch.
	Statement string
	// Kind is "QUERY", "EXECUTE", "BATCH" or "PREPARE".
	Kind string
	// Keyspace and Table, where the driver knows them (prepared
	// statements' metadata; the session's keyspace otherwise).
	Keyspace, Table string
	Consistency     Consistency
	Idempotent      bool
	End             bool
	Latency         time.Duration
	Attempts        int
	Err             error
}

// AttemptEvent describes one attempt of a request on one host: its start
// (End false) or its end (End true, with Latency and Err). Attempt counts
// from 1.
type AttemptEvent struct {
	// RequestID is the ID of the request the attempt belongs to; ID is the
	// attempt's own (unique in the process: speculative executions share
	// attempt numbers but not IDs). With Cluster.RequestIDs it is also the
	// "request-id" sent in the attempt's custom payload.
	RequestID, ID uint64
	Statement     string
	Host          *Host
	Attempt       int
	End           bool
	Latency       time.Duration
	Err           error
	// Speculative marks attempts of an extra execution started by the
	// speculative execution policy.
	Speculative bool
}

// statementText names a request for observers and logs.
func (req *request) statementText() string {
	switch req.kind {
	case reqExecute:
		return req.ps.cql
	case reqBatch:
		return "BATCH"
	case reqPrepare:
		return req.prepare.Query
	}
	return req.query.Query
}

// nextID numbers requests and attempts for observers and request ids.
var nextID atomic.Uint64

// event describes req for observers, numbering it on first use.
func (req *request) event() RequestEvent {
	if req.id == 0 {
		req.id = nextID.Add(1)
	}
	e := RequestEvent{ID: req.id, Statement: req.statementText(), Keyspace: req.routing.Keyspace, Table: req.routing.Table,
		Consistency: req.consistency(), Idempotent: req.opts.idempotent}
	switch req.kind {
	case reqQuery:
		e.Kind = "QUERY"
	case reqExecute:
		e.Kind = "EXECUTE"
	case reqBatch:
		e.Kind = "BATCH"
	case reqPrepare:
		e.Kind = "PREPARE"
	}
	return e
}

// RequestIDKey is the custom payload key of the id each attempt carries
// with Cluster.RequestIDs: 8 bytes, big endian, unique per attempt in the
// process (retries and speculative executions get their own).
const RequestIDKey = "request-id"

// withRequestID returns payload plus the attempt's id (a new map: the
// statement's own is never written).
func withRequestID(payload map[string][]byte, id uint64) map[string][]byte {
	out := make(map[string][]byte, len(payload)+1)
	for k, v := range payload {
		out[k] = v
	}
	out[RequestIDKey] = binary.BigEndian.AppendUint64(nil, id)
	return out
}

// observeStart tells the observer a request starts. It and observeEnd
// are kept out of do's frame, which every waiting request has on its stack.
//
//go:noinline
func (req *request) observeStart(ctx context.Context, obs RequestObserver) {
	obs.ObserveRequest(ctx, req.event())
}

// observeEnd tells the observer a request ended, and logs it when it was
// slow.
//
//go:noinline
func (req *request) observeEnd(ctx context.Context, obs RequestObserver, latency time.Duration, attempts int, err error) {
	s := req.s
	if obs != nil {
		e := req.event()
		e.End, e.Latency, e.Attempts, e.Err = true, latency, attempts, err
		obs.ObserveRequest(ctx, e)
	}
	if slow := s.cfg.SlowRequest; slow > 0 && latency >= slow {
		// The CQL text only: bound values are never logged.
		hosts := make([]string, 0, len(req.attempts))
		for _, a := range req.attempts {
			hosts = append(hosts, a.Host.Addr().String())
		}
		s.cfg.Logger.Warn("cassandra: slow request", "statement", req.statementText(), "latency", latency, "hosts", hosts, "err", err)
	}
}

// observeAttempt tells the observer of an attempt's start, or of its end.
//
//go:noinline
func (req *request) observeAttempt(ctx context.Context, obs RequestObserver, id uint64, host *Host, speculative, end bool, latency time.Duration, err error) {
	e := AttemptEvent{RequestID: req.id, ID: id, Statement: req.statementText(), Host: host, Attempt: len(req.attempts) + 1, Speculative: speculative}
	if end {
		e.End, e.Latency, e.Err = true, latency, err
	}
	obs.ObserveAttempt(ctx, e)
}
