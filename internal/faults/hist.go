package faults

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// histBuckets covers 0 to 2^26 µs (about 67 s) in log-linear buckets: exact
// below 16 µs, then 16 buckets per power of two, so a percentile read from
// it is within 1/16 of the true value. Longer latencies land in the last.
const histBuckets = 16 + (26-4)*16

// hist counts latencies; Add is safe for concurrent use and allocation free.
type hist struct {
	n [histBuckets]atomic.Uint32
}

func histIndex(d time.Duration) int {
	us := uint64(max(d, 0) / time.Microsecond)
	if us < 16 {
		return int(us)
	}
	e := bits.Len64(us) - 1 // 2^e <= us < 2^(e+1), e >= 4
	i := 16 + (e-4)*16 + int((us>>(e-4))&15)
	return min(i, histBuckets-1)
}

// histUpper is the largest latency bucket i holds.
func histUpper(i int) time.Duration {
	if i < 16 {
		return time.Duration(i) * time.Microsecond
	}
	e := (i-16)/16 + 4
	sub := uint64((i - 16) % 16)
	return time.Duration(((16+sub+1)<<(e-4))-1) * time.Microsecond
}

func (h *hist) add(d time.Duration) { h.n[histIndex(d)].Add(1) }

// percentile returns the upper bound of the bucket holding the
// nearest-rank p-th percentile (0 < p <= 100), 0 when empty.
func (h *hist) percentile(p float64) time.Duration {
	var counts [histBuckets]uint32
	var total uint64
	for i := range h.n {
		counts[i] = h.n[i].Load()
		total += uint64(counts[i])
	}
	if total == 0 {
		return 0
	}
	rank := uint64(p / 100 * float64(total))
	if float64(rank) < p/100*float64(total) {
		rank++
	}
	rank = max(rank, 1)
	var seen uint64
	for i, c := range counts {
		seen += uint64(c)
		if seen >= rank {
			return histUpper(i)
		}
	}
	return histUpper(histBuckets - 1)
}
