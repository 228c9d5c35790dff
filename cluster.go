package cassandra

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/internal/conn"
	"github.com/cqlgo/cassandra/metadata"
	"github.com/cqlgo/cassandra/policy"
)

// Version is the driver's version, sent to servers in STARTUP.
const Version = "0.1.0"

// DefaultPort is the CQL native transport port.
const DefaultPort = 9042

// Authenticator answers a server's authentication challenge for each new
// connection (see PasswordAuthenticator).
type Authenticator = conn.Authenticator

// AuthSession carries one connection's SASL exchange past its first token.
type AuthSession = conn.AuthSession

// PasswordAuthenticator logs in with a user name and password
// (PasswordAuthenticator and the DSE/Astra equivalents).
type PasswordAuthenticator = conn.PasswordAuthenticator

// DefaultAllowedAuthenticators returns the server authenticator classes a
// PasswordAuthenticator answers when its AllowedAuthenticators is empty.
func DefaultAllowedAuthenticators() []string { return conn.DefaultAllowedAuthenticators() }

// Dialer opens network connections; *net.Dialer is one.
type Dialer = conn.Dialer

// Compression selects the algorithm for frame bodies (v3, v4) or segments
// (v5, LZ4 only).
type Compression = conn.Compression

// Compression algorithms.
const (
	NoCompression = conn.NoCompression
	LZ4           = conn.LZ4
	Snappy        = conn.Snappy
)

// Cluster is the configuration of a connection to a Cassandra cluster and,
// once connected, the owner of the control connection, the view of the
// cluster's hosts, and the sessions made by Connect. Set the fields before
// the first Connect; later changes are ignored. Zero values mean the
// documented defaults.
type Cluster struct {
	// ContactPoints are the hosts tried first: "host" or "host:port"
	// ("[::1]:9042" for IPv6). A name resolves to every address it has; the
	// rest of the cluster is discovered from them. Default: 127.0.0.1.
	ContactPoints []string
	// Port is used for contact points without one and for discovered peers
	// that do not announce theirs. Default: 9042.
	Port int
	// Keyspace is the keyspace of new sessions' connections (USE).
	Keyspace string
	// ProtocolVersion forces a protocol version (3, 4 or 5). 0 negotiates:
	// the driver starts at 5 and steps down when a server refuses.
	ProtocolVersion int
	// Compression of frames. Default: none.
	Compression Compression
	// Auth answers servers that require authentication.
	Auth Authenticator
	// TLS enables TLS with this configuration. Unless InsecureSkipVerify is
	// set, the server certificate is verified against ServerName, or the
	// host's IP address when ServerName is empty.
	TLS *tls.Config
	// Dialer opens TCP connections. Default: a net.Dialer with keep-alive.
	Dialer Dialer
	// AddressTranslator maps the address a node announces to the address
	// the driver connects to (NAT, port forwarding). Default: identity.
	AddressTranslator func(netip.AddrPort) netip.AddrPort
	// Consistency of statements that do not set one. Default (the zero
	// Consistency, which means "not set"): LocalOne. Any can be chosen.
	Consistency Consistency
	// SerialConsistency of conditional statements that do not set one.
	// Default: none sent (the server uses SERIAL).
	SerialConsistency Consistency
	// PageSize of statements that do not set one. Default: 5000.
	PageSize int

	// ServerTimestamps leaves write timestamps to the coordinator. By
	// default the driver sends a client-side timestamp from a monotonic
	// generator with every statement, so a client's writes apply in the
	// order it made them.
	ServerTimestamps bool
	// PrepareOnAllHosts prepares statements on every host that is up, not
	// only the one that answered first, so the first execution on another
	// host needs no re-prepare.
	PrepareOnAllHosts bool

	Timeouts Timeouts
	Pool     PoolConfig
	Policies Policies
	Events   EventConfig
	// Profiles are named execution profiles, chosen per statement with
	// Profile(name).
	Profiles ProfileManager

	// Schema tunes the schema metadata (Metadata). Default: every keyspace.
	Schema SchemaConfig
	// Identity names the application to the servers (STARTUP options,
	// visible in system_views.clients on Cassandra 4.0+). Default: none.
	Identity Identity

	// RequestIDs, when set, sends a unique id with every attempt in its
	// custom payload (key RequestIDKey, v4+), the AttemptEvent.ID that
	// observers, logs and spans see, so a server-side trace or log can be
	// matched to the client's attempt. Default: off.
	RequestIDs bool
	// SlowRequest, when positive, logs (Warn) every request that took at
	// least this long, with its CQL text (never the bound values), the
	// hosts tried and the latency. Default: off.
	SlowRequest time.Duration

	// Observer is told about every request and attempt. Default: none.
	Observer RequestObserver

	// Logger receives the driver's own events: connections opened and
	// closed, hosts up and down, re-prepares. Default: slog.Default().
	Logger *slog.Logger

	state     clusterState
	userTypes userTypeRegistry // RegisterUserType (usertypes.go)
}

