package cassandratest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"

	"github.com/cqlgo/cassandra/frame"
)

// Config describes a simulated node. The zero value is a usable node: it
// listens on 127.0.0.1 on a free port, speaks v3, v4 and v5, offers lz4 and
// snappy, needs no authentication and has no peers.
type Config struct {
	// Addr is the listen address, "127.0.0.1:0" when empty. Linux routes
	// all of 127/8 to the loopback device, so nodes of one test cluster can
	// use 127.0.0.2:0, 127.0.0.3:0 and so on.
	Addr string

	// Versions are the protocol versions accepted, {V3, V4, V5} when empty.
	// A frame of any other version is answered with a PROTOCOL_ERROR in the
	// highest accepted version, and the connection is then half-closed, as
	// Cassandra does during version negotiation.
	Versions []frame.Version

	// Compression lists the algorithms offered in SUPPORTED and accepted in
	// STARTUP, {"lz4", "snappy"} when nil. An empty non-nil slice offers
	// none.
	Compression []string

	// Authenticator, when set, makes STARTUP answer AUTHENTICATE with this
	// class name; the node then expects an AUTH_RESPONSE with the PLAIN
	// token "\x00Username\x00Password" and answers BAD_CREDENTIALS to any
	// other.
	Authenticator      string
	Username, Password string

	// Identity served in system.local. Zero values get defaults: a random
	// HostID, "cassandratest" cluster, "datacenter1", "rack1", release "5.0.2",
	// the Murmur3 partitioner, token "0" and DefaultSchemaVersion.
	HostID         [16]byte
	ClusterName    string
	DC, Rack       string
	ReleaseVersion string
	Partitioner    string
	Tokens         []string
	SchemaVersion  [16]byte

	// Peers are the rows of system.peers_v2 and system.peers.
	Peers []PeerInfo

	// NoPeersV2 makes queries of system.peers_v2 fail with INVALID
	// "unconfigured table peers_v2", as servers before 4.0 answer.
	NoPeersV2 bool

	// Handler, when set, reacts to the QUERY, EXECUTE and BATCH requests
	// that neither a rule nor the built-in system tables handle. A nil
	// reaction means VOID, as when Handler is nil.
	Handler func(*Request) Reaction
}

// PeerInfo is one row of system.peers_v2 / system.peers.
type PeerInfo struct {
	// Addr is the native transport address: native_address and
	// native_port in peers_v2, rpc_address in peers.
	Addr netip.AddrPort
	// Peer is the internode address, Addr's address when invalid.
	Peer netip.Addr
	// PeerPort is the internode port, 7000 when zero.
	PeerPort       int
	HostID         [16]byte
	DC, Rack       string // "datacenter1" and "rack1" when empty
	ReleaseVersion string // the node's release when empty
	// SchemaVersion is the peer's schema version, the node's when zero.
	SchemaVersion [16]byte
	Tokens        []string
}

// DefaultSchemaVersion is the schema version of nodes whose Config leaves it
// zero, so that nodes started without one agree.
var DefaultSchemaVersion = [16]byte{0x5c, 0x4e, 0x6d, 0xe0, 0x1a, 0x2b, 0x3c, 0x4d, 0x8e, 0x5f, 0x60, 0x71, 0x82, 0x93, 0xa4, 0xb5}

// ErrClosed is returned by Restart on a closed node.
var ErrClosed = errors.New("cassandratest: node closed")

// Node is a fake Cassandra node listening on a loopback address. All its
// methods are safe for concurrent use.
type Node struct {
	cfg      Config
	versions []frame.Version // accepted, ascending

	mu       sync.Mutex
	ln       net.Listener // nil while stopped
	addr     netip.AddrPort
	closed   bool
	conns    map[*conn]struct{}
	nextConn int
	rules    []ruleEntry // copied on write: record iterates a snapshot
	lastRule RuleID
	refuse   bool // RefuseConnections
	refused  int
	prepared map[string]*prepared // by string(id)
	requests []Request
	lastSeq  int
	peers    []PeerInfo
	schema   [16]byte

	life sync.Mutex     // serializes Stop, Restart and Close
	wg   sync.WaitGroup // accept loops, connection readers, request goroutines
}

// Start starts a node listening on cfg.Addr.
func Start(cfg Config) (*Node, error) {
	n := &Node{
		conns:    map[*conn]struct{}{},
		prepared: map[string]*prepared{},
	}
	n.setConfig(cfg)
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cassandratest: %w", err)
	}
	n.addr = netip.MustParseAddrPort(ln.Addr().String())
	n.serve(ln)
	return n, nil
}

