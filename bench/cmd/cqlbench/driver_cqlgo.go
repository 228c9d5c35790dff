package main

// Every call into this driver (github.com/cqlgo/cassandra) is in this file.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	cassandra "github.com/cqlgo/cassandra"

	"github.com/cqlgo/cassandra/bench/internal/workload"
)

func cqlgoCluster(addr string, timeout time.Duration) *cassandra.Cluster {
	c := cassandra.NewCluster(addr)
	c.ProtocolVersion = 4
	c.Pool.ConnectionsPerHost = 1
	c.Consistency = cassandra.LocalOne
	// Every client gets the same bound on a request: the Request and
	// Attempt bounds both stand for gocql's Timeout and the Rust driver's
	// request timeout (cqlgo's Attempt default, 2s, would otherwise fail
	// page10k at 1024 in flight on a real node, whose answers take longer).
	c.Timeouts.Request = timeout
	c.Timeouts.Attempt = timeout
	c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	return c
}

func openCqlgo(ctx context.Context, cfg config) (*client, error) {
	cluster := cqlgoCluster(cfg.addr, cfg.timeout)
	s, err := cluster.Connect(ctx)
	if err != nil {
		return nil, err
	}
	cl := &client{close: func() { cluster.Close(context.Background()) }}
	fail := func(err error) (*client, error) {
		cl.close()
		return nil, err
	}
	switch cfg.workload {
	case workload.Select1:
		ps, err := s.Prepare(ctx, workload.SelectCQL)
		if err != nil {
			return fail(err)
		}
		// QueryRowStatement, like gocql's Query.Scan: one row, read into
		// the destinations, the ResultSet reused.
		cl.op = func(ctx context.Context, i uint64) error {
			var k int
			var a int64
			var b string
			return s.QueryRowStatement(ctx, ps.Bind(workload.SelectKey(i))).Scan(&k, &a, &b)
		}
	case workload.Insert:
		ps, err := s.Prepare(ctx, workload.InsertCQL)
		if err != nil {
			return fail(err)
		}
		cl.op = func(ctx context.Context, i uint64) error {
			// ExecStatement, like gocql's Query.Exec: the error alone.
			return s.ExecStatement(ctx, ps.Bind(workload.InsertKey(i), 0, workload.InsertText))
		}
	case workload.Batch10:
		ps, err := s.Prepare(ctx, workload.InsertCQL)
		if err != nil {
			return fail(err)
		}
		cl.op = func(ctx context.Context, i uint64) error {
			b := cassandra.NewBatch(cassandra.UnloggedBatch)
			k := workload.InsertKey(i)
			for c := range workload.BatchSize {
				b.Add(ps.Bind(k, c, workload.InsertText))
			}
			return s.ExecStatement(ctx, b)
		}
	case workload.Page10k:
		ps, err := s.Prepare(ctx, workload.PageCQL)
		if err != nil {
			return fail(err)
		}
		cl.op = func(ctx context.Context, i uint64) error {
			rs, err := s.ExecuteStatement(ctx, ps.Bind(0).PageSize(workload.PageSize))
			if err != nil {
				return err
			}
			var p, c int
			var v string
			n := 0
			for rs.Next() {
				if err := rs.Scan(&p, &c, &v); err != nil {
					return err
				}
				n++
			}
			if err := rs.Err(); err != nil {
				return err
			}
			return checkRows(n)
		}
	}
	return cl, nil
}

// setupCassandra creates the bench keyspace and tables and loads the rows
// of bench.kv and bench.page, unless they are there already.
func setupCassandra(ctx context.Context, addr string) error {
	cluster := cqlgoCluster(addr, 60*time.Second)
	cluster.Timeouts.SchemaAgreement = 60 * time.Second
	s, err := cluster.Connect(ctx)
	if err != nil {
		return err
	}
	defer cluster.Close(context.Background())
	for _, ddl := range workload.Schema {
		if _, err := s.Execute(ctx, ddl); err != nil {
			return fmt.Errorf("%s: %w", ddl, err)
		}
	}
	loaded := func(cql string, key ...any) (bool, error) {
		rs, err := s.Execute(ctx, cql, key...)
		if err != nil {
			return false, err
		}
		return rs.Next(), rs.Err()
	}
	kvDone, err := loaded("SELECT k FROM bench.kv WHERE k = ?", workload.KVRows-1)
	if err != nil {
		return err
	}
	pageDone, err := loaded("SELECT c FROM bench.page WHERE p = ? AND c = ?", 0, workload.PageRows-1)
	if err != nil {
		return err
	}
	load := func(cql string, n int, values func(i int) []any) error {
		ps, err := s.Prepare(ctx, cql)
		if err != nil {
			return err
		}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for w := range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 64 {
					if _, err := s.ExecuteStatement(ctx, ps.Bind(values(i)...)); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		return <-errs
	}
	if !kvDone {
		err := load(workload.LoadKVCQL, workload.KVRows, func(i int) []any {
			k, a, b := workload.KVRow(i)
			return []any{k, a, b}
		})
		if err != nil {
			return err
		}
	}
	if !pageDone {
		err := load(workload.LoadPageCQL, workload.PageRows, func(i int) []any {
			p, c, v := workload.PageRow(i)
			return []any{p, c, v}
		})
		if err != nil {
			return err
		}
	}
	return nil
}
