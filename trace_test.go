package cassandra

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
)

func traceCols(table string, nameTypes ...any) []frame.ColumnSpec {
	cs := testCols(nameTypes...)
	for i := range cs {
		cs[i].Keyspace, cs[i].Table = "system_traces", table
	}
	return cs
}

var (
	traceSessionCols = traceCols("sessions", "coordinator", tInet, "duration", tInt, "parameters", mapOf(tText, tText),
		"request", tText, "started_at", tTimestamp, "client", tInet)
	traceEventCols = traceCols("events", "event_id", tTimeUUID, "activity", tText, "source", tInet,
		"source_elapsed", tInt, "thread", tText)
	traceParams = frame.NewPreparedMetadata(traceCols("sessions", "session_id", tUUID), 0)
)

func cells(t *testing.T, cs []frame.ColumnSpec, vals ...any) [][]byte {
	t.Helper()
	out := make([][]byte, len(vals))
	for i, v := range vals {
		b, err := cqltype.Marshal(cs[i].Type, v)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

// traceNode answers the trace statements: the session row is incomplete
// (null duration) for the first `incomplete` reads, or forever when
// incomplete < 0.
func traceNode(t *testing.T, incomplete int) *cassandratest.Node {
	n := startNode(t, cassandratest.Config{})
	coord := netip.MustParseAddr("10.0.0.1")
	started := time.UnixMilli(1_700_000_000_000).UTC()
	params := map[string]string{"query": "SELECT 1", "consistency_level": "ONE"}
	pending := cells(t, traceSessionCols, coord, nil, params, "Execute CQL3 query", started, coord)
	done := cells(t, traceSessionCols, coord, int32(1500), params, "Execute CQL3 query", started, coord)
	evID := uuid.Must(uuid.NewUUID())
	events := [][][]byte{
		cells(t, traceEventCols, evID, "Parsing SELECT 1", coord, int32(10), "Native-Transport-Requests-1"),
		cells(t, traceEventCols, uuid.Must(uuid.NewUUID()), "Read 1 live rows", coord, int32(90), "ReadStage-2"),
	}
	sessMeta, evMeta := frame.NewRowsMetadata(traceSessionCols...), frame.NewRowsMetadata(traceEventCols...)
	n.AddRule(cassandratest.Rule{Match: cassandratest.Prepare(traceSessionCQL), Then: cassandratest.Prepared(traceParams, sessMeta)})
	n.AddRule(cassandratest.Rule{Match: cassandratest.Prepare(traceEventsCQL), Then: cassandratest.Prepared(traceParams, evMeta)})
	if incomplete < 0 {
		n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(traceSessionCQL), Then: cassandratest.Rows(sessMeta, [][][]byte{pending})})
	} else {
		if incomplete > 0 {
			n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(traceSessionCQL), Then: cassandratest.Times(incomplete, cassandratest.Rows(sessMeta, [][][]byte{pending}))})
		}
		n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(traceSessionCQL), Then: cassandratest.Rows(sessMeta, [][][]byte{done})})
	}
	n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(traceEventsCQL), Then: cassandratest.Rows(evMeta, events)})
	return n
}

func TestQueryTraceWaitsUntilComplete(t *testing.T) {
	n := traceNode(t, 2)
	s := connect(t, simCluster(t, n))
	id := uuid.New()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tr, err := s.queryTrace(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if tr.ID != id || tr.Duration != 1500*time.Microsecond || tr.Coordinator != netip.MustParseAddr("10.0.0.1") ||
		tr.Parameters["consistency_level"] != "ONE" || tr.Request != "Execute CQL3 query" || tr.StartedAt.UnixMilli() != 1_700_000_000_000 {
		t.Fatalf("trace %+v", tr)
	}
	if len(tr.Events) != 2 || tr.Events[1].Activity != "Read 1 live rows" || tr.Events[1].SourceElapsed != 90*time.Microsecond ||
		tr.Events[0].Thread != "Native-Transport-Requests-1" || tr.Events[0].Time.IsZero() {
		t.Fatalf("events %+v", tr.Events)
	}
	if got := n.Count(cassandratest.Execute(traceSessionCQL)); got != 3 {
		t.Fatalf("%d reads of the session row, want 3 (two incomplete)", got)
	}
}

func TestQueryTraceGivesUp(t *testing.T) {
	n := traceNode(t, -1)
	s := connect(t, simCluster(t, n))
	ctx, cancel := context.WithTimeout(context.Background(), 350*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.queryTrace(ctx, uuid.New())
	var tu *TraceUnavailableError
	if !errors.As(err, &tu) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if el := time.Since(start); el > 2*time.Second || tu.Waited < 300*time.Millisecond {
		t.Fatalf("gave up after %v (Waited %v)", el, tu.Waited)
	}
	if got := n.Count(cassandratest.Execute(traceSessionCQL)); got < 2 || got > 6 {
		t.Fatalf("%d reads in 350ms at one per 100ms", got)
	}
}

func TestQueryTracePermanentErrorFailsFast(t *testing.T) {
	n := startNode(t, cassandratest.Config{})
	n.AddRule(cassandratest.Rule{Match: cassandratest.Prepare(traceSessionCQL), Then: cassandratest.Error(&frame.UnauthorizedError{Msg: "no SELECT on system_traces"})})
	s := connect(t, simCluster(t, n))
	start := time.Now()
	_, err := s.queryTrace(context.Background(), uuid.New())
	var un *UnauthorizedError
	var tu *TraceUnavailableError
	if !errors.As(err, &tu) || !errors.As(err, &un) || time.Since(start) > time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}

func TestQueryTraceNotTraced(t *testing.T) {
	rs := newTestResultSet(t, kvCols, kvRows(0, 1))
	if _, err := rs.QueryTrace(context.Background()); !errors.Is(err, ErrNotTraced) {
		t.Fatalf("err = %v", err)
	}
	f := newFuture()
	f.complete(rs, nil)
	if _, err := f.QueryTrace(context.Background()); !errors.Is(err, ErrNotTraced) {
		t.Fatalf("future: %v", err)
	}
	f = newFuture()
	f.complete(nil, ErrClosed)
	if _, err := f.QueryTrace(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("failed future: %v", err)
	}
}
