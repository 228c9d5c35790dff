package harness

import (
	"math"
	"testing"

	"github.com/cqlgo/cassandra/bench/internal/result"
)

func TestRoundCoversEveryConfigOnceAndRotates(t *testing.T) {
	drivers := []string{"a", "b", "c"}
	r0 := Round(0, "sim", drivers, []string{"w1", "w2"}, []int{1, 64})
	if len(r0) != 3*2*2 {
		t.Fatalf("%d runs, want 12", len(r0))
	}
	seen := map[string]bool{}
	for _, c := range r0 {
		if seen[c.Key()] {
			t.Errorf("%s twice", c.Key())
		}
		seen[c.Key()] = true
	}
	r1 := Round(1, "sim", drivers, []string{"w1", "w2"}, []int{1, 64})
	if r0[0].Driver == r1[0].Driver {
		t.Errorf("round 1 starts with the same driver as round 0 (%s)", r0[0].Driver)
	}
	// Within a round, consecutive groups start with different drivers.
	if r0[0].Driver == r0[3].Driver {
		t.Errorf("two groups in a row start with %s", r0[0].Driver)
	}
}

func row(driver string, ops float64, err string) result.Row {
	r := result.New(driver, "select1", 64, "sim")
	r.OpsPerSec = result.Float(ops)
	r.Ops = int64(ops)
	r.Error = err
	return r
}

func TestMedianTakesMedianOfGoodRounds(t *testing.T) {
	rows := []result.Row{row("a", 10, ""), row("b", 1, "boom"), row("a", 30, ""), row("a", 20, ""), row("a", 999, "crashed")}
	rows[0].Failed, rows[2].Failed = 1, 2
	out := Median(rows)
	if len(out) != 2 {
		t.Fatalf("%d rows, want 2", len(out))
	}
	a, b := out[0], out[1]
	if a.Driver != "a" || a.OpsPerSec != 20 || a.Ops != 20 || a.Rounds != 3 || a.Failed != 3 || a.Error != "" {
		t.Errorf("median row %+v", a)
	}
	if a.CPUMicrosPerOp.Valid() {
		t.Errorf("unmeasured field became %v", a.CPUMicrosPerOp)
	}
	if b.Driver != "b" || b.Error != "boom" {
		t.Errorf("all-failed row %+v", b)
	}
}

func TestCallgrindPlanWarmsAndCountsEverySlot(t *testing.T) {
	for _, quick := range []bool{false, true} {
		for _, n := range []int{1, 64, 1024} {
			for _, w := range []string{"select1", "insert", "batch10"} {
				c := CallgrindPlan("cqlgo", w, n, quick)
				if quick && n > 64 {
					if c.Skip == "" {
						t.Errorf("%s@%d quick: counted", w, n)
					}
					continue
				}
				if c.Skip != "" || c.Warmup < 2*n || c.Count < 4*n || c.InFlight != n {
					t.Errorf("%s@%d quick=%v: %+v", w, n, quick, c)
				}
			}
			p := CallgrindPlan("cqlgo", "page10k", n, quick)
			if p.Skip != "" || p.InFlight > p.Warmup || p.InFlight > n || p.Count <= 0 {
				t.Errorf("page10k@%d quick=%v: %+v", n, quick, p)
			}
			if w := CallgrindPlan("wire", "page10k", n, quick); w.Count <= p.Count || w.InFlight != p.InFlight {
				t.Errorf("wire page10k@%d quick=%v: %+v, want more than %+v", n, quick, w, p)
			}
		}
	}
}

func TestParseCollected(t *testing.T) {
	stderr := []byte("==123== Callgrind, a call-graph generating cache profiler\n==123== \n==123== Events    : Ir\n==123== Collected : 103035626\n==123== \n==123== I   refs:      103,035,626\n")
	n, err := ParseCollected(stderr)
	if err != nil || n != 103035626 {
		t.Fatalf("got %d, %v", n, err)
	}
	if _, err := ParseCollected([]byte("valgrind: failed to start")); err == nil {
		t.Error("no total parsed without error")
	}
}

func TestPerRequest(t *testing.T) {
	v, err := PerRequest(103035626, 29599731, 4000)
	if err != nil || math.Abs(v-18358.97) > 0.01 {
		t.Errorf("got %v, %v", v, err)
	}
	if _, err := PerRequest(10, 20, 5); err == nil {
		t.Error("a full run below its warm-up gave no error")
	}
}

func TestSortOrdersByTargetWorkloadInflightDriver(t *testing.T) {
	mk := func(target, w string, n int, d string) result.Row { return result.New(d, w, n, target) }
	rows := []result.Row{mk("cassandra5", "insert", 1, "cqlgo"), mk("sim", "insert", 64, "wire"), mk("sim", "insert", 64, "cqlgo"),
		mk("sim", "select1", 1024, "cqlgo"), mk("sim", "insert", 1, "gocql1")}
	Sort(rows, []string{"sim", "cassandra5"}, []string{"select1", "insert"}, []string{"cqlgo", "gocql1", "wire"})
	var got []string
	for _, r := range rows {
		got = append(got, r.Key())
	}
	want := []string{"sim/select1/1024/cqlgo", "sim/insert/1/gocql1", "sim/insert/64/cqlgo", "sim/insert/64/wire", "cassandra5/insert/1/cqlgo"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("order %v, want %v", got, want)
		}
	}
}