// Timeouts bound the driver's waits. A context passed to a call bounds it
// further.
type Timeouts struct {
	// Connect bounds dialing, TLS and the protocol handshake of one
	// connection. Default: 5s.
	Connect time.Duration
	// Request bounds a request that has no earlier context deadline,
	// retries included. Default: 10s; negative: no bound but the context.
	Request time.Duration
	// Attempt bounds one attempt of an idempotent statement on one host,
	// within the request's bound: an attempt with no answer by then is
	// judged by the retry policy (it moves to the next host), its stream
	// stays counted as orphaned until an answer comes, and the connection
	// is probed at once, so a host that stopped answering is found in
	// about ProbeTimeout rather than at the next heartbeat. A
	// non-idempotent statement cannot be retried once sent, so cutting its
	// attempt short would only lose the answer: it gets the whole request
	// bound, unless the statement sets AttemptTimeout. Default: 2s
	// (Cassandra's own write timeout); negative: the whole request bound.
	Attempt time.Duration
	// ProbeTimeout bounds the OPTIONS a connection sends after an attempt
	// on it timed out; with no answer the connection is closed and, when
	// it was the host's last, the host is marked down. Default: 1s.
	ProbeTimeout time.Duration
	// Control bounds each query of the control connection. Default: 5s.
	Control time.Duration
	// SchemaAgreement bounds the wait for all hosts to agree on the schema
	// after a schema change. Default: 10s; negative: do not wait.
	SchemaAgreement time.Duration
	// Heartbeat is the idle time after which a connection sends OPTIONS to
	// prove it is alive. Default: 30s; negative: no heartbeats.
	Heartbeat time.Duration
	// HeartbeatTimeout bounds the answer to a heartbeat; a connection that
	// misses it is closed. Default: 10s.
	HeartbeatTimeout time.Duration
}

// PoolConfig sizes the per-host connection pools.
type PoolConfig struct {
	// ConnectionsPerHost is the number of connections to each local host.
	// Default: 1 (one connection multiplexes 32768 requests); raise it for
	// many requests in flight.
	ConnectionsPerHost int
	// RemoteConnectionsPerHost is the number of connections to each remote
	// host (one the policies use only as a fallback). Default: 1.
	RemoteConnectionsPerHost int
	// MaxRequestsPerConnection caps the requests in flight on one
	// connection. Default and maximum: 32768.
	MaxRequestsPerConnection int
	// MaxOrphanedRequests is how many timed-out requests whose answers never
	// came a connection tolerates before it is replaced. Default: 1024.
	MaxOrphanedRequests int
	// MaxFrameLength bounds the body of a received frame. Default: 256 MiB.
	MaxFrameLength int
}

// Policies are the pluggable decisions.
type Policies struct {
	// LoadBalancing chooses the hosts each request tries. Default:
	// policy.TokenAware(policy.RoundRobin()): the partition's replicas
	// first (when the request's routing key and keyspace are known), then
	// every host in rotation.
	LoadBalancing policy.LoadBalancingPolicy
	// Reconnection schedules reconnection to hosts that went down.
	// Default: policy.Exponential(time.Second, 10*time.Minute).
	Reconnection policy.ReconnectionPolicy
	// Retry judges failed attempts. Default: policy.DefaultRetry().
	Retry policy.RetryPolicy
	// SpeculativeExecution starts extra attempts of idempotent statements
	// on the next hosts of the plan when the first is slow; the first
	// answer wins and the others are cancelled. Default:
	// policy.NoSpeculativeExecution().
	SpeculativeExecution policy.SpeculativeExecutionPolicy
	// Throttler bounds the requests the session runs at once (or per
	// second); a request it refuses fails with a *policy.ThrottledError
	// before anything is sent. Default: policy.NoThrottle().
	Throttler policy.Throttler
}

