package cassandra

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/cannednode"
)

// startBenchNode starts a canned node answering every EXECUTE with one row
// (int, text).
func startBenchNode() (*cannednode.Node, error) {
	intT := &frame.Type{ID: frame.TypeInt}
	textT := &frame.Type{ID: frame.TypeVarchar}
	params := []frame.ColumnSpec{{Keyspace: "ks", Table: "t", Name: "k", Type: intT}}
	cols := []frame.ColumnSpec{{Keyspace: "ks", Table: "t", Name: "k", Type: intT}, {Keyspace: "ks", Table: "t", Name: "v", Type: textT}}
	return cannednode.Start(params, cols, [][][]byte{{{0, 0, 0, 1}, []byte("hello")}})
}

// benchSession connects to an in-process canned node.
func benchSession(b *testing.B) (*Session, *PreparedStatement) {
	b.Helper()
	node, err := startBenchNode()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(node.Close)
	return benchConnect(b, node.Addr().String())
}

// benchConnect connects to the node at addr and prepares the statement.
func benchConnect(b testing.TB, addr string) (*Session, *PreparedStatement) {
	b.Helper()
	c := NewCluster(addr)
	c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
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
		rs, err := s.ExecuteStatement(ctx, ps.Bind(1))
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
	runParallelSelect(b, s, ps)
}

// TestCannedNodeProcess is not a test: run by
// BenchmarkPreparedSelectOutOfProcess as a child process, it serves a
// canned node until its standard input closes.
func TestCannedNodeProcess(t *testing.T) {
	if os.Getenv("CQLGO_CANNED_NODE") == "" {
		t.Skip("the canned node process of BenchmarkPreparedSelectOutOfProcess")
	}
	node, err := startBenchNode()
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	os.Stdout.WriteString("addr " + node.Addr().String() + "\n")
	io.Copy(io.Discard, os.Stdin)
}

// BenchmarkPreparedSelectOutOfProcess is BenchmarkPreparedSelectParallel
// with the canned node in a child process, so cpu-ns/op counts the
// driver's CPU only (its goroutines and its side of the syscalls).
func BenchmarkPreparedSelectOutOfProcess(b *testing.B) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCannedNodeProcess$")
	cmd.Env = append(os.Environ(), "CQLGO_CANNED_NODE=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "addr ")
	if err != nil || !ok {
		b.Fatalf("canned node process: %q %v", line, err)
	}
	s, ps := benchConnect(b, addr)
	runParallelSelect(b, s, ps)
}

// runParallelSelect runs the prepared SELECT from 32 goroutines per CPU and
// reports the process's CPU per request.
func runParallelSelect(b *testing.B, s *Session, ps *PreparedStatement) {
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
			rs, err := s.ExecuteStatement(ctx, ps.Bind(1))
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

// BenchmarkPreparedSelectText is BenchmarkPreparedSelect through the
// one-line form: the CQL text and its values, prepared once and cached.
func BenchmarkPreparedSelectText(b *testing.B) {
	s, ps := benchSession(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	if _, err := s.Prepare(ctx, ps.CQL()); err != nil {
		b.Fatal(err)
	}
	var k int
	var v string
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rs, err := s.Execute(ctx, ps.CQL(), 1)
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

// BenchmarkPreparedSelectQueryRow is BenchmarkPreparedSelect through
// QueryRowStatement, which reuses the ResultSet: the Row's copy of its
// cells and the scanned string are the only allocations.
func BenchmarkPreparedSelectQueryRow(b *testing.B) {
	s, ps := benchSession(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	var k int
	var v string
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.QueryRowStatement(ctx, ps.Bind(1)).Scan(&k, &v); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkPreparedExec is a prepared statement run for its error alone
// (ExecStatement, a write's usual call): nothing is allocated.
func BenchmarkPreparedExec(b *testing.B) {
	s, ps := benchSession(b)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.ExecStatement(ctx, ps.Bind(1)); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}
