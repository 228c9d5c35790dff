package report

import (
	"strings"
	"testing"

	"github.com/cqlgo/cassandra/bench/internal/result"
)

func row(driver string, inflight int, ops, cpu, instr float64) result.Row {
	r := result.New(driver, "select1", inflight, "sim")
	r.OpsPerSec, r.CPUMicrosPerOp, r.InstructionsPerOp, r.P99Micros = result.Float(ops), result.Float(cpu), result.Float(instr), 100
	return r
}

func render(t *testing.T, rows []result.Row) string {
	t.Helper()
	var b strings.Builder
	m := Meta{Date: "2026-01-02T03:04:05Z", Mode: "quick", Machine: []string{"nproc: 2"},
		Drivers: []string{"cqlgo", "gocql1", "rust", "wire"}, Workloads: []string{"select1"}, Targets: []string{"sim"}}
	if err := Write(&b, m, rows); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestRatiosFavourCqlgoAboveOne(t *testing.T) {
	out := render(t, []result.Row{
		row("cqlgo", 64, 200000, 5, 20000),
		row("gocql1", 64, 50000, 20, 80000),
		row("wire", 64, 800000, 1, 2000),
	})
	for _, want := range []string{
		"| select1 | 64 | 200,000 | 4.00× | — | 25% |",  // throughput: 200k/50k, no rust row, 200k/800k of wire
		"| select1 | 64 | 5.00 | 4.00× | — | 0.20× |",   // CPU: gocql1 spends 20/5
		"| select1 | 64 | 20,000 | 4.00× | — | 0.10× |", // instructions
		"make bench QUICK=1",
		"nproc: 2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

func TestErrorRowsShowTheirErrorAndNoRatio(t *testing.T) {
	bad := result.New("rust", "select1", 1, "sim")
	bad.Error = "connect: refused | retry"
	out := render(t, []result.Row{row("cqlgo", 1, 10000, 50, 30000), bad})
	if !strings.Contains(out, `| 1 | rust | error: connect: refused \| retry |`) {
		t.Errorf("error row missing or unescaped:\n%s", out)
	}
	if !strings.Contains(out, "| select1 | 1 | 10,000 | — | — | — |") {
		t.Errorf("ratios against missing or failed rows are not blank:\n%s", out)
	}
}

func TestNumFormatting(t *testing.T) {
	tests := []struct {
		in   result.Float
		want string
	}{{1234567, "1,234,567"}, {123.4, "123"}, {12.34, "12.3"}, {1.234, "1.23"}, {0.01234, "0.012"}, {0, "0"}, {result.NaN, "—"}}
	for _, tt := range tests {
		if got := num(tt.in); got != tt.want {
			t.Errorf("num(%v) = %q, want %q", float64(tt.in), got, tt.want)
		}
	}
}
