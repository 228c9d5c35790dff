package cassandra

import (
	"context"
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
	// Statement is the CQL text, or "BATCH" for a batch.
	Statement string
	End       bool
	Latency   time.Duration
	Attempts  int
	Err       error
}

// AttemptEvent describes one attempt of a request on one host: its start
// (End false) or its end (End true, with Latency and Err). Attempt counts
// from 1.
type AttemptEvent struct {
	Statement string
	Host      *Host
	Attempt   int
	End       bool
	Latency   time.Duration
	Err       error
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
