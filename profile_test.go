package cassandra

import (
	"errors"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// Execution profiles on the request path.

func TestProfileOptionsApply(t *testing.T) {
	e := rqStart(t, 2, cassandratest.Config{}, func(c *Cluster) {
		if err := c.Profiles.Add("fast", ExecutionProfile{Consistency: Three, SerialConsistency: LocalSerial, PageSize: 9, RequestTimeout: 150 * time.Millisecond}); err != nil {
			t.Fatal(err)
		}
		if err := c.Profiles.Add("noretry", ExecutionProfile{Retry: policy.NeverRetry()}); err != nil {
			t.Fatal(err)
		}
	})
	ctx := rqCtx(t)
	if _, err := e.s.ExecuteStatement(ctx, NewStatement(rqWrite).Profile("fast")); err != nil {
		t.Fatal(err)
	}
	p := e.msgs(cassandratest.Query(rqWrite))[0].Msg.(*frame.Query).Params
	if p.Consistency != Three || p.SerialConsistency != LocalSerial || p.PageSize != 9 {
		t.Errorf("profile options not sent: consistency %v serial %v page size %d", p.Consistency, p.SerialConsistency, p.PageSize)
	}
	// The statement's own options win over the profile's.
	const q2, q3 = rqWrite + " -- 2", rqWrite + " -- 3"
	if _, err := e.s.ExecuteStatement(ctx, NewStatement(q2).Profile("fast").Consistency(One).PageSize(3)); err != nil {
		t.Fatal(err)
	}
	p = e.msgs(cassandratest.Query(q2))[0].Msg.(*frame.Query).Params
	if p.Consistency != One || p.PageSize != 3 {
		t.Errorf("statement options lost to the profile: consistency %v page size %d", p.Consistency, p.PageSize)
	}
	// Fields the profile leaves zero come from the cluster.
	if _, err := e.s.ExecuteStatement(ctx, NewStatement(q3).Profile("noretry")); err != nil {
		t.Fatal(err)
	}
	p = e.msgs(cassandratest.Query(q3))[0].Msg.(*frame.Query).Params
	if p.Consistency != LocalOne || p.PageSize != 5000 {
		t.Errorf("default options: consistency %v page size %d", p.Consistency, p.PageSize)
	}

	// The profile's timeout bounds the request.
	const slow = "SELECT * FROM ks.slow"
	e.rule(cassandratest.Rule{Match: cassandratest.Query(slow), Then: cassandratest.Delay(2*time.Second, nil)})
	start := time.Now()
	_, err := e.s.ExecuteStatement(ctx, NewStatement(slow).Profile("fast"))
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("error %v, want a *TimeoutError", err)
	}
	if d := time.Since(start); d < 140*time.Millisecond || d > time.Second {
		t.Errorf("timed out after %v, want about the profile's 150ms", d)
	}

	// The profile's retry policy decides.
	const unav = "SELECT * FROM ks.unavailable"
	e.rule(cassandratest.Rule{Match: cassandratest.Query(unav), Then: cassandratest.Error(&frame.UnavailableError{Consistency: frame.Quorum, Required: 2, Alive: 1})})
	_, err = e.s.ExecuteStatement(ctx, NewStatement(unav).Profile("noretry"))
	var re *RequestError
	if !errors.As(err, &re) || len(re.Attempts) != 1 {
		t.Errorf("NeverRetry profile: %v, want one attempt", err)
	}
}

func TestUnknownProfile(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.prepareRules()
	ctx := rqCtx(t)
	ps, err := e.s.Prepare(ctx, rqInsert)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []Statement{
		NewStatement(rqWrite).Profile("nope"),
		ps.Bind(1, "a").Profile("nope"),
		NewBatch(LoggedBatch).Query(rqWrite).Profile("nope"),
	} {
		if _, err := e.s.ExecuteStatement(ctx, stmt); err == nil {
			t.Errorf("%T with an unknown profile: no error", stmt)
		}
	}
	if k := e.count(cassandratest.Query(rqWrite)) + e.count(cassandratest.Op(frame.OpExecute)) + e.count(cassandratest.Op(frame.OpBatch)); k != 0 {
		t.Errorf("%d requests sent with an unknown profile", k)
	}
}

func TestProfileManagerAdd(t *testing.T) {
	var m ProfileManager
	if err := m.Add("a", ExecutionProfile{Consistency: One}); err != nil {
		t.Fatal(err)
	}
	if err := m.Add("a", ExecutionProfile{Consistency: Quorum}); err == nil {
		t.Error("duplicate Add: no error")
	}
	if p, ok := m.Get("a"); !ok || p.Consistency != One {
		t.Errorf("Get after a refused duplicate: %+v %v", p, ok)
	}
	if err := m.Add("", ExecutionProfile{}); err == nil {
		t.Error("Add of the default name: no error")
	}
	if err := m.Add("b", ExecutionProfile{SerialConsistency: Quorum}); err == nil {
		t.Error("non-serial serial consistency: no error")
	}
	if _, ok := m.Get("missing"); ok {
		t.Error("Get of a missing profile")
	}
}

func TestGraphOptionsTravelInThePayload(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) {
		c.ProtocolVersion = 4
		if err := c.Profiles.Add("graph", ExecutionProfile{Graph: GraphOptions{Name: "g1", Language: "gremlin-groovy", ReadConsistency: "ONE"}}); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(rqWrite).Profile("graph").CustomPayload(map[string][]byte{"mine": {1}})); err != nil {
		t.Fatal(err)
	}
	p := e.msgs(cassandratest.Query(rqWrite))[0].CustomPayload
	if string(p["graph-name"]) != "g1" || string(p["graph-language"]) != "gremlin-groovy" || string(p["graph-read-consistency"]) != "ONE" || p["mine"] == nil || p["graph-source"] != nil {
		t.Errorf("payload %q", p)
	}
}

// ANY (wire value 0) can be the cluster's and a profile's default: the zero
// Consistency means "not set", so a profile or statement that leaves it zero
// inherits ANY instead of being read as choosing it, and one that names
// another level overrides it.
func TestConsistencyAnyAsDefault(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) {
		c.Consistency = Any
		if err := c.Profiles.Add("plain", ExecutionProfile{PageSize: 7}); err != nil {
			t.Fatal(err)
		}
		if err := c.Profiles.Add("quorum", ExecutionProfile{Consistency: Quorum}); err != nil {
			t.Fatal(err)
		}
	})
	ctx := rqCtx(t)
	for i, tc := range []struct {
		stmt *SimpleStatement
		want Consistency
	}{
		{NewStatement(rqWrite + " -- a"), Any},
		{NewStatement(rqWrite + " -- b").Profile("plain"), Any},
		{NewStatement(rqWrite + " -- c").Profile("quorum"), Quorum},
		{NewStatement(rqWrite + " -- d").Profile("quorum").Consistency(Any), Any},
		{NewStatement(rqWrite + " -- e").Consistency(One).Consistency(0), Any},
	} {
		if _, err := e.s.ExecuteStatement(ctx, tc.stmt); err != nil {
			t.Fatal(err)
		}
		msgs := e.msgs(cassandratest.Query(tc.stmt.cql))
		if len(msgs) != 1 {
			t.Fatalf("case %d: %d requests", i, len(msgs))
		}
		if got := msgs[0].Msg.(*frame.Query).Params.Consistency; got != tc.want {
			t.Errorf("case %d (%s): sent %v, want %v", i, tc.stmt.cql, got, tc.want)
		}
	}
}
