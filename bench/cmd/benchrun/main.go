// Command benchrun is the benchmark harness behind `make bench`: it runs
// every client (cqlbench for the Go drivers and the wire limit, the Rust
// client for scylla-rust-driver) on every workload, in-flight level and
// target, in interleaved rounds, counts instructions under callgrind, runs
// the driver's micro-benchmarks (go test -bench in the root module, see
// micro.go), and writes results/latest.jsonl and BENCHMARKS.md.
// bench/README.md explains the method and the columns.
//
// Run it from bench/ after building the clients (run.sh does both):
//
//	go run ./cmd/benchrun            # full run, under ~30 minutes on 2 cores
//	go run ./cmd/benchrun -quick     # a few minutes
//
// The sim target is started here (bin/cannedsrv, pinned to core 1, the
// clients to core 0). The cassandra5 target is the server at
// CASSANDRA_HOSTS; without it that target is skipped, unless
// -start-cassandra asks to start one with scripts/cassandra.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cqlgo/cassandra/bench/internal/harness"
	"github.com/cqlgo/cassandra/bench/internal/report"
	"github.com/cqlgo/cassandra/bench/internal/result"
)

type options struct {
	quick          bool
	bin, rust      string
	rustLog        string
	drivers        []string
	workloads      []string
	inflights      []int
	targets        []string
	rounds         int
	casRounds      int
	duration       time.Duration
	warmup         time.Duration
	stretch        time.Duration // how far a warm-up or window may stretch
	callgrind      bool
	callgrindJobs  int
	out, md        string
	startCassandra bool
	pin            bool
	micro          bool
	root           string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("benchrun: ")
	var o options
	var drivers, workloads, inflights, targets string
	flag.BoolVar(&o.quick, "quick", os.Getenv("QUICK") == "1", "a few-minute run: one round, short windows, fewer callgrind requests (default from QUICK=1)")
	flag.StringVar(&o.bin, "bin", "bin", "directory of the built cqlbench and cannedsrv")
	flag.StringVar(&o.rust, "rust", "rust/target/release/cqlbench-rust", "the Rust client")
	flag.StringVar(&o.rustLog, "rust-log", "results/cargo.log.tmp", "cargo's build log, quoted when the Rust client is missing")
	flag.StringVar(&drivers, "drivers", "cqlgo,gocql1,gocql2,rust,wire", "clients to run")
	flag.StringVar(&workloads, "workloads", "select1,insert,page10k,batch10", "workloads to run")
	flag.StringVar(&inflights, "inflight", "1,64,1024", "in-flight levels")
	flag.StringVar(&targets, "targets", "sim,cassandra5", "targets")
	flag.IntVar(&o.rounds, "rounds", 0, "rounds on sim (default 3, quick 1)")
	flag.IntVar(&o.casRounds, "cassandra-rounds", 0, "rounds on cassandra5 (default 2, quick 1)")
	flag.DurationVar(&o.duration, "duration", 0, "measured window of each run (default 2s, quick 0.5s)")
	flag.DurationVar(&o.warmup, "warmup", 0, "warm-up of each run (default 0.5s, quick 0.2s)")
	flag.DurationVar(&o.stretch, "stretch", 0, "how long a warm-up or window may stretch to let every in-flight slot complete (default 25s, quick 8s)")
	flag.BoolVar(&o.callgrind, "callgrind", true, "count instructions per request under callgrind (sim only)")
	flag.IntVar(&o.callgrindJobs, "callgrind-jobs", 2, "callgrind runs at once (instruction counts do not depend on load)")
	flag.StringVar(&o.out, "out", "results/latest.jsonl", "result rows")
	flag.StringVar(&o.md, "md", "BENCHMARKS.md", "the report")
	flag.BoolVar(&o.startCassandra, "start-cassandra", false, "without CASSANDRA_HOSTS, start a 5.0 node with ../scripts/cassandra (and leave it running)")
	flag.BoolVar(&o.pin, "pin", true, "pin the sim node to core 1 and clients to core 0 with taskset")
	flag.BoolVar(&o.micro, "micro", true, "run the driver's micro-benchmarks (go test -bench in -root) for their section of the report")
	flag.StringVar(&o.root, "root", "..", "the driver's module, where the micro-benchmarks run")
	flag.Parse()
	o.drivers, o.workloads, o.targets = split(drivers), split(workloads), split(targets)
	for _, s := range split(inflights) {
		n, err := strconv.Atoi(s)
		if err != nil {
			log.Fatalf("-inflight: %v", err)
		}
		o.inflights = append(o.inflights, n)
	}
	def := func(v *int, full, quick int) {
		if *v == 0 {
			*v = map[bool]int{false: full, true: quick}[o.quick]
		}
	}
	defd := func(v *time.Duration, full, quick time.Duration) {
		if *v == 0 {
			*v = map[bool]time.Duration{false: full, true: quick}[o.quick]
		}
	}
	def(&o.rounds, 3, 1)
	def(&o.casRounds, 2, 1)
	defd(&o.duration, 2*time.Second, 500*time.Millisecond)
	defd(&o.warmup, 500*time.Millisecond, 200*time.Millisecond)
	defd(&o.stretch, 25*time.Second, 8*time.Second)
	if err := run(&o); err != nil {
		log.Fatal(err)
	}
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// harnessRun is the state of one invocation.
type harnessRun struct {
	o        *options
	taskset  bool
	rustErr  string // why the Rust client cannot run, if it cannot
	rows     []result.Row
	skipped  []string
	done     int
	total    int
	started  time.Time
	casAddr  string
	casSetup string // why cassandra5 setup failed
	micro    *report.Micro
}

func run(o *options) error {
	h := &harnessRun{o: o, started: time.Now()}
	if _, err := exec.LookPath("taskset"); err == nil && o.pin && runtime.NumCPU() >= 2 {
		h.taskset = true
	}
	if _, err := os.Stat(o.rust); err != nil {
		h.rustErr = "Rust client not built: " + cargoFailure(o.rustLog)
	}
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	var targets []string
	for _, t := range o.targets {
		switch t {
		case "sim":
			targets = append(targets, t)
		case "cassandra5":
			addr, why := h.cassandraAddr()
			if addr == "" {
				h.skipped = append(h.skipped, "cassandra5: "+why)
				log.Printf("skipping cassandra5: %s", why)
				continue
			}
			h.casAddr = addr
			targets = append(targets, t)
		default:
			return fmt.Errorf("unknown target %s", t)
		}
	}
	per := len(o.drivers) * len(o.workloads) * len(o.inflights)
	for _, t := range targets {
		if t == "sim" {
			h.total += per * o.rounds
		} else {
			h.total += per * o.casRounds
		}
	}
	var calls map[string]callgrindResult
	for _, t := range targets {
		switch t {
		case "sim":
			srv, addr, err := startSim(o, h.taskset)
			if err != nil {
				return err
			}
			for r := range o.rounds {
				h.round(r, "sim", addr)
			}
			if o.callgrind {
				calls = h.callgrindAll(addr)
			}
			srv.stop()
		case "cassandra5":
			if err := h.setupCassandra(); err != nil {
				h.casSetup = err.Error()
				log.Printf("cassandra5 setup failed: %v", err)
			}
			for r := range o.casRounds {
				h.round(r, "cassandra5", h.casAddr)
			}
		}
	}
	if o.micro {
		h.micro = h.runMicro()
	}
	rows := harness.Median(h.rows)
	for i := range rows {
		r := &rows[i]
		if r.Target != "sim" {
			continue
		}
		if c, ok := calls[r.Key()]; ok {
			if c.err != "" {
				r.InstructionsError = c.err
			} else {
				r.InstructionsPerOp = result.Float(c.perOp)
			}
		}
	}
	harness.Sort(rows, o.targets, o.workloads, o.drivers)
	var buf bytes.Buffer
	for i := range rows {
		buf.Write(rows[i].Marshal())
		buf.WriteByte('\n')
	}
	if err := writeFile(o.out, buf.Bytes()); err != nil {
		return err
	}
	var md bytes.Buffer
	if err := report.Write(&md, h.meta(targets), rows); err != nil {
		return err
	}
	if err := writeFile(o.md, md.Bytes()); err != nil {
		return err
	}
	log.Printf("wrote %s (%d rows) and %s in %s", o.out, len(rows), o.md, time.Since(h.started).Round(time.Second))
	return nil
}

// writeFile replaces path atomically.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// cargoFailure returns the first error lines of cargo's log.
func cargoFailure(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "no cargo log at " + path
	}
	var errs []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "error") || strings.Contains(l, "not found") {
			errs = append(errs, strings.TrimSpace(l))
		}
		if len(errs) == 3 {
			break
		}
	}
	if len(errs) == 0 {
		return "cargo build left no binary (see " + path + ")"
	}
	return strings.Join(errs, "; ")
}