// EventConfig tunes how the control connection follows the cluster.
type EventConfig struct {
	// TopologyWindow, StatusWindow and SchemaWindow debounce server events
	// of each kind: the first event of a burst waits this long for others,
	// and duplicates are merged. Defaults: 1s, 1s, 1s; negative disables the
	// refreshes those events trigger (status events then only mark hosts
	// down or up directly).
	TopologyWindow, StatusWindow, SchemaWindow time.Duration
	// RefreshInterval is the period of a full refresh of the hosts, which
	// heals missed events. Default: 60s; negative: never.
	RefreshInterval time.Duration
}

// NewCluster returns a configuration with hosts as contact points and every
// other field at its default.
func NewCluster(hosts ...string) *Cluster {
	return &Cluster{ContactPoints: hosts}
}

// settings is the cluster's configuration with defaults applied, copied at
// the first Connect so later changes to the Cluster do not race.
type settings struct {
	Cluster
	hosts []netip.AddrPort
}

func def[T comparable](v, d T) T {
	var zero T
	if v == zero {
		return d
	}
	return v
}

func (c *Cluster) settings(ctx context.Context) (*settings, error) {
	s := &settings{Cluster: Cluster{
		ContactPoints: c.ContactPoints, Port: def(c.Port, DefaultPort), Keyspace: c.Keyspace,
		ProtocolVersion: c.ProtocolVersion, Compression: c.Compression, Auth: c.Auth, TLS: c.TLS,
		Dialer: c.Dialer, AddressTranslator: c.AddressTranslator,
		Consistency: def(c.Consistency, LocalOne), SerialConsistency: c.SerialConsistency,
		PageSize: def(c.PageSize, 5000), Timeouts: c.Timeouts, Pool: c.Pool, Policies: c.Policies,
		Events: c.Events, Logger: c.Logger, ServerTimestamps: c.ServerTimestamps,
		PrepareOnAllHosts: c.PrepareOnAllHosts, Observer: c.Observer, Schema: c.Schema, Identity: c.Identity,
		RequestIDs: c.RequestIDs, SlowRequest: c.SlowRequest,
	}}
	if len(s.ContactPoints) == 0 {
		s.ContactPoints = []string{"127.0.0.1"}
	}
	if s.ProtocolVersion != 0 && !frame.Version(s.ProtocolVersion).Valid() {
		return nil, &ProtocolVersionError{Version: frame.Version(s.ProtocolVersion), Explicit: true, ServerMsg: "the driver speaks protocol versions 3, 4 and 5"}
	}
	if s.Dialer == nil {
		s.Dialer = &net.Dialer{KeepAlive: 30 * time.Second}
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	t := &s.Timeouts
	t.Connect = def(t.Connect, 5*time.Second)
	t.Request = def(t.Request, 10*time.Second)
	t.Attempt = def(t.Attempt, 2*time.Second)
	t.ProbeTimeout = def(t.ProbeTimeout, time.Second)
	t.Control = def(t.Control, 5*time.Second)
	t.SchemaAgreement = def(t.SchemaAgreement, 10*time.Second)
	t.Heartbeat = def(t.Heartbeat, 30*time.Second)
	t.HeartbeatTimeout = def(t.HeartbeatTimeout, 10*time.Second)
	p := &s.Pool
	p.ConnectionsPerHost = def(p.ConnectionsPerHost, 1)
	p.RemoteConnectionsPerHost = def(p.RemoteConnectionsPerHost, 1)
	p.MaxRequestsPerConnection = def(p.MaxRequestsPerConnection, conn.MaxStreams)
	p.MaxOrphanedRequests = def(p.MaxOrphanedRequests, 1024)
	p.MaxFrameLength = def(p.MaxFrameLength, frame.DefaultMaxBodyLength)
	if s.Policies.LoadBalancing == nil {
		// Replicas first, then every host in rotation.
		s.Policies.LoadBalancing = policy.TokenAware(policy.RoundRobin())
	}
	if s.Policies.Reconnection == nil {
		s.Policies.Reconnection = policy.Exponential(time.Second, 10*time.Minute)
	}
	if s.Policies.Retry == nil {
		s.Policies.Retry = policy.DefaultRetry()
	}
	if s.Policies.SpeculativeExecution == nil {
		s.Policies.SpeculativeExecution = policy.NoSpeculativeExecution()
	}
	if s.Policies.Throttler == nil {
		s.Policies.Throttler = policy.NoThrottle()
	}
	e := &s.Events
	e.TopologyWindow = def(e.TopologyWindow, time.Second)
	e.StatusWindow = def(e.StatusWindow, time.Second)
	e.SchemaWindow = def(e.SchemaWindow, time.Second)
	e.RefreshInterval = def(e.RefreshInterval, 60*time.Second)
	hosts, err := resolveContactPoints(ctx, s.ContactPoints, s.Port)
	if err != nil {
		return nil, err
	}
	s.hosts = hosts
	return s, nil
}

// resolveContactPoints turns "host[:port]" strings into addresses, one per
// address a name resolves to. Names that do not resolve are dropped; when
// none resolves the error lists each.
func resolveContactPoints(ctx context.Context, hosts []string, port int) ([]netip.AddrPort, error) {
	var out []netip.AddrPort
	var errs []HostError
	seen := map[netip.AddrPort]bool{}
	for _, h := range hosts {
		host, p := h, port
		if hp, ps, err := net.SplitHostPort(h); err == nil {
			n, perr := strconv.Atoi(ps)
			if perr != nil || n <= 0 || n > 65535 {
				return nil, fmt.Errorf("cassandra: contact point %q: invalid port", h)
			}
			host, p = hp, n
		}
		var addrs []netip.Addr
		if a, err := netip.ParseAddr(host); err == nil {
			addrs = []netip.Addr{a}
		} else {
			ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			if err != nil {
				errs = append(errs, HostError{Err: fmt.Errorf("%s: %w", h, err)})
				continue
			}
			addrs = ips
		}
		for _, a := range addrs {
			ap := netip.AddrPortFrom(a.Unmap(), uint16(p))
			if !seen[ap] {
				seen[ap] = true
				out = append(out, ap)
			}
		}
	}
	if len(out) == 0 {
		return nil, &NoHostAvailableError{Msg: "no contact point resolves", Errors: errs}
	}
	return out, nil
}

// connConfig returns the per-connection settings for a keyspace.
func (s *settings) connConfig(version frame.Version, keyspace string) *conn.Config {
	return &conn.Config{
		Version:            version,
		ExplicitVersion:    s.ProtocolVersion != 0,
		Compression:        s.Compression,
		Auth:               s.Auth,
		TLS:                s.TLS,
		Dialer:             s.Dialer,
		ConnectTimeout:     s.Timeouts.Connect,
		Heartbeat:          positive(s.Timeouts.Heartbeat),
		HeartbeatTimeout:   s.Timeouts.HeartbeatTimeout,
		ProbeTimeout:       s.Timeouts.ProbeTimeout,
		MaxRequests:        s.Pool.MaxRequestsPerConnection,
		MaxOrphans:         s.Pool.MaxOrphanedRequests,
		MaxBody:            s.Pool.MaxFrameLength,
		Keyspace:           keyspace,
		Logger:             s.Logger,
		DriverName:         "cqlgo/cassandra",
		DriverVersion:      Version,
		ApplicationName:    s.Identity.ApplicationName,
		ApplicationVersion: s.Identity.ApplicationVersion,
		ClientID:           s.Identity.clientID(),
	}
}

func positive(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

// clusterState is the runtime half of a Cluster.
type clusterState struct {
	startMu  sync.Mutex // serialises the one-time start
	mu       sync.Mutex
	started  bool
	closed   bool
	s        *settings
	profiles *ProfileManager
	ctrl     *controlConn
	hosts    *hostRegistry
	sessions map[*Session]struct{}
	bg       context.Context // cancelled by Close; parent of background work
	cancel   context.CancelFunc
	wg       sync.WaitGroup // background goroutines

	listeners    []HostListener
	reconnectors map[*Host]*reconnector
	flaps        map[*Host]*flap // hosts whose connections die young

	schemaListeners []func(SchemaChange, *metadata.Schema)

	// stateMu orders host state changes with their listener notices.
	stateMu      sync.Mutex
	notices      []func(HostListener)
	delivering   bool
	version      atomic.Uint32 // protocol version new connections start from
	hostVersions sync.Map      // netip.AddrPort -> frame.Version accepted by that host
}

// Identity is what the driver tells servers about the application, as the
// Java and Python drivers do: APPLICATION_NAME, APPLICATION_VERSION and
// CLIENT_ID in every connection's STARTUP.
type Identity struct {
	ApplicationName    string
	ApplicationVersion string
	// ClientID identifies this client instance; zero means none is sent.
	ClientID uuid.UUID
}

func (i Identity) clientID() string {
	if i.ClientID == uuid.Nil {
		return ""
	}
	return i.ClientID.String()
}
