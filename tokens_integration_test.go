package cassandra

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra/internal/testenv"
	"github.com/cqlgo/cassandra/policy"
)

// describeRing runs nodetool describering on node 1: the server's own token
// ranges of keyspace ks, each with its replicas' addresses.
type ringRange struct {
	start, end policy.Token
	endpoints  []string
}

var rangeRE = regexp.MustCompile(`TokenRange\(start_token:(-?\d+), end_token:(-?\d+), endpoints:\[([^\]]*)\]`)

func describeRing(t *testing.T, e testenv.Env, p policy.Partitioner, ks string) []ringRange {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, e.Script, "nodetool", "1", "describering", ks).CombinedOutput()
	if err != nil {
		t.Skipf("nodetool describering: %v: %s", err, out)
	}
	var rs []ringRange
	for _, m := range rangeRE.FindAllStringSubmatch(string(out), -1) {
		s, err1 := p.ParseToken(m[1])
		en, err2 := p.ParseToken(m[2])
		if err1 != nil || err2 != nil {
			t.Fatalf("tokens %q %q", m[1], m[2])
		}
		var eps []string
		for _, ep := range strings.Split(m[3], ",") {
			eps = append(eps, strings.TrimSpace(ep))
		}
		sort.Strings(eps)
		rs = append(rs, ringRange{start: s, end: en, endpoints: eps})
	}
	if len(rs) == 0 {
		t.Fatalf("no ranges in %s", out)
	}
	return rs
}

// owners returns the endpoints of the range holding t: (start, end], the
// range whose start is the greatest wrapping around.
func owners(rs []ringRange, t policy.Token) []string {
	for _, r := range rs {
		if r.start.Less(r.end) {
			if r.start.Less(t) && !r.end.Less(t) {
				return r.endpoints
			}
		} else if r.start.Less(t) || !r.end.Less(t) { // the wrapping range
			return r.endpoints
		}
	}
	return nil
}

func TestIntegrationTokenMapMatchesServer(t *testing.T) {
	e := testenv.RequireNodes(t, 3)
	if e.Script == "" || e.Version == "2.1" {
		t.Skip("needs scripts/cassandra's nodetool and Cassandra 3.0+")
	}
	c, s, _ := testSession(t)
	keyspaces := map[string]string{
		"it_tok_rf1": "{'class': 'SimpleStrategy', 'replication_factor': 1}",
		"it_tok_rf2": "{'class': 'SimpleStrategy', 'replication_factor': 2}",
		"it_tok_rf3": "{'class': 'SimpleStrategy', 'replication_factor': 3}",
		"it_tok_nts": "{'class': 'NetworkTopologyStrategy', 'datacenter1': 2}",
	}
	for ks, repl := range keyspaces {
		mustExec(t, s, "CREATE KEYSPACE IF NOT EXISTS "+ks+" WITH replication = "+repl)
		mustExec(t, s, "CREATE TABLE IF NOT EXISTS "+ks+".t (k text PRIMARY KEY, v int)")
	}
	var tm *policy.TokenMap
	pollUntil(t, 20*time.Second, "the token map to know the keyspaces", func() bool {
		tm = c.TokenMap()
		if tm == nil {
			return false
		}
		for ks := range keyspaces {
			if !slices.Contains(tm.Keyspaces(), ks) {
				return false
			}
		}
		return true
	})
	rng := rand.New(rand.NewPCG(1, 2))
	for ks := range keyspaces {
		ring := describeRing(t, e, tm.Partitioner(), ks)
		for i := range 10000 {
			key := fmt.Sprintf("key-%d-%d", i, rng.Uint64())
			tok := tm.TokenFor([]byte(key))
			var got []string
			for _, h := range tm.ReplicasFor(ks, tok) {
				got = append(got, h.Addr().Addr().String())
			}
			sort.Strings(got)
			if want := owners(ring, tok); !slices.Equal(got, want) {
				t.Fatalf("%s key %q token %v: replicas %v, the server says %v", ks, key, tok, got, want)
			}
		}
	}

	// Token-aware routing: the coordinator of a prepared statement with its
	// full partition key is one of the key's replicas.
	ins, err := s.Prepare(testCtx(t), "INSERT INTO it_tok_rf1.t (k, v) VALUES (?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		key := fmt.Sprintf("route-%d", i)
		rs, err := s.ExecuteStatement(testCtx(t), ins.Bind(key, i))
		if err != nil {
			t.Fatal(err)
		}
		reps := tm.Replicas("it_tok_rf1", []byte(key))
		if len(reps) != 1 || rs.Host() != reps[0] {
			t.Fatalf("key %q coordinated by %v, its replica is %v", key, rs.Host(), reps)
		}
	}
}

