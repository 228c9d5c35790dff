package cassandra

import (
	"net/netip"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

// eventAction is what the control connection does for a debounced event.
type eventAction struct {
	kind eventKind
	addr netip.AddrPort
}

type eventKind int

const (
	actRefresh eventKind = iota // re-read the peers
	actRemove                   // a node left the cluster
	actUp                       // try the node now
	actDown                     // mark the node down (unless connections to it work)
)

// eventBatcher debounces server events per kind. The first event of a kind
// starts that kind's window; events arriving inside it are merged (a later
// status of the same node replaces an earlier one, topology changes collapse
// into one refresh, schema changes are deduplicated); when the window ends
// the merged actions are flushed. A negative window disables the refresh of
// its kind; status events are then applied at once.
type eventBatcher struct {
	cfg EventConfig

	topo      *time.Timer
	topoDirty bool

	status      *time.Timer
	statusOrder []netip.AddrPort
	statusLast  map[netip.AddrPort]string

	schema    *time.Timer
	schemaSet map[string]frame.SchemaChange
	schemaOrd []string
}

func newEventBatcher(cfg EventConfig) *eventBatcher {
	return &eventBatcher{cfg: cfg, statusLast: map[netip.AddrPort]string{}, schemaSet: map[string]frame.SchemaChange{}}
}

func timerC(t *time.Timer) <-chan time.Time {
	if t == nil {
		return nil
	}
	return t.C
}

func (b *eventBatcher) topoC() <-chan time.Time   { return timerC(b.topo) }
func (b *eventBatcher) statusC() <-chan time.Time { return timerC(b.status) }
func (b *eventBatcher) schemaC() <-chan time.Time { return timerC(b.schema) }

func (b *eventBatcher) stop() {
	for _, t := range []*time.Timer{b.topo, b.status, b.schema} {
		if t != nil {
			t.Stop()
		}
	}
}

// topologyDirty schedules a refresh, as if a topology event had arrived.
func (b *eventBatcher) topologyDirty() {
	if b.cfg.TopologyWindow < 0 {
		return
	}
	b.topoDirty = true
	if b.topo == nil {
		b.topo = time.NewTimer(b.cfg.TopologyWindow)
	}
}

// add takes one event and returns the actions to carry out now.
func (b *eventBatcher) add(e *frame.Event) []eventAction {
	switch e.Type {
	case "TOPOLOGY_CHANGE":
		if e.Change == "REMOVED_NODE" {
			return []eventAction{{kind: actRemove, addr: e.Address}}
		}
		b.topologyDirty()
	case "STATUS_CHANGE":
		if b.cfg.StatusWindow < 0 {
			return []eventAction{statusAction(e.Change, e.Address)}
		}
		if _, ok := b.statusLast[e.Address]; !ok {
			b.statusOrder = append(b.statusOrder, e.Address)
		}
		b.statusLast[e.Address] = e.Change
		if b.status == nil {
			b.status = time.NewTimer(b.cfg.StatusWindow)
		}
	case "SCHEMA_CHANGE":
		if b.cfg.SchemaWindow < 0 {
			return nil
		}
		s := e.Schema
		key := s.Target + "\x00" + s.Keyspace + "\x00" + s.Name
		for _, a := range s.ArgTypes {
			key += "\x00" + a
		}
		if _, ok := b.schemaSet[key]; !ok {
			b.schemaOrd = append(b.schemaOrd, key)
		}
		b.schemaSet[key] = s
		if b.schema == nil {
			b.schema = time.NewTimer(b.cfg.SchemaWindow)
		}
	}
	return nil
}

func statusAction(change string, addr netip.AddrPort) eventAction {
	if change == "UP" {
		return eventAction{kind: actUp, addr: addr}
	}
	return eventAction{kind: actDown, addr: addr}
}

func (b *eventBatcher) flushTopology() eventAction {
	b.topo = nil
	b.topoDirty = false
	return eventAction{kind: actRefresh}
}

func (b *eventBatcher) flushStatus() []eventAction {
	b.status = nil
	out := make([]eventAction, 0, len(b.statusOrder))
	for _, a := range b.statusOrder {
		out = append(out, statusAction(b.statusLast[a], a))
	}
	b.statusOrder = b.statusOrder[:0]
	clear(b.statusLast)
	return out
}

func (b *eventBatcher) flushSchema() []frame.SchemaChange {
	b.schema = nil
	out := make([]frame.SchemaChange, 0, len(b.schemaOrd))
	for _, k := range b.schemaOrd {
		out = append(out, b.schemaSet[k])
	}
	b.schemaOrd = b.schemaOrd[:0]
	clear(b.schemaSet)
	return out
}
