package cassandra

import (
	"errors"
	"strings"
	"testing"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// rowsHonouringSkip answers an EXECUTE with rows of cols, leaving out the
// column specs when the request asks to skip them, as a server does.
func rowsHonouringSkip(cols []frame.ColumnSpec, rows [][][]byte, paging []byte) cassandratest.Reaction {
	return cassandratest.Func(func(r *cassandratest.Request) cassandratest.Reaction {
		meta := frame.NewRowsMetadata(cols...)
		meta.PagingState = paging
		if ex, ok := r.Msg.(*frame.Execute); ok && ex.Params.SkipMetadata {
			meta.Flags |= frame.MetadataNoMetadata
			meta.Columns = nil
		}
		return cassandratest.Rows(meta, rows)
	})
}

// TestRowsOfAnotherShapeAreNeverDecodedWithCachedColumns is the case of a
// table altered and the statement prepared again by another client before
// this one executes it: the server sends no UNPREPARED, and the rows, sent
// without metadata, no longer match the cached columns. The driver must
// prepare again and fetch the page with its metadata, never put a value
// under the wrong column.
func TestRowsOfAnotherShapeAreNeverDecodedWithCachedColumns(t *testing.T) {
	kvw := append(append([]frame.ColumnSpec(nil), rqKV...), frame.ColumnSpec{Keyspace: "ks", Table: "t", Name: "w", Type: &frame.Type{ID: frame.TypeInt}})
	for _, c := range []struct {
		name string
		cols []frame.ColumnSpec
		row  [][]byte
		want map[string]any
	}{
		{"column_added", kvw, [][]byte{cassandratest.IntCell(1), cassandratest.TextCell("a"), cassandratest.IntCell(9)}, map[string]any{"k": int32(1), "v": "a", "w": int32(9)}},
		{"column_dropped", rqKV[:1], [][]byte{cassandratest.IntCell(1)}, map[string]any{"k": int32(1)}},
	} {
		for _, v := range []int{3, 4} {
			t.Run(c.name+"/v"+string(rune('0'+v)), func(t *testing.T) {
				e, ps := staleEnv(t, v)
				prepares := e.count(cassandratest.Prepare(rqSelect))
				// The table changed and another client prepared the text
				// again: the node now answers with the new shape.
				for _, n := range e.nodes {
					n.ClearRules()
					n.AddRule(cassandratest.Rule{Match: cassandratest.Prepare(rqSelect), Then: rqPrepared(rqKV[:1], frame.NewRowsMetadata(c.cols...))})
					n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(rqSelect), Then: rowsHonouringSkip(c.cols, [][][]byte{c.row}, nil)})
				}
				rs, err := e.s.ExecuteStatement(rqCtx(t), ps.Bind(1))
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]any{}
				if !rs.Next() || rs.MapScan(got) != nil {
					t.Fatalf("no row: %v", rs.Err())
				}
				if !valuesEqual(got, c.want) {
					t.Fatalf("row %v, want %v", got, c.want)
				}
				if k := e.count(cassandratest.Prepare(rqSelect)); k != prepares+1 {
					t.Errorf("%d PREPAREs, want %d (prepared again once)", k, prepares+1)
				}
				if cols := ps.ResultColumns(); len(cols) != len(c.cols) {
					t.Errorf("cached columns %v, want %d", cols, len(c.cols))
				}
			})
		}
	}
}

// TestLaterPageOfAnotherShapeIsFetchedAgain: the table changes between two
// pages; the second page comes back in the new shape without metadata and
// is fetched again with it.
func TestLaterPageOfAnotherShapeIsFetchedAgain(t *testing.T) {
	e, ps := staleEnv(t, 4)
	kvw := append(append([]frame.ColumnSpec(nil), rqKV...), frame.ColumnSpec{Keyspace: "ks", Table: "t", Name: "w", Type: &frame.Type{ID: frame.TypeInt}})
	for _, n := range e.nodes {
		n.ClearRules()
		n.AddRule(cassandratest.Rule{Match: cassandratest.Prepare(rqSelect), Then: rqPrepared(rqKV[:1], frame.NewRowsMetadata(kvw...))})
		// First page in the old shape with a paging state, then the new one.
		n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(rqSelect), Then: cassandratest.Once(rowsHonouringSkip(rqKV, [][][]byte{kvRow(1, "a")}, []byte{1}))})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(rqSelect), Then: rowsHonouringSkip(kvw, [][][]byte{{cassandratest.IntCell(2), cassandratest.TextCell("b"), cassandratest.IntCell(7)}}, nil)})
	}
	rs, err := e.s.ExecuteStatement(rqCtx(t), ps.Bind(1))
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	for rs.Next() {
		m := map[string]any{}
		if err := rs.MapScan(m); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, m)
	}
	if rs.Err() != nil {
		t.Fatal(rs.Err())
	}
	want := []map[string]any{{"k": int32(1), "v": "a"}, {"k": int32(2), "v": "b", "w": int32(7)}}
	if len(rows) != 2 || !valuesEqual(rows[0], want[0]) || !valuesEqual(rows[1], want[1]) {
		t.Fatalf("rows %v, want %v", rows, want)
	}
}