// cassandraAddr returns the first host of CASSANDRA_HOSTS as host:port,
// starting a node first if asked to.
func (h *harnessRun) cassandraAddr() (string, string) {
	hosts := strings.TrimSpace(os.Getenv("CASSANDRA_HOSTS"))
	if hosts == "" && h.o.startCassandra {
		script := filepath.Join("..", "scripts", "cassandra")
		cmd := exec.Command(script, "start", "--version", "5.0", "--nodes", "1")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", "scripts/cassandra start failed: " + err.Error()
		}
		out, err := exec.Command(script, "env").Output()
		if err != nil {
			return "", "scripts/cassandra env failed: " + err.Error()
		}
		if m := regexp.MustCompile(`CASSANDRA_HOSTS=(\S+)`).FindSubmatch(out); m != nil {
			hosts = string(m[1])
		}
	}
	if hosts == "" {
		return "", "CASSANDRA_HOSTS is not set (export it to the address of a Cassandra 5.0 node, or pass -start-cassandra)"
	}
	if os.Getenv("CASSANDRA_USERNAME") != "" || os.Getenv("CASSANDRA_TLS_CA") != "" {
		return "", "the harness does not configure authentication or TLS for the clients"
	}
	first := strings.TrimSpace(strings.Split(hosts, ",")[0])
	if !strings.Contains(first, ":") || strings.HasSuffix(first, "]") {
		first += ":9042"
	}
	return first, ""
}

