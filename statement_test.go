package cassandra

import (
	"errors"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

func TestOptionSettersReturnTheStatementTheyAreCalledOn(t *testing.T) {
	orig := NewStatement("SELECT 1")
	cp := *orig
	if got := cp.Consistency(One); got != &cp {
		t.Error("a copied statement's setter returned another statement")
	}
	if orig.o.consistency != 0 {
		t.Error("setting the copy changed the original")
	}
	var b Batch // the zero Batch works: a logged batch
	if got := b.Consistency(Quorum).Idempotent(true); got != &b || b.o.consistency != Quorum || !b.o.idempotent {
		t.Errorf("zero Batch setters: %p vs %p, %+v", got, &b, b.o)
	}
	bs := (&PreparedStatement{}).Bind(1)
	if got := bs.PageSize(10).Timeout(5); got != bs || bs.o.pageSize != 10 || bs.o.timeout != 5 {
		t.Errorf("BoundStatement setters: %+v", bs.o)
	}
}

func TestRequestKeepsItsOwnCopyOfTheOptions(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.prepareRules()
	ctx := rqCtx(t)
	stmt := NewStatement(rqPaged).PageSize(2).Consistency(Quorum)
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqPaged), Then: cassandratest.Once(cassandratest.Rows(frame.RowsMetadata{Columns: rqKV, PagingState: []byte{1}}, [][][]byte{kvRow(1, "a")}))})
	e.rule(cassandratest.Rule{Match: cassandratest.Query(rqPaged), Then: cassandratest.Rows(frame.NewRowsMetadata(rqKV...), [][][]byte{kvRow(2, "b")})})
	rs, err := e.s.ExecuteStatement(ctx, stmt)
	if err != nil {
		t.Fatal(err)
	}
	// The caller reuses its statement while the pages come.
	stmt.Consistency(One).PageSize(100).CustomPayload(map[string][]byte{"late": {1}})
	n := 0
	for rs.Next() {
		n++
	}
	if rs.Err() != nil || n != 2 {
		t.Fatalf("%d rows, %v", n, rs.Err())
	}
	qs := e.msgs(cassandratest.Query(rqPaged))
	last := qs[len(qs)-1]
	if p := last.Msg.(*frame.Query).Params; p.Consistency != Quorum || p.PageSize != 2 || last.CustomPayload != nil {
		t.Errorf("second page sent with consistency %v, page size %d, payload %v: the statement's later changes leaked in", p.Consistency, p.PageSize, last.CustomPayload)
	}
}

func TestQueryRow(t *testing.T) {
	e := rqStart(t, 1, cassandratest.Config{}, nil)
	e.prepareRules()
	ctx := rqCtx(t)
	var k int
	var v string
	if err := e.s.QueryRow(ctx, rqSelect, 1).Scan(&k, &v); err != nil || k != 1 || v != "a" {
		t.Fatalf("QueryRow: %d %q %v", k, v, err)
	}
	const none = "SELECT k, v FROM ks.t WHERE k = 99"
	e.rule(cassandratest.Rule{Match: cassandratest.Query(none), Then: cassandratest.Rows(frame.NewRowsMetadata(rqKV...), nil)})
	if err := e.s.QueryRow(ctx, none).Scan(&k, &v); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no row: %v, want ErrNotFound", err)
	}
	const bad = "SELECT nope FROM ks.t"
	e.rule(cassandratest.Rule{Match: cassandratest.Query(bad), Then: cassandratest.Error(&frame.InvalidError{Msg: "Undefined column name nope"})})
	row := e.s.QueryRow(ctx, bad)
	var inv *InvalidError
	if err := row.Scan(&v); !errors.As(err, &inv) || row.Err() == nil {
		t.Fatalf("server error: %v, want *InvalidError", err)
	}
	if _, err := row.Values(); !errors.As(err, &inv) {
		t.Fatalf("Values of a failed row: %v", err)
	}
}

func TestSchemaStatementsGetTheWholeRequestBound(t *testing.T) {
	for cql, want := range map[string]bool{
		"CREATE TABLE ks.t (k int PRIMARY KEY)":    true,
		"  drop keyspace ks":                       true,
		"-- a comment\nALTER TABLE ks.t ADD v int": true,
		"/* x */ TRUNCATE ks.t":                    true,
		"GRANT SELECT ON ks.t TO r":                true,
		"SELECT * FROM ks.t":                       false,
		"INSERT INTO ks.t (k) VALUES (1)":          false,
		"/* unterminated":                          false,
	} {
		if got := isSchemaStatement(cql); got != want {
			t.Errorf("isSchemaStatement(%q) = %v", cql, got)
		}
	}
	// A DDL that takes longer than the attempt timeout still succeeds.
	e := rqStart(t, 1, cassandratest.Config{}, func(c *Cluster) { c.Timeouts.Attempt = 50 * time.Millisecond })
	const ddl = "DROP TABLE IF EXISTS ks.slow"
	e.rule(cassandratest.Rule{Match: cassandratest.Query(ddl), Then: cassandratest.Delay(200*time.Millisecond, cassandratest.Void())})
	if _, err := e.s.Execute(rqCtx(t), ddl); err != nil {
		t.Fatalf("slow DDL: %v", err)
	}
}
