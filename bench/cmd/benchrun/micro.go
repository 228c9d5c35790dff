package main

import (
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cqlgo/cassandra/bench/internal/report"
)

// microPackage is one go test run of driver micro-benchmarks.
type microPackage struct {
	dir        string   // package in the driver's module
	benchmarks []string // top-level benchmark names
	iters      string   // -benchtime, full and quick mode
	quickIters string
}

var microPackages = []microPackage{
	{".", []string{"BenchmarkPreparedSelectQueryRow", "BenchmarkPreparedSelect", "BenchmarkPreparedExec"}, "20000x", "5000x"},
	{"./internal/conn", []string{"BenchmarkIdleConnectionHeap"}, "3x", "3x"},
}

// microSpecs are the benchmarks the report expects, with the goals of the
// driver's performance issue.
var microSpecs = []report.MicroSpec{
	{Name: "BenchmarkPreparedSelectQueryRow", Measures: "prepared single-row SELECT: QueryRowStatement + Scan",
		Limits: []report.Limit{{Unit: "allocs/op", Max: 2}, {Unit: "B/op", Max: 256}}},
	{Name: "BenchmarkPreparedSelect", Measures: "prepared single-row SELECT: ExecuteStatement + Next + Scan, for comparison"},
	{Name: "BenchmarkPreparedExec", Measures: "prepared INSERT-like call: ExecStatement",
		Limits: []report.Limit{{Unit: "allocs/op", Max: 0}}},
	{Name: "BenchmarkIdleConnectionHeap/v4", Measures: "heap per idle open connection, protocol v4", Node: true,
		Limits: []report.Limit{{Unit: "bytes/conn", Max: 32 << 10}}},
	{Name: "BenchmarkIdleConnectionHeap/v5", Measures: "heap per idle open connection, protocol v5", Node: true,
		Limits: []report.Limit{{Unit: "bytes/conn", Max: 32 << 10}}},
}

// runMicro runs the driver's micro-benchmarks with go test -bench in the
// driver's module (o.root). A failure is recorded in the section, never
// returned: the rest of the report stands without it.
func (h *harnessRun) runMicro() *report.Micro {
	o := h.o
	m := &report.Micro{Specs: microSpecs}
	// BenchmarkIdleConnectionHeap dials the node at CASSANDRA_HOSTS when it
	// has no authentication or TLS (internal/testenv), else a simulated
	// node; a node -start-cassandra started is handed to it the same way.
	hosts := strings.TrimSpace(os.Getenv("CASSANDRA_HOSTS"))
	var env []string
	if hosts == "" && h.casAddr != "" {
		hosts = h.casAddr
		env = []string{"CASSANDRA_HOSTS=" + hosts}
	}
	m.Node = idleNode(hosts, os.Getenv("CASSANDRA_USERNAME") != "" || os.Getenv("CASSANDRA_TLS_CA") != "")
	count := "3"
	if o.quick {
		count = "1"
	}
	for _, pkg := range microPackages {
		iters := pkg.iters
		if o.quick {
			iters = pkg.quickIters
		}
		args := []string{"test", "-run", "^$", "-bench", "^(" + strings.Join(pkg.benchmarks, "|") + ")$",
			"-benchtime", iters, "-count", count, pkg.dir}
		shown := "go " + shellJoin(args)
		m.Commands = append(m.Commands, shown)
		log.Printf("[micro %s] %s in %s", time.Since(h.started).Round(time.Second), shown, o.root)
		out, stderr, err := runProcess(append([]string{"go", "-C", o.root}, args...), env, 15*time.Minute)
		res := report.ParseBench(out)
		m.Results = append(m.Results, res...)
		if err != nil {
			m.Errors = append(m.Errors, fmt.Sprintf("`%s` failed: %s", shown, testFailure(out, stderr, err)))
		} else {
			for _, s := range microSpecs {
				top, _, _ := strings.Cut(s.Name, "/")
				if slices.Contains(pkg.benchmarks, top) && !slices.ContainsFunc(res, func(r report.MicroResult) bool { return r.Name == s.Name }) {
					m.Errors = append(m.Errors, fmt.Sprintf("`%s` printed no result for %s", shown, s.Name))
				}
			}
		}
		for _, r := range res {
			log.Printf("[micro] %s: %s", r.Name, r)
		}
	}
	for _, e := range m.Errors {
		log.Printf("[micro] %s", shorten(e, 300))
	}
	return m
}

// idleNode describes the node BenchmarkIdleConnectionHeap dials.
func idleNode(hosts string, authOrTLS bool) string {
	const sim = "against an in-process simulated node (its side counted too)"
	if hosts == "" {
		return sim
	}
	if authOrTLS {
		return sim + ": CASSANDRA_HOSTS names a node with authentication or TLS, which the benchmark does not dial"
	}
	first := strings.TrimSpace(strings.Split(hosts, ",")[0])
	if !strings.Contains(first, ":") {
		first += ":9042"
	}
	return "against the real node at " + first
}

// testFailure says why go test failed: the failing benchmarks and their
// messages, a panic, or the end of stderr (a build failure).
func testFailure(stdout, stderr []byte, err error) string {
	var why []string
	lines := strings.Split(string(stdout), "\n")
	for i := 0; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "--- FAIL") || strings.HasPrefix(l, "panic:") {
			why = append(why, l)
			for j := i + 1; j < len(lines) && j <= i+2 && strings.HasPrefix(lines[j], "    "); j++ {
				why = append(why, strings.TrimSpace(lines[j]))
			}
		}
	}
	if s := strings.TrimSpace(string(stderr)); s != "" {
		why = append(why, lastLines(s, 3))
	}
	if len(why) == 0 {
		if s := strings.TrimSpace(string(stdout)); s != "" {
			why = append(why, lastLines(s, 3))
		}
	}
	msg := err.Error()
	if len(why) > 0 {
		msg += ": " + strings.Join(why, " | ")
	}
	return shorten(msg, 600)
}

// shellJoin quotes the arguments a shell would not take as they are.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, "^$|()*?[]{}<>&;'\" \\`!#~") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
