// Package stats holds the benchmark's arithmetic: a lock-free latency
// histogram that records without allocating, and the medians and
// percentiles the report takes over rounds.
//
// The histogram is log-linear, the layout HdrHistogram popularised: values
// below 256 ns have a bucket each, and every power of two above that is cut
// into 128 equal buckets, so a recorded value is known to within 0.8%
// whatever its size. The Rust client (bench/rust) uses the same layout, so
// both kinds of client report comparable percentiles.
package stats

import (
	"math"
	"math/bits"
	"slices"
	"sync/atomic"
)

const (
	subBits    = 7
	subCount   = 1 << subBits // buckets per power of two above linearMax
	linearMax  = 2 * subCount // values below it get a bucket each
	maxShift   = 64 - subBits - 1
	numBuckets = linearMax + maxShift*subCount
)

// Histogram counts durations in nanoseconds. Record is safe for concurrent
// use and never allocates; the zero value is ready (about 60 KiB).
type Histogram struct {
	counts [numBuckets]atomic.Uint64
	total  atomic.Uint64
}

// bucket returns the index of v's bucket.
func bucket(v uint64) int {
	if v < linearMax {
		return int(v)
	}
	shift := bits.Len64(v) - subBits - 1 // >= 1: v>>shift is in [128, 256)
	return linearMax + (shift-1)*subCount + int(v>>shift) - subCount
}

// bucketMid returns the value that stands for bucket i: its midpoint.
func bucketMid(i int) float64 {
	if i < linearMax {
		return float64(i)
	}
	shift := (i-linearMax)/subCount + 1
	m := uint64((i-linearMax)%subCount + subCount)
	lo := m << shift
	return float64(lo) + float64(uint64(1)<<shift)/2
}

// Record counts one value; negative values count as 0.
func (h *Histogram) Record(ns int64) {
	if ns < 0 {
		ns = 0
	}
	h.counts[bucket(uint64(ns))].Add(1)
	h.total.Add(1)
}

// Count returns the number of recorded values.
func (h *Histogram) Count() uint64 { return h.total.Load() }

// Quantile returns the value at quantile q (0 < q <= 1): the smallest
// bucket whose cumulative count reaches ceil(q × count), as its midpoint.
// It returns NaN for an empty histogram.
func (h *Histogram) Quantile(q float64) float64 {
	n := h.total.Load()
	if n == 0 {
		return math.NaN()
	}
	rank := uint64(math.Ceil(q * float64(n)))
	if rank < 1 {
		rank = 1
	}
	var cum uint64
	for i := range h.counts {
		cum += h.counts[i].Load()
		if cum >= rank {
			return bucketMid(i)
		}
	}
	return bucketMid(numBuckets - 1)
}

// Percentile returns the p-th percentile (0 < p <= 100) of xs by nearest
// rank, or NaN when xs is empty. xs is not modified.
func Percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	rank = min(max(rank, 1), len(s))
	return s[rank-1]
}

// Median returns the median of xs, the mean of the middle two for an even
// count, ignoring NaNs; NaN when nothing is left.
func Median(xs []float64) float64 {
	s := make([]float64, 0, len(xs))
	for _, x := range xs {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return math.NaN()
	}
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}
