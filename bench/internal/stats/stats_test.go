package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestBucketsAreOrderedAndTight(t *testing.T) {
	prev := -1
	for _, v := range []uint64{0, 1, 255, 256, 257, 511, 512, 1000, 1 << 20, 1<<40 + 12345, math.MaxInt64} {
		b := bucket(v)
		if b < prev {
			t.Fatalf("bucket(%d) = %d, below the previous %d", v, b, prev)
		}
		if b >= numBuckets {
			t.Fatalf("bucket(%d) = %d out of range", v, b)
		}
		mid := bucketMid(b)
		if rel := math.Abs(mid-float64(v)) / math.Max(float64(v), 1); rel > 0.008 && v >= linearMax {
			t.Errorf("bucket of %d stands for %.0f: %.2f%% off", v, mid, rel*100)
		}
		prev = b
	}
}

func TestQuantilesMatchSortedSamples(t *testing.T) {
	var h Histogram
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 100000)
	for i := range xs {
		v := int64(r.ExpFloat64() * 50000) // 50 µs mean
		h.Record(v)
		xs[i] = float64(v)
	}
	slices.Sort(xs)
	for _, q := range []float64{0.5, 0.99, 0.999} {
		want := xs[int(math.Ceil(q*float64(len(xs))))-1]
		got := h.Quantile(q)
		if rel := math.Abs(got-want) / want; rel > 0.01 {
			t.Errorf("q%.3f = %.0f, sorted samples say %.0f (%.2f%% off)", q, got, want, rel*100)
		}
	}
	if h.Count() != uint64(len(xs)) {
		t.Errorf("count %d, want %d", h.Count(), len(xs))
	}
}

func TestEmptyHistogramQuantileIsNaN(t *testing.T) {
	var h Histogram
	if !math.IsNaN(h.Quantile(0.5)) {
		t.Fatal("empty histogram gave a number")
	}
}

func TestSmallValuesAreExact(t *testing.T) {
	var h Histogram
	for i := int64(1); i <= 100; i++ {
		h.Record(i)
	}
	h.Record(-5) // clamps to 0
	if got := h.Quantile(0.5); got != 50 {
		t.Errorf("median of 0..100 = %v, want 50", got)
	}
	if got := h.Quantile(1); got != 100 {
		t.Errorf("max = %v, want 100", got)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"odd_count_takes_middle", []float64{3, 1, 2}, 2},
		{"even_count_averages_middle_two", []float64{4, 1, 3, 2}, 2.5},
		{"single_value_is_itself", []float64{7}, 7},
		{"nans_are_ignored", []float64{math.NaN(), 5, 1, math.NaN(), 3}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Median(tt.in); got != tt.want {
				t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
	if !math.IsNaN(Median(nil)) || !math.IsNaN(Median([]float64{math.NaN()})) {
		t.Error("median of nothing is not NaN")
	}
}

func TestPercentileNearestRank(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	tests := []struct {
		p, want float64
	}{{50, 5}, {90, 9}, {99, 10}, {100, 10}, {1, 1}}
	for _, tt := range tests {
		if got := Percentile(xs, tt.p); got != tt.want {
			t.Errorf("p%v = %v, want %v", tt.p, got, tt.want)
		}
	}
	if xs[0] != 5 {
		t.Error("Percentile sorted its input in place")
	}
	if !math.IsNaN(Percentile(nil, 50)) {
		t.Error("percentile of nothing is not NaN")
	}
}
