package policy

import (
	"math"
	"math/bits"
	"sync"
	"sync/atomic"
	"time"
)

// LatencyTracker keeps recent request latencies per host, for policies
// that adapt to them (PercentileSpeculativeExecution). The driver records
// the latency of every successful attempt; policies ask for percentiles.
//
// Latencies are counted in fixed log-linear buckets: exact below 8 µs,
// then 8 buckets per power of two, up to about 134 s (longer latencies
// count as 134 s). A percentile is the middle of the bucket holding the
// nearest-rank value, so it is within 1/16 (6.25%) of that value (within
// 0.5 µs below 8 µs).
//
// Old latencies age out: the tracker keeps three time slices, each a third
// of the window (LatencyWindow, 15 s by default), records into the newest
// and forgets the oldest when a new slice starts, so that percentiles cover
// the last two thirds of the window to the whole window. A host with no
// latency left in the window is forgotten; its next latency starts afresh.
//
// All methods are safe for concurrent use. Record is lock-free and, once a
// host has a latency in the window, does not allocate. The zero value is
// not usable: make trackers with NewLatencyTracker.
type LatencyTracker struct {
	base       time.Time     // the tracker's clock origin; monotonic
	slice      time.Duration // duration of one slice
	minSamples int

	gen        atomic.Int64 // number of the current slice: elapsed / slice
	nextRotate atomic.Int64 // elapsed time (ns) at which the current slice ends
	rotating   sync.Mutex   // held by the one goroutine that rotates
	hosts      sync.Map     // *Host -> *hostLatencies
}

// LatencyOption configures NewLatencyTracker.
type LatencyOption func(*LatencyTracker)

// LatencyWindow sets how long latencies count (15 s by default; at least
// 3 ms). Percentiles cover the last two thirds of d to the whole of d.
func LatencyWindow(d time.Duration) LatencyOption {
	return func(t *LatencyTracker) { t.slice = max(d, 3*time.Millisecond) / latencySlices }
}

// LatencyMinSamples sets how many latencies in the window Percentile and
// ClusterPercentile need before they give an answer (100 by default, at
// least 1): a percentile of few samples is mostly noise.
func LatencyMinSamples(n int) LatencyOption {
	return func(t *LatencyTracker) { t.minSamples = max(n, 1) }
}

// NewLatencyTracker returns an empty tracker.
func NewLatencyTracker(opts ...LatencyOption) *LatencyTracker {
	t := &LatencyTracker{base: time.Now(), slice: 15 * time.Second / latencySlices, minSamples: 100}
	for _, o := range opts {
		o(t)
	}
	t.nextRotate.Store(int64(t.slice))
	return t
}

const (
	latencySlices = 3
	// Bucket layout: values in microseconds; 0..7 exact, then 8 linear
	// sub-buckets per power of two from 2^3 up to 2^26 (67 s, whose
	// octave ends at 134 s).
	latencySubBits  = 3
	latencySub      = 1 << latencySubBits
	latencyMaxExp   = 26
	latencyBuckets  = (latencyMaxExp - latencySubBits + 2) * latencySub
	latencyMaxValue = 1<<(latencyMaxExp+1) - 1 // µs
)

// hostLatencies holds a host's bucket counts, one set per slice.
type hostLatencies struct {
	slices [latencySlices][latencyBuckets]atomic.Uint32
}

// latencyBucket maps a latency to its bucket.
func latencyBucket(d time.Duration) int {
	v := uint64(max(d, 0) / time.Microsecond)
	if v < latencySub {
		return int(v)
	}
	v = min(v, latencyMaxValue)
	e := bits.Len64(v) - 1 // >= latencySubBits
	sub := int(v>>(e-latencySubBits)) & (latencySub - 1)
	return (e-latencySubBits+1)*latencySub + sub
}

// latencyBucketRange returns the lowest value of bucket i and its width,
// in microseconds.
func latencyBucketRange(i int) (low, width float64) {
	if i < latencySub {
		return float64(i), 1
	}
	e := i/latencySub + latencySubBits - 1
	sub := i % latencySub
	w := math.Ldexp(1, e-latencySubBits)
	return float64(latencySub+sub) * w, w
}