func (n *Node) setConfig(cfg Config) {
	if cfg.Versions == nil {
		cfg.Versions = []frame.Version{frame.V3, frame.V4, frame.V5}
	}
	n.versions = slices.Clone(cfg.Versions)
	slices.Sort(n.versions)
	if cfg.Compression == nil {
		cfg.Compression = []string{"lz4", "snappy"}
	}
	if cfg.HostID == ([16]byte{}) {
		cfg.HostID = RandomUUID()
	}
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&cfg.ClusterName, "cassandratest")
	def(&cfg.DC, "datacenter1")
	def(&cfg.Rack, "rack1")
	def(&cfg.ReleaseVersion, "5.0.2")
	def(&cfg.Partitioner, "org.apache.cassandra.dht.Murmur3Partitioner")
	if cfg.Tokens == nil {
		cfg.Tokens = []string{"0"}
	}
	if cfg.SchemaVersion == ([16]byte{}) {
		cfg.SchemaVersion = DefaultSchemaVersion
	}
	n.schema = cfg.SchemaVersion
	n.peers = slices.Clone(cfg.Peers)
	n.cfg = cfg
}

// RandomUUID returns a random (version 4) UUID.
func RandomUUID() [16]byte {
	var u [16]byte
	_, _ = rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

func (n *Node) serve(ln net.Listener) {
	n.ln = ln
	n.wg.Add(1)
	go n.accept(ln)
}

func (n *Node) accept(ln net.Listener) {
	defer n.wg.Done()
	for {
		nc, err := ln.Accept()
		if err != nil {
			return // closed by Stop or Close
		}
		n.mu.Lock()
		if n.ln != ln {
			n.mu.Unlock()
			nc.Close()
			return
		}
		if n.refuse {
			n.refused++
			n.mu.Unlock()
			nc.Close()
			continue
		}
		n.nextConn++
		c := newConn(n, nc, n.nextConn)
		n.conns[c] = struct{}{}
		n.wg.Add(1)
		n.mu.Unlock()
		go c.serve()
	}
}

// Addr returns the address the node listens on.
func (n *Node) Addr() netip.AddrPort { return n.addr }

// HostID returns the node's host id, as served in system.local.
func (n *Node) HostID() [16]byte { return n.cfg.HostID }

// PeerInfo describes this node as a row of another node's peers tables.
func (n *Node) PeerInfo() PeerInfo {
	n.mu.Lock()
	defer n.mu.Unlock()
	return PeerInfo{
		Addr:           n.addr,
		HostID:         n.cfg.HostID,
		DC:             n.cfg.DC,
		Rack:           n.cfg.Rack,
		ReleaseVersion: n.cfg.ReleaseVersion,
		SchemaVersion:  n.schema,
		Tokens:         slices.Clone(n.cfg.Tokens),
	}
}

// Stop stops accepting connections and drops every open one, as a node
// that went down does. Restart brings it back on the same address.
func (n *Node) Stop() {
	n.life.Lock()
	defer n.life.Unlock()
	n.stop()
}

func (n *Node) stop() {
	n.mu.Lock()
	ln := n.ln
	n.ln = nil
	conns := make([]*conn, 0, len(n.conns))
	for c := range n.conns {
		conns = append(conns, c)
	}
	n.mu.Unlock()
	if ln != nil {
		ln.Close()
	}
	for _, c := range conns {
		c.close()
	}
	n.wg.Wait()
}

// Restart listens again on the node's address after Stop. Rules, prepared
// statements and the request log survive; use ForgetPrepared to simulate a
// restart that lost the prepared statement cache. Restarting a running node
// does nothing.
func (n *Node) Restart() error {
	n.life.Lock()
	defer n.life.Unlock()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return ErrClosed
	}
	if n.ln != nil {
		return nil
	}
	ln, err := net.Listen("tcp", n.addr.String())
	if err != nil {
		return fmt.Errorf("cassandratest: restart: %w", err)
	}
	n.serve(ln)
	return nil
}

// Close stops the node for good: it closes the listener and every
// connection, releases hung and delayed requests, and returns once every
// goroutine of the node has ended.
func (n *Node) Close() error {
	n.life.Lock()
	defer n.life.Unlock()
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	n.stop()
	return nil
}

// Conns returns the number of open connections.
func (n *Node) Conns() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.conns)
}

