package result

import (
	"encoding/json"
	"strings"
	"testing"
)

// requiredKeys are the columns the issue asks every row to carry.
var requiredKeys = []string{"driver", "workload", "inflight", "target", "ops_per_sec", "cpu_us_per_op",
	"p50_us", "p99_us", "p999_us", "allocs_per_op", "bytes_per_op", "instructions_per_op"}

func TestRowCarriesEveryRequiredKey(t *testing.T) {
	r := New("cqlgo", "select1", 64, "sim")
	r.OpsPerSec = 123456.789
	var m map[string]any
	if err := json.Unmarshal(r.Marshal(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range requiredKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("key %q missing from %s", k, r.Marshal())
		}
	}
	if m["inflight"] != float64(64) || m["driver"] != "cqlgo" {
		t.Errorf("identity fields wrong: %v", m)
	}
}

func TestUnmeasuredIsNullAndParsesBackToNaN(t *testing.T) {
	r := New("rust", "page10k", 1, "cassandra5")
	r.Error = "no binary"
	line := r.Marshal()
	if !strings.Contains(string(line), `"p99_us":null`) || !strings.Contains(string(line), `"error":"no binary"`) {
		t.Fatalf("line %s", line)
	}
	back, err := Parse(line)
	if err != nil {
		t.Fatal(err)
	}
	if back.P99Micros.Valid() || back.Error != "no binary" || back.Key() != r.Key() {
		t.Errorf("parsed back %+v", back)
	}
}

func TestParseLeavesAbsentFieldsNaN(t *testing.T) {
	r, err := Parse([]byte(`{"driver":"wire","workload":"insert","inflight":1,"target":"sim","ops_per_sec":10}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.OpsPerSec != 10 || r.CPUMicrosPerOp.Valid() || r.InstructionsPerOp.Valid() {
		t.Errorf("parsed %+v", r)
	}
}

func TestFloatsAreRoundedToFourSignificantDigits(t *testing.T) {
	tests := []struct {
		in   Float
		want string
	}{{123456.789, "123457"}, {12.34567, "12.35"}, {0.0012344, "0.001234"}, {0, "0"}, {-2.5, "-2.5"}}
	for _, tt := range tests {
		b, _ := tt.in.MarshalJSON()
		if string(b) != tt.want {
			t.Errorf("%v marshals to %s, want %s", float64(tt.in), b, tt.want)
		}
	}
}

func TestMeasurementsCoverEveryFloat(t *testing.T) {
	r := New("a", "b", 1, "c")
	for _, f := range r.Measurements() {
		if f.Value.Valid() {
			t.Errorf("%s measured in a new row", f.Name)
		}
		*f.Value = 1
	}
	var m map[string]any
	json.Unmarshal(r.Marshal(), &m)
	for _, f := range r.Measurements() {
		if m[f.Name] != float64(1) {
			t.Errorf("measurement %s is not the JSON key of its field", f.Name)
		}
	}
}
