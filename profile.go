package cassandra

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cqlgo/cassandra/policy"
)

// ExecutionProfile groups the options of a kind of request. Zero fields
// take the value of the default profile, which comes from the Cluster's own
// fields. Profiles are immutable once added.
type ExecutionProfile struct {
	Consistency       Consistency
	SerialConsistency Consistency
	// RequestTimeout bounds a request, retries included, unless the
	// context ends sooner. Negative: no bound but the context.
	RequestTimeout time.Duration
	// AttemptTimeout bounds one attempt (see Timeouts.Attempt).
	// Negative: attempts get the whole request bound.
	AttemptTimeout time.Duration
	PageSize       int
	LoadBalancing  policy.LoadBalancingPolicy
	Retry          policy.RetryPolicy
	// SpeculativeExecution replaces the cluster's speculative execution
	// policy for the profile's statements.
	SpeculativeExecution policy.SpeculativeExecutionPolicy
	// Graph carries DataStax Enterprise graph options (DSE only: Apache
	// Cassandra ignores them) in the custom payload of the profile's
	// statements.
	Graph GraphOptions
}

// GraphOptions are DSE Graph's per-request options, sent as the custom
// payload keys DSE reads (graph-name, graph-source, graph-language,
// graph-read-consistency, graph-write-consistency). Empty fields are not
// sent.
type GraphOptions struct {
	Name, Source, Language            string
	ReadConsistency, WriteConsistency string // e.g. "LOCAL_QUORUM"
}

// payload returns the options as custom payload entries, nil when none.
func (g GraphOptions) payload() map[string][]byte {
	var m map[string][]byte
	for k, v := range map[string]string{"graph-name": g.Name, "graph-source": g.Source, "graph-language": g.Language,
		"graph-read-consistency": g.ReadConsistency, "graph-write-consistency": g.WriteConsistency} {
		if v != "" {
			if m == nil {
				m = map[string][]byte{}
			}
			m[k] = []byte(v)
		}
	}
	return m
}

// ProfileManager holds the named execution profiles of a Cluster. The
// default profile ("") is built from the Cluster's fields.
type ProfileManager struct {
	mu       sync.RWMutex
	profiles map[string]ExecutionProfile
	// added is told of a profile added once the cluster runs, so the hosts
	// its policy makes local or remote get pools.
	added func(ExecutionProfile)
}

// Add registers a profile under name. Adding a name twice is an error, so a
// profile cannot change under running requests.
func (m *ProfileManager) Add(name string, p ExecutionProfile) error {
	if name == "" {
		return fmt.Errorf("cassandra: the default profile is configured by the Cluster's fields")
	}
	if p.SerialConsistency != 0 && !p.SerialConsistency.IsSerial() {
		return fmt.Errorf("cassandra: profile %q: serial consistency must be SERIAL or LOCAL_SERIAL, not %v", name, p.SerialConsistency)
	}
	m.mu.Lock()
	if _, ok := m.profiles[name]; ok {
		m.mu.Unlock()
		return fmt.Errorf("cassandra: profile %q already exists", name)
	}
	if m.profiles == nil {
		m.profiles = map[string]ExecutionProfile{}
	}
	m.profiles[name] = p
	added := m.added
	m.mu.Unlock()
	if added != nil && p.LoadBalancing != nil {
		added(p)
	}
	return nil
}

func (m *ProfileManager) setAdded(f func(ExecutionProfile)) {
	m.mu.Lock()
	m.added = f
	m.mu.Unlock()
}

// balancers returns the load-balancing policies of the profiles that have
// their own.
func (m *ProfileManager) balancers() []policy.LoadBalancingPolicy {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []policy.LoadBalancingPolicy
	for _, p := range m.profiles {
		if p.LoadBalancing != nil {
			out = append(out, p.LoadBalancing)
		}
	}
	return out
}

// Get returns the profile registered under name.
func (m *ProfileManager) Get(name string) (ExecutionProfile, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p, ok := m.profiles[name]
	return p, ok
}

// profileSettings is a profile with every default filled in, as the request
// path reads it.
type profileSettings struct {
	consistency Consistency
	serial      Consistency
	timeout     time.Duration
	attempt     time.Duration
	pageSize    int
	lb          policy.LoadBalancingPolicy
	retry       policy.RetryPolicy
	spec        policy.SpeculativeExecutionPolicy
	trackers    []*policy.LatencyTracker // fed every successful attempt's latency
	payload     map[string][]byte        // graph options (DSE), merged under the statement's
	timestamps  *TimestampGenerator
}

// resolveProfile merges p over the default settings.
func resolveProfile(def *profileSettings, p ExecutionProfile) *profileSettings {
	r := *def
	if p.Consistency != 0 {
		r.consistency = p.Consistency
	}
	if p.SerialConsistency != 0 {
		r.serial = p.SerialConsistency
	}
	if p.RequestTimeout != 0 {
		r.timeout = p.RequestTimeout
	}
	if p.AttemptTimeout != 0 {
		r.attempt = p.AttemptTimeout
	}
	if p.SpeculativeExecution != nil {
		r.spec = p.SpeculativeExecution
	}
	r.trackers = latencyTrackers(r.lb, r.spec)
	r.payload = p.Graph.payload()
	if p.PageSize != 0 {
		r.pageSize = p.PageSize
	}
	if p.LoadBalancing != nil {
		r.lb = p.LoadBalancing
	}
	if p.Retry != nil {
		r.retry = p.Retry
	}
	return &r
}

// latencyTrackers returns the distinct latency trackers of the policies
// that want observed latencies (policy.LatencyAware).
func latencyTrackers(ps ...any) []*policy.LatencyTracker {
	var out []*policy.LatencyTracker
	for _, p := range ps {
		la, ok := p.(policy.LatencyAware)
		if !ok {
			continue
		}
		if tr := la.LatencyTracker(); tr != nil && !slices.Contains(out, tr) {
			out = append(out, tr)
		}
	}
	return out
}

// mergePayload returns base with over's entries on top (a new map).
func mergePayload(base, over map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}
