package policy

import (
	"testing"
	"testing/synctest"
	"time"
)

// specDelays lists the delays of a schedule until it ends (at most 10).
func specDelays(s SpeculativeSchedule) []time.Duration {
	var out []time.Duration
	for n := 1; n <= 10; n++ {
		d, ok := s.NextDelay(n)
		if !ok {
			break
		}
		out = append(out, d)
	}
	return out
}

func specEqual(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var specIdempotent = &RoutingInfo{Idempotent: true}

func TestNoSpeculativeExecution(t *testing.T) {
	s := NoSpeculativeExecution().NewSchedule(specIdempotent)
	if d := specDelays(s); len(d) != 0 {
		t.Errorf("delays %v, want none", d)
	}
}

func TestConstantSpeculativeExecution(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name     string
		delay    time.Duration
		maxExtra int
		info     *RoutingInfo
		want     []time.Duration
	}{
		{"up_to_max_extra_at_the_delay", 50 * ms, 3, specIdempotent, []time.Duration{50 * ms, 50 * ms, 50 * ms}},
		{"one_extra", 20 * ms, 1, specIdempotent, []time.Duration{20 * ms}},
		{"zero_max_extra_means_none", 20 * ms, 0, specIdempotent, nil},
		{"negative_max_extra_means_none", 20 * ms, -1, specIdempotent, nil},
		{"zero_delay_starts_at_once", 0, 2, specIdempotent, []time.Duration{0, 0}},
		{"negative_delay_counts_as_zero", -ms, 1, specIdempotent, []time.Duration{0}},
		{"not_idempotent_gets_none", 20 * ms, 3, &RoutingInfo{}, nil},
		{"nil_info_is_left_to_the_driver", 20 * ms, 1, nil, []time.Duration{20 * ms}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := ConstantSpeculativeExecution(tc.delay, tc.maxExtra).NewSchedule(tc.info)
			if got := specDelays(s); !specEqual(got, tc.want) {
				t.Errorf("delays %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("n_outside_the_schedule_ends_it", func(t *testing.T) {
		s := ConstantSpeculativeExecution(ms, 2).NewSchedule(specIdempotent)
		for _, n := range []int{0, -1, 3} {
			if _, ok := s.NextDelay(n); ok {
				t.Errorf("NextDelay(%d) ok", n)
			}
		}
	})
	t.Run("schedules_do_not_allocate", func(t *testing.T) {
		p := ConstantSpeculativeExecution(ms, 2)
		if a := testing.AllocsPerRun(1000, func() { p.NewSchedule(specIdempotent).NextDelay(1) }); a != 0 {
			t.Errorf("%v allocations per schedule", a)
		}
	})
}

func TestPercentileSpeculativeExecution(t *testing.T) {
	record := func(tr *LatencyTracker, n int, d time.Duration) {
		h := latHost(1)
		for i := 0; i < n; i++ {
			tr.Record(h, d)
		}
	}
	t.Run("no_extra_execution_below_100_samples", func(t *testing.T) {
		tr := NewLatencyTracker()
		record(tr, 99, 10*time.Millisecond)
		p := PercentileSpeculativeExecution(tr, 99, 2)
		if d := specDelays(p.NewSchedule(specIdempotent)); len(d) != 0 {
			t.Errorf("delays %v with 99 samples, want none", d)
		}
	})
	t.Run("delay_is_the_cluster_percentile", func(t *testing.T) {
		tr := NewLatencyTracker()
		record(tr, 900, 2*time.Millisecond)
		record(tr, 100, 30*time.Millisecond)
		p99 := PercentileSpeculativeExecution(tr, 99, 2)
		got := specDelays(p99.NewSchedule(specIdempotent))
		if len(got) != 2 || !near(got[0], 30*time.Millisecond) || got[1] != got[0] {
			t.Errorf("p99 delays %v, want two of about 30ms", got)
		}
		p50 := PercentileSpeculativeExecution(tr, 50, 1)
		if got := specDelays(p50.NewSchedule(specIdempotent)); len(got) != 1 || !near(got[0], 2*time.Millisecond) {
			t.Errorf("p50 delays %v, want one of about 2ms", got)
		}
	})
	t.Run("delay_is_at_least_1ms", func(t *testing.T) {
		tr := NewLatencyTracker()
		record(tr, 200, 20*time.Microsecond)
		got := specDelays(PercentileSpeculativeExecution(tr, 99, 1).NewSchedule(specIdempotent))
		if len(got) != 1 || got[0] != time.Millisecond {
			t.Errorf("delays %v, want [1ms]", got)
		}
	})
	t.Run("none_without_tracker_extra_or_idempotence", func(t *testing.T) {
		tr := NewLatencyTracker()
		record(tr, 200, 5*time.Millisecond)
		for name, s := range map[string]SpeculativeSchedule{
			"nil_tracker":    PercentileSpeculativeExecution(nil, 99, 2).NewSchedule(specIdempotent),
			"zero_extra":     PercentileSpeculativeExecution(tr, 99, 0).NewSchedule(specIdempotent),
			"not_idempotent": PercentileSpeculativeExecution(tr, 99, 2).NewSchedule(&RoutingInfo{}),
		} {
			if d := specDelays(s); len(d) != 0 {
				t.Errorf("%s: delays %v, want none", name, d)
			}
		}
	})
	t.Run("percentile_out_of_range_is_clamped", func(t *testing.T) {
		tr := NewLatencyTracker()
		record(tr, 100, 4*time.Millisecond)
		record(tr, 100, 40*time.Millisecond)
		if got := specDelays(PercentileSpeculativeExecution(tr, 250, 1).NewSchedule(specIdempotent)); len(got) != 1 || !near(got[0], 40*time.Millisecond) {
			t.Errorf("p250: %v, want the maximum, about 40ms", got)
		}
		if got := specDelays(PercentileSpeculativeExecution(tr, -5, 1).NewSchedule(specIdempotent)); len(got) != 1 || !near(got[0], 4*time.Millisecond) {
			t.Errorf("p-5: %v, want the minimum, about 4ms", got)
		}
	})
	t.Run("percentile_is_reused_for_100ms", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			tr := NewLatencyTracker()
			record(tr, 100, 10*time.Millisecond)
			p := PercentileSpeculativeExecution(tr, 50, 1)
			first := specDelays(p.NewSchedule(specIdempotent))
			record(tr, 300, 80*time.Millisecond)
			time.Sleep(99 * time.Millisecond)
			if got := specDelays(p.NewSchedule(specIdempotent)); !specEqual(got, first) {
				t.Errorf("after 99ms delays %v, want the cached %v", got, first)
			}
			if a := testing.AllocsPerRun(100, func() { p.NewSchedule(specIdempotent) }); a != 0 {
				t.Errorf("%v allocations per schedule while the percentile is cached", a)
			}
			time.Sleep(time.Millisecond)
			if got := specDelays(p.NewSchedule(specIdempotent)); len(got) != 1 || !near(got[0], 80*time.Millisecond) {
				t.Errorf("after 100ms delays %v, want the new p50, about 80ms", got)
			}
		})
	})
	t.Run("asks_the_driver_for_latencies", func(t *testing.T) {
		tr := NewLatencyTracker()
		la, ok := PercentileSpeculativeExecution(tr, 99, 1).(LatencyAware)
		if !ok || la.LatencyTracker() != tr {
			t.Errorf("policy is LatencyAware %v with tracker %p, want %p", ok, la, tr)
		}
	})
}

func BenchmarkSpeculativeSchedule(b *testing.B) {
	tr := NewLatencyTracker()
	h := latHost(1)
	for i := 0; i < 1000; i++ {
		tr.Record(h, time.Duration(i)*time.Microsecond)
	}
	for name, p := range map[string]SpeculativeExecutionPolicy{
		"constant":   ConstantSpeculativeExecution(time.Millisecond, 2),
		"percentile": PercentileSpeculativeExecution(tr, 99, 2),
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.NewSchedule(specIdempotent).NextDelay(1)
			}
		})
	}
}