// DropConns closes every open connection without answering pending
// requests, while the node keeps accepting new ones.
func (n *Node) DropConns() {
	n.mu.Lock()
	conns := make([]*conn, 0, len(n.conns))
	for c := range n.conns {
		conns = append(conns, c)
	}
	n.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

func (n *Node) removeConn(c *conn) {
	n.mu.Lock()
	delete(n.conns, c)
	n.mu.Unlock()
}

// SendEvent sends ev on stream -1 to every ready connection that
// REGISTERed for ev.Type. It returns the number of connections written to.
func (n *Node) SendEvent(ev *frame.Event) int {
	n.mu.Lock()
	conns := make([]*conn, 0, len(n.conns))
	for c := range n.conns {
		conns = append(conns, c)
	}
	n.mu.Unlock()
	sent := 0
	for _, c := range conns {
		if c.registered(ev.Type) && c.send(-1, ev) == nil {
			sent++
		}
	}
	return sent
}

// RefuseConnections makes the node close every new connection as soon as
// it is accepted, before the handshake, as a node whose native transport
// is overloaded or shutting down does (refuse true), or accept them again
// (false). Open connections are left alone; DropConns closes them.
func (n *Node) RefuseConnections(refuse bool) {
	n.mu.Lock()
	n.refuse = refuse
	n.mu.Unlock()
}

// Refused returns how many connections RefuseConnections closed so far.
func (n *Node) Refused() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.refused
}

// ruleEntry is a rule with its id.
type ruleEntry struct {
	id RuleID
	Rule
}

// AddRule appends a rule. Rules are tried in the order added and the first
// whose Match accepts a request decides the reaction; requests no rule
// takes get the built-in behaviour. Rules may be added, removed and
// cleared while requests are being answered: a request sees the rules as
// they were when it arrived.
func (n *Node) AddRule(r Rule) { n.AddRuleID(r) }

// AddRuleID appends a rule as AddRule does and returns its id, for
// RemoveRule.
func (n *Node) AddRuleID(r Rule) RuleID {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.lastRule++
	// A new array, so that a request iterating the old one is not raced.
	n.rules = append(slices.Clip(n.rules), ruleEntry{n.lastRule, r})
	return n.lastRule
}

// RemoveRule removes the rule id and reports whether it was there.
func (n *Node) RemoveRule(id RuleID) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	i := slices.IndexFunc(n.rules, func(e ruleEntry) bool { return e.id == id })
	if i < 0 {
		return false
	}
	n.rules = slices.Concat(n.rules[:i], n.rules[i+1:])
	return true
}

// ClearRules removes every rule.
func (n *Node) ClearRules() {
	n.mu.Lock()
	n.rules = nil
	n.mu.Unlock()
}

// ForgetPrepared drops every prepared statement, so EXECUTEs get
// UNPREPARED until their statement is prepared again.
func (n *Node) ForgetPrepared() {
	n.mu.Lock()
	clear(n.prepared)
	n.mu.Unlock()
}

// SetPeers replaces the rows of the peers tables.
func (n *Node) SetPeers(peers []PeerInfo) {
	n.mu.Lock()
	n.peers = slices.Clone(peers)
	n.mu.Unlock()
}

// SetSchemaVersion changes the schema version served in system.local (and
// in the peers rows that leave theirs zero).
func (n *Node) SetSchemaVersion(v [16]byte) {
	n.mu.Lock()
	n.schema = v
	n.mu.Unlock()
}

// Requests returns a copy of every request received so far, in arrival
// order.
func (n *Node) Requests() []Request {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.requests)
}

// Count returns how many requests received so far m accepts; a nil m
// counts them all.
func (n *Node) Count(m Matcher) int {
	reqs := n.Requests()
	k := 0
	for i := range reqs {
		if m == nil || m(&reqs[i]) {
			k++
		}
	}
	return k
}

// Counts returns how many requests of each opcode the node received so
// far (since ResetRequests), handshake included.
func (n *Node) Counts() map[frame.Opcode]int {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := map[frame.Opcode]int{}
	for i := range n.requests {
		out[n.requests[i].Opcode]++
	}
	return out
}

// ResetRequests forgets the requests received so far; Request.Seq keeps
// counting.
func (n *Node) ResetRequests() {
	n.mu.Lock()
	n.requests = nil
	n.mu.Unlock()
}

// log numbers req and appends it to the request log.
func (n *Node) log(req *Request) {
	n.mu.Lock()
	n.lastSeq++
	req.Seq, req.n = n.lastSeq, n
	n.requests = append(n.requests, *req)
	n.mu.Unlock()
}

// record logs req and returns the reaction of the first rule that takes it
// (nil: built-in behaviour).
func (n *Node) record(req *Request) Reaction {
	n.log(req)
	n.mu.Lock()
	rules := n.rules
	n.mu.Unlock()
	for _, r := range rules {
		r := r.Rule
		if r.Match != nil && !r.Match(req) {
			continue
		}
		if l, ok := r.Then.(limited); ok && !l.take() {
			continue
		}
		if r.Then == nil {
			return Builtin()
		}
		return r.Then
	}
	return nil
}

// prepared is a statement prepared on the node.
type prepared struct {
	query  string
	params frame.PreparedMetadata
	result frame.RowsMetadata
}

func (n *Node) lookup(id []byte) *prepared {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.prepared[string(id)]
}
