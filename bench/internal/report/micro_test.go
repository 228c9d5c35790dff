package report

import (
	"strings"
	"testing"

	"github.com/cqlgo/cassandra/bench/internal/result"
)

// benchOutput is go test -bench output of two packages, -count 3 (the
// idle benchmark's v5 ran twice only), with the lines around the results.
const benchOutput = `goos: linux
goarch: amd64
pkg: github.com/cqlgo/cassandra
cpu: AMD EPYC
BenchmarkPreparedSelect-2           	   20000	     35954 ns/op	     40197 cpu-ns/op	     711 B/op	       2 allocs/op
BenchmarkPreparedSelect-2           	   20000	     36100 ns/op	     41000 cpu-ns/op	     711 B/op	       2 allocs/op
BenchmarkPreparedSelect-2           	   20000	     34000 ns/op	     39000 cpu-ns/op	     712 B/op	       2 allocs/op
BenchmarkPreparedSelectQueryRow-2   	   20000	     33880 ns/op	     40123 cpu-ns/op	      29 B/op	       2 allocs/op
BenchmarkPreparedSelectQueryRow-2   	   20000	     30398 ns/op	     31820 cpu-ns/op	      29 B/op	       2 allocs/op
BenchmarkPreparedSelectQueryRow-2   	   20000	     31000 ns/op	     35000 cpu-ns/op	      30 B/op	       3 allocs/op
BenchmarkPreparedExec-2             	   20000	     33806 ns/op	     36517 cpu-ns/op	       0 B/op	       0 allocs/op
PASS
ok  	github.com/cqlgo/cassandra	2.601s
goos: linux
goarch: amd64
pkg: github.com/cqlgo/cassandra/internal/conn
cpu: AMD EPYC
BenchmarkIdleConnectionHeap/v4-2         	       3	  53774992 ns/op	     24380 bytes/conn
BenchmarkIdleConnectionHeap/v4
    memory_test.go:99: a log line
BenchmarkIdleConnectionHeap/v4-2         	       3	  43523793 ns/op	     24374 bytes/conn
BenchmarkIdleConnectionHeap/v4-2         	       3	  46000000 ns/op	     24370 bytes/conn
BenchmarkIdleConnectionHeap/v5-2         	       3	  46024351 ns/op	     24425 bytes/conn
BenchmarkIdleConnectionHeap/v5-2         	       3	  47000000 ns/op	     24430 bytes/conn
--- FAIL: BenchmarkIdleConnectionHeap/v6
FAIL
ok  	github.com/cqlgo/cassandra/internal/conn	0.384s
`

