package cassandra

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/conn"
	"github.com/cqlgo/cassandra/metadata"
	"github.com/cqlgo/cassandra/policy"
)

// controlConn is the one connection that follows the cluster: it discovers
// hosts from system.local and system.peers(_v2), receives the server's
// topology, status and schema events, and moves to another host when its
// own goes away.
type controlConn struct {
	cl  *Cluster
	st  *clusterState
	cfg *settings

	conn     atomic.Pointer[conn.Conn]
	lost     chan struct{} // a send means the current connection closed
	events   chan *frame.Event
	overflow atomic.Bool // events were dropped: do a full refresh

	// Counters and times for the read-only ControlConnection handle.
	host           atomic.Pointer[Host] // the host of the current connection
	topologyEvents atomic.Uint64
	statusEvents   atomic.Uint64
	schemaEvents   atomic.Uint64 // SCHEMA_CHANGE events applied to prepared statements
	connects       atomic.Uint64
	lastRefresh    atomic.Int64 // unix nanoseconds of the last host refresh
	lastSchema     atomic.Int64 // unix nanoseconds of the last schema event
	schema         atomic.Pointer[metadata.Schema]
	peersV1        atomic.Bool // system.peers_v2 failed once: use system.peers from now on

	refreshMu sync.Mutex // serialises host refreshes
	closeOnce sync.Once
	closed    atomic.Bool // set by close before it takes the connection
}

func newControlConn(cl *Cluster) *controlConn {
	return &controlConn{
		cl:     cl,
		st:     &cl.state,
		cfg:    cl.state.s,
		lost:   make(chan struct{}, 1),
		events: make(chan *frame.Event, 1024),
	}
}

// connect walks the load-balancing plan, then every other known host, and
// keeps the first host that accepts a connection, registers for events and
// answers the discovery queries.
func (cc *controlConn) connect(ctx context.Context) error {
	st := cc.st
	var errs []HostError
	tried := map[*Host]bool{}
	plan := cc.cfg.Policies.LoadBalancing.NewQueryPlan(&policy.RoutingInfo{}, st.hosts)
	next := func() *Host {
		for h := plan.Next(); h != nil; h = plan.Next() {
			if !tried[h] {
				return h
			}
		}
		for _, h := range st.hosts.Hosts() { // down hosts last
			// Hosts the policies ignore are never tried, except contact
			// points not yet discovered (their datacenter is unknown).
			if !tried[h] && (h.State() != policy.StateIgnored || h.DC() == "") {
				return h
			}
		}
		return nil
	}
	for h := next(); h != nil; h = next() {
		tried[h] = true
		if err := cc.connectTo(ctx, h); err != nil {
			errs = append(errs, HostError{Host: h.Addr(), Err: err})
			var pv *ProtocolVersionError
			if errors.As(err, &pv) && pv.Explicit {
				return err
			}
			if ctx.Err() != nil {
				break
			}
			continue
		}
		return nil
	}
	return &NoHostAvailableError{Msg: "control connection could not reach any host", Errors: errs}
}

func (cc *controlConn) connectTo(ctx context.Context, h *Host) error {
	st := cc.st
	cn, err := st.dialWith(ctx, h, "", func(cfg *conn.Config) {
		cfg.OnEvent = cc.onEvent
		cfg.OnClose = cc.onClose
	})
	if err != nil {
		return err
	}
	qctx, cancel := context.WithTimeout(ctx, cc.cfg.Timeouts.Control)
	defer cancel()
	reg := &frame.Register{EventTypes: []string{"TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"}}
	if _, err := cn.Exec(qctx, reg, nil, false); err != nil {
		cn.Close()
		return err
	}
	// The connection counts as the control connection before the refresh,
	// so the refresh queries use it.
	if old := cc.conn.Swap(cn); old != nil {
		old.Close()
	}
	if cc.closed.Load() {
		// close ran meanwhile and may have missed cn: nobody else will
		// close it.
		cc.conn.CompareAndSwap(cn, nil)
		cn.Close()
		return ErrClosed
	}
	// Protocol versions below the one first tried are remembered for the
	// whole cluster: every host of a cluster usually speaks the same.
	if cn.Version() < frame.Version(st.version.Load()) {
		st.version.Store(uint32(cn.Version()))
	}
	if err := cc.refreshHosts(qctx); err != nil {
		cc.conn.CompareAndSwap(cn, nil)
		cn.Close()
		return err
	}
	cc.refreshTokens(qctx)
	cc.host.Store(h)
	if err := cc.loadSchema(qctx); err != nil {
		// Requests do not need the schema: report it and go on.
		cc.cfg.Logger.Warn("cassandra: schema metadata not read", "host", h, "err", err)
	}
	cc.cfg.Logger.Debug("cassandra: control connection established", "host", h, "protocol", cn.Version())
	cc.connects.Add(1)
	st.hostUp(h)
	return nil
}

