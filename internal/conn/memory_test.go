package conn

import (
	"net/netip"
	"runtime"
	"strings"
	"testing"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/testenv"
)

// The call table allocates its chunks only for the ids in use: lowest first,
// so a connection that never had more than 300 requests in flight holds two
// chunks of it.
func TestCallTableChunksFollowUse(t *testing.T) {
	var tbl callTable
	if n := tbl.chunksInUse(); n != 0 {
		t.Fatalf("a new table has %d chunks", n)
	}
	s := newStreamSet(maxStreams)
	var ids []int16
	for range 300 {
		id, ok := s.alloc()
		if !ok {
			t.Fatal("alloc failed")
		}
		tbl.slot(id).Store(&call{stream: id})
		ids = append(ids, id)
	}
	if n := tbl.chunksInUse(); n != 2 {
		t.Errorf("300 ids in use: %d chunks, want 2", n)
	}
	seen := 0
	tbl.each(func(cl *call) {
		if tbl.load(cl.stream) != cl {
			t.Errorf("load(%d) is not the call stored", cl.stream)
		}
		seen++
	})
	if seen != 300 {
		t.Errorf("each saw %d calls", seen)
	}
	for _, id := range ids {
		tbl.slot(id).Store(nil)
		s.free(id)
	}
	if tbl.load(12345) != nil || tbl.chunksInUse() != 2 {
		t.Error("an id never used has a call, or a chunk appeared")
	}
}

// BenchmarkIdleConnectionHeap reports the heap an open, idle connection
// holds (bytes/conn), for the memory goal of issue 15 (32 KiB). With
// CASSANDRA_HOSTS naming a plain node (`make bench` sets it) it dials that
// node, so the count is the driver's alone; otherwise a simulated node in
// this process, whose side of each connection is counted too.
func BenchmarkIdleConnectionHeap(b *testing.B) {
	for _, v := range []frame.Version{frame.V4, frame.V5} {
		b.Run(v.String(), func(b *testing.B) {
			var dial func() *Conn
			if e, ok := testenv.Lookup(); ok && e.Plain() {
				host := e.Hosts[0]
				if !strings.Contains(host, ":") {
					host += ":9042"
				}
				addr := netip.MustParseAddrPort(host)
				dial = func() *Conn {
					c, err := Dial(b.Context(), addr, testConnConfig(v))
					if err != nil {
						b.Fatal(err)
					}
					return c
				}
			} else {
				n := startNode(b, cassandratest.Config{})
				dial = func() *Conn { return mustDial(b, n, testConnConfig(v)) }
			}
			const conns = 64
			var before, after runtime.MemStats
			var per float64
			for range b.N {
				runtime.GC()
				runtime.ReadMemStats(&before)
				cs := make([]*Conn, 0, conns)
				for range conns {
					cs = append(cs, dial())
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				per = float64(after.HeapAlloc-before.HeapAlloc) / conns
				for _, c := range cs {
					c.Close()
				}
			}
			b.ReportMetric(per, "bytes/conn")
		})
	}
}
