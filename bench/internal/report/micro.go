package report

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cqlgo/cassandra/bench/internal/result"
	"github.com/cqlgo/cassandra/bench/internal/stats"
)

// Micro is the driver micro-benchmarks section: `go test -bench` in the
// driver's own module, for the goals the client processes cannot show
// exactly (allocations of one call, heap of one idle connection).
type Micro struct {
	// Node says which node the benchmarks marked Node dialed, e.g.
	// "against the real node at 127.0.0.1:9042".
	Node string
	// Commands are the go test command lines, as a shell would take them.
	Commands []string
	// Specs are the benchmarks expected, in report order, with their goals.
	Specs []MicroSpec
	// Results are the benchmarks go test printed.
	Results []MicroResult
	// Errors say why a go test run failed or printed no result.
	Errors []string
}

// MicroSpec is one expected benchmark.
type MicroSpec struct {
	Name     string // as go test prints it, without the -GOMAXPROCS suffix
	Measures string
	Node     bool    // it dials the node Micro.Node describes
	Limits   []Limit // the goal: every limit must hold; none for a comparison
}

// Limit is a goal on one metric: at most Max of Unit.
type Limit struct {
	Unit string
	Max  float64
}

// MicroResult is one benchmark's medians over its -count runs.
type MicroResult struct {
	Name    string // without the -GOMAXPROCS suffix
	Runs    int
	Metrics map[string]result.Float // by unit: "ns/op", "B/op", "bytes/conn", ...
}

var procsSuffix = regexp.MustCompile(`-\d+$`)

// ParseBench reads the result lines of `go test -bench` output, such as
//
//	BenchmarkPreparedExec-2   	   20000	     33806 ns/op	     36517 cpu-ns/op	       0 B/op	       0 allocs/op
//
// and returns one result per benchmark, in the order first seen, each
// metric the median over the lines of that benchmark (one per -count run).
// Other lines (headers, logs, PASS, FAIL) are skipped.
func ParseBench(out []byte) []MicroResult {
	var order []string
	runs := map[string]int{}
	samples := map[string]map[string][]float64{}
	units := map[string][]string{} // in the order first seen
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || len(f)%2 != 0 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.ParseInt(f[1], 10, 64); err != nil {
			continue
		}
		vals := make([]float64, 0, (len(f)-2)/2)
		ok := true
		for i := 2; i < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				ok = false
				break
			}
			vals = append(vals, v)
		}
		if !ok {
			continue
		}
		name := procsSuffix.ReplaceAllString(f[0], "")
		if _, seen := samples[name]; !seen {
			order = append(order, name)
			samples[name] = map[string][]float64{}
		}
		runs[name]++
		for i, v := range vals {
			unit := f[3+2*i]
			if _, seen := samples[name][unit]; !seen {
				units[name] = append(units[name], unit)
			}
			samples[name][unit] = append(samples[name][unit], v)
		}
	}
	res := make([]MicroResult, 0, len(order))
	for _, name := range order {
		r := MicroResult{Name: name, Runs: runs[name], Metrics: map[string]result.Float{}}
		for _, u := range units[name] {
			r.Metrics[u] = result.Float(stats.Median(samples[name][u]))
		}
		res = append(res, r)
	}
	return res
}

// String lists the metrics, e.g. "29 B/op, 2 allocs/op", in unit order.
func (r MicroResult) String() string {
	units := slices.Sorted(maps.Keys(r.Metrics))
	m := make([]string, len(units))
	for i, u := range units {
		m[i] = countCell(r.Metrics[u]) + " " + u
	}
	return strings.Join(m, ", ")
}

// metric returns the value of unit, NaN when it was not reported.
func (r *MicroResult) metric(unit string) result.Float {
	if r == nil {
		return result.NaN
	}
	if v, ok := r.Metrics[unit]; ok {
		return v
	}
	return result.NaN
}

