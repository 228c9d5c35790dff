package cassandra

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/metadata"
	"github.com/cqlgo/cassandra/policy"
)

// SchemaChange is a change of the schema a server reported: what changed
// (CREATED, UPDATED, DROPPED), its target (KEYSPACE, TABLE, TYPE,
// FUNCTION, AGGREGATE), keyspace and name.
type SchemaChange = frame.SchemaChange

// SchemaConfig tunes the schema metadata the control connection keeps.
type SchemaConfig struct {
	// Disabled turns schema metadata off (Metadata returns nil), for
	// clusters whose schemas are too large to keep. Default: false.
	Disabled bool
	// Keyspaces limits the metadata to the keyspaces named (system ones
	// included only if named). Default: every keyspace.
	Keyspaces []string
}

// Metadata returns the cluster's schema: keyspaces, tables, columns and
// their types, user types, functions, aggregates, views, indexes
// (metadata.Schema, whose Describe methods give CREATE statements). It is
// read when the control connection connects, refreshed by target from
// schema events (after Events.SchemaWindow) and this cluster's own DDL,
// and is nil before Connect or when Schema.Disabled. A schema returned
// never changes: a refresh makes a new one.
func (c *Cluster) Metadata() *metadata.Schema {
	if c.state.ctrl == nil {
		return nil
	}
	return c.state.ctrl.schema.Load()
}

// Metadata returns the cluster's schema (Cluster.Metadata).
func (s *Session) Metadata() *metadata.Schema { return s.cluster.Metadata() }

// AddSchemaListener registers f, told of every schema change the driver
// applied, with the schema after it. It runs on the control connection's
// goroutine, one change at a time in order: it must not block.
func (c *Cluster) AddSchemaListener(f func(SchemaChange, *metadata.Schema)) {
	c.state.mu.Lock()
	c.state.schemaListeners = append(c.state.schemaListeners, f)
	c.state.mu.Unlock()
}

// loadSchema reads the whole schema (or the configured keyspaces).
func (cc *controlConn) loadSchema(ctx context.Context) error {
	cfg := cc.cfg.Schema
	if cfg.Disabled {
		return nil
	}
	v := cc.schemaVersion()
	if len(cfg.Keyspaces) == 0 {
		rows, err := cc.schemaRows(ctx, metadata.Queries(v))
		if err != nil {
			return err
		}
		sc, err := metadata.Parse(v, rows)
		if err != nil {
			return err
		}
		cc.schema.Store(sc)
		return nil
	}
	sc := &metadata.Schema{Version: v}
	for _, ks := range cfg.Keyspaces {
		ch := frame.SchemaChange{Change: "UPDATED", Target: frame.TargetKeyspace, Keyspace: ks}
		rows, err := cc.schemaRows(ctx, metadata.RefreshQueries(v, ch))
		if err != nil {
			return err
		}
		k, err := metadata.ParseKeyspace(v, ks, rows)
		if err != nil {
			return err
		}
		if k != nil {
			sc = sc.WithKeyspace(k)
		}
	}
	cc.schema.Store(sc)
	return nil
}

