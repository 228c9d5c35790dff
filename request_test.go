package cassandra

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// Unit tests of the request path (Execute, binding, options, retries,
// failover, timeouts) on simulated nodes. Helpers are prefixed rq so they
// do not collide with the cluster-layer tests' helpers.

// rqEnv is a connected session on simulated nodes.
type rqEnv struct {
	nodes []*cassandratest.Node
	c     *Cluster
	s     *Session
}

// rqStart starts n simulated nodes sharing a port and connects a session
// with short timeouts to them; mut adjusts the cluster before Connect. It
// returns once the session has a connection to every node.
func rqStart(t testing.TB, n int, cfg cassandratest.Config, mut func(*Cluster)) *rqEnv {
	t.Helper()
	nodes, err := cassandratest.StartCluster(n, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, n := range nodes {
			n.Close()
		}
	})
	c := NewCluster(nodes[0].Addr().Addr().String())
	c.Port = int(nodes[0].Addr().Port())
	c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	c.Timeouts = Timeouts{Connect: time.Second, Control: time.Second, Request: 2 * time.Second, SchemaAgreement: time.Second, Heartbeat: -1}
	c.Events = EventConfig{TopologyWindow: 10 * time.Millisecond, StatusWindow: 10 * time.Millisecond, SchemaWindow: 10 * time.Millisecond, RefreshInterval: -1}
	c.Policies.Reconnection = policy.Constant(50*time.Millisecond, 0)
	if mut != nil {
		mut(c)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("cluster close: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.Connect(ctx)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	e := &rqEnv{nodes: nodes, c: c, s: s}
	rqWait(t, 5*time.Second, "a connection to every node", func() bool {
		for i := range nodes {
			if h := e.host(i); h == nil || !s.hasLiveConn(h) {
				return false
			}
		}
		return true
	})
	return e
}

// host returns the cluster's host of node i.
func (e *rqEnv) host(i int) *Host {
	for _, h := range e.c.Hosts() {
		if h.Addr() == e.nodes[i].Addr() {
			return h
		}
	}
	return nil
}

// nodeOf returns the index of the node at addr.
func (e *rqEnv) nodeOf(addr netip.AddrPort) int {
	for i, n := range e.nodes {
		if n.Addr() == addr {
			return i
		}
	}
	return -1
}

// count sums a matcher's count over every node.
func (e *rqEnv) count(m cassandratest.Matcher) int {
	k := 0
	for _, n := range e.nodes {
		k += n.Count(m)
	}
	return k
}

// rule adds r to every node.
func (e *rqEnv) rule(r cassandratest.Rule) {
	for _, n := range e.nodes {
		n.AddRule(r)
	}
}

// reset forgets the requests logged so far on every node.
func (e *rqEnv) reset() {
	for _, n := range e.nodes {
		n.ResetRequests()
	}
}

// msgs returns the decoded requests the nodes received that m accepts.
func (e *rqEnv) msgs(m cassandratest.Matcher) []cassandratest.Request {
	var out []cassandratest.Request
	for _, n := range e.nodes {
		for _, r := range n.Requests() {
			if m(&r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// rqWait polls cond every few milliseconds and fails the test if it does
// not hold within d.
func rqWait(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: still waiting for %s", d, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// rqCtx is a context bounding a test step.
func rqCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// firstOnly reacts with r to the first request that reaches it, on any
// node it is installed on, and lets the others through: "the first
// attempt fails, wherever it goes".
func firstOnly(r cassandratest.Reaction) cassandratest.Reaction {
	var taken atomic.Bool
	return cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
		if taken.CompareAndSwap(false, true) {
			return r
		}
		return nil
	})
}

var (
	rqInt  = &frame.Type{ID: frame.TypeInt}
	rqText = &frame.Type{ID: frame.TypeVarchar}
	// rqKV are the columns k int, v text of ks.t.
	rqKV = []frame.ColumnSpec{
		{Keyspace: "ks", Table: "t", Name: "k", Type: rqInt},
		{Keyspace: "ks", Table: "t", Name: "v", Type: rqText},
	}
)

const (
	rqInsert = "INSERT INTO ks.t (k, v) VALUES (?, ?)"
	rqSelect = "SELECT k, v FROM ks.t WHERE k = ?"
)

// prepareRules makes the nodes prepare rqInsert with markers k int, v text
// and rqSelect with marker k and result columns k, v, answered with the
// row (1, "a").
func (e *rqEnv) prepareRules() {
	e.rule(cassandratest.Rule{Match: cassandratest.Prepare(rqInsert), Then: rqPrepared(rqKV, frame.RowsMetadata{})})
	e.rule(cassandratest.Rule{Match: cassandratest.Prepare(rqSelect), Then: rqPrepared(rqKV[:1], frame.NewRowsMetadata(rqKV...))})
	e.rule(cassandratest.Rule{Match: cassandratest.Execute(rqSelect), Then: cassandratest.Rows(frame.NewRowsMetadata(rqKV...), [][][]byte{kvRow(1, "a")})})
}

// rqPrepared answers a PREPARE with params (the first one the partition
// key, from v4 on, which is when PREPARED carries pk indexes) and result.
func rqPrepared(params []frame.ColumnSpec, result frame.RowsMetadata) cassandratest.Reaction {
	return cassandratest.Func(func(r *cassandratest.Request) cassandratest.Reaction {
		if r.Version < frame.V4 || len(params) == 0 {
			return cassandratest.Prepared(frame.NewPreparedMetadata(params), result)
		}
		return cassandratest.Prepared(frame.NewPreparedMetadata(params, 0), result)
	})
}

// kvRow encodes a row of rqKV.
func kvRow(k int32, v string) [][]byte {
	return [][]byte{cassandratest.IntCell(k), cassandratest.TextCell(v)}
}

func TestExecuteStringWithoutValuesSendsQuery(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	q := "INSERT INTO ks.t (k, v) VALUES (1, 'a')"
	if _, err := e.s.Execute(rqCtx(t), q); err != nil {
		t.Fatal(err)
	}
	if n := e.count(cassandratest.Query(q)); n != 1 {
		t.Errorf("%d QUERY requests, want 1", n)
	}
	if n := e.count(cassandratest.Op(frame.OpPrepare)); n != 0 {
		t.Errorf("%d PREPARE requests, want none", n)
	}
}

func TestExecuteStringWithValuesPreparesOnceThenExecutes(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.prepareRules()
	ctx := rqCtx(t)
	for i := range 3 {
		if _, err := e.s.Execute(ctx, rqInsert, i, "x"); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.count(cassandratest.Prepare(rqInsert)); n != 1 {
		t.Errorf("%d PREPARE requests, want 1 (cached)", n)
	}
	ex := e.msgs(cassandratest.Execute(rqInsert))
	if len(ex) != 3 {
		t.Fatalf("%d EXECUTE requests, want 3", len(ex))
	}
	m := ex[2].Msg.(*frame.Execute)
	if string(m.ID) != string(cassandratest.PreparedID(rqInsert)) {
		t.Errorf("EXECUTE id %x", m.ID)
	}
	if len(m.Params.Values) != 2 || string(m.Params.Values[0].Bytes) != string(cassandratest.IntCell(2)) || string(m.Params.Values[1].Bytes) != "x" {
		t.Errorf("EXECUTE values %+v", m.Params.Values)
	}
	if k := e.count(cassandratest.Query(rqInsert)); k != 0 {
		t.Errorf("%d QUERY requests of the statement, want none", k)
	}
}

func TestConcurrentPrepareSendsOnePrepare(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Prepare(rqInsert), Then: cassandratest.Delay(50*time.Millisecond, rqPrepared(rqKV, frame.RowsMetadata{}))})
	ctx := rqCtx(t)
	const n = 50
	got := make([]*PreparedStatement, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ps, err := e.s.Prepare(ctx, rqInsert)
			if err != nil {
				errs <- err
			}
			got[i] = ps
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if k := e.count(cassandratest.Prepare(rqInsert)); k != 1 {
		t.Errorf("%d PREPARE requests for %d concurrent Prepare calls, want 1", k, n)
	}
	for i := range got {
		if got[i] != got[0] {
			t.Fatalf("Prepare %d returned a different statement", i)
		}
	}
}

func TestFailedPrepareIsNotCached(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.rule(cassandratest.Rule{Match: cassandratest.Prepare(rqInsert), Then: cassandratest.Once(cassandratest.Error(&frame.SyntaxError{Msg: "no"}))})
	e.prepareRules()
	ctx := rqCtx(t)
	if _, err := e.s.Prepare(ctx, rqInsert); err == nil {
		t.Fatal("first Prepare succeeded")
	}
	if _, err := e.s.Prepare(ctx, rqInsert); err != nil {
		t.Fatalf("second Prepare: %v", err)
	}
	if k := e.count(cassandratest.Prepare(rqInsert)); k != 2 {
		t.Errorf("%d PREPARE requests, want 2", k)
	}
}

func TestStatementOptionsReachTheWire(t *testing.T) {
	ts := time.UnixMicro(1_700_000_000_123_456)
	for _, v := range []int{3, 4, 5} {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.ProtocolVersion = v })
			e.prepareRules()
			ctx := rqCtx(t)
			q := "UPDATE ks.t SET v = 'a' WHERE k = 1 IF EXISTS"
			st := NewStatement(q).Consistency(Quorum).SerialConsistency(LocalSerial).PageSize(7).
				Timestamp(ts).Keyspace("other").NowInSeconds(42)
			if _, err := e.s.ExecuteStatement(ctx, st); err != nil {
				t.Fatal(err)
			}
			bs := e.msgs(cassandratest.Query(q))
			if len(bs) != 1 {
				t.Fatalf("%d QUERY requests", len(bs))
			}
			checkParams(t, v, &bs[0].Msg.(*frame.Query).Params)

			// The same options on an EXECUTE.
			ps, err := e.s.Prepare(ctx, rqInsert)
			if err != nil {
				t.Fatal(err)
			}
			b := ps.Bind(1, "a").Consistency(Quorum).SerialConsistency(LocalSerial).PageSize(7).
				Timestamp(ts).Keyspace("other").NowInSeconds(42)
			if _, err := e.s.ExecuteStatement(ctx, b); err != nil {
				t.Fatal(err)
			}
			ex := e.msgs(cassandratest.Execute(rqInsert))
			if len(ex) != 1 {
				t.Fatalf("%d EXECUTE requests", len(ex))
			}
			checkParams(t, v, &ex[0].Msg.(*frame.Execute).Params)
		})
	}
}

