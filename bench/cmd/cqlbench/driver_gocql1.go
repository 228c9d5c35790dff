package main

// Every call into gocql v1.7.0 (github.com/gocql/gocql) is in this file.

import (
	"context"
	"io"
	"log"

	gocql "github.com/gocql/gocql"

	"github.com/cqlgo/cassandra/bench/internal/workload"
)

func openGocql1(ctx context.Context, cfg config) (*client, error) {
	cluster := gocql.NewCluster(cfg.addr)
	cluster.ProtoVersion = 4
	cluster.NumConns = 1
	cluster.Consistency = gocql.LocalOne
	cluster.Timeout = cfg.timeout
	cluster.Logger = log.New(io.Discard, "", 0)
	s, err := cluster.CreateSession()
	if err != nil {
		return nil, err
	}
	cl := &client{close: s.Close}
	switch cfg.workload {
	case workload.Select1:
		cl.op = func(ctx context.Context, i uint64) error {
			var k int
			var a int64
			var b string
			q := s.Query(workload.SelectCQL, workload.SelectKey(i)).WithContext(ctx)
			err := q.Scan(&k, &a, &b)
			q.Release()
			return err
		}
	case workload.Insert:
		cl.op = func(ctx context.Context, i uint64) error {
			q := s.Query(workload.InsertCQL, workload.InsertKey(i), 0, workload.InsertText).WithContext(ctx)
			err := q.Exec()
			q.Release()
			return err
		}
	case workload.Batch10:
		cl.op = func(ctx context.Context, i uint64) error {
			b := s.NewBatch(gocql.UnloggedBatch).WithContext(ctx)
			k := workload.InsertKey(i)
			for c := range workload.BatchSize {
				b.Query(workload.InsertCQL, k, c, workload.InsertText)
			}
			return s.ExecuteBatch(b)
		}
	case workload.Page10k:
		cl.op = func(ctx context.Context, i uint64) error {
			q := s.Query(workload.PageCQL, 0).PageSize(workload.PageSize).WithContext(ctx)
			it := q.Iter()
			var p, c int
			var v string
			n := 0
			for it.Scan(&p, &c, &v) {
				n++
			}
			err := it.Close()
			q.Release()
			if err != nil {
				return err
			}
			return checkRows(n)
		}
	}
	// gocql prepares on first use; do it now so that it is not measured.
	if err := cl.op(ctx, 0); err != nil {
		s.Close()
		return nil, err
	}
	return cl, nil
}
