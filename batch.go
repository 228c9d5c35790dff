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
}

type batchEntry struct {
	cql    string
	values []any
	bound  *BoundStatement
}

func (b *Batch) options() *stmtOptions { return &b.o }

// NewBatch returns an empty batch of kind t.
func NewBatch(t BatchType) *Batch { return &Batch{typ: t} }

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
	req.batch.Statements = make([]frame.BatchStatement, len(b.entries))
	req.batchPS = make([]*PreparedStatement, len(b.entries))
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
		if bs.Values, req.scratch, err = s.bindPrepared(ctx, bound.ps, bound.args(), bound.named, req.scratch, nil, v); err != nil {
			return nil, fmt.Errorf("cassandra: batch entry %d: %w", i, err)
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
	var p frame.QueryParams
	b.o.params(&p, req.prof, v)
	req.batch.Consistency = p.Consistency
	req.batch.SerialConsistency = p.SerialConsistency
	req.batch.Timestamp, req.batch.HasTimestamp = p.Timestamp, p.HasTimestamp
	req.batch.Keyspace = p.Keyspace
	req.batch.NowInSeconds, req.batch.HasNowInSeconds = p.NowInSeconds, p.HasNowInSeconds
	return req, nil
}