// TestRowsOfAnotherShapeEverywhereFailTyped: a server that keeps answering
// in a shape the metadata never matches gets a bounded number of tries and
// a typed error, not wrong values.
func TestRowsOfAnotherShapeEverywhereFailTyped(t *testing.T) {
	e, ps := staleEnv(t, 4)
	for _, n := range e.nodes {
		n.ClearRules()
		n.AddRule(cassandratest.Rule{Match: cassandratest.Prepare(rqSelect), Then: rqPrepared(rqKV[:1], frame.NewRowsMetadata(rqKV...))})
		// Always one column without metadata, whatever was asked.
		n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(rqSelect), Then: cassandratest.Func(func(*cassandratest.Request) cassandratest.Reaction {
			return cassandratest.Rows(frame.RowsMetadata{Flags: frame.MetadataNoMetadata, ColumnCount: 1}, [][][]byte{{cassandratest.IntCell(1)}})
		})})
	}
	_, err := e.s.ExecuteStatement(rqCtx(t), ps.Bind(1))
	var ce *ConnError
	if err == nil || !errors.As(err, &ce) {
		t.Fatalf("err %v, want a *ConnError", err)
	}
	if k := e.count(cassandratest.Execute(rqSelect)); k != 1+1+maxStaleRetries {
		t.Errorf("%d EXECUTEs, want %d (bounded)", k, 2+maxStaleRetries)
	}
}

// TestValueWithNewUDTFieldPreparesAgain: ALTER TYPE ADD c by another
// client, then a value setting c for a statement prepared before: the
// driver prepares the statement again (the server reports the new field)
// and sends the value; when the server still reports the old type, the
// error says so.
func TestValueWithNewUDTFieldPreparesAgain(t *testing.T) {
	const ins = "INSERT INTO ks.u (k, addr) VALUES (?, ?)"
	udt := func(fields ...string) *frame.Type {
		t := &frame.Type{ID: frame.TypeUDT, Keyspace: "ks", Name: "addr"}
		for _, f := range fields {
			t.FieldNames = append(t.FieldNames, f)
			t.Elems = append(t.Elems, &frame.Type{ID: frame.TypeVarchar})
		}
		return t
	}
	params := func(fields ...string) []frame.ColumnSpec {
		return []frame.ColumnSpec{
			{Keyspace: "ks", Table: "u", Name: "k", Type: &frame.Type{ID: frame.TypeInt}},
			{Keyspace: "ks", Table: "u", Name: "addr", Type: udt(fields...)},
		}
	}
	for _, serverAltered := range []bool{true, false} {
		t.Run(map[bool]string{true: "server_reports_new_field", false: "server_reports_old_type"}[serverAltered], func(t *testing.T) {
			e := rqStart(t, 1, cassandratest.Config{}, nil)
			e.rule(cassandratest.Rule{Match: cassandratest.Prepare(ins), Then: cassandratest.Once(rqPrepared(params("a"), frame.RowsMetadata{}))})
			after := params("a")
			if serverAltered {
				after = params("a", "c")
			}
			e.rule(cassandratest.Rule{Match: cassandratest.Prepare(ins), Then: rqPrepared(after, frame.RowsMetadata{})})
			e.rule(cassandratest.Rule{Match: cassandratest.Execute(ins), Then: cassandratest.Void()})
			ctx := rqCtx(t)
			ps, err := e.s.Prepare(ctx, ins)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.s.ExecuteStatement(ctx, ps.Bind(1, map[string]any{"a": "x", "c": "y"}))
			if k := e.count(cassandratest.Prepare(ins)); k != 2 {
				t.Errorf("%d PREPAREs, want 2 (prepared again once)", k)
			}
			if serverAltered {
				if err != nil {
					t.Fatal(err)
				}
				ex := e.lastExecute(t, ins)
				// addr = {a: 'x', c: 'y'}: two [bytes] fields.
				if got := ex.Params.Values[1].Bytes; string(got) != "\x00\x00\x00\x01x\x00\x00\x00\x01y" {
					t.Errorf("addr sent as %q", got)
				}
				return
			}
			var me *MarshalError
			if !errors.As(err, &me) || !strings.Contains(err.Error(), `"c" is not a field of ks.addr`) || !strings.Contains(err.Error(), "still reports") {
				t.Fatalf("err %v, want a *MarshalError saying the server still reports the old type", err)
			}
			if k := e.count(cassandratest.Execute(ins)); k != 0 {
				t.Errorf("%d EXECUTEs sent for a value that cannot be bound", k)
			}
		})
	}
}
