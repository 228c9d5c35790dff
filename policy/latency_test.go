package policy

import (
	"math"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

func TestLatencyBuckets(t *testing.T) {
	t.Run("every_latency_falls_in_a_bucket_that_contains_it", func(t *testing.T) {
		prev := -1
		for us := int64(0); us < 1<<20; us += 1 + us/97 {
			i := latencyBucket(time.Duration(us) * time.Microsecond)
			if i < prev {
				t.Fatalf("%dµs: bucket %d after bucket %d", us, i, prev)
			}
			prev = i
			low, width := latencyBucketRange(i)
			if float64(us) < low || float64(us) >= low+width {
				t.Fatalf("%dµs in bucket %d = [%v, %v)", us, i, low, low+width)
			}
			if us >= latencySub && width/low > 1.0/latencySub+1e-9 {
				t.Fatalf("bucket %d is %v wide at %v: over 1/%d", i, width, low, latencySub)
			}
		}
	})
	t.Run("buckets_are_contiguous", func(t *testing.T) {
		for i := 1; i < latencyBuckets; i++ {
			pl, pw := latencyBucketRange(i - 1)
			if l, _ := latencyBucketRange(i); l != pl+pw {
				t.Fatalf("bucket %d starts at %v, previous ends at %v", i, l, pl+pw)
			}
		}
	})
	t.Run("out_of_range_latencies_are_clamped", func(t *testing.T) {
		if i := latencyBucket(-time.Second); i != 0 {
			t.Errorf("negative latency in bucket %d", i)
		}
		if i := latencyBucket(time.Hour); i != latencyBuckets-1 {
			t.Errorf("an hour in bucket %d, want the last, %d", i, latencyBuckets-1)
		}
		if i := latencyBucket(math.MaxInt64); i != latencyBuckets-1 {
			t.Errorf("max duration in bucket %d", i)
		}
	})
}

// exactPercentile is the nearest-rank percentile of sorted values.
func exactPercentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[max(rank, 1)-1]
}

func TestLatencyPercentileAccuracy(t *testing.T) {
	dists := map[string]func(i int) time.Duration{
		"uniform_100us_to_10ms": func(i int) time.Duration { return 100*time.Microsecond + time.Duration(i*9900/10000)*time.Microsecond },
		"exponential_mean_2ms": func(i int) time.Duration {
			return time.Duration(-math.Log(1-(float64(i)+0.5)/10000) * float64(2*time.Millisecond))
		},
		"bimodal_1ms_and_50ms": func(i int) time.Duration {
			if i%20 == 0 {
				return 50*time.Millisecond + time.Duration(i)*time.Microsecond
			}
			return time.Millisecond + time.Duration(i%100)*time.Microsecond
		},
	}
	for name, dist := range dists {
		t.Run(name+"_within_one_sixteenth", func(t *testing.T) {
			tr := NewLatencyTracker()
			h := latHost(1)
			var all []time.Duration
			for i := 0; i < 10000; i++ {
				d := dist((i * 7919) % 10000) // a fixed shuffle
				all = append(all, d)
				tr.Record(h, d)
			}
			slices.Sort(all)
			for _, p := range []float64{1, 50, 90, 95, 99, 99.9, 100} {
				got, ok := tr.Percentile(h, p)
				want := exactPercentile(all, p)
				if !ok {
					t.Fatalf("p%v: no answer after 10000 samples", p)
				}
				if rel := math.Abs(float64(got-want)) / float64(want); rel > 1.0/16+1e-9 {
					t.Errorf("p%v = %v, exact %v: %.1f%% off", p, got, want, rel*100)
				}
				if cgot, _ := tr.ClusterPercentile(p); cgot != got {
					t.Errorf("p%v: cluster %v, the only host %v", p, cgot, got)
				}
			}
		})
	}
}