func checkParams(t *testing.T, v int, p *frame.QueryParams) {
	t.Helper()
	if p.Consistency != Quorum || p.SerialConsistency != LocalSerial || p.PageSize != 7 {
		t.Errorf("consistency %v serial %v page size %d", p.Consistency, p.SerialConsistency, p.PageSize)
	}
	if !p.HasTimestamp || p.Timestamp != 1_700_000_000_123_456 {
		t.Errorf("timestamp %v %d", p.HasTimestamp, p.Timestamp)
	}
	if v >= 5 {
		if p.Keyspace != "other" || !p.HasNowInSeconds || p.NowInSeconds != 42 {
			t.Errorf("v5: keyspace %q now_in_seconds %v %d", p.Keyspace, p.HasNowInSeconds, p.NowInSeconds)
		}
	} else if p.Keyspace != "" || p.HasNowInSeconds {
		t.Errorf("v%d: keyspace %q and now_in_seconds %v sent", v, p.Keyspace, p.HasNowInSeconds)
	}
}

func TestDefaultOptionsFromCluster(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) {
		c.Consistency = LocalQuorum
		c.PageSize = 123
	})
	q := "SELECT * FROM ks.t"
	if _, err := e.s.Execute(rqCtx(t), q); err != nil {
		t.Fatal(err)
	}
	p := e.msgs(cassandratest.Query(q))[0].Msg.(*frame.Query).Params
	if p.Consistency != LocalQuorum || p.PageSize != 123 || p.SerialConsistency != 0 {
		t.Errorf("consistency %v page size %d serial %v", p.Consistency, p.PageSize, p.SerialConsistency)
	}
	// Paging off: no page size sent.
	if _, err := e.s.ExecuteStatement(rqCtx(t), NewStatement(q).PageSize(-1)); err != nil {
		t.Fatal(err)
	}
	if p := e.msgs(cassandratest.Query(q))[1].Msg.(*frame.Query).Params; p.PageSize != 0 {
		t.Errorf("PageSize(-1) sent page size %d", p.PageSize)
	}
}

