package cassandra

import (
	"fmt"
	"sync"

	"github.com/cqlgo/cassandra/frame"
)

// requestState is the request path's per-session state.
type requestState struct {
	s              *Session
	prepared       prepareCache
	defaultProfile *profileSettings
	timestamps     TimestampGenerator

	profMu   sync.RWMutex
	profiles map[string]*profileSettings // resolved named profiles
}

func (r *requestState) init(s *Session) {
	r.s = s
	set := s.st.s
	d := &profileSettings{
		consistency: set.Consistency,
		serial:      set.SerialConsistency,
		timeout:     set.Timeouts.Request,
		pageSize:    set.PageSize,
		lb:          set.Policies.LoadBalancing,
		retry:       set.Policies.Retry,
	}
	if !set.ServerTimestamps {
		d.timestamps = &r.timestamps
	}
	r.defaultProfile = d
	r.profiles = map[string]*profileSettings{}
}

// profile returns the resolved settings of a named profile.
func (r *requestState) profile(name string) (*profileSettings, error) {
	if name == "" {
		return r.defaultProfile, nil
	}
	r.profMu.RLock()
	p, ok := r.profiles[name]
	r.profMu.RUnlock()
	if ok {
		return p, nil
	}
	ep, ok := r.s.cluster.Profiles.Get(name)
	if !ok {
		return nil, fmt.Errorf("cassandra: no execution profile named %q", name)
	}
	p = resolveProfile(r.defaultProfile, ep)
	r.profMu.Lock()
	r.profiles[name] = p
	r.profMu.Unlock()
	return p, nil
}

// schemaChanged marks the result metadata of prepared statements on
// changed tables stale, so their next execution asks for fresh metadata
// (before v5 the server does not say the metadata changed; with it, SELECT *
// after ALTER TABLE ADD would decode rows with the old column list).
func (r *requestState) schemaChanged(changes []frame.SchemaChange) {
	for _, ps := range r.prepared.all() {
		meta := ps.result.Load()
		if meta.stale || len(meta.cols) == 0 {
			continue
		}
		for _, ch := range changes {
			// Only an altered table changes the columns of statements
			// prepared on it; a created one (whose event may arrive after
			// the statement was prepared) does not.
			if ch.Target == "TABLE" && ch.Change == "UPDATED" && ch.Keyspace == meta.cols[0].Keyspace && ch.Name == meta.cols[0].Table {
				ps.result.Store(&resultMeta{id: meta.id, cols: meta.cols, stale: true})
				break
			}
			if ch.Target == "KEYSPACE" && ch.Change == "DROPPED" && ch.Keyspace == meta.cols[0].Keyspace {
				ps.result.Store(&resultMeta{id: meta.id, cols: meta.cols, stale: true})
				break
			}
		}
	}
}
