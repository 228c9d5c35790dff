package cassandra

import (
	"fmt"
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
	PageSize       int
	LoadBalancing  policy.LoadBalancingPolicy
	Retry          policy.RetryPolicy
}

// ProfileManager holds the named execution profiles of a Cluster. The
// default profile ("") is built from the Cluster's fields.
type ProfileManager struct {
	mu       sync.RWMutex
	profiles map[string]ExecutionProfile
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
	defer m.mu.Unlock()
	if _, ok := m.profiles[name]; ok {
		return fmt.Errorf("cassandra: profile %q already exists", name)
	}
	if m.profiles == nil {
		m.profiles = map[string]ExecutionProfile{}
	}
	m.profiles[name] = p
	return nil
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
	pageSize    int
	lb          policy.LoadBalancingPolicy
	retry       policy.RetryPolicy
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