// Record counts one latency of h: call it once per successful attempt,
// with the time from sending the request to its answer. A nil tracker or
// host is ignored.
func (t *LatencyTracker) Record(h *Host, d time.Duration) {
	if t == nil || h == nil {
		return
	}
	t.tick()
	v, ok := t.hosts.Load(h)
	if !ok {
		v, _ = t.hosts.LoadOrStore(h, new(hostLatencies))
	}
	v.(*hostLatencies).slices[t.gen.Load()%latencySlices][latencyBucket(d)].Add(1)
}

// Percentile returns the p-th percentile (0 < p <= 100; 99 for p99) of h's
// latencies in the window. ok is false while h has fewer latencies than
// the minimum (LatencyMinSamples).
func (t *LatencyTracker) Percentile(h *Host, p float64) (d time.Duration, ok bool) {
	if t == nil {
		return 0, false
	}
	t.tick()
	v, found := t.hosts.Load(h)
	if !found {
		return 0, false
	}
	var counts [latencyBuckets]uint64
	n := v.(*hostLatencies).addTo(&counts)
	return t.percentileOf(&counts, n, p)
}

// ClusterPercentile returns the p-th percentile (0 < p <= 100) of the
// latencies of every host in the window. ok is false while there are
// fewer latencies than the minimum (LatencyMinSamples).
func (t *LatencyTracker) ClusterPercentile(p float64) (d time.Duration, ok bool) {
	if t == nil {
		return 0, false
	}
	t.tick()
	counts := new([latencyBuckets]uint64)
	var n uint64
	t.hosts.Range(func(_, v any) bool {
		n += v.(*hostLatencies).addTo(counts)
		return true
	})
	return t.percentileOf(counts, n, p)
}

// addTo adds the counts of every slice to counts and returns their total.
func (hl *hostLatencies) addTo(counts *[latencyBuckets]uint64) uint64 {
	var n uint64
	for s := range hl.slices {
		for i := range hl.slices[s] {
			c := uint64(hl.slices[s][i].Load())
			counts[i] += c
			n += c
		}
	}
	return n
}

func (t *LatencyTracker) percentileOf(counts *[latencyBuckets]uint64, n uint64, p float64) (time.Duration, bool) {
	if n < uint64(t.minSamples) || n == 0 {
		return 0, false
	}
	if !(p > 0) { // also NaN
		p = math.SmallestNonzeroFloat64
	}
	p = min(p, 100)
	rank := max(uint64(math.Ceil(p/100*float64(n))), 1)
	var cum uint64
	for i, c := range counts {
		if c == 0 {
			continue
		}
		if cum+c >= rank {
			// The middle of the bucket is within width/2 of any value in
			// it: at most 1/16 of the value.
			low, width := latencyBucketRange(i)
			return time.Duration((low + width/2) * float64(time.Microsecond)), true
		}
		cum += c
	}
	return 0, false // unreachable: the counts add up to n
}

// elapsed returns the time since the tracker was made.
func (t *LatencyTracker) elapsed() int64 { return int64(time.Since(t.base)) }

// tick starts a new slice when the current one is over. Only one caller
// rotates; the others carry on with the current slice, so Record never
// waits.
func (t *LatencyTracker) tick() {
	if t.slice <= 0 {
		return // a zero LatencyTracker: never rotates
	}
	now := t.elapsed()
	if now < t.nextRotate.Load() || !t.rotating.TryLock() {
		return
	}
	defer t.rotating.Unlock()
	target := now / int64(t.slice)
	cur := t.gen.Load()
	if target <= cur {
		return
	}
	// Clear the slices that the generations after cur will use (all of
	// them when the tracker was idle for a whole window), then publish the
	// new generation: recorders still on cur write into cur's slice, which
	// stays until it is the oldest.
	steps := min(target-cur, latencySlices)
	t.hosts.Range(func(k, v any) bool {
		hl := v.(*hostLatencies)
		for g := cur + 1; g <= cur+steps; g++ {
			for i := range hl.slices[g%latencySlices] {
				hl.slices[g%latencySlices][i].Store(0)
			}
		}
		if hl.empty() {
			t.hosts.CompareAndDelete(k, v)
		}
		return true
	})
	t.gen.Store(target)
	t.nextRotate.Store((target + 1) * int64(t.slice))
}

func (hl *hostLatencies) empty() bool {
	for s := range hl.slices {
		for i := range hl.slices[s] {
			if hl.slices[s][i].Load() != 0 {
				return false
			}
		}
	}
	return true
}