// schemaChanged refreshes only what a change touched; anything unusual
// (no schema yet, an unknown keyspace, a failed partial read) reads it all
// again.
func (cc *controlConn) schemaChanged(ctx context.Context, ch frame.SchemaChange) {
	cfg := cc.cfg.Schema
	if cfg.Disabled || (len(cfg.Keyspaces) > 0 && !contains(cfg.Keyspaces, ch.Keyspace)) {
		return
	}
	cur := cc.schema.Load()
	var next *metadata.Schema
	err := errors.New("no schema yet")
	if cur != nil {
		var rows metadata.Rows
		if rows, err = cc.schemaRows(ctx, metadata.RefreshQueries(cur.Version, ch)); err == nil {
			next, err = cur.Refresh(ch, rows)
		}
	}
	if err != nil {
		if err := cc.loadSchema(ctx); err != nil {
			cc.cfg.Logger.Debug("cassandra: schema metadata not refreshed", "change", ch, "err", err)
			return
		}
		next = cc.schema.Load()
	} else {
		cc.schema.Store(next)
	}
	cc.st.mu.Lock()
	ls := slices.Clone(cc.st.schemaListeners)
	cc.st.mu.Unlock()
	for _, f := range ls {
		f(ch, next)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// schemaVersion tells which system tables hold the schema, from the
// release of the control connection's host.
func (cc *controlConn) schemaVersion() metadata.SchemaVersion {
	if h := cc.host.Load(); h != nil && h.Info().ReleaseVersion != "" {
		return metadata.VersionFor(h.Info().ReleaseVersion)
	}
	return metadata.VersionFor("")
}

// schemaRows runs the metadata queries on the control connection and
// decodes their rows as metadata.Rows (each cell in its natural Go type).
func (cc *controlConn) schemaRows(ctx context.Context, qs []metadata.Query) (metadata.Rows, error) {
	cn := cc.conn.Load()
	if cn == nil {
		return nil, &ConnError{Op: "control", Err: errors.New("no control connection")}
	}
	out := metadata.Rows{}
	for _, q := range qs {
		fq := &frame.Query{Query: q.CQL, Params: frame.QueryParams{Consistency: frame.One}}
		for _, a := range q.Args {
			b, err := cqltype.Marshal(&frame.Type{ID: frame.TypeVarchar}, a)
			if err != nil {
				return nil, err
			}
			fq.Params.Values = append(fq.Params.Values, frame.Value{Bytes: b})
		}
		f, err := cn.Exec(ctx, fq, nil, false)
		if err != nil {
			var inv *InvalidError
			if errors.As(err, &inv) {
				continue // a table this release lacks
			}
			return nil, err
		}
		m, err := frame.DecodeResult(f.Body, cn.Version())
		if err != nil {
			return nil, &ConnError{Host: cn.Addr(), Op: "decode", Err: err}
		}
		rr, ok := m.(*frame.RowsResult)
		if !ok {
			return nil, fmt.Errorf("cassandra: %q returned %T, not rows", q.CQL, m)
		}
		cols := rr.Metadata.Columns
		cells := make([][]byte, len(cols))
		it := rr.Rows()
		var rows []map[string]any
		for it.Next(cells) {
			r := make(map[string]any, len(cols))
			for i, c := range cols {
				v, err := cqltype.DecodeAny(c.Type, cells[i])
				if err != nil {
					return nil, cqltype.WithColumn(err, c.Name)
				}
				r[c.Name] = v
			}
			rows = append(rows, r)
		}
		out[q.Table] = append(out[q.Table], rows...)
	}
	return out, nil
}

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

// Token is a position on the token ring (policy.Token).
type Token = policy.Token

// RoutingKeyFor encodes values, the partition key columns of
// keyspace.table in key order, as Cassandra serializes a partition key: the
// value itself for a one-column key, else each component as a 2-byte length,
// the bytes and a zero byte. The column types come from the schema metadata
// (Metadata), so values convert as bind values do (an int for an int
// column, a string for text, a uuid.UUID...). It fails when the metadata
// lacks the table, the number of values differs from the key's columns, or
// a value does not encode as its column's type.
func (c *Cluster) RoutingKeyFor(keyspace, table string, values ...any) ([]byte, error) {
	sc := c.Metadata()
	if sc == nil {
		return nil, fmt.Errorf("cassandra: routing key of %s.%s: no schema metadata (not connected, or Schema.Disabled)", keyspace, table)
	}
	ks := sc.Keyspace(keyspace)
	if ks == nil {
		ks = sc.Keyspace(strings.ToLower(keyspace))
	}
	if ks == nil {
		return nil, fmt.Errorf("cassandra: routing key of %s.%s: no keyspace %s in the schema metadata", keyspace, table, keyspace)
	}
	tb := ks.Table(table)
	if tb == nil {
		tb = ks.Table(strings.ToLower(table))
	}
	if tb == nil {
		return nil, fmt.Errorf("cassandra: routing key of %s.%s: no table %s in keyspace %s", keyspace, table, table, ks.Name)
	}
	if len(values) != len(tb.PartitionKey) {
		return nil, fmt.Errorf("cassandra: routing key of %s.%s: %d values for a partition key of %d columns", keyspace, table, len(values), len(tb.PartitionKey))
	}
	parts := make([][]byte, len(values))
	for i, col := range tb.PartitionKey {
		b, err := cqltype.Marshal(col.Type, values[i])
		if err != nil {
			return nil, cqltype.WithColumn(err, col.Name)
		}
		if b == nil {
			return nil, fmt.Errorf("cassandra: routing key of %s.%s: partition key column %s is null", keyspace, table, col.Name)
		}
		parts[i] = b
	}
	return composeRoutingKey(parts), nil
}

// TokenFor returns the token of the partition of keyspace.table whose key
// columns hold values (see RoutingKeyFor), hashed by the cluster's
// partitioner. It fails before the token map is known.
func (c *Cluster) TokenFor(keyspace, table string, values ...any) (Token, error) {
	tm := c.TokenMap()
	if tm == nil {
		return Token{}, fmt.Errorf("cassandra: token of %s.%s: no token map (not connected, or no tokens known)", keyspace, table)
	}
	key, err := c.RoutingKeyFor(keyspace, table, values...)
	if err != nil {
		return Token{}, err
	}
	return tm.TokenFor(key), nil
}

// ReplicasFor returns the hosts that hold token t in keyspace, in ring order
// (the primary replica first), as the token map computed them from the
// keyspace's replication, in a new slice; nil when the token map or the keyspace is
// unknown.
func (c *Cluster) ReplicasFor(keyspace string, t Token) []*Host {
	tm := c.TokenMap()
	if tm == nil {
		return nil
	}
	return slices.Clone(tm.ReplicasFor(keyspace, t))
}

// RoutingKeyFor is Cluster.RoutingKeyFor.
func (s *Session) RoutingKeyFor(keyspace, table string, values ...any) ([]byte, error) {
	return s.cluster.RoutingKeyFor(keyspace, table, values...)
}

// TokenFor is Cluster.TokenFor.
func (s *Session) TokenFor(keyspace, table string, values ...any) (Token, error) {
	return s.cluster.TokenFor(keyspace, table, values...)
}

// ReplicasFor is Cluster.ReplicasFor.
func (s *Session) ReplicasFor(keyspace string, t Token) []*Host {
	return s.cluster.ReplicasFor(keyspace, t)
}

// composeRoutingKey serializes the components of a partition key: the one
// component itself, or each as a [short] length, its bytes and a zero byte.
func composeRoutingKey(parts [][]byte) []byte {
	if len(parts) == 1 {
		return parts[0]
	}
	n := 0
	for _, p := range parts {
		n += 3 + len(p)
	}
	key := make([]byte, 0, n)
	for _, p := range parts {
		key = appendKeyComponent(key, p)
	}
	return key
}

// appendKeyComponent appends one component of a composite partition key:
// its [short] length, its bytes and a zero byte.
func appendKeyComponent(key, b []byte) []byte {
	key = binary.BigEndian.AppendUint16(key, uint16(len(b)))
	key = append(key, b...)
	return append(key, 0)
}