// Goal describes the limits, e.g. "≤ 2 allocs/op, ≤ 256 B/op".
func (s MicroSpec) Goal() string {
	if len(s.Limits) == 0 {
		return "—"
	}
	var g []string
	for _, l := range s.Limits {
		if l.Max == 0 {
			g = append(g, "0 "+l.Unit)
		} else {
			g = append(g, "≤ "+count(l.Max)+" "+l.Unit)
		}
	}
	return strings.Join(g, ", ")
}

// Met evaluates the goal on r: "met", "not met: …", or "not measured".
func (s MicroSpec) Met(r *MicroResult) string {
	if r == nil {
		return "not measured"
	}
	if len(s.Limits) == 0 {
		return "—"
	}
	var over []string
	for _, l := range s.Limits {
		v := r.metric(l.Unit)
		if !v.Valid() {
			return "not measured (no " + l.Unit + ")"
		}
		if float64(v) > l.Max {
			over = append(over, fmt.Sprintf("%s %s > %s", l.Unit, count(float64(v)), count(l.Max)))
		}
	}
	if len(over) > 0 {
		return "**not met**: " + strings.Join(over, ", ")
	}
	return "met"
}

// count formats a benchmark metric: whole numbers as go test prints them,
// with thousands grouped; fractions (a median of an even count) by num.
func count(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return groupThousands(strconv.FormatFloat(v, 'f', 0, 64))
	}
	return num(result.Float(v))
}

func countCell(f result.Float) string {
	if !f.Valid() {
		return "—"
	}
	return count(float64(f))
}

// writeMicro renders the section.
func writeMicro(p func(string, ...any), m *Micro) {
	p("## Driver micro-benchmarks (go test -bench)\n\n")
	p("`go test -bench` in the driver's module (the repository root), for the goals the client processes above cannot show exactly: the allocations of one prepared call and the heap of one idle connection. ")
	p("The prepared-statement benchmarks run against a canned node inside the test process, so ns/op, cpu-ns/op (the process's CPU per call) and allocs/op and B/op (every allocation of the process) include its side. ")
	if m.Node != "" {
		p("The idle-connection benchmarks open connections %s and report the heap each holds (their ns/op is the time to open them). ", m.Node)
	}
	p("Medians over the runs (`-count`); a goal is met when every median is within it. These rows are not in results/latest.jsonl, whose rows are client-process measurements.\n\n")
	for _, c := range m.Commands {
		p("- `%s`\n", c)
	}
	if len(m.Commands) > 0 {
		p("\n")
	}
	p("| benchmark | measures | runs | ns/op | cpu-ns/op | allocs/op | B/op | bytes/conn | goal | goal met |\n")
	p("|---|---|--:|--:|--:|--:|--:|--:|---|---|\n")
	got := map[string]*MicroResult{}
	for i := range m.Results {
		got[m.Results[i].Name] = &m.Results[i]
	}
	row := func(name, measures string, s MicroSpec, r *MicroResult) {
		runs := "—"
		if r != nil {
			runs = strconv.Itoa(r.Runs)
		}
		p("| `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name, escape(measures), runs,
			countCell(r.metric("ns/op")), countCell(r.metric("cpu-ns/op")), countCell(r.metric("allocs/op")),
			countCell(r.metric("B/op")), countCell(r.metric("bytes/conn")), s.Goal(), s.Met(r))
	}
	expected := map[string]bool{}
	for _, s := range m.Specs {
		expected[s.Name] = true
		measures := s.Measures
		if s.Node && m.Node != "" {
			measures += ", " + m.Node
		}
		row(s.Name, measures, s, got[s.Name])
	}
	for i := range m.Results {
		if r := &m.Results[i]; !expected[r.Name] {
			row(r.Name, "—", MicroSpec{}, r)
		}
	}
	p("\n")
	for _, e := range m.Errors {
		p("- Error: %s\n", strings.ReplaceAll(e, "\n", " "))
	}
	if len(m.Errors) > 0 {
		p("\n")
	}
}
