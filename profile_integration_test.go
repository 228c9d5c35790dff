package cassandra

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestIntegrationProfilesAsTheServerSeesThem: a profile's consistency and
// page size reach the server (the trace's parameters show them), and its
// request timeout bounds the request.
func TestIntegrationProfilesAsTheServerSeesThem(t *testing.T) {
	_, s, e := testSession(t, func(c *Cluster) {
		if err := c.Profiles.Add("one", ExecutionProfile{Consistency: One, PageSize: 7, RequestTimeout: 20 * time.Second}); err != nil {
			t.Fatal(err)
		}
		if err := c.Profiles.Add("tiny", ExecutionProfile{RequestTimeout: time.Nanosecond}); err != nil {
			t.Fatal(err)
		}
	})
	ks := testKeyspace(t, s, "it_profiles", e)
	mustExec(t, s, "CREATE TABLE IF NOT EXISTS "+ks+".t (k int PRIMARY KEY)")
	for _, c := range []struct {
		profile, want string
	}{{"", "QUORUM"}, {"one", "ONE"}} { // the test cluster's default is QUORUM
		rs, err := s.ExecuteStatement(testCtx(t), NewStatement("SELECT * FROM "+ks+".t").Profile(c.profile).Trace(true))
		if err != nil {
			t.Fatal(err)
		}
		tr, err := rs.QueryTrace(testCtx(t))
		if err != nil {
			t.Fatal(err)
		}
		// Cassandra 2.1's traces do not record the consistency level.
		if got := tr.Parameters["consistency_level"]; got != c.want && e.Version != "2.1" {
			t.Errorf("profile %q: the server saw consistency %q, want %q (parameters %v)", c.profile, got, c.want, tr.Parameters)
		}
		if c.profile == "one" && tr.Parameters["page_size"] != "7" {
			t.Errorf("profile one: the server saw page size %q", tr.Parameters["page_size"])
		}
	}
	var te *TimeoutError
	if _, err := s.ExecuteStatement(testCtx(t), NewStatement("SELECT * FROM "+ks+".t").Profile("tiny")); !errors.As(err, &te) {
		t.Errorf("a 1 ns profile timeout: %v, want a *TimeoutError", err)
	}
}

// TestIntegrationConsistencyAnyDefault: ANY chosen as the cluster default
// reaches the server (which accepts it for a write and refuses it for a
// read, naming ANY), and a profile that sets no level inherits it.
func TestIntegrationConsistencyAnyDefault(t *testing.T) {
	_, s, e := testSession(t, func(c *Cluster) {
		c.Consistency = Any
		if err := c.Profiles.Add("plain", ExecutionProfile{PageSize: 7}); err != nil {
			t.Fatal(err)
		}
	})
	ks := testKeyspace(t, s, "it_cl_any", e)
	mustExec(t, s, NewStatement("CREATE TABLE IF NOT EXISTS "+ks+".t (k int PRIMARY KEY)").Consistency(One))
	for _, profile := range []string{"", "plain"} {
		if _, err := s.ExecuteStatement(testCtx(t), NewStatement("INSERT INTO "+ks+".t (k) VALUES (1)").Profile(profile)); err != nil {
			t.Errorf("profile %q: a write at the cluster default ANY: %v", profile, err)
		}
		_, err := s.ExecuteStatement(testCtx(t), NewStatement("SELECT * FROM "+ks+".t").Profile(profile))
		var se ServerError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "ANY") {
			t.Errorf("profile %q: a read at ANY: %v, want the server's refusal naming ANY", profile, err)
		}
	}
	if _, err := s.ExecuteStatement(testCtx(t), NewStatement("SELECT * FROM "+ks+".t").Consistency(One)); err != nil {
		t.Errorf("a read overriding ANY with ONE: %v", err)
	}
}
