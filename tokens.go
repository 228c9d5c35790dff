package cassandra

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// TokenMap returns the cluster's token map: which hosts own which tokens
// and, for every keyspace, its replicas (policy.TokenMap: ReplicasFor,
// Replicas by routing key, TokenFor). It is nil before Connect and while
// it cannot be built (no tokens known). It is rebuilt, off the request
// path, when hosts or keyspaces change; a map once returned never changes.
func (c *Cluster) TokenMap() *policy.TokenMap {
	if c.state.hosts == nil {
		return nil
	}
	return c.state.hosts.tokens.Load()
}

// TokenMap lets token-aware load balancing find the replicas of a request
// (policy.TokenMapView).
func (r *hostRegistry) TokenMap() *policy.TokenMap { return r.tokens.Load() }

// refreshTokens rebuilds the token map from the hosts' tokens and every
// keyspace's replication. It runs on the control connection's goroutine,
// after host refreshes and keyspace changes; a failure keeps the old map.
func (cc *controlConn) refreshTokens(ctx context.Context) {
	ks, err := cc.replication(ctx)
	if err != nil {
		cc.cfg.Logger.Debug("cassandra: keyspace replication not read; token map unchanged", "err", err)
		return
	}
	tm, err := policy.NewTokenMap(cc.st.hosts.Hosts(), ks)
	if err != nil {
		cc.cfg.Logger.Debug("cassandra: token map not built", "err", err)
		return
	}
	cc.st.hosts.tokens.Store(tm)
}

// replication reads every keyspace's replication options: from
// system_schema.keyspaces (Cassandra 3.0+), else from the pre-3.0
// system.schema_keyspaces (strategy class and JSON options).
func (cc *controlConn) replication(ctx context.Context) (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	rr, err := cc.query(ctx, "SELECT keyspace_name, replication FROM system_schema.keyspaces")
	if err == nil {
		for _, r := range rowsOf(rr) {
			var m map[string]string
			if c, ok := r["replication"]; ok && c.b != nil {
				if err := cqltype.Unmarshal(c.t, c.b, &m); err != nil {
					continue
				}
			}
			out[r.str("keyspace_name")] = m
		}
		return out, nil
	}
	var inv *InvalidError
	if !errors.As(err, &inv) {
		return nil, err
	}
	rr, err = cc.query(ctx, "SELECT keyspace_name, strategy_class, strategy_options FROM system.schema_keyspaces")
	if err != nil {
		return nil, err
	}
	for _, r := range rowsOf(rr) {
		m := map[string]string{}
		_ = json.Unmarshal([]byte(r.str("strategy_options")), &m)
		m["class"] = r.str("strategy_class")
		out[r.str("keyspace_name")] = m
	}
	return out, nil
}

// keyspaceChanged reports whether schema changes touch keyspaces (their
// replication, or their existence), which the token map depends on.
func keyspaceChanged(changes []frame.SchemaChange) bool {
	for _, ch := range changes {
		if strings.EqualFold(ch.Target, "KEYSPACE") {
			return true
		}
	}
	return false
}
