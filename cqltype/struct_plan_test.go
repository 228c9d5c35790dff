package cqltype

import (
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

// A plan does not outlive its metadata.
func TestScanPlanCacheReleased(t *testing.T) {
	type released struct {
		K int32
		V string
	}
	rt := reflect.TypeFor[released]()
	count := func() int {
		n := 0
		planCache.Range(func(k, _ any) bool {
			if k.(planKey).rt == rt {
				n++
			}
			return true
		})
		return n
	}
	func() {
		cols := []frame.ColumnSpec{{Keyspace: "ks", Table: "t", Name: "k", Type: &frame.Type{ID: frame.TypeInt}}, {Keyspace: "ks", Table: "t", Name: "v", Type: &frame.Type{ID: frame.TypeVarchar}}}
		var m PlanMemo
		if p := m.Plan(rt, cols); p.err != nil {
			t.Fatal(p.err)
		}
	}()
	if count() != 1 {
		t.Fatalf("%d cached plans", count())
	}
	deadline := time.Now().Add(5 * time.Second)
	for count() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the plan outlived its metadata")
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"ID": "id", "UserID": "user_id", "HTTPServer": "http_server", "CreatedAt": "created_at",
		"Name": "name", "V2Name": "v2_name", "Address2": "address2", "A": "a",
	} {
		if got := snakeCase(in); got != want {
			t.Errorf("snakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}