// onEvent queues a server event; it runs on the reader goroutine and never
// blocks. When the queue is full the next run does a full refresh instead.
func (cc *controlConn) onEvent(ev *frame.Event) {
	select {
	case cc.events <- ev:
	default:
		cc.overflow.Store(true)
	}
}

func (cc *controlConn) onClose(cn *conn.Conn, err error) {
	if cc.conn.CompareAndSwap(cn, nil) {
		select {
		case cc.lost <- struct{}{}:
		default:
		}
	}
}

func (cc *controlConn) close() {
	cc.closeOnce.Do(func() {
		cc.closed.Store(true)
		if cn := cc.conn.Swap(nil); cn != nil {
			cn.Close()
		}
	})
}

// version is the protocol version of the control connection.
func (cc *controlConn) version() frame.Version {
	if cn := cc.conn.Load(); cn != nil {
		return cn.Version()
	}
	return frame.Version(cc.st.version.Load())
}

// query runs a CQL query on the control connection, at consistency ONE.
func (cc *controlConn) query(ctx context.Context, cql string) (*frame.RowsResult, error) {
	cn := cc.conn.Load()
	if cn == nil {
		return nil, &ConnError{Op: "control", Err: errors.New("no control connection")}
	}
	return queryOn(ctx, cn, cql)
}

// queryOn runs a CQL query returning rows on one connection, at
// consistency ONE.
func queryOn(ctx context.Context, cn *conn.Conn, cql string) (*frame.RowsResult, error) {
	q := &frame.Query{Query: cql, Params: frame.QueryParams{Consistency: frame.One}}
	f, err := cn.Exec(ctx, q, nil, false)
	if err != nil {
		return nil, err
	}
	m, err := frame.DecodeResult(f.Body, cn.Version())
	if err != nil {
		return nil, &ConnError{Host: cn.Addr(), Op: "decode", Err: err}
	}
	rr, ok := m.(*frame.RowsResult)
	if !ok {
		return nil, fmt.Errorf("cassandra: %q returned %T, not rows", cql, m)
	}
	return rr, nil
}

// run follows events, refreshes periodically and reconnects when the
// connection is lost, until the cluster closes.
func (cc *controlConn) run() {
	st := cc.st
	defer st.wg.Done()
	ev := newEventBatcher(cc.cfg.Events)
	defer ev.stop()
	var tick <-chan time.Time
	if cc.cfg.Events.RefreshInterval > 0 {
		t := time.NewTicker(cc.cfg.Events.RefreshInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-st.bg.Done():
			return
		case <-cc.lost:
			cc.reconnect()
		case e := <-cc.events:
			if cc.overflow.Swap(false) {
				ev.topologyDirty()
				// A dropped event may have been a schema change: every
				// prepared statement asks for fresh metadata.
				cc.applySchema(nil)
			}
			switch e.Type {
			case "SCHEMA_CHANGE":
				// Prepared statements are marked at once, not after the
				// debounce: a read in between would use stale columns.
				cc.applySchema([]frame.SchemaChange{e.Schema})
				cc.lastSchema.Store(time.Now().UnixNano())
				cc.schemaEvents.Add(1)
			case "TOPOLOGY_CHANGE":
				cc.topologyEvents.Add(1)
			case "STATUS_CHANGE":
				cc.statusEvents.Add(1)
			}
			for _, act := range ev.add(e) {
				cc.apply(act)
			}
		case <-ev.topoC():
			cc.apply(ev.flushTopology())
		case <-ev.statusC():
			for _, act := range ev.flushStatus() {
				cc.apply(act)
			}
		case <-ev.schemaC():
			changes := ev.flushSchema()
			for _, ch := range changes {
				cc.withControlTimeout(func(ctx context.Context) { cc.schemaChanged(ctx, ch) })
			}
			if keyspaceChanged(changes) {
				cc.withControlTimeout(cc.refreshTokens)
			}
		case <-tick:
			cc.refresh()
		}
	}
}

// apply carries out one debounced event action.
func (cc *controlConn) apply(a eventAction) {
	st := cc.st
	switch a.kind {
	case actRefresh:
		cc.refresh()
	case actRemove:
		if h := cc.eventHost(a.addr); h != nil {
			if st.hosts.remove(h) {
				st.hostRemoved(h)
			}
		}
	case actUp:
		h := cc.eventHost(a.addr)
		if h == nil {
			cc.refresh() // a host we have not seen: discover it
			return
		}
		st.tryNow(h)
	case actDown:
		if h := cc.eventHost(a.addr); h != nil {
			st.hostDown(h, false)
		}
	}
}