func TestExecuteForms(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.prepareRules()
	ctx := rqCtx(t)
	ps, err := e.s.Prepare(ctx, rqInsert)
	if err != nil {
		t.Fatal(err)
	}
	forms := []struct {
		name string
		stmt any
		args []any
	}{
		{"string_with_values", rqInsert, []any{1, "a"}},
		{"statement_with_values", NewStatement(rqInsert, 2, "b"), nil},
		{"prepared_with_args", ps, []any{3, "c"}},
		{"bound", ps.Bind(4, "d"), nil},
		{"bound_by_name", ps.BindMap(map[string]any{"k": 5, "v": "e"}), nil},
	}
	for i, f := range forms {
		if _, err := execAny(ctx, e.s, f.stmt, f.args...); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		ex := e.msgs(cassandratest.Execute(rqInsert))
		if len(ex) != i+1 {
			t.Fatalf("%s: %d EXECUTEs in all, want %d", f.name, len(ex), i+1)
		}
		vals := ex[i].Msg.(*frame.Execute).Params.Values
		if len(vals) != 2 || string(vals[0].Bytes) != string(cassandratest.IntCell(int32(i+1))) {
			t.Errorf("%s: values %+v", f.name, vals)
		}
	}
	if k := e.count(cassandratest.Prepare(rqInsert)); k != 1 {
		t.Errorf("%d PREPAREs, want 1", k)
	}
	// Nil statements of every kind are errors, not panics.
	for _, stmt := range []Statement{nil, (*SimpleStatement)(nil), (*BoundStatement)(nil), (*Batch)(nil), &BoundStatement{}} {
		if _, err := e.s.ExecuteStatement(ctx, stmt); err == nil {
			t.Errorf("%#v: no error", stmt)
		}
	}
}