func TestParseBenchTakesMediansPerBenchmarkAndMetric(t *testing.T) {
	got := ParseBench([]byte(benchOutput))
	type want struct {
		name    string
		runs    int
		metrics map[string]float64
	}
	wants := []want{
		{"BenchmarkPreparedSelect", 3, map[string]float64{"ns/op": 35954, "cpu-ns/op": 40197, "B/op": 711, "allocs/op": 2}},
		{"BenchmarkPreparedSelectQueryRow", 3, map[string]float64{"ns/op": 31000, "cpu-ns/op": 35000, "B/op": 29, "allocs/op": 2}},
		{"BenchmarkPreparedExec", 1, map[string]float64{"ns/op": 33806, "cpu-ns/op": 36517, "B/op": 0, "allocs/op": 0}},
		{"BenchmarkIdleConnectionHeap/v4", 3, map[string]float64{"ns/op": 46000000, "bytes/conn": 24374}},
		{"BenchmarkIdleConnectionHeap/v5", 2, map[string]float64{"ns/op": 46512175.5, "bytes/conn": 24427.5}},
	}
	if len(got) != len(wants) {
		t.Fatalf("parsed %d benchmarks, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		g := got[i]
		if g.Name != w.name || g.Runs != w.runs {
			t.Errorf("benchmark %d: %s with %d runs, want %s with %d", i, g.Name, g.Runs, w.name, w.runs)
		}
		if len(g.Metrics) != len(w.metrics) {
			t.Errorf("%s: metrics %v, want %v", w.name, g.Metrics, w.metrics)
		}
		for unit, v := range w.metrics {
			if m, ok := g.Metrics[unit]; !ok || float64(m) != v {
				t.Errorf("%s %s = %v (present %v), want %v", w.name, unit, float64(m), ok, v)
			}
		}
	}
}

func TestParseBenchWithoutProcsSuffixAndNothingToParse(t *testing.T) {
	got := ParseBench([]byte("BenchmarkPreparedExec \t 100\t 12.5 ns/op\t 3 allocs/op\n"))
	if len(got) != 1 || got[0].Name != "BenchmarkPreparedExec" || got[0].Metrics["ns/op"] != 12.5 || got[0].Metrics["allocs/op"] != 3 {
		t.Errorf("GOMAXPROCS=1 line: %+v", got)
	}
	if got := ParseBench([]byte("FAIL\tgithub.com/cqlgo/cassandra [build failed]\nBenchmarkX-2 --- FAIL\n")); len(got) != 0 {
		t.Errorf("failure output parsed as results: %+v", got)
	}
}

var queryRowSpec = MicroSpec{Name: "BenchmarkPreparedSelectQueryRow", Measures: "QueryRow",
	Limits: []Limit{{"allocs/op", 2}, {"B/op", 256}}}

func micro(name string, metrics map[string]result.Float) *MicroResult {
	return &MicroResult{Name: name, Runs: 3, Metrics: metrics}
}

func TestMicroGoalsFromTheNumbers(t *testing.T) {
	exec := MicroSpec{Name: "BenchmarkPreparedExec", Limits: []Limit{{"allocs/op", 0}}}
	idle := MicroSpec{Name: "BenchmarkIdleConnectionHeap/v4", Limits: []Limit{{"bytes/conn", 32768}}}
	tests := []struct {
		spec MicroSpec
		r    *MicroResult
		want string
	}{
		{queryRowSpec, micro("q", map[string]result.Float{"allocs/op": 2, "B/op": 256}), "met"},
		{queryRowSpec, micro("q", map[string]result.Float{"allocs/op": 3, "B/op": 29}), "**not met**: allocs/op 3 > 2"},
		{queryRowSpec, micro("q", map[string]result.Float{"allocs/op": 2.5, "B/op": 300}), "**not met**: allocs/op 2.50 > 2, B/op 300 > 256"},
		{queryRowSpec, micro("q", map[string]result.Float{"allocs/op": 1}), "not measured (no B/op)"},
		{queryRowSpec, nil, "not measured"},
		{exec, micro("e", map[string]result.Float{"allocs/op": 0, "B/op": 0}), "met"},
		{exec, micro("e", map[string]result.Float{"allocs/op": 1}), "**not met**: allocs/op 1 > 0"},
		{idle, micro("i", map[string]result.Float{"bytes/conn": 32768}), "met"},
		{idle, micro("i", map[string]result.Float{"bytes/conn": 34500}), "**not met**: bytes/conn 34,500 > 32,768"},
		{MicroSpec{Name: "BenchmarkPreparedSelect"}, micro("s", map[string]result.Float{"allocs/op": 9}), "—"},
		{MicroSpec{Name: "BenchmarkPreparedSelect"}, nil, "not measured"},
	}
	for _, tt := range tests {
		if got := tt.spec.Met(tt.r); got != tt.want {
			t.Errorf("%s on %+v: %q, want %q", tt.spec.Name, tt.r, got, tt.want)
		}
	}
	if g := queryRowSpec.Goal(); g != "≤ 2 allocs/op, ≤ 256 B/op" {
		t.Errorf("goal %q", g)
	}
	if g := exec.Goal(); g != "0 allocs/op" {
		t.Errorf("goal %q", g)
	}
}

func TestMicroSectionRendered(t *testing.T) {
	idle := MicroSpec{Name: "BenchmarkIdleConnectionHeap/v4", Measures: "heap per idle connection, v4", Node: true,
		Limits: []Limit{{"bytes/conn", 32768}}}
	var b strings.Builder
	m := Meta{Date: "2026-01-02T03:04:05Z", Mode: "full", Drivers: []string{"cqlgo", "wire"}, Workloads: []string{"select1"},
		Targets: []string{"sim"}, Micro: &Micro{
			Node:     "against the real node at 127.0.0.1:9042",
			Commands: []string{"go test -run '^$' -bench '^BenchmarkIdleConnectionHeap$' -benchtime 3x -count 3 ./internal/conn"},
			Specs:    []MicroSpec{queryRowSpec, idle},
			Results:  ParseBench([]byte(benchOutput)),
			Errors:   []string{"go test . failed: exit status 1:\n--- FAIL: BenchmarkPreparedExec"},
		}}
	if err := Write(&b, m, []result.Row{row("cqlgo", 1, 1000, 5, 100)}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"## Driver micro-benchmarks (go test -bench)",
		"- `go test -run '^$' -bench '^BenchmarkIdleConnectionHeap$' -benchtime 3x -count 3 ./internal/conn`",
		"| `BenchmarkPreparedSelectQueryRow` | QueryRow | 3 | 31,000 | 35,000 | 2 | 29 | — | ≤ 2 allocs/op, ≤ 256 B/op | met |",
		"| `BenchmarkIdleConnectionHeap/v4` | heap per idle connection, v4, against the real node at 127.0.0.1:9042 | 3 | 46,000,000 | — | — | — | 24,374 | ≤ 32,768 bytes/conn | met |",
		// results without a spec are listed with no goal
		"| `BenchmarkPreparedExec` | — | 1 | 33,806 | 36,517 | 0 | 0 | — | — | — |",
		"- Error: go test . failed: exit status 1: --- FAIL: BenchmarkPreparedExec\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	sum, sec, every := strings.Index(out, "## Summary"), strings.Index(out, "## Driver micro"), strings.Index(out, "## Every measurement")
	if sum >= sec || sec >= every {
		t.Errorf("the section is not between the summary (%d) and every measurement (%d): %d", sum, every, sec)
	}
	if out := render(t, nil); strings.Contains(out, "micro-benchmarks") {
		t.Errorf("a report without Micro has the section:\n%s", out)
	}
}
