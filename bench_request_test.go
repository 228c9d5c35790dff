package cassandra

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/cannednode"
)

// benchSession connects to an in-process canned node answering every
// EXECUTE with one row (int, text).
func benchSession(b *testing.B) (*Session, *PreparedStatement) {
	b.Helper()
	intT := &frame.Type{ID: frame.TypeInt}
	textT := &frame.Type{ID: frame.TypeVarchar}
	params := []frame.ColumnSpec{{Keyspace: "ks", Table: "t", Name: "k", Type: intT}}
	cols := []frame.ColumnSpec{{Keyspace: "ks", Table: "t", Name: "k", Type: intT}, {Keyspace: "ks", Table: "t", Name: "v", Type: textT}}
	node, err := cannednode.Start(params, cols, [][][]byte{{{0, 0, 0, 1}, []byte("hello")}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(node.Close)
	c := NewCluster(node.Addr().String())
	c.Timeouts.Heartbeat = -1
	c.Events.RefreshInterval = -1
	ctx := context.Background()
	s, err := c.Connect(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close(ctx) })
	ps, err := s.Prepare(ctx, "SELECT k, v FROM ks.t WHERE k = ?")
	if err != nil {
		b.Fatal(err)
	}
	return s, ps
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPreparedSelect runs a prepared single-row SELECT end to end:
// bind, encode, write, read, decode, scan. cpu-ns/op counts the CPU of the
// whole process, the canned node included.
func BenchmarkPreparedSelect(b *testing.B) {
	s, ps := benchSession(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	var k int
	var v string
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs, err := s.Execute(ctx, ps, 1)
		if err != nil {
			b.Fatal(err)
		}
		if !rs.Next() {
			b.Fatal(rs.Err())
		}
		if err := rs.Scan(&k, &v); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkPreparedSelectParallel is the same with many goroutines sharing
// the connection, where writes coalesce.
func BenchmarkPreparedSelectParallel(b *testing.B) {
	s, ps := benchSession(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	b.ReportAllocs()
	b.SetParallelism(32)
	cpu0 := cpuTime()
	var once sync.Once
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var k int
		var v string
		for pb.Next() {
			rs, err := s.Execute(ctx, ps, 1)
			if err != nil {
				once.Do(func() { b.Error(err) })
				return
			}
			if rs.Next() {
				rs.Scan(&k, &v)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}
