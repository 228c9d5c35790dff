// Package harness holds the pure parts of the benchmark harness
// (cmd/benchrun): the order of the runs, the medians over rounds, the
// callgrind request counts and the parsing of callgrind's total.
package harness

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/cqlgo/cassandra/bench/internal/result"
	"github.com/cqlgo/cassandra/bench/internal/stats"
	"github.com/cqlgo/cassandra/bench/internal/workload"
)

// Config is one measurement to take: a client, a workload, a number of
// requests in flight, a target.
type Config struct {
	Driver   string
	Workload string
	InFlight int
	Target   string
}

// Key identifies c as result.Row.Key does.
func (c Config) Key() string {
	return fmt.Sprintf("%s/%s/%d/%s", c.Target, c.Workload, c.InFlight, c.Driver)
}

// Round returns the runs of one round on one target: every workload and
// in-flight level, and for each of them every driver back to back, the
// drivers rotated by the round number so that no driver always runs first
// (or right after the same peer) — the A/B interleaving that spreads a
// shared machine's noise over all drivers alike.
func Round(round int, target string, drivers, workloads []string, inflights []int) []Config {
	var out []Config
	step := 0
	for _, w := range workloads {
		for _, n := range inflights {
			for i := range drivers {
				d := drivers[(i+round+step)%len(drivers)]
				out = append(out, Config{Driver: d, Workload: w, InFlight: n, Target: target})
			}
			step++
		}
	}
	return out
}

// Median folds the rounds of each configuration into one row: every
// measurement is the median of the rounds that ran without error, Ops is
// the median too, Failed the sum, and Rounds the number of good rounds.
// A configuration whose every round failed keeps the last error. The
// order of first appearance is kept.
func Median(rows []result.Row) []result.Row {
	var order []string
	groups := map[string][]result.Row{}
	for _, r := range rows {
		k := r.Key()
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	out := make([]result.Row, 0, len(order))
	for _, k := range order {
		g := groups[k]
		var good []result.Row
		for _, r := range g {
			if r.Error == "" {
				good = append(good, r)
			}
		}
		if len(good) == 0 {
			out = append(out, g[len(g)-1])
			continue
		}
		m := result.New(g[0].Driver, g[0].Workload, g[0].InFlight, g[0].Target)
		fields := m.Measurements()
		for i, f := range fields {
			xs := make([]float64, len(good))
			for j := range good {
				xs[j] = float64(*good[j].Measurements()[i].Value)
			}
			*f.Value = result.Float(stats.Median(xs))
		}
		ops := make([]float64, len(good))
		for j, r := range good {
			ops[j] = float64(r.Ops)
			m.Failed += r.Failed
			if m.FirstFailure == "" {
				m.FirstFailure = r.FirstFailure
			}
		}
		m.Ops = int64(stats.Median(ops))
		m.Rounds = len(good)
		out = append(out, m)
	}
	return out
}

// Callgrind is how many requests an instruction count runs: Warmup
// requests first (the warm-up-only run does just these), then Count more.
// InFlight is the number kept in flight while counting. Skip, when set,
// says why the configuration is not counted.
type Callgrind struct {
	Warmup, Count int
	InFlight      int
	Skip          string
}

// CallgrindPlan returns the request counts for a workload at an in-flight
// level. The warm-up gives every slot at least two requests and the count
// at least four more, so that it sees the steady state and the run's fixed
// costs (connecting, preparing, the runtime's background work) cancel out.
// page10k requests are 10,000 rows each, so they are counted at no more
// than 10 in flight (4 in quick mode), where the cost of a request no
// longer depends on the level. Quick mode counts up to 64 in flight only.
// The wire client spends so few instructions per request that it runs ten
// times the count (four in quick mode), to keep the runtime's idle work
// (which varies with timing) a small part of the difference.
func CallgrindPlan(driver, w string, inflight int, quick bool) Callgrind {
	c := callgrindPlan(w, inflight, quick)
	if driver == "wire" && c.Skip == "" {
		c.Count *= map[bool]int{false: 10, true: 4}[quick]
		c.Warmup = max(c.Warmup, 2*c.InFlight)
	}
	return c
}

func callgrindPlan(w string, inflight int, quick bool) Callgrind {
	if quick && inflight > 64 && w != workload.Page10k {
		return Callgrind{Skip: "quick mode counts instructions at up to 64 in flight"}
	}
	var base Callgrind
	switch {
	case w == workload.Page10k && quick:
		return Callgrind{Warmup: 4, Count: 6, InFlight: min(inflight, 4)}
	case w == workload.Page10k:
		return Callgrind{Warmup: 10, Count: 20, InFlight: min(inflight, 10)}
	case w == workload.Batch10 && quick:
		base = Callgrind{Warmup: 200, Count: 400}
	case w == workload.Batch10:
		base = Callgrind{Warmup: 300, Count: 1500}
	case quick:
		base = Callgrind{Warmup: 500, Count: 1000}
	default:
		base = Callgrind{Warmup: 1000, Count: 5000}
	}
	return Callgrind{Warmup: max(base.Warmup, 2*inflight), Count: max(base.Count, 4*inflight), InFlight: inflight}
}

var collectedRE = regexp.MustCompile(`(?m)^==\d+== Collected : (\d+)\s*$`)

// ParseCollected returns the instruction total callgrind prints at exit.
func ParseCollected(stderr []byte) (int64, error) {
	m := collectedRE.FindAllSubmatch(stderr, -1)
	if len(m) == 0 {
		return 0, errors.New("callgrind printed no total")
	}
	return strconv.ParseInt(string(m[len(m)-1][1]), 10, 64)
}

// PerRequest returns the instructions of the counted requests: the full
// run's total minus the warm-up-only run's, over the count.
func PerRequest(full, warmupOnly int64, count int) (float64, error) {
	if count <= 0 || full <= warmupOnly {
		return 0, fmt.Errorf("callgrind: %d instructions with the count, %d without", full, warmupOnly)
	}
	return float64(full-warmupOnly) / float64(count), nil
}

// Sort orders rows by target, workload, in-flight level and driver, in the
// orders given.
func Sort(rows []result.Row, targets, workloads, drivers []string) {
	pos := func(xs []string, x string) int {
		if i := slices.Index(xs, x); i >= 0 {
			return i
		}
		return len(xs)
	}
	slices.SortStableFunc(rows, func(a, b result.Row) int {
		for _, c := range [][2]int{
			{pos(targets, a.Target), pos(targets, b.Target)},
			{pos(workloads, a.Workload), pos(workloads, b.Workload)},
			{a.InFlight, b.InFlight},
			{pos(drivers, a.Driver), pos(drivers, b.Driver)},
		} {
			if c[0] != c[1] {
				return c[0] - c[1]
			}
		}
		return 0
	})
}
