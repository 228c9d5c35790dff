package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"

	"github.com/cqlgo/cassandra/bench/internal/harness"
	"github.com/cqlgo/cassandra/bench/internal/report"
)

// meta describes the machine and the method for the report.
func (h *harnessRun) meta(targets []string) report.Meta {
	o := h.o
	mode := "full"
	if o.quick {
		mode = "quick"
	}
	m := report.Meta{
		Date:      time.Now().UTC().Format(time.RFC3339),
		Mode:      mode,
		Drivers:   o.drivers,
		Workloads: o.workloads,
		Targets:   targets,
		Skipped:   h.skipped,
		Micro:     h.micro,
	}
	m.Machine = []string{
		fmt.Sprintf("CPU: %s, %d cores (`nproc`)", cpuModel(), runtime.NumCPU()),
		"Kernel: Linux " + strings.TrimSpace(readFile("/proc/sys/kernel/osrelease")),
		"Go: " + runtime.Version(),
		"Rust: " + command("rustc", "--version"),
		"valgrind: " + command("valgrind", "--version"),
		"Clients: " + h.versions(),
	}
	pin := "not pinned (taskset missing or fewer than 2 cores)"
	if h.taskset {
		pin = "the sim node pinned to core 1 (`taskset -c 1`), every client to core 0 (`taskset -c 0`)"
	}
	cg := harness.CallgrindPlan(report.Subject, "select1", 1, o.quick)
	cgb := harness.CallgrindPlan(report.Subject, "batch10", 1, o.quick)
	cgp := harness.CallgrindPlan(report.Subject, "page10k", 64, o.quick)
	m.Method = []string{
		fmt.Sprintf("Mode %s: %d round(s) on sim, %d on cassandra5; each run warms up for at least %s and measures a window of at least %s (both stretched until every in-flight slot completed a request).",
			mode, o.rounds, o.casRounds, o.warmup, o.duration),
		"Every run is its own client process with one connection to the node; the drivers of a configuration run back to back, in an order rotated every round; the tables give the median over rounds.",
		"Every client speaks protocol v4 (the Rust driver's only version), consistency LOCAL_ONE, no compression, page size 5000; each driver otherwise keeps its defaults.",
		"Placement: " + pin + ".",
		fmt.Sprintf("Instructions: callgrind's user-space instruction count of a run of warm-up+N requests minus a run of the warm-up alone, over N, sim only. N is at least 4 × in flight and at least %d for select1/insert, %d for batch10, %d for page10k (counted at ≤%d in flight), ten times that for wire (four in quick mode)%s.",
			cg.Count, cgb.Count, cgp.Count, cgp.InFlight, map[bool]string{true: "; quick mode counts up to 64 in flight"}[o.quick]),
	}
	if h.casAddr != "" {
		m.Method = append(m.Method, "cassandra5: the node at "+h.casAddr+", shared with other work, so its numbers are noisier than sim's.")
	}
	return m
}

func cpuModel() string {
	for _, l := range strings.Split(readFile("/proc/cpuinfo"), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

func command(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "not found"
	}
	return strings.TrimSpace(string(out))
}

// versions lists the driver versions: the Go modules built into cqlbench
// and the scylla crate in Cargo.lock.
func (h *harnessRun) versions() string {
	var vs []string
	out, err := exec.Command(filepath.Join(h.o.bin, "cqlbench"), "-versions").Output()
	if err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" {
				vs = append(vs, l)
			}
		}
	}
	lock := readFile(filepath.Join(filepath.Dir(filepath.Dir(filepath.Dir(h.o.rust))), "Cargo.lock"))
	if m := regexp.MustCompile(`name = "scylla"\nversion = "([^"]+)"`).FindStringSubmatch(lock); m != nil {
		vs = append(vs, "scylla (crate) "+m[1])
	}
	return strings.Join(vs, ", ")
}
