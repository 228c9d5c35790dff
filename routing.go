package cassandra

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/policy"
)

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
		key = binary.BigEndian.AppendUint16(key, uint16(len(p)))
		key = append(key, p...)
		key = append(key, 0)
	}
	return key
}
