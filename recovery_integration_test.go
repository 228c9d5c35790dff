package cassandra

import (
	"os/exec"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/internal/testenv"
	"github.com/cqlgo/cassandra/policy"
)

// TestIntegrationAllNodesDownThenBack stops every node of the run for a
// while, starts them again, and measures how long after the first node
// answers CQL (start-node returns then) the same session's first request
// succeeds: the goal is under 2 s whatever the outage's length.
func TestIntegrationAllNodesDownThenBack(t *testing.T) {
	e := testenv.Require(t)
	if e.Script == "" || e.Nodes != 1 {
		t.Skip("needs scripts/cassandra and a single-node run")
	}
	c, s, _ := testSession(t, func(c *Cluster) {
		c.Policies.Reconnection = policy.Exponential(time.Second, 10*time.Minute)
	})
	const q = "SELECT release_version FROM system.local"
	mustExec(t, s, q)
	script(t, e, "stop-node", "1")
	t.Cleanup(func() { exec.Command(e.Script, "start-node", "1").Run() })
	pollUntil(t, 30*time.Second, "the node marked down", func() bool { return !c.state.anyUp() })
	// The reconnection schedule grows past 8 s meanwhile (1, 2, 4, 8 s).
	time.Sleep(15 * time.Second)
	script(t, e, "start-node", "1")
	back := time.Now()
	for {
		if _, err := s.Execute(testCtx(t), q); err == nil {
			break
		}
		if time.Since(back) > 30*time.Second {
			t.Fatal("no request succeeded within 30 s of the node answering again")
		}
		time.Sleep(20 * time.Millisecond)
	}
	d := time.Since(back)
	t.Logf("first success %v after the node answered CQL again, after a ~%v outage", d, 15*time.Second)
	if d > 2*time.Second {
		t.Errorf("first success %v after the node came back, want under 2 s", d)
	}
}