func TestBindErrorsBeforeSending(t *testing.T) {
	for _, v := range []int{3, 4} {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.ProtocolVersion = v })
			e.prepareRules()
			ctx := rqCtx(t)
			ps, err := e.s.Prepare(ctx, rqInsert)
			if err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				name   string
				stmt   any
				args   []any
				column string // the BindError's or MarshalError's column
				check  func(error) bool
			}{
				{"too_few", ps, []any{1}, "", isBindError},
				{"too_many_bound", ps.Bind(1, "a", 2), nil, "", isBindError},
				{"string_too_many", rqInsert, []any{1, "a", 3}, "", isBindError},
				{"map_missing_name", ps.BindMap(map[string]any{"k": 1}), nil, "v", isBindError},
				{"map_unknown_name", ps.BindMap(map[string]any{"k": 1, "v": "a", "w": 2}), nil, "w", isBindError},
				{"wrong_type", ps, []any{"one", "a"}, "k", isMarshalError},
				{"wrong_type_second", ps.Bind(1, 2.5), nil, "v", isMarshalError},
			}
			if v == 3 {
				cases = append(cases, struct {
					name   string
					stmt   any
					args   []any
					column string
					check  func(error) bool
				}{"unset_on_v3", ps, []any{1, Unset}, "v", isBindError})
			}
			for _, c := range cases {
				_, err := execAny(ctx, e.s, c.stmt, c.args...)
				if err == nil || !c.check(err) {
					t.Errorf("%s: error %v (%T)", c.name, err, err)
					continue
				}
				if c.column != "" && errColumn(err) != c.column {
					t.Errorf("%s: error names column %q, want %q: %v", c.name, errColumn(err), c.column, err)
				}
			}
			if k := e.count(cassandratest.Op(frame.OpExecute)); k != 0 {
				t.Errorf("%d EXECUTEs reached the node for statements with bad values", k)
			}
		})
	}
}

func isBindError(err error) bool    { var be *BindError; return errors.As(err, &be) }
func isMarshalError(err error) bool { var me *MarshalError; return errors.As(err, &me) }

func errColumn(err error) string {
	var be *BindError
	if errors.As(err, &be) {
		return be.Column
	}
	var me *MarshalError
	if errors.As(err, &me) {
		return me.Column
	}
	return ""
}

func TestUnsetOnV4IsSent(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.ProtocolVersion = 4 })
	e.prepareRules()
	ctx := rqCtx(t)
	ps, err := e.s.Prepare(ctx, rqInsert)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.ExecuteStatement(ctx, ps.BindMap(map[string]any{"k": 1, "v": Unset})); err != nil {
		t.Fatal(err)
	}
	vals := e.msgs(cassandratest.Execute(rqInsert))[0].Msg.(*frame.Execute).Params.Values
	if len(vals) != 2 || !vals[1].Unset {
		t.Errorf("values %+v, want v unset", vals)
	}
}
