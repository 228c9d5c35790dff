// Command cqlbench runs one benchmark measurement in a process of its own
// and prints it as one JSON line (package bench/internal/result): one
// driver, one workload, a number of requests kept in flight on one
// connection, against one server.
//
//	cqlbench -driver cqlgo -workload select1 -inflight 64 -target sim -addr 127.0.0.1:9042 -duration 5s
//
// By default it warms up, then measures a window of -duration: requests
// completed, latency percentiles, the process's CPU time (getrusage) and
// heap allocations (runtime.MemStats deltas), which are the client's own
// because nothing else runs in this process. With -requests N it instead
// runs exactly N requests and exits, which is what the harness runs under
// callgrind to count instructions.
//
// -setup creates keyspace bench and its tables on a real server and loads
// the rows the read workloads need, once.
//
// Every call into a driver lives in one file per driver: driver_cqlgo.go,
// driver_gocql1.go, driver_gocql2.go and driver_wire.go.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cqlgo/cassandra/bench/internal/result"
	"github.com/cqlgo/cassandra/bench/internal/stats"
	"github.com/cqlgo/cassandra/bench/internal/workload"
)

// config is what a driver needs to connect and run.
type config struct {
	addr     string // host:port
	workload string
	inflight int
	timeout  time.Duration // per request
}

// opFunc runs request i of the workload: the request and, for reads,
// scanning every row into Go values.
type opFunc func(ctx context.Context, i uint64) error

// driver opens a connection for a workload. A driver whose requests are
// made by goroutines returns op; one with its own event loop returns run.
type driver func(ctx context.Context, cfg config) (*client, error)

type client struct {
	op    opFunc
	run   func(ctx context.Context, ctl *control) // keeps cfg.inflight requests going until ctl says stop
	close func()
}

var drivers = map[string]driver{
	"cqlgo":  openCqlgo,
	"gocql1": openGocql1,
	"gocql2": openGocql2,
	"wire":   openWire,
}

// control hands out request tickets and counts what completes.
type control struct {
	limit     uint64 // total requests in -requests mode; 0 for a timed run
	issued    atomic.Uint64
	stop      atomic.Bool
	measuring atomic.Bool
	completed atomic.Uint64 // every request, measured or not
	ops       atomic.Int64
	failed    atomic.Int64
	firstErr  atomic.Pointer[string]
	hist      stats.Histogram
}

// next returns the number of the next request to start, or false when no
// more should start.
func (c *control) next() (uint64, bool) {
	if c.stop.Load() {
		return 0, false
	}
	i := c.issued.Add(1) - 1
	if c.limit > 0 && i >= c.limit {
		return 0, false
	}
	return i, true
}

// done records a completed request that started at start.
func (c *control) done(start time.Time, err error) {
	c.completed.Add(1)
	if !c.measuring.Load() {
		return
	}
	if err != nil {
		c.failed.Add(1)
		s := err.Error()
		c.firstErr.CompareAndSwap(nil, &s)
		return
	}
	c.hist.Record(int64(time.Since(start)))
	c.ops.Add(1)
}

// runWorkers keeps n requests in flight with one goroutine each.
func runWorkers(ctx context.Context, n int, ctl *control, op opFunc) {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i, ok := ctl.next()
				if !ok {
					return
				}
				t := time.Now()
				ctl.done(t, op(ctx, i))
			}
		}()
	}
	wg.Wait()
}

