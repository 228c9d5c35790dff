package faults

import (
	"context"
	"strconv"
	"testing"
	"time"

	cassandra "github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/internal/testenv"
)

// TestIntegrationHungNode stops one node with SIGSTOP (scripts/cassandra
// pause-node) for 20 s under load and resumes it: its connections stay
// open but nothing answers, the case where only the attempt timeout and
// the probe that follows it find the node. Idempotent writes must all
// succeed, without and with speculative execution.
func TestIntegrationHungNode(t *testing.T) {
	e := testenv.RequireNodes(t, 3)
	if e.Script == "" {
		t.Skip("CASSANDRA_SCRIPT is not set: pausing a node needs scripts/cassandra")
	}
	node := strconv.Itoa(faulted + 1)
	for _, tc := range []struct {
		name      string
		configure []func(*cassandra.Cluster)
	}{
		{"without_speculation", nil},
		{"with_percentile_speculation", []func(*cassandra.Cluster){percentileSpeculation}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(func() {
				// Whatever happened, the node must not stay stopped.
				if err := nodeScript(context.Background(), e, "resume-node", node); err != nil {
					t.Errorf("resume-node %s: %v", node, err)
				}
			})
			r := connect(t, e, tc.configure...)
			d := runLength(t)
			from := d / 6
			to := from + min(20*time.Second, d/3)
			rep := r.run(t, d, []Step{
				{At: from, Name: "pause-node " + node, Do: func(ctx context.Context) error { return nodeScript(ctx, e, "pause-node", node) }},
				{At: to, Name: "resume-node " + node, Do: func(ctx context.Context) error { return nodeScript(ctx, e, "resume-node", node) }},
			})
			down, _ := r.markTimes(t, rep, from, to)
			requireNoFailures(t, rep)
			requireBack(t, rep, to)
			if down < 0 {
				t.Errorf("%s was never marked down while it was paused", r.addrs[faulted])
			}
		})
	}
}