// eventHost finds the host an event names. Events carry the node's native
// address as the cluster knows it, before the address translator, so it is
// translated like the peers' addresses are.
func (cc *controlConn) eventHost(a netip.AddrPort) *Host {
	if tr := cc.cfg.AddressTranslator; tr != nil {
		if h := cc.st.hosts.lookupIP(tr(a).Addr()); h != nil {
			return h
		}
	}
	return cc.st.hosts.lookupIP(a.Addr())
}

// applySchema tells every session of schema changes; nil means unknown
// changes (events were lost), which mark every prepared statement.
func (cc *controlConn) applySchema(changes []frame.SchemaChange) {
	for _, s := range cc.st.sessionsCopy() {
		s.schemaChanged(changes)
	}
}

func (cc *controlConn) refresh() {
	ctx, cancel := context.WithTimeout(cc.st.bg, cc.cfg.Timeouts.Control)
	defer cancel()
	if err := cc.refreshHosts(ctx); err != nil && ctx.Err() == nil {
		cc.cfg.Logger.Warn("cassandra: control connection refresh failed; reconnecting", "err", err)
		if cn := cc.conn.Load(); cn != nil {
			cn.CloseWith(err)
		}
		return
	}
	cc.refreshTokens(ctx)
}

// reconnect finds a new host for the control connection, on the
// reconnection policy's schedule while none answers.
func (cc *controlConn) reconnect() {
	st := cc.st
	sched := cc.cfg.Policies.Reconnection.NewSchedule()
	for {
		ctx, cancel := context.WithTimeout(st.bg, cc.cfg.Timeouts.Connect+cc.cfg.Timeouts.Control)
		err := cc.connect(ctx)
		cancel()
		if err == nil {
			return
		}
		cc.cfg.Logger.Warn("cassandra: control connection down", "err", err)
		d, ok := sched.Next()
		if !ok {
			d = cc.cfg.Timeouts.Connect
		}
		if !st.anyUp() {
			// Nothing to serve requests: try again soon, whatever the
			// outage's length, so the first node back is found within
			// about allDownRetry; names may now resolve elsewhere.
			d = min(d, allDownRetry)
			st.reresolve(st.bg)
		}
		t := time.NewTimer(d)
		select {
		case <-st.bg.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// waitSchemaAgreement polls the schema versions of the hosts that are up
// every 200ms until they agree or the wait ends. It reports whether they
// agreed.
//
// After a schema change, coord is the connection that made it: its node
// has the new schema, so asking it guarantees the hosts agree on the new
// version, whereas another node may not have heard of the change yet and
// find everyone agreeing on the old one. coord nil (or broken) means the
// control connection.
func (cc *controlConn) waitSchemaAgreement(ctx context.Context, coord *conn.Conn) (bool, error) {
	wait := cc.cfg.Timeouts.SchemaAgreement
	if wait < 0 {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		if coord != nil && coord.IsClosed() {
			coord = nil
		}
		ok, err := cc.schemaAgreed(ctx, coord)
		if err == nil && ok {
			return true, nil
		}
		t := time.NewTimer(200 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return false, nil
			}
			return false, ctx.Err()
		case <-t.C:
		}
	}
}

func (cc *controlConn) schemaAgreed(ctx context.Context, coord *conn.Conn) (bool, error) {
	query := cc.query
	if coord != nil {
		query = func(ctx context.Context, cql string) (*frame.RowsResult, error) { return queryOn(ctx, coord, cql) }
	}
	local, err := query(ctx, "SELECT schema_version FROM system.local WHERE key='local'")
	if err != nil {
		return false, err
	}
	table := "system.peers_v2"
	addrCol := "native_address"
	if cc.peersV1.Load() {
		table, addrCol = "system.peers", "rpc_address"
	}
	peers, err := query(ctx, "SELECT peer, "+addrCol+", schema_version FROM "+table)
	if err != nil {
		return false, err
	}
	versions := map[[16]byte]bool{}
	for _, r := range rowsOf(local) {
		if v, ok := r.uuid("schema_version"); ok {
			versions[v] = true
		}
	}
	for _, r := range rowsOf(peers) {
		v, ok := r.uuid("schema_version")
		if !ok {
			continue
		}
		addr, _ := r.inet(addrCol)
		if !addr.IsValid() || addr.IsUnspecified() {
			addr, _ = r.inet("peer")
		}
		if h := cc.st.hosts.lookupIP(addr); h != nil && h.State() == policy.StateDown {
			continue
		}
		versions[v] = true
	}
	return len(versions) == 1, nil
}

// allDownRetry bounds the control connection's wait between attempts while
// no host is up.
const allDownRetry = 500 * time.Millisecond

// withControlTimeout runs f under a context bounded by Timeouts.Control.
func (cc *controlConn) withControlTimeout(f func(context.Context)) {
	ctx, cancel := context.WithTimeout(cc.st.bg, cc.cfg.Timeouts.Control)
	defer cancel()
	f(ctx)
}