// TestIntegrationTokenAwareAgainstRoundRobin measures the same prepared
// writes through both policies on the real cluster (figures for the
// README; the assertion is only that both work).
func TestIntegrationTokenAwareAgainstRoundRobin(t *testing.T) {
	testenv.RequireNodes(t, 3)
	for _, name := range []string{"round_robin", "token_aware"} {
		t.Run(name, func(t *testing.T) {
			_, s, _ := testSession(t, func(c *Cluster) {
				if name == "round_robin" {
					c.Policies.LoadBalancing = policy.RoundRobin()
				}
			})
			mustExec(t, s, "CREATE KEYSPACE IF NOT EXISTS it_tok_rf1 WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
			mustExec(t, s, "CREATE TABLE IF NOT EXISTS it_tok_rf1.t (k text PRIMARY KEY, v int)")
			ins, err := s.Prepare(testCtx(t), "INSERT INTO it_tok_rf1.t (k, v) VALUES (?, ?)")
			if err != nil {
				t.Fatal(err)
			}
			const n = 2000
			var lat []time.Duration
			start := time.Now()
			for i := range n {
				t0 := time.Now()
				if _, err := s.ExecuteStatement(testCtx(t), ins.Bind(fmt.Sprintf("bench-%d", i), i).Consistency(One)); err != nil {
					t.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			took := time.Since(start)
			slices.Sort(lat)
			t.Logf("%s: %d sequential writes at ONE, RF 1: %.0f ops/s, p50 %v, p99 %v", name, n, float64(n)/took.Seconds(), lat[n/2], lat[n*99/100])
		})
	}
}

// TestIntegrationTokenForMatchesServer: Cluster.TokenFor encodes partition
// key values with the table's column types and hashes them to the token the
// server computes with token(), for one-column and composite keys; with
// three nodes, ReplicasFor of that token equals the server's ring.
func TestIntegrationTokenForMatchesServer(t *testing.T) {
	c, s, e := testSession(t)
	ks := testKeyspace(t, s, "it_tokenfor", e)
	mustExec(t, s, "CREATE TABLE IF NOT EXISTS "+ks+".one (k bigint PRIMARY KEY, v int)")
	mustExec(t, s, "CREATE TABLE IF NOT EXISTS "+ks+".comp (a int, b text, c uuid, d int, PRIMARY KEY ((a, b, c), d))")
	// The token map is rebuilt after the metadata refresh: wait for both
	// to know the keyspace (a new one's replicas come a moment later).
	pollUntil(t, 20*time.Second, "the metadata and token map to know the tables", func() bool {
		md, tm := c.Metadata(), c.TokenMap()
		return tm != nil && slices.Contains(tm.Keyspaces(), ks) && md != nil && md.Keyspace(ks) != nil &&
			md.Keyspace(ks).Table("comp") != nil && md.Keyspace(ks).Table("one") != nil
	})
	var ring []ringRange
	if e.Nodes >= 3 && e.Script != "" && e.Version != "2.1" {
		ring = describeRing(t, e, c.TokenMap().Partitioner(), ks)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		k := int64(rng.Uint64())
		a, b, u := int32(rng.Uint32()), fmt.Sprintf("b-%d", rng.Uint32()), uuidFromRand(rng)
		mustExec(t, s, "INSERT INTO "+ks+".one (k, v) VALUES (?, 1)", k)
		mustExec(t, s, "INSERT INTO "+ks+".comp (a, b, c, d) VALUES (?, ?, ?, 1)", a, b, u)
		for _, tc := range []struct {
			table, sel string
			vals       []any
		}{
			{"one", "SELECT token(k) FROM " + ks + ".one WHERE k = ?", []any{k}},
			{"comp", "SELECT token(a, b, c) FROM " + ks + ".comp WHERE a = ? AND b = ? AND c = ?", []any{a, b, u}},
		} {
			var server int64
			if err := s.QueryRow(testCtx(t), tc.sel, tc.vals...).Scan(&server); err != nil {
				t.Fatalf("%s: %v", tc.sel, err)
			}
			tok, err := c.TokenFor(ks, tc.table, tc.vals...)
			if err != nil {
				t.Fatalf("TokenFor(%s, %v): %v", tc.table, tc.vals, err)
			}
			if tok.String() != fmt.Sprint(server) {
				t.Fatalf("TokenFor(%s, %v) = %v, the server's token() = %d", tc.table, tc.vals, tok, server)
			}
			reps := s.ReplicasFor(ks, tok)
			if len(reps) != min(e.Nodes, 3) {
				t.Fatalf("ReplicasFor(%v) = %v with RF %d", tok, reps, min(e.Nodes, 3))
			}
			if ring != nil {
				var got []string
				for _, h := range reps {
					got = append(got, h.Addr().Addr().String())
				}
				sort.Strings(got)
				if want := owners(ring, tok); !slices.Equal(got, want) {
					t.Fatalf("ReplicasFor(%v) = %v, the server's ring says %v", tok, got, want)
				}
			}
		}
	}
	// Refusals name the problem.
	for _, tc := range []struct {
		table string
		vals  []any
		want  string
	}{
		{"comp", []any{1, "x"}, "2 values for a partition key of 3 columns"},
		{"no_such_table", []any{1}, "no table"},
		{"one", []any{"not a bigint"}, "k"},
		{"one", []any{nil}, "null"},
	} {
		if _, err := s.TokenFor(ks, tc.table, tc.vals...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("TokenFor(%s, %v) = %v, want an error about %q", tc.table, tc.vals, err, tc.want)
		}
	}
}

func uuidFromRand(r *rand.Rand) (u uuid.UUID) {
	for i := range u {
		u[i] = byte(r.Uint32())
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}
