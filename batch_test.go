package cassandra

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// Batches on the wire.

func TestBatchOnTheWire(t *testing.T) {
	const counter = "UPDATE ks.c SET n = n + 1 WHERE k = 1"
	for _, v := range []int{4, 5} {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.ProtocolVersion = v })
			e.prepareRules()
			ctx := rqCtx(t)
			ps, err := e.s.Prepare(ctx, rqInsert)
			if err != nil {
				t.Fatal(err)
			}
			b := NewBatch(UnloggedBatch).
				Query(counter).
				Query(rqInsert, 2, "b").
				Add(ps.Bind(3, "c")).
				Add(ps.Bind(4, "d")).
				Add(ps.BindMap(map[string]any{"k": 5, "v": "e"})).
				Consistency(Quorum).SerialConsistency(Serial).Timestamp(time.UnixMicro(99)).Keyspace("ks").NowInSeconds(7)
			if b.Len() != 5 {
				t.Fatalf("Len %d", b.Len())
			}
			if _, err := e.s.ExecuteStatement(ctx, b); err != nil {
				t.Fatal(err)
			}
			bs := e.msgs(cassandratest.Op(frame.OpBatch))
			if len(bs) != 1 {
				t.Fatalf("%d BATCH requests", len(bs))
			}
			m := bs[0].Msg.(*frame.Batch)
			if m.Type != UnloggedBatch || m.Consistency != Quorum || m.SerialConsistency != Serial || !m.HasTimestamp || m.Timestamp != 99 {
				t.Errorf("batch %+v", m)
			}
			if v >= 5 && (m.Keyspace != "ks" || !m.HasNowInSeconds || m.NowInSeconds != 7) {
				t.Errorf("v5 batch keyspace %q now %v %d", m.Keyspace, m.HasNowInSeconds, m.NowInSeconds)
			}
			if v < 5 && (m.Keyspace != "" || m.HasNowInSeconds) {
				t.Errorf("v4 batch carries keyspace %q / now_in_seconds", m.Keyspace)
			}
			if len(m.Statements) != 5 {
				t.Fatalf("%d statements", len(m.Statements))
			}
			if s0 := m.Statements[0]; s0.Query != counter || s0.ID != nil || len(s0.Values) != 0 {
				t.Errorf("statement 0 %+v", s0)
			}
			for i, st := range m.Statements[1:] {
				if !bytes.Equal(st.ID, ps.ID()) || len(st.Values) != 2 || !bytes.Equal(st.Values[0].Bytes, cassandratest.IntCell(int32(i+2))) {
					t.Errorf("statement %d %+v", i+1, st)
				}
			}
			if k := e.count(cassandratest.Prepare(rqInsert)); k != 1 {
				t.Errorf("%d PREPAREs, want 1", k)
			}
		})
	}
}

func TestBatchErrorsBeforeSending(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.prepareRules()
	ctx := rqCtx(t)
	ps, err := e.s.Prepare(ctx, rqInsert)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]*Batch{
		"empty":        NewBatch(LoggedBatch),
		"nil_entry":    NewBatch(LoggedBatch).Add((*BoundStatement)(nil)),
		"wrong_count":  NewBatch(LoggedBatch).Query(rqWrite).Add(ps.Bind(1)),
		"wrong_type":   NewBatch(LoggedBatch).Add(ps.Bind("x", "y")),
		"missing_name": NewBatch(LoggedBatch).Add(ps.BindMap(map[string]any{"k": 1})),
	}
	for name, b := range cases {
		if _, err := e.s.ExecuteStatement(ctx, b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if k := e.count(cassandratest.Op(frame.OpBatch)); k != 0 {
		t.Errorf("%d BATCHes sent", k)
	}
}

func TestBatchUnpreparedReprepares(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.prepareRules()
	ctx := rqCtx(t)
	ps, err := e.s.Prepare(ctx, rqInsert)
	if err != nil {
		t.Fatal(err)
	}
	e.nodes[0].ForgetPrepared()
	rs, err := e.s.ExecuteStatement(ctx, NewBatch(LoggedBatch).Query(rqWrite).Add(ps.Bind(1, "a")))
	if err != nil {
		t.Fatal(err)
	}
	if k := e.count(cassandratest.Op(frame.OpBatch)); k != 2 {
		t.Errorf("%d BATCHes, want 2 (UNPREPARED, then after the re-prepare)", k)
	}
	if k := e.count(cassandratest.Prepare(rqInsert)); k != 2 {
		t.Errorf("%d PREPAREs, want 2", k)
	}
	if len(rs.Attempts()) != 2 || rs.Attempts()[0].Host != rs.Attempts()[1].Host {
		t.Errorf("attempts %+v", rs.Attempts())
	}
}

func TestBatchAddStatementDoesNotAlias(t *testing.T) {
	vals := make([]any, 2, 4)
	vals[0], vals[1] = 1, "a"
	st := NewStatement(rqInsert, vals...)
	b1 := NewBatch(LoggedBatch).Add(st)
	vals[1] = "b" // the caller reuses its slice
	b2 := NewBatch(LoggedBatch).Add(NewStatement(rqInsert, append(vals[:1:1], "c")...))
	if got := b1.entries[0].values; len(got) != 2 || got[0] != 1 {
		t.Errorf("first batch's values became %v", got)
	}
	if got := b2.entries[0].values; len(got) != 2 || got[1] != "c" {
		t.Errorf("second batch's values are %v", got)
	}
}

// Batches reuse the slices and buffers a recycled request kept from the
// batch before: batches of different sizes, run one after the other, each
// put exactly their own statements and values on the wire, and a simple
// statement after them carries no batch leftovers.
func TestBatchesReusingRecycledRequests(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.prepareRules()
	ctx := rqCtx(t)
	ps, err := e.s.Prepare(ctx, rqInsert)
	if err != nil {
		t.Fatal(err)
	}
	sizes := []int{3, 12, 1, 7, 12, 2}
	next := int32(0)
	for _, n := range sizes {
		b := NewBatch(UnloggedBatch)
		for range n {
			next++
			b.Add(ps.Bind(next, strings.Repeat("v", int(next))))
		}
		if _, err := e.s.ExecuteStatement(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	bs := e.msgs(cassandratest.Op(frame.OpBatch))
	if len(bs) != len(sizes) {
		t.Fatalf("%d BATCH requests, want %d", len(bs), len(sizes))
	}
	want := int32(0)
	for i, r := range bs {
		m := r.Msg.(*frame.Batch)
		if len(m.Statements) != sizes[i] {
			t.Fatalf("batch %d: %d statements, want %d", i, len(m.Statements), sizes[i])
		}
		for j, st := range m.Statements {
			want++
			if len(st.Values) != 2 || !bytes.Equal(st.Values[0].Bytes, cassandratest.IntCell(want)) || string(st.Values[1].Bytes) != strings.Repeat("v", int(want)) {
				t.Errorf("batch %d statement %d: %d values, k %x v %q; want k %d", i, j, len(st.Values), st.Values[0].Bytes, st.Values[1].Bytes, want)
			}
		}
	}
	if _, err := e.s.ExecuteStatement(ctx, ps.Bind(1000, "x")); err != nil {
		t.Fatal(err)
	}
	ex := e.msgs(cassandratest.Op(frame.OpExecute))
	if p := ex[len(ex)-1].Msg.(*frame.Execute).Params; len(p.Values) != 2 || !bytes.Equal(p.Values[0].Bytes, cassandratest.IntCell(1000)) {
		t.Errorf("an EXECUTE after the batches: %+v", p.Values)
	}
}