func (h *harnessRun) setupCassandra() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(h.o.bin, "cqlbench"), "-setup", "-addr", h.casAddr)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// simServer is the running canned node.
type simServer struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	done  chan struct{}
}

func startSim(o *options, pin bool) (*simServer, string, error) {
	args := []string{filepath.Join(o.bin, "cannedsrv"), "-v", "-addr", "127.0.0.1:0"}
	if pin {
		args = append([]string{"taskset", "-c", "1"}, args...)
	}
	cmd := exec.Command(args[0], args[1:]...)
	logf, err := os.Create(filepath.Join(filepath.Dir(o.out), "cannedsrv.log.tmp"))
	if err != nil {
		return nil, "", err
	}
	cmd.Stderr = logf
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("starting the sim node: %w", err)
	}
	s := &simServer{cmd: cmd, stdin: stdin, done: make(chan struct{})}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
	}()
	go func() {
		cmd.Wait()
		logf.Close()
		close(s.done)
	}()
	select {
	case addr, ok := <-lines:
		if ok {
			return s, addr, nil
		}
	case <-time.After(10 * time.Second):
	}
	s.stop()
	return nil, "", errors.New("the sim node did not print its address")
}

// stop closes the node's stdin, which ends it, and waits a bounded time.
func (s *simServer) stop() {
	s.stdin.Close()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// clientArgs returns the command line of a client process.
func (h *harnessRun) clientArgs(c harness.Config, addr string, extra ...string) ([]string, string) {
	bin := filepath.Join(h.o.bin, "cqlbench")
	if c.Driver == "rust" {
		if h.rustErr != "" {
			return nil, h.rustErr
		}
		bin = h.o.rust
	}
	args := []string{bin, "-driver", c.Driver, "-workload", c.Workload, "-inflight", strconv.Itoa(c.InFlight),
		"-target", c.Target, "-addr", addr}
	return append(args, extra...), ""
}

// round runs every configuration once on a target.
func (h *harnessRun) round(r int, target, addr string) {
	for _, c := range harness.Round(r, target, h.o.drivers, h.o.workloads, h.o.inflights) {
		row := h.measure(c, addr)
		h.rows = append(h.rows, row)
		h.done++
		status := fmt.Sprintf("%.0f ops/s, %.2f CPU µs/op, p99 %.0f µs", float64(row.OpsPerSec), float64(row.CPUMicrosPerOp), float64(row.P99Micros))
		if row.Error != "" {
			status = "error: " + row.Error
		}
		log.Printf("[%d/%d %s] %s %s %d %s: %s", h.done, h.total, time.Since(h.started).Round(time.Second),
			target, c.Workload, c.InFlight, c.Driver, shorten(status, 200))
	}
}

// measure runs one client process for a timed window.
func (h *harnessRun) measure(c harness.Config, addr string) result.Row {
	fail := func(msg string) result.Row {
		r := result.New(c.Driver, c.Workload, c.InFlight, c.Target)
		r.Error = msg
		return r
	}
	if c.Target == "cassandra5" && h.casSetup != "" {
		return fail("cassandra5 setup failed: " + h.casSetup)
	}
	args, why := h.clientArgs(c, addr, "-duration", h.o.duration.String(), "-warmup", h.o.warmup.String(),
		"-warmup-max", (h.o.warmup + h.o.stretch).String(), "-duration-max", (h.o.duration + h.o.stretch).String())
	if why != "" {
		return fail(why)
	}
	if h.taskset {
		args = append([]string{"taskset", "-c", "0"}, args...)
	}
	// A window stretches until a whole in-flight level completed, which for
	// page10k at 1024 takes seconds: leave room for it.
	limit := h.o.duration + h.o.warmup + 2*h.o.stretch + 2*time.Minute
	out, stderr, err := runProcess(args, nil, limit)
	row, perr := lastRow(out)
	if perr != nil {
		msg := "client failed"
		if err != nil {
			msg += ": " + err.Error()
		}
		if s := strings.TrimSpace(string(stderr)); s != "" {
			msg += ": " + lastLines(s, 3)
		}
		return fail(msg)
	}
	return row
}

// runProcess runs args with a time limit, returning stdout and stderr.
func runProcess(args, env []string, limit time.Duration) ([]byte, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("killed after %s", limit)
	}
	return stdout.Bytes(), stderr.Bytes(), err
}

