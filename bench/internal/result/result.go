// Package result is the shape of one benchmark measurement: the JSON line
// a client process prints (bench/cmd/cqlbench in Go, bench/rust in Rust),
// and the row bench/results/latest.jsonl keeps after the harness has taken
// the median over rounds and added the instruction count.
package result

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Float is a measurement: NaN when it was not measured, written as null in
// JSON with at most 4 significant digits beyond the integer part.
type Float float64

// NaN is the value of a measurement that was not taken.
var NaN = Float(math.NaN())

// Valid reports whether f was measured.
func (f Float) Valid() bool { return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) }

// MarshalJSON writes null for NaN and infinities.
func (f Float) MarshalJSON() ([]byte, error) {
	if !f.Valid() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, round(float64(f)), 'f', -1, 64), nil
}

// UnmarshalJSON reads null as NaN.
func (f *Float) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*f = NaN
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("measurement %s: %w", b, err)
	}
	*f = Float(v)
	return nil
}

// round keeps 4 significant digits, or the integer part when it is longer:
// the noise of every measurement here is larger than that.
func round(v float64) float64 {
	if v == 0 {
		return 0
	}
	digits := 3 - math.Floor(math.Log10(math.Abs(v)))
	if digits <= 0 {
		return math.Round(v)
	}
	p := math.Pow(10, digits)
	return math.Round(v*p) / p
}

// Row is one (driver, workload, in-flight, target) measurement. A driver
// that could not run the workload has Error set and nothing measured.
type Row struct {
	Driver   string `json:"driver"`
	Workload string `json:"workload"`
	InFlight int    `json:"inflight"`
	Target   string `json:"target"`

	// Ops is the number of requests completed in the measured window (a
	// page10k request is the whole 10,000-row query), Seconds its length.
	Ops     int64 `json:"ops"`
	Seconds Float `json:"seconds"`
	// OpsPerSec is Ops / Seconds.
	OpsPerSec Float `json:"ops_per_sec"`
	// CPUMicrosPerOp is the client process's user+system CPU time in the
	// window (getrusage) over Ops.
	CPUMicrosPerOp Float `json:"cpu_us_per_op"`
	// Latency percentiles of the requests completed in the window.
	P50Micros  Float `json:"p50_us"`
	P99Micros  Float `json:"p99_us"`
	P999Micros Float `json:"p999_us"`
	// AllocsPerOp and BytesPerOp are the heap allocations of the client
	// process in the window over Ops: runtime.MemStats deltas in Go, a
	// counting global allocator in Rust.
	AllocsPerOp Float `json:"allocs_per_op"`
	BytesPerOp  Float `json:"bytes_per_op"`
	// PeakHeapBytes is the largest live heap seen in the window (sampled
	// every 10 ms in Go, exact in Rust); PeakRSSKiB the process's peak
	// resident set (VmHWM) at the end of the run.
	PeakHeapBytes Float `json:"peak_heap_bytes"`
	PeakRSSKiB    Float `json:"peak_rss_kib"`
	// InstructionsPerOp is the client's user-space instructions per
	// request under callgrind: a run of a fixed request count minus a
	// warm-up-only run, over the count. Measured on the sim target only.
	InstructionsPerOp Float `json:"instructions_per_op"`
	// InstructionsError says why InstructionsPerOp is missing on sim.
	InstructionsError string `json:"instructions_error,omitempty"`
	// Failed counts requests that returned an error in the window;
	// FirstFailure is the first such error.
	Failed       int64  `json:"failed"`
	FirstFailure string `json:"first_failure,omitempty"`
	// Rounds is the number of rounds the harness took the median of.
	Rounds int `json:"rounds,omitempty"`
	// Error says why the driver could not run the workload at all.
	Error string `json:"error,omitempty"`
}

// New returns a row for a configuration with nothing measured.
func New(driver, workload string, inflight int, target string) Row {
	r := Row{Driver: driver, Workload: workload, InFlight: inflight, Target: target}
	for _, f := range r.Measurements() {
		*f.Value = NaN
	}
	return r
}

// Field is one named measurement of a row.
type Field struct {
	Name  string
	Value *Float
}

// Measurements returns the row's float measurements by JSON name, so that
// the harness can take medians field by field.
func (r *Row) Measurements() []Field {
	return []Field{
		{"seconds", &r.Seconds}, {"ops_per_sec", &r.OpsPerSec}, {"cpu_us_per_op", &r.CPUMicrosPerOp},
		{"p50_us", &r.P50Micros}, {"p99_us", &r.P99Micros}, {"p999_us", &r.P999Micros},
		{"allocs_per_op", &r.AllocsPerOp}, {"bytes_per_op", &r.BytesPerOp},
		{"peak_heap_bytes", &r.PeakHeapBytes}, {"peak_rss_kib", &r.PeakRSSKiB},
		{"instructions_per_op", &r.InstructionsPerOp},
	}
}

// Key identifies the configuration of a row.
func (r *Row) Key() string {
	return fmt.Sprintf("%s/%s/%d/%s", r.Target, r.Workload, r.InFlight, r.Driver)
}

// Marshal returns r as one JSON line, without the newline.
func (r *Row) Marshal() []byte {
	b, err := json.Marshal(r)
	if err != nil { // only a Float could fail, and it cannot
		panic(err)
	}
	return b
}

// Parse reads one JSON line into a row. Absent measurements are NaN.
func Parse(line []byte) (Row, error) {
	r := New("", "", 0, "")
	if err := json.Unmarshal(line, &r); err != nil {
		return Row{}, err
	}
	return r, nil
}
