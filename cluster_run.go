package cassandra

import (
	"context"
	"errors"
	"time"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/conn"
	"github.com/cqlgo/cassandra/policy"
)

// Connect connects to the cluster and returns a new Session. The first call
// resolves the contact points, opens the control connection and discovers
// the cluster's hosts; later calls reuse them. Each call returns a new
// Session with its own connection pools and keyspace.
func (c *Cluster) Connect(ctx context.Context) (*Session, error) {
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	if err := c.checkPendingUserTypes(ctx); err != nil {
		return nil, err
	}
	st := &c.state
	s := newSession(c, st.s.Keyspace)
	st.mu.Lock()
	if st.closed {
		st.mu.Unlock()
		return nil, ErrClosed
	}
	st.sessions[s] = struct{}{}
	st.mu.Unlock()
	if err := s.connect(ctx); err != nil {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), st.s.Timeouts.Connect)
		s.Close(cctx)
		cancel()
		return nil, err
	}
	return s, nil
}

// start runs the one-time setup under the lock. A failed start may be
// retried by a later Connect.
func (c *Cluster) start(ctx context.Context) error {
	st := &c.state
	st.startMu.Lock()
	defer st.startMu.Unlock()
	st.mu.Lock()
	closed, started := st.closed, st.started
	st.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if started {
		return nil
	}
	s, err := c.settings(ctx)
	if err != nil {
		return err
	}
	st.mu.Lock()
	st.s = s
	st.profiles = &c.Profiles
	st.hosts = newHostRegistry()
	st.sessions = map[*Session]struct{}{}
	st.reconnectors = map[*Host]*reconnector{}
	st.flaps = map[*Host]*flap{}
	st.bg, st.cancel = context.WithCancel(context.Background())
	st.mu.Unlock()
	st.version.Store(uint32(frame.V5))
	if s.ProtocolVersion != 0 {
		st.version.Store(uint32(s.ProtocolVersion))
	}
	for _, a := range s.hosts {
		st.hosts.add(policy.NewHost(HostInfo{Addr: a}))
	}
	st.ctrl = newControlConn(c)
	if err := st.ctrl.connect(ctx); err != nil {
		st.cancel()
		st.ctrl.close()
		st.wg.Wait()
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed { // Close ran while we connected
		st.cancel()
		st.ctrl.close()
		return ErrClosed
	}
	st.started = true
	st.wg.Add(1)
	go st.ctrl.run()
	c.Profiles.setAdded(st.profileAdded)
	return nil
}

// Close closes every session, the control connection and all background
// work. It is idempotent; later calls of other methods fail with ErrClosed.
// ctx bounds the wait for goroutines to exit.
func (c *Cluster) Close(ctx context.Context) error {
	st := &c.state
	st.mu.Lock()
	if st.closed {
		st.mu.Unlock()
		return nil
	}
	st.closed = true
	started := st.started
	sessions := make([]*Session, 0, len(st.sessions))
	for s := range st.sessions {
		sessions = append(sessions, s)
	}
	st.mu.Unlock()
	if !started {
		return nil
	}
	// Sessions close gracefully (their requests in flight may finish until
	// ctx ends) before the cluster's background work is cancelled.
	var errs []error
	for _, s := range sessions {
		if err := s.Close(ctx); err != nil {
			errs = append(errs, err)
			break // ctx is over: the rest are cancelled all the same
		}
	}
	st.cancel()
	st.ctrl.close()
	done := make(chan struct{})
	go func() { st.wg.Wait(); close(done) }()
	if len(errs) > 0 {
		return errs[0]
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Hosts returns a snapshot of the known hosts.
func (c *Cluster) Hosts() []*Host {
	st := &c.state
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.hosts == nil {
		return nil
	}
	return append([]*Host(nil), st.hosts.Hosts()...)
}

// AddHostListener registers l for host events from now on.
func (c *Cluster) AddHostListener(l HostListener) {
	st := &c.state
	st.mu.Lock()
	defer st.mu.Unlock()
	st.listeners = append(st.listeners, l)
}

func (st *clusterState) listenersCopy() []HostListener {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]HostListener(nil), st.listeners...)
}

func (st *clusterState) sessionsCopy() []*Session {
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make([]*Session, 0, len(st.sessions))
	for s := range st.sessions {
		out = append(out, s)
	}
	return out
}

func (st *clusterState) isClosed() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.closed
}

// dial opens a connection to h, negotiating the protocol version: it starts
// at the version this host last accepted (or the cluster's) and steps down
// when the server refuses, unless the version was configured.
func (st *clusterState) dial(ctx context.Context, h *Host, keyspace string) (*conn.Conn, error) {
	return st.dialWith(ctx, h, keyspace, nil)
}