func TestLatencyTracker(t *testing.T) {
	t.Run("no_answer_below_the_minimum_samples", func(t *testing.T) {
		tr := NewLatencyTracker(LatencyMinSamples(10))
		h := latHost(1)
		for i := 0; i < 9; i++ {
			tr.Record(h, time.Millisecond)
		}
		if _, ok := tr.Percentile(h, 50); ok {
			t.Error("host percentile of 9 samples")
		}
		if _, ok := tr.ClusterPercentile(50); ok {
			t.Error("cluster percentile of 9 samples")
		}
		tr.Record(h, time.Millisecond)
		if _, ok := tr.Percentile(h, 50); !ok {
			t.Error("no host percentile with 10 samples")
		}
		if _, ok := tr.ClusterPercentile(50); !ok {
			t.Error("no cluster percentile with 10 samples")
		}
	})
	t.Run("default_minimum_is_100_samples", func(t *testing.T) {
		tr := NewLatencyTracker()
		h := latHost(1)
		for i := 0; i < 99; i++ {
			tr.Record(h, time.Millisecond)
		}
		if _, ok := tr.Percentile(h, 50); ok {
			t.Error("percentile of 99 samples")
		}
		tr.Record(h, time.Millisecond)
		if _, ok := tr.Percentile(h, 50); !ok {
			t.Error("no percentile with 100 samples")
		}
	})
	t.Run("hosts_are_tracked_apart_and_together", func(t *testing.T) {
		tr := NewLatencyTracker(LatencyMinSamples(1))
		fast, slow, unseen := latHost(1), latHost(2), latHost(3)
		for i := 0; i < 300; i++ {
			tr.Record(fast, time.Millisecond)
		}
		for i := 0; i < 100; i++ {
			tr.Record(slow, 20*time.Millisecond)
		}
		if d, _ := tr.Percentile(fast, 99); !near(d, time.Millisecond) {
			t.Errorf("fast host p99 %v", d)
		}
		if d, _ := tr.Percentile(slow, 50); !near(d, 20*time.Millisecond) {
			t.Errorf("slow host p50 %v", d)
		}
		if _, ok := tr.Percentile(unseen, 50); ok {
			t.Error("percentile for a host never recorded")
		}
		if d, _ := tr.ClusterPercentile(75); !near(d, time.Millisecond) {
			t.Errorf("cluster p75 %v, want the fast host's 1ms (300 of 400 samples)", d)
		}
		if d, _ := tr.ClusterPercentile(76); !near(d, 20*time.Millisecond) {
			t.Errorf("cluster p76 %v, want the slow host's 20ms", d)
		}
	})
	t.Run("nil_tracker_and_host_are_ignored", func(t *testing.T) {
		var tr *LatencyTracker
		tr.Record(latHost(1), time.Millisecond)
		if _, ok := tr.Percentile(latHost(1), 50); ok {
			t.Error("nil tracker answered")
		}
		if _, ok := tr.ClusterPercentile(50); ok {
			t.Error("nil tracker answered")
		}
		NewLatencyTracker().Record(nil, time.Millisecond)
	})
	t.Run("concurrent_records_are_all_counted", func(t *testing.T) {
		tr := NewLatencyTracker(LatencyMinSamples(1))
		hosts := []*Host{latHost(1), latHost(2)}
		var wg sync.WaitGroup
		for g := 0; g < 8; g++ {
			wg.Go(func() {
				for i := 0; i < 5000; i++ {
					tr.Record(hosts[i%2], time.Duration(g+1)*time.Millisecond)
				}
			})
		}
		wg.Wait()
		var counts [latencyBuckets]uint64
		var n uint64
		for _, h := range hosts {
			v, _ := tr.hosts.Load(h)
			n += v.(*hostLatencies).addTo(&counts)
		}
		if n != 40000 {
			t.Errorf("%d samples counted, want 40000", n)
		}
	})
	t.Run("record_does_not_allocate_once_the_host_is_known", func(t *testing.T) {
		tr := NewLatencyTracker()
		h := latHost(1)
		tr.Record(h, time.Millisecond)
		if a := testing.AllocsPerRun(1000, func() { tr.Record(h, 3*time.Millisecond) }); a != 0 {
			t.Errorf("Record allocates %v times", a)
		}
	})
}

