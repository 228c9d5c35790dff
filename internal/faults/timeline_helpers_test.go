package faults

import (
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	cassandra "github.com/cqlgo/cassandra"
)

// HostEvent is one host state change the driver reported.
type HostEvent struct {
	Time time.Time
	Host netip.AddrPort
	Kind string // "add", "remove", "up" or "down"
}

// Timeline is a cassandra.HostListener that records when the driver marked
// hosts up and down. Register it with Cluster.AddHostListener.
type Timeline struct {
	mu     sync.Mutex
	events []HostEvent
}

var _ cassandra.HostListener = (*Timeline)(nil)

func (t *Timeline) add(kind string, h *cassandra.Host) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.events = append(t.events, HostEvent{Time: time.Now(), Host: h.Addr(), Kind: kind})
}

// OnAdd records a host joining.
func (t *Timeline) OnAdd(h *cassandra.Host) { t.add("add", h) }

// OnRemove records a host leaving.
func (t *Timeline) OnRemove(h *cassandra.Host) { t.add("remove", h) }

// OnUp records a host marked up.
func (t *Timeline) OnUp(h *cassandra.Host) { t.add("up", h) }

// OnDown records a host marked down.
func (t *Timeline) OnDown(h *cassandra.Host) { t.add("down", h) }

// Events returns the events so far, oldest first.
func (t *Timeline) Events() []HostEvent {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]HostEvent(nil), t.events...)
}

// First returns the first event of kind for ip at or after since.
func (t *Timeline) First(kind string, ip netip.Addr, since time.Time) (HostEvent, bool) {
	for _, e := range t.Events() {
		if e.Kind == kind && e.Host.Addr() == ip && !e.Time.Before(since) {
			return e, true
		}
	}
	return HostEvent{}, false
}

// Format lists the events after start, with their offsets from it.
func (t *Timeline) Format(start time.Time) string {
	var b strings.Builder
	for _, e := range t.Events() {
		if e.Time.Before(start) {
			continue
		}
		fmt.Fprintf(&b, "%7.2fs %-6s %s\n", e.Time.Sub(start).Seconds(), e.Kind, e.Host)
	}
	return b.String()
}