// dialWith is dial with a hook that adjusts each attempt's configuration.
func (st *clusterState) dialWith(ctx context.Context, h *Host, keyspace string, adjust func(*conn.Config)) (*conn.Conn, error) {
	addr := h.Addr()
	v := frame.Version(st.version.Load())
	if hv, ok := st.hostVersions.Load(addr); ok && hv.(frame.Version) < v {
		v = hv.(frame.Version)
	}
	for {
		cfg := st.s.connConfig(v, keyspace)
		if adjust != nil {
			adjust(cfg)
		}
		cn, err := conn.Dial(ctx, addr, cfg)
		var pv *ProtocolVersionError
		if errors.As(err, &pv) && st.s.ProtocolVersion == 0 && v > frame.V3 {
			st.s.Logger.Debug("cassandra: protocol version refused; trying lower", "host", addr, "version", v, "server", pv.ServerMsg)
			v--
			continue
		}
		if err == nil {
			st.hostVersions.Store(addr, v)
		}
		return cn, err
	}
}

// ---- host state changes ----

// distance is how the driver treats h: the nearest any load-balancing
// policy gives it, the cluster's or a profile's, so that a profile aimed at
// another datacenter finds pools there.
func (st *clusterState) distance(h *Host) policy.Distance {
	d := st.s.Policies.LoadBalancing.Distance(h)
	for _, lb := range st.profiles.balancers() {
		d = min(d, lb.Distance(h))
	}
	return d
}

// profileAdded gives pools to the hosts a profile added while the cluster
// runs makes local or remote.
func (st *clusterState) profileAdded(p ExecutionProfile) {
	for _, h := range st.hosts.Hosts() {
		if h.State() == policy.StateIgnored && p.LoadBalancing.Distance(h) != policy.DistanceIgnored {
			setHostState(h, policy.StateUnknown)
			st.hostAdded(h)
		}
	}
}

// hostAdded handles a host discovered by the control connection.
func (st *clusterState) hostAdded(h *Host) {
	if st.distance(h) == policy.DistanceIgnored {
		setHostState(h, policy.StateIgnored)
	}
	st.s.Logger.Info("cassandra: host added", "host", h)
	st.notify(func(l HostListener) { l.OnAdd(h) })
	for _, s := range st.sessionsCopy() {
		s.hostAdded(h)
	}
}

// hostRemoved handles a host that left the cluster.
func (st *clusterState) hostRemoved(h *Host) {
	st.stateMu.Lock()
	setHostState(h, policy.StateDown)
	st.notifyLocked(func(l HostListener) { l.OnRemove(h) })
	st.stateMu.Unlock()
	st.stopReconnector(h)
	st.s.Logger.Info("cassandra: host removed", "host", h)
	for _, s := range st.sessionsCopy() {
		s.hostRemoved(h)
	}
}

// hostUp marks h up and tells sessions to fill their pools.
func (st *clusterState) hostUp(h *Host) {
	if h.State() == policy.StateIgnored {
		return
	}
	// The state change and its notice are one step, so listeners see the
	// changes of a host in the order they happened.
	st.stateMu.Lock()
	prev := setHostState(h, policy.StateUp)
	if prev != policy.StateUp {
		st.notifyLocked(func(l HostListener) { l.OnUp(h) })
	}
	st.stateMu.Unlock()
	st.stopReconnector(h)
	if prev == policy.StateUp {
		return
	}
	st.s.Logger.Info("cassandra: host up", "host", h)
	for _, s := range st.sessionsCopy() {
		s.hostUp(h)
	}
}

// hostDown marks h down unless some session still has a working
// connection to it (force skips that check, for hosts the server reports
// gone), and starts its reconnection schedule.
func (st *clusterState) hostDown(h *Host, force bool) {
	if h.State() == policy.StateIgnored || st.isClosed() {
		return
	}
	if !force {
		for _, s := range st.sessionsCopy() {
			if s.hasLiveConn(h) {
				return
			}
		}
	}
	st.stateMu.Lock()
	prev := setHostState(h, policy.StateDown)
	if prev != policy.StateDown {
		st.notifyLocked(func(l HostListener) { l.OnDown(h) })
	}
	st.stateMu.Unlock()
	st.startReconnector(h)
	if prev == policy.StateDown {
		return
	}
	st.s.Logger.Info("cassandra: host down", "host", h)
	for _, s := range st.sessionsCopy() {
		s.hostDown(h)
	}
}

// reconnector tries a down host on the reconnection policy's schedule.
type reconnector struct {
	kick   chan struct{}
	cancel context.CancelFunc
}

func (st *clusterState) startReconnector(h *Host) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed || st.reconnectors[h] != nil {
		return
	}
	ctx, cancel := context.WithCancel(st.bg)
	r := &reconnector{kick: make(chan struct{}, 1), cancel: cancel}
	st.reconnectors[h] = r
	st.wg.Add(1)
	go st.reconnect(ctx, h, r)
}

func (st *clusterState) stopReconnector(h *Host) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if r := st.reconnectors[h]; r != nil {
		r.cancel()
		delete(st.reconnectors, h)
	}
}

