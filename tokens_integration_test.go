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
