package cassandra

import (
	"net/netip"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

func statusEv(change, addr string) *frame.Event {
	return &frame.Event{Type: "STATUS_CHANGE", Change: change, Address: netip.MustParseAddrPort(addr)}
}

func topoEv(change, addr string) *frame.Event {
	return &frame.Event{Type: "TOPOLOGY_CHANGE", Change: change, Address: netip.MustParseAddrPort(addr)}
}

func schemaEv(target, ks, name string, args ...string) *frame.Event {
	return &frame.Event{Type: "SCHEMA_CHANGE", Schema: frame.SchemaChange{Change: "UPDATED", Target: target, Keyspace: ks, Name: name, ArgTypes: args}}
}

// fired waits for a timer channel, failing after d.
func fired(t *testing.T, c <-chan time.Time, d time.Duration) {
	t.Helper()
	if c == nil {
		t.Fatal("no window is open")
	}
	select {
	case <-c:
	case <-time.After(d):
		t.Fatalf("window did not end within %v", d)
	}
}

func TestEventBatcher(t *testing.T) {
	win := EventConfig{TopologyWindow: 20 * time.Millisecond, StatusWindow: 20 * time.Millisecond, SchemaWindow: 20 * time.Millisecond}

	t.Run("topology_changes_in_a_window_merge_into_one_refresh", func(t *testing.T) {
		b := newEventBatcher(win)
		defer b.stop()
		start := time.Now()
		for _, e := range []*frame.Event{topoEv("NEW_NODE", "10.0.0.1:9042"), topoEv("MOVED_NODE", "10.0.0.2:9042"), topoEv("NEW_NODE", "10.0.0.1:9042")} {
			if acts := b.add(e); len(acts) != 0 {
				t.Fatalf("%v: immediate actions %v", e.Change, acts)
			}
		}
		fired(t, b.topoC(), time.Second)
		if d := time.Since(start); d < 15*time.Millisecond {
			t.Errorf("window ended after %v, want about 20ms", d)
		}
		if a := b.flushTopology(); a.kind != actRefresh {
			t.Errorf("action %v, want refresh", a)
		}
		if b.topoC() != nil {
			t.Error("window still open after the flush")
		}
	})
	t.Run("removed_node_acts_at_once", func(t *testing.T) {
		b := newEventBatcher(win)
		defer b.stop()
		acts := b.add(topoEv("REMOVED_NODE", "10.0.0.3:9042"))
		if len(acts) != 1 || acts[0].kind != actRemove || acts[0].addr != netip.MustParseAddrPort("10.0.0.3:9042") {
			t.Errorf("actions %v, want remove 10.0.0.3", acts)
		}
		if b.topoC() != nil {
			t.Error("REMOVED_NODE opened a refresh window")
		}
	})
	t.Run("status_last_event_per_node_wins_in_arrival_order", func(t *testing.T) {
		b := newEventBatcher(win)
		defer b.stop()
		for _, e := range []*frame.Event{
			statusEv("DOWN", "10.0.0.1:9042"), statusEv("DOWN", "10.0.0.2:9042"),
			statusEv("UP", "10.0.0.1:9042"), statusEv("DOWN", "10.0.0.2:9042"),
		} {
			if acts := b.add(e); len(acts) != 0 {
				t.Fatalf("immediate actions %v", acts)
			}
		}
		fired(t, b.statusC(), time.Second)
		acts := b.flushStatus()
		want := []eventAction{{actUp, netip.MustParseAddrPort("10.0.0.1:9042")}, {actDown, netip.MustParseAddrPort("10.0.0.2:9042")}}
		if len(acts) != len(want) || acts[0] != want[0] || acts[1] != want[1] {
			t.Errorf("actions %v, want %v", acts, want)
		}
		// The next window starts empty.
		b.add(statusEv("DOWN", "10.0.0.3:9042"))
		fired(t, b.statusC(), time.Second)
		if acts := b.flushStatus(); len(acts) != 1 || acts[0].kind != actDown {
			t.Errorf("second window: %v", acts)
		}
	})
	t.Run("schema_duplicates_merge", func(t *testing.T) {
		b := newEventBatcher(win)
		defer b.stop()
		b.add(schemaEv("TABLE", "ks", "t1"))
		b.add(schemaEv("TABLE", "ks", "t2"))
		b.add(schemaEv("TABLE", "ks", "t1"))
		b.add(schemaEv("FUNCTION", "ks", "f", "int"))
		b.add(schemaEv("FUNCTION", "ks", "f", "text")) // an overload is another function
		b.add(schemaEv("KEYSPACE", "ks", ""))
		fired(t, b.schemaC(), time.Second)
		got := b.flushSchema()
		if len(got) != 5 {
			t.Fatalf("changes %+v, want 5", got)
		}
		if got[0].Name != "t1" || got[1].Name != "t2" || got[4].Target != "KEYSPACE" {
			t.Errorf("changes out of order: %+v", got)
		}
	})
	t.Run("negative_windows_disable_refreshes_and_apply_status_at_once", func(t *testing.T) {
		b := newEventBatcher(EventConfig{TopologyWindow: -1, StatusWindow: -1, SchemaWindow: -1})
		defer b.stop()
		if acts := b.add(topoEv("NEW_NODE", "10.0.0.1:9042")); len(acts) != 0 || b.topoC() != nil {
			t.Errorf("topology with a negative window: %v, window %v", acts, b.topoC())
		}
		b.topologyDirty()
		if b.topoC() != nil {
			t.Error("topologyDirty opened a disabled window")
		}
		if acts := b.add(schemaEv("TABLE", "ks", "t")); len(acts) != 0 || b.schemaC() != nil {
			t.Errorf("schema with a negative window: %v", acts)
		}
		acts := b.add(statusEv("UP", "10.0.0.1:9042"))
		if len(acts) != 1 || acts[0].kind != actUp {
			t.Errorf("status with a negative window: %v, want up at once", acts)
		}
		if acts := b.add(topoEv("REMOVED_NODE", "10.0.0.1:9042")); len(acts) != 1 || acts[0].kind != actRemove {
			t.Errorf("REMOVED_NODE with a negative window: %v, want remove at once", acts)
		}
	})
	t.Run("window_is_not_extended_by_later_events", func(t *testing.T) {
		b := newEventBatcher(EventConfig{TopologyWindow: 50 * time.Millisecond})
		defer b.stop()
		start := time.Now()
		b.add(topoEv("NEW_NODE", "10.0.0.1:9042"))
		c := b.topoC()
		b.add(topoEv("NEW_NODE", "10.0.0.2:9042"))
		if b.topoC() != c {
			t.Error("a later event restarted the window")
		}
		fired(t, c, time.Second)
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("window ended after %v", d)
		}
	})
	t.Run("unknown_event_types_are_ignored", func(t *testing.T) {
		b := newEventBatcher(win)
		defer b.stop()
		if acts := b.add(&frame.Event{Type: "CLIENT_CHANGE"}); len(acts) != 0 || b.topoC() != nil || b.statusC() != nil || b.schemaC() != nil {
			t.Errorf("unknown event acted: %v", acts)
		}
	})
}