// tryNow makes h's reconnector attempt at once (an UP event arrived); a
// host with no reconnector and not up gets one.
func (st *clusterState) tryNow(h *Host) {
	st.mu.Lock()
	r := st.reconnectors[h]
	st.mu.Unlock()
	if r == nil {
		if h.IsUp() || h.State() == policy.StateIgnored {
			return
		}
		st.startReconnector(h)
		st.mu.Lock()
		r = st.reconnectors[h]
		st.mu.Unlock()
		if r == nil {
			return
		}
	}
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

func (st *clusterState) reconnect(ctx context.Context, h *Host, r *reconnector) {
	defer st.wg.Done()
	defer func() {
		st.mu.Lock()
		if st.reconnectors[h] == r {
			delete(st.reconnectors, h)
		}
		st.mu.Unlock()
	}()
	sched := st.scheduleFor(h)
	for {
		d, ok := sched.Next()
		if !ok {
			st.s.Logger.Warn("cassandra: reconnection schedule exhausted; waiting for an UP event", "host", h)
			return
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-r.kick:
			t.Stop()
		}
		dctx, cancel := context.WithTimeout(ctx, st.s.Timeouts.Connect)
		cn, err := st.dial(dctx, h, "")
		cancel()
		if err != nil {
			st.s.Logger.Debug("cassandra: reconnection failed", "host", h, "err", err)
			var ae *AuthError
			var bc *BadCredentialsError
			if errors.As(err, &ae) || errors.As(err, &bc) {
				st.s.Logger.Error("cassandra: reconnection stopped: authentication failed", "host", h, "err", err)
				return
			}
			continue
		}
		cn.Close()
		if ctx.Err() != nil {
			return
		}
		// Let hostUp see no reconnector so it does not cancel us mid-way.
		st.mu.Lock()
		if st.reconnectors[h] == r {
			delete(st.reconnectors, h)
		}
		st.mu.Unlock()
		st.hostUp(h)
		return
	}
}

// hostMoved handles a host whose address changed: sessions close the pool
// to the old address and open one to the new.
func (st *clusterState) hostMoved(h *Host) {
	for _, s := range st.sessionsCopy() {
		s.hostRemoved(h)
		s.hostAdded(h)
	}
}

// flap is the reconnection schedule of a host whose connections die right
// after they open: it goes on across the ups and downs, so the dials slow
// down as the schedule says instead of starting over at its first delay.
type flap struct {
	sched policy.Schedule
	last  time.Time
}

// flapForget is how long after its last young death a host starts a fresh
// schedule again.
const flapForget = time.Minute

// hostFlapped records that a connection to h died young.
func (st *clusterState) hostFlapped(h *Host) {
	st.mu.Lock()
	defer st.mu.Unlock()
	f := st.flaps[h]
	if f == nil || time.Since(f.last) > flapForget {
		f = &flap{sched: st.s.Policies.Reconnection.NewSchedule()}
		st.flaps[h] = f
	}
	f.last = time.Now()
}

// scheduleFor returns the reconnection schedule for h: the one a flapping
// host is on, or a new one.
func (st *clusterState) scheduleFor(h *Host) policy.Schedule {
	st.mu.Lock()
	defer st.mu.Unlock()
	if f := st.flaps[h]; f != nil && time.Since(f.last) <= flapForget {
		return f.sched
	}
	delete(st.flaps, h)
	return st.s.Policies.Reconnection.NewSchedule()
}

// anyUp reports whether some host is up.
func (st *clusterState) anyUp() bool {
	for _, h := range st.hosts.Hosts() {
		if h.IsUp() {
			return true
		}
	}
	return false
}

// reresolve resolves the contact points again and adds the addresses not
// known yet as hosts, for the control connection to try: a service name
// may point at new nodes after an outage. Failures are ignored (the known
// hosts are still tried).
func (st *clusterState) reresolve(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, st.s.Timeouts.Connect)
	defer cancel()
	addrs, err := resolveContactPoints(ctx, st.s.ContactPoints, st.s.Port)
	if err != nil {
		return
	}
	for _, a := range addrs {
		if st.hosts.byAddress(a) == nil {
			st.hosts.add(policy.NewHost(HostInfo{Addr: a}))
		}
	}
}

// notify queues a listener notice. Notices are delivered by one goroutine
// at a time, in the order they were queued, so a listener never sees two
// at once nor OnDown before the OnUp that preceded it.
func (st *clusterState) notify(f func(HostListener)) {
	st.stateMu.Lock()
	st.notifyLocked(f)
	st.stateMu.Unlock()
}

func (st *clusterState) notifyLocked(f func(HostListener)) {
	if len(st.listenersCopy()) == 0 {
		return
	}
	st.notices = append(st.notices, f)
	if st.delivering {
		return
	}
	st.delivering = true
	st.mu.Lock()
	closed := st.closed
	if !closed {
		st.wg.Add(1)
	}
	st.mu.Unlock()
	if closed {
		st.notices, st.delivering = nil, false
		return
	}
	go st.deliver()
}

// deliver runs the queued notices until none is left.
func (st *clusterState) deliver() {
	defer st.wg.Done()
	for {
		st.stateMu.Lock()
		if len(st.notices) == 0 {
			st.delivering = false
			st.stateMu.Unlock()
			return
		}
		f := st.notices[0]
		st.notices = st.notices[1:]
		st.stateMu.Unlock()
		for _, l := range st.listenersCopy() {
			f(l)
		}
	}
}