// lastRow parses the last JSON line of a client's output.
func lastRow(out []byte) (result.Row, error) {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "{") {
			return result.Parse([]byte(lines[i]))
		}
	}
	return result.Row{}, errors.New("no result line")
}

type callgrindResult struct {
	perOp float64
	err   string
}

// callgrindAll counts instructions per request of every configuration on
// sim, a few at a time.
func (h *harnessRun) callgrindAll(addr string) map[string]callgrindResult {
	if _, err := exec.LookPath("valgrind"); err != nil {
		log.Printf("valgrind not found: no instruction counts")
		return nil
	}
	var configs []harness.Config
	for _, w := range h.o.workloads {
		for _, n := range h.o.inflights {
			for _, d := range h.o.drivers {
				configs = append(configs, harness.Config{Driver: d, Workload: w, InFlight: n, Target: "sim"})
			}
		}
	}
	res := make(map[string]callgrindResult, len(configs))
	var mu sync.Mutex
	work := make(chan harness.Config)
	var wg sync.WaitGroup
	done := 0
	for range max(h.o.callgrindJobs, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				r := h.callgrind(c, addr)
				mu.Lock()
				res[c.Key()] = r
				done++
				status := fmt.Sprintf("%.0f instructions/op", r.perOp)
				if strings.HasPrefix(r.err, "quick mode") {
					mu.Unlock()
					continue
				}
				if r.err != "" {
					status = "error: " + r.err
				}
				log.Printf("[callgrind %d/%d %s] %s %d %s: %s", done, len(configs), time.Since(h.started).Round(time.Second),
					c.Workload, c.InFlight, c.Driver, shorten(status, 200))
				mu.Unlock()
			}
		}()
	}
	for _, c := range configs {
		work <- c
	}
	close(work)
	wg.Wait()
	return res
}

// callgrind counts one configuration: a run of warm-up plus count
// requests, minus a run of the warm-up alone.
func (h *harnessRun) callgrind(c harness.Config, addr string) callgrindResult {
	plan := harness.CallgrindPlan(c.Driver, c.Workload, c.InFlight, h.o.quick)
	if plan.Skip != "" {
		return callgrindResult{err: plan.Skip}
	}
	cc := c
	cc.InFlight = plan.InFlight
	count := func(requests int) (int64, string) {
		args, why := h.clientArgs(cc, addr, "-requests", strconv.Itoa(requests))
		if why != "" {
			return 0, why
		}
		args = append([]string{"valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"}, args...)
		out, stderr, err := runProcess(args, []string{"GODEBUG=asyncpreemptoff=1"}, 15*time.Minute)
		row, perr := lastRow(out)
		switch {
		case perr != nil:
			msg := "client failed under callgrind"
			if err != nil {
				msg += ": " + err.Error()
			}
			return 0, msg + ": " + lastLines(strings.TrimSpace(string(stderr)), 3)
		case row.Error != "":
			return 0, row.Error
		case row.Failed > 0:
			return 0, fmt.Sprintf("%d requests failed under callgrind", row.Failed)
		}
		n, perr := harness.ParseCollected(stderr)
		if perr != nil {
			return 0, perr.Error()
		}
		return n, ""
	}
	full, why := count(plan.Warmup + plan.Count)
	if why != "" {
		return callgrindResult{err: why}
	}
	base, why := count(plan.Warmup)
	if why != "" {
		return callgrindResult{err: why}
	}
	v, err := harness.PerRequest(full, base, plan.Count)
	if err != nil {
		return callgrindResult{err: err.Error()}
	}
	return callgrindResult{perOp: v}
}

func lastLines(s string, n int) string {
	l := strings.Split(s, "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, " | ")
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
