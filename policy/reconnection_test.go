package policy

import (
	"testing"
	"time"
)

func TestExponential(t *testing.T) {
	t.Run("delays_double_from_base_and_stay_within_base_and_max", func(t *testing.T) {
		base, max := time.Second, 10*time.Minute
		for run := 0; run < 200; run++ {
			s := Exponential(base, max).NewSchedule()
			nominal := base
			for i := 0; i < 40; i++ {
				d, ok := s.Next()
				if !ok {
					t.Fatal("exponential schedule ended")
				}
				if d < base || d > max {
					t.Fatalf("attempt %d: delay %v outside [%v, %v]", i, d, base, max)
				}
				lo, hi := time.Duration(float64(nominal)*0.85), time.Duration(float64(nominal)*1.15)
				if d < lo || d > hi {
					t.Fatalf("attempt %d: delay %v outside the jitter range [%v, %v] of %v", i, d, lo, hi, nominal)
				}
				nominal = min(2*nominal, max)
			}
		}
	})
	t.Run("jitter_spreads_delays", func(t *testing.T) {
		seen := map[time.Duration]bool{}
		for i := 0; i < 50; i++ {
			s := Exponential(time.Second, time.Minute).NewSchedule()
			s.Next()
			d, _ := s.Next() // nominal 2s: jitter either way
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("only %d distinct delays in 50 schedules: jitter missing", len(seen))
		}
	})
	t.Run("zero_values_mean_1s_and_10min", func(t *testing.T) {
		s := Exponential(0, 0).NewSchedule()
		d, _ := s.Next()
		if d < time.Second || d > 1150*time.Millisecond {
			t.Errorf("first delay %v, want about 1s", d)
		}
		for i := 0; i < 30; i++ {
			d, _ = s.Next()
		}
		if d < 510*time.Second || d > 10*time.Minute {
			t.Errorf("late delay %v, want about 10min", d)
		}
	})
	t.Run("max_below_base_is_base", func(t *testing.T) {
		s := Exponential(time.Second, time.Millisecond).NewSchedule()
		for i := 0; i < 5; i++ {
			if d, _ := s.Next(); d != time.Second {
				t.Errorf("delay %v, want 1s", d)
			}
		}
	})
	t.Run("schedules_are_independent", func(t *testing.T) {
		p := Exponential(time.Second, time.Hour)
		a := p.NewSchedule()
		for i := 0; i < 10; i++ {
			a.Next()
		}
		if d, _ := p.NewSchedule().Next(); d > 1150*time.Millisecond {
			t.Errorf("a new schedule starts at %v, want about the base", d)
		}
	})
}

func TestConstant(t *testing.T) {
	for _, tc := range []struct {
		name     string
		attempts int
		want     int // delays before the end; -1: endless
	}{
		{"bounded_attempts_then_ends", 3, 3},
		{"zero_attempts_means_forever", 0, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := Constant(50*time.Millisecond, tc.attempts).NewSchedule()
			n := 0
			for ; n < 100; n++ {
				d, ok := s.Next()
				if !ok {
					break
				}
				if d != 50*time.Millisecond {
					t.Fatalf("delay %v, want 50ms", d)
				}
			}
			if tc.want >= 0 && n != tc.want || tc.want < 0 && n != 100 {
				t.Errorf("%d delays, want %d", n, tc.want)
			}
		})
	}
}