func main() {
	var (
		drv      = flag.String("driver", "cqlgo", "cqlgo, gocql1, gocql2 or wire")
		wl       = flag.String("workload", workload.Select1, "select1, insert, page10k or batch10")
		inflight = flag.Int("inflight", 1, "requests kept in flight")
		target   = flag.String("target", "sim", "label of the server in the output")
		addr     = flag.String("addr", "127.0.0.1:9042", "server address host:port")
		duration = flag.Duration("duration", 5*time.Second, "measured window")
		warmup   = flag.Duration("warmup", time.Second, "time run before the window")
		warmMax  = flag.Duration("warmup-max", 30*time.Second, "longest warm-up, however many in-flight slots have not completed a request yet")
		durMax   = flag.Duration("duration-max", 20*time.Second, "longest window, however few requests completed in it")
		requests = flag.Int64("requests", -1, "run exactly this many requests and exit (for callgrind; 0 connects, prepares and closes); -1 for a timed run")
		timeout  = flag.Duration("timeout", 30*time.Second, "per-request timeout")
		setup    = flag.Bool("setup", false, "create keyspace bench and its tables at -addr, load the rows, and exit")
		versions = flag.Bool("versions", false, "print the versions of the driver modules and exit")
		cpuprof  = flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	)
	flag.Parse()
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cpuprofile:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "cpuprofile:", err)
			os.Exit(1)
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	ctx := context.Background()
	if *versions {
		printVersions()
		return
	}
	if *setup {
		if err := setupCassandra(ctx, *addr); err != nil {
			fmt.Fprintln(os.Stderr, "setup:", err)
			os.Exit(1)
		}
		return
	}
	row := result.New(*drv, *wl, *inflight, *target)
	open, ok := drivers[*drv]
	switch {
	case !ok:
		row.Error = "unknown driver " + *drv
	case !workload.Known(*wl):
		row.Error = "unknown workload " + *wl
	case *inflight < 1 || *inflight > 32768:
		row.Error = "inflight must be in 1..32768"
	}
	if row.Error != "" {
		emit(&row)
		os.Exit(2)
	}
	cfg := config{addr: *addr, workload: *wl, inflight: *inflight, timeout: *timeout}
	cl, err := open(ctx, cfg)
	if err != nil {
		row.Error = "connect/prepare: " + err.Error()
		emit(&row)
		return
	}
	ctl := &control{}
	if *requests > 0 {
		ctl.limit = uint64(*requests)
	}
	run := func() {
		if cl.run != nil {
			cl.run(ctx, ctl)
		} else {
			runWorkers(ctx, cfg.inflight, ctl, cl.op)
		}
	}
	if *requests >= 0 {
		ctl.measuring.Store(true)
		if *requests > 0 {
			run()
		}
		cl.close()
		row.Ops = ctl.ops.Load()
		row.Failed = ctl.failed.Load()
		emit(&row)
		return
	}
	measure(ctl, run, cfg.inflight, span{*warmup, max(*warmup, *warmMax)}, span{*duration, max(*duration, *durMax)}, &row)
	emit(&row)
	closeWithin(cl.close, 10*time.Second)
}

// waitFor returns once cond holds and min has passed, or max has passed,
// or finished is closed.
func waitFor(cond func() bool, min, max time.Duration, finished <-chan struct{}) {
	t0 := time.Now()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for time.Since(t0) < max && (time.Since(t0) < min || !cond()) {
		select {
		case <-tick.C:
		case <-finished:
			return
		}
	}
}

