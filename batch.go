package cassandra

import (
	"context"
	"fmt"

	"github.com/cqlgo/cassandra/frame"
)

// BatchType is the kind of a batch.
type BatchType = frame.BatchType

// Batch kinds.
const (
	// LoggedBatch goes through the batch log: all of it applies or none.
	LoggedBatch = frame.LoggedBatch
	// UnloggedBatch skips the batch log.
	UnloggedBatch = frame.UnloggedBatch
	// CounterBatch holds counter updates only.
	CounterBatch = frame.CounterBatch
)

// Batch groups DML statements applied with one consistency level. Entries
// may mix CQL strings and bound prepared statements:
//
//	b := cassandra.NewBatch(cassandra.LoggedBatch).
//		Add(ins.Bind(id, "cy")).
//		Query("UPDATE counters SET n = n + 1 WHERE name = ?", "cy")
//	_, err := session.ExecuteStatement(ctx, b)
//
// The batch's own options (consistency, timestamp, ...) apply to all of
// it; those of its entries are not used.
type Batch struct {
	o       stmtOptions
	typ     BatchType
	entries []batchEntry
	// The first entries live in the Batch itself: a batch of up to eight
	// statements grows no slice.
	entriesBuf [8]batchEntry
}

type batchEntry struct {
	cql    string
	values []any
	bound  *BoundStatement
}

func (b *Batch) options() *stmtOptions { return &b.o }

// NewBatch returns an empty batch of kind t.
func NewBatch(t BatchType) *Batch {
	b := &Batch{typ: t}
	b.entries = b.entriesBuf[:0]
	return b
}

// Add appends a statement: a *SimpleStatement (with its values) or a
// *BoundStatement. A simple statement with values is prepared on first
// use, as Execute does.
func (b *Batch) Add(stmt BatchEntry) *Batch {
	switch s := stmt.(type) {
	case *SimpleStatement:
		if s == nil {
			b.entries = append(b.entries, batchEntry{})
			break
		}
		b.entries = append(b.entries, batchEntry{cql: s.cql, values: s.values})
	case *BoundStatement:
		b.entries = append(b.entries, batchEntry{bound: s})
	}
	return b
}

// Query appends a CQL string with its values (prepared on first use when
// it has values).
func (b *Batch) Query(cql string, values ...any) *Batch {
	b.entries = append(b.entries, batchEntry{cql: cql, values: values})
	return b
}

// Len returns the number of statements.
func (b *Batch) Len() int { return len(b.entries) }

func (s *Session) batchRequest(ctx context.Context, b *Batch) (*request, error) {
	req, err := s.baseRequest(&b.o, reqBatch)
	if err != nil {
		return nil, err
	}
	if len(b.entries) == 0 {
		return nil, fmt.Errorf("cassandra: empty batch")
	}
	v := s.version()
	req.batch.Type = b.typ
	// The slices a pooled request kept from an earlier batch are reused
	// (recycle clears them); the values of all entries share one backing
	// array, and the encoded values one scratch buffer sized up front.
	n, total := len(b.entries), 0
	for _, e := range b.entries {
		if e.bound != nil {
			total += len(e.bound.args()) + len(e.bound.named)
		} else {
			total += len(e.values)
		}
	}
	req.batch.Statements = reuse(req.batch.Statements, n)
	req.batchPS = reuse(req.batchPS, n)
	vals := req.batchVals[:0]
	if cap(vals) < total {
		vals = make([]frame.Value, 0, total)
	}
	if want := 24 * total; cap(req.scratch) < want {
		req.scratch = make([]byte, 0, want)
	}
	for i, e := range b.entries {
		bs := &req.batch.Statements[i]
		if e.bound == nil && e.cql == "" {
			return nil, fmt.Errorf("cassandra: batch entry %d: no statement (a nil *SimpleStatement or *BoundStatement)", i)
		}
		bound := e.bound
		if bound == nil && len(e.values) > 0 {
			ps, err := s.Prepare(ctx, e.cql)
			if err != nil {
				return nil, err
			}
			bound = ps.Bind(e.values...)
		}
		if bound == nil {
			bs.Query = e.cql
			continue
		}
		var err error
		free := vals[len(vals):]
		if bs.Values, req.scratch, err = s.bindPrepared(ctx, bound.ps, bound.args(), bound.named, req.scratch, free, v); err != nil {
			return nil, fmt.Errorf("cassandra: batch entry %d: %w", i, err)
		}
		if len(bs.Values) > 0 && len(bs.Values) <= cap(free) && &bs.Values[0] == &free[:1][0] {
			vals = vals[:len(vals)+len(bs.Values)] // bound into the shared array
		}
		bs.ID = bound.ps.id
		req.batchPS[i] = bound.ps
		if req.routing.RoutingKey == nil {
			bm := bound.ps.bind.Load()
			req.routing.RoutingKey = routingKey(bm, bs.Values)
			if len(bm.params) > 0 {
				req.routing.Keyspace = bm.params[0].Keyspace
			}
		}
	}
	req.batchVals = vals
	var p frame.QueryParams
	b.o.params(&p, req.prof, v)
	req.batch.Consistency = p.Consistency
	req.batch.SerialConsistency = p.SerialConsistency
	req.batch.Timestamp, req.batch.HasTimestamp = p.Timestamp, p.HasTimestamp
	req.batch.Keyspace = p.Keyspace
	req.batch.NowInSeconds, req.batch.HasNowInSeconds = p.NowInSeconds, p.HasNowInSeconds
	return req, nil
}

// reuse returns s with length n, reusing its array when it is large enough.
// Its elements are zero: recycle clears what a request kept.
func reuse[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}