func TestLatencyWindow(t *testing.T) {
	t.Run("latencies_age_out_after_the_window", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			tr := NewLatencyTracker(LatencyWindow(15*time.Second), LatencyMinSamples(1))
			h := latHost(1)
			for i := 0; i < 100; i++ {
				tr.Record(h, 50*time.Millisecond)
			}
			time.Sleep(5 * time.Second)
			for i := 0; i < 100; i++ {
				tr.Record(h, time.Millisecond)
			}
			// 14.9 s after the slow latencies: both slices still count.
			time.Sleep(9900 * time.Millisecond)
			if d, _ := tr.Percentile(h, 40); !near(d, time.Millisecond) {
				t.Errorf("at 14.9s p40 = %v, want 1ms", d)
			}
			if d, _ := tr.Percentile(h, 60); !near(d, 50*time.Millisecond) {
				t.Errorf("at 14.9s p60 = %v, want the 50ms ones still counted", d)
			}
			// At 15 s the slice of the slow ones is forgotten.
			time.Sleep(100 * time.Millisecond)
			if d, _ := tr.Percentile(h, 100); !near(d, time.Millisecond) {
				t.Errorf("at 15s p100 = %v, want 1ms: the 50ms latencies aged out", d)
			}
			// At 20 s the fast ones go too, and the host with them.
			time.Sleep(5 * time.Second)
			if _, ok := tr.Percentile(h, 50); ok {
				t.Error("at 20s a percentile is left")
			}
			if _, ok := tr.hosts.Load(h); ok {
				t.Error("a host with no latency in the window is still kept")
			}
			tr.Record(h, 2*time.Millisecond)
			if d, ok := tr.Percentile(h, 50); !ok || !near(d, 2*time.Millisecond) {
				t.Errorf("after coming back: %v %v", d, ok)
			}
		})
	})
	t.Run("an_idle_tracker_forgets_everything", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			tr := NewLatencyTracker(LatencyWindow(3*time.Second), LatencyMinSamples(1))
			h := latHost(1)
			tr.Record(h, time.Millisecond)
			time.Sleep(time.Hour)
			if _, ok := tr.ClusterPercentile(50); ok {
				t.Error("latencies of an hour ago still count")
			}
			tr.Record(h, 7*time.Millisecond)
			if d, _ := tr.Percentile(h, 1); !near(d, 7*time.Millisecond) {
				t.Errorf("p1 = %v, want only the new 7ms", d)
			}
		})
	})
	t.Run("window_has_a_floor", func(t *testing.T) {
		if tr := NewLatencyTracker(LatencyWindow(0)); tr.slice != time.Millisecond {
			t.Errorf("slice %v for a zero window, want 1ms", tr.slice)
		}
	})
}

// near reports whether d is within 7% of want.
func near(d, want time.Duration) bool {
	return math.Abs(float64(d-want)) <= 0.07*float64(want)
}

func latHost(i int) *Host { return polHost(i, "dc1", "r1", StateUp) }

func BenchmarkLatencyRecord(b *testing.B) {
	tr := NewLatencyTracker()
	hosts := []*Host{latHost(1), latHost(2), latHost(3)}
	for _, h := range hosts {
		tr.Record(h, time.Millisecond)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			tr.Record(hosts[i%3], time.Duration(i%5000)*time.Microsecond)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				tr.Record(hosts[i%3], time.Duration(i%5000)*time.Microsecond)
				i++
			}
		})
	})
}

func BenchmarkLatencyPercentile(b *testing.B) {
	tr := NewLatencyTracker()
	hosts := make([]*Host, 12)
	for i := range hosts {
		hosts[i] = latHost(i + 1)
		for j := 0; j < 1000; j++ {
			tr.Record(hosts[i], time.Duration(j)*time.Microsecond)
		}
	}
	b.Run("host", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tr.Percentile(hosts[0], 99)
		}
	})
	b.Run("cluster_of_12", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tr.ClusterPercentile(99)
		}
	})
}