// measure runs the workload, warms up, then measures one window. The
// warm-up lasts at least warmup and until every in-flight slot has
// completed a request, so that the window sees the steady state even when
// requests take seconds (page10k at 1024 in flight); the window lasts at
// least window and until minWindowOps(inflight) requests completed in it.
// Neither lasts longer than its max.
func measure(ctl *control, run func(), inflight int, warmup, window span, row *result.Row) {
	finished := make(chan struct{})
	go func() {
		run()
		close(finished)
	}()
	waitFor(func() bool { return ctl.completed.Load() >= uint64(inflight) }, warmup.min, warmup.max, finished)
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	peak := startHeapSampler()
	cpu0 := cpuTime()
	t0 := time.Now()
	ctl.measuring.Store(true)
	waitFor(func() bool { return ctl.ops.Load() >= minWindowOps(inflight) }, window.min, window.max, finished)
	ctl.measuring.Store(false)
	elapsed := time.Since(t0)
	cpu1 := cpuTime()
	runtime.ReadMemStats(&ms1)
	peakHeap := peak()
	ctl.stop.Store(true)
	select {
	case <-finished:
	case <-time.After(60 * time.Second):
		row.Error = "requests still in flight 60s after the window"
	}
	ops := ctl.ops.Load()
	row.Ops = ops
	row.Failed = ctl.failed.Load()
	if p := ctl.firstErr.Load(); p != nil {
		row.FirstFailure = *p
	}
	row.Seconds = result.Float(elapsed.Seconds())
	row.PeakHeapBytes = result.Float(peakHeap)
	row.PeakRSSKiB = result.Float(peakRSS())
	if ops == 0 {
		if row.Error == "" {
			row.Error = "no request completed in the window"
			if row.FirstFailure != "" {
				row.Error += ": " + row.FirstFailure
			}
		}
		return
	}
	n := float64(ops)
	row.OpsPerSec = result.Float(n / elapsed.Seconds())
	row.CPUMicrosPerOp = result.Float(float64(cpu1-cpu0) / 1e3 / n)
	row.P50Micros = result.Float(ctl.hist.Quantile(0.50) / 1e3)
	row.P99Micros = result.Float(ctl.hist.Quantile(0.99) / 1e3)
	row.P999Micros = result.Float(ctl.hist.Quantile(0.999) / 1e3)
	row.AllocsPerOp = result.Float(float64(ms1.Mallocs-ms0.Mallocs) / n)
	row.BytesPerOp = result.Float(float64(ms1.TotalAlloc-ms0.TotalAlloc) / n)
}

// span is the shortest and longest length of a phase.
type span struct{ min, max time.Duration }

// minWindowOps is the fewest requests a window measures: as many as are in
// flight, up to 256, enough for a p99 of the steady state.
func minWindowOps(inflight int) int64 { return int64(min(inflight, 256)) }

// startHeapSampler samples the live heap every 10 ms until the returned
// function is called, which returns the largest sample. It allocates
// nothing while it samples.
func startHeapSampler() func() float64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	sample := func() {
		metrics.Read(s)
		if v := s[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			sample()
			select {
			case <-t.C:
			case <-stop:
				return
			}
		}
	}()
	return func() float64 {
		close(stop)
		<-done
		sample()
		return float64(peak.Load())
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS returns VmHWM from /proc/self/status in KiB, NaN if unknown.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return float64(result.NaN)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := bytes.CutPrefix(sc.Bytes(), []byte("VmHWM:")); ok {
			v = bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))
			if n, err := strconv.ParseFloat(string(v), 64); err == nil {
				return n
			}
		}
	}
	return float64(result.NaN)
}

// printVersions prints "module version" for each driver module built in.
func printVersions() {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return
	}
	for _, m := range bi.Deps {
		switch m.Path {
		case "github.com/cqlgo/cassandra", "github.com/gocql/gocql", "github.com/apache/cassandra-gocql-driver/v2":
			v := m.Version
			if m.Replace != nil {
				v = "local (" + m.Replace.Path + ")"
			}
			fmt.Println(m.Path, v)
		}
	}
}

func emit(r *result.Row) {
	os.Stdout.Write(append(r.Marshal(), '\n'))
}

// closeWithin closes a client, giving up after d: the measurement is
// already printed, and the process exits anyway.
func closeWithin(close func(), d time.Duration) {
	done := make(chan struct{})
	go func() {
		close()
		done <- struct{}{}
	}()
	select {
	case <-done:
	case <-time.After(d):
	}
}

// errNoRow is a select1 that found no row.
var errNoRow = errors.New("select1: no row")

// checkRows fails a page10k request that did not read every row.
func checkRows(n int) error {
	if n != workload.PageRows {
		return fmt.Errorf("page10k: %d rows, want %d", n, workload.PageRows)
	}
	return nil
}
