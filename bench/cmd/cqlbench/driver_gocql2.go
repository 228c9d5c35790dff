package main

// Every call into the Apache Cassandra Go driver v2
// (github.com/apache/cassandra-gocql-driver/v2) is in this file.

import (
	"context"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/cqlgo/cassandra/bench/internal/workload"
)

// quietLogger drops the driver's log lines.
type quietLogger struct{}

func (quietLogger) Error(string, ...gocql.LogField)   {}
func (quietLogger) Warning(string, ...gocql.LogField) {}
func (quietLogger) Info(string, ...gocql.LogField)    {}
func (quietLogger) Debug(string, ...gocql.LogField)   {}

func openGocql2(ctx context.Context, cfg config) (*client, error) {
	cluster := gocql.NewCluster(cfg.addr)
	cluster.ProtoVersion = 4
	cluster.NumConns = 1
	cluster.Consistency = gocql.LocalOne
	cluster.Timeout = cfg.timeout
	cluster.Logger = quietLogger{}
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
			return s.Query(workload.SelectCQL, workload.SelectKey(i)).ScanContext(ctx, &k, &a, &b)
		}
	case workload.Insert:
		cl.op = func(ctx context.Context, i uint64) error {
			return s.Query(workload.InsertCQL, workload.InsertKey(i), 0, workload.InsertText).ExecContext(ctx)
		}
	case workload.Batch10:
		cl.op = func(ctx context.Context, i uint64) error {
			b := s.Batch(gocql.UnloggedBatch)
			k := workload.InsertKey(i)
			for c := range workload.BatchSize {
				b.Query(workload.InsertCQL, k, c, workload.InsertText)
			}
			return b.ExecContext(ctx)
		}
	case workload.Page10k:
		cl.op = func(ctx context.Context, i uint64) error {
			it := s.Query(workload.PageCQL, 0).PageSize(workload.PageSize).IterContext(ctx)
			var p, c int
			var v string
			n := 0
			for it.Scan(&p, &c, &v) {
				n++
			}
			if err := it.Close(); err != nil {
				return err
			}
			return checkRows(n)
		}
	}
	// The driver prepares on first use; do it now so that it is not measured.
	if err := cl.op(ctx, 0); err != nil {
		s.Close()
		return nil, err
	}
	return cl, nil
}
