package cassandra

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/internal/testenv"
)

// scanSession connects to the server under test and prepares the it_scan
// keyspace with a users table of 25 rows in partition "p".
func scanSession(t *testing.T) (context.Context, *Session) {
	t.Helper()
	e := testenv.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	c := testCluster(t, e)
	s, err := c.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	for _, q := range []string{
		"CREATE KEYSPACE IF NOT EXISTS it_scan WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
		"CREATE TABLE IF NOT EXISTS it_scan.users (part text, id int, user_id uuid, name text, age int, tags list<text>, created_at timestamp, PRIMARY KEY (part, id))",
		"CREATE TABLE IF NOT EXISTS it_scan.lwt (k int PRIMARY KEY, v text)",
		"CREATE TABLE IF NOT EXISTS it_scan.lwt_batch (p int, c int, v text, PRIMARY KEY (p, c))",
	} {
		if _, err := s.Execute(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	ins, err := s.Prepare(ctx, "INSERT INTO it_scan.users (part, id, user_id, name, age, tags, created_at) VALUES ('p', ?, ?, ?, ?, ?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		var age any = int32(20 + i)
		if i%5 == 0 {
			age = nil
		}
		if _, err := s.ExecuteStatement(ctx, ins.Bind(int32(i), uuid.NewSHA1(uuid.Nil, []byte{byte(i)}), "user"+string(rune('a'+i)), age,
			[]string{"t", string(rune('a' + i))}, time.UnixMilli(int64(i)*1000))); err != nil {
			t.Fatal(err)
		}
	}
	return ctx, s
}

type itUser struct {
	ID        int32     `cql:"id"`
	UserID    uuid.UUID // user_id
	Name      string
	Age       *int32
	Tags      []string
	CreatedAt time.Time
}

const selectUsers = "SELECT id, user_id, name, age, tags, created_at FROM it_scan.users WHERE part = 'p'"

func TestIntegrationScanStructs(t *testing.T) {
	ctx, s := scanSession(t)
	t.Run("scan_all_across_pages_prepared", func(t *testing.T) {
		rs, err := s.ExecuteStatement(ctx, NewStatement(selectUsers+" AND id >= ?", int32(0)).PageSize(7))
		if err != nil {
			t.Fatal(err)
		}
		before := cqltype.PlanBuilds()
		users, err := ScanAll[itUser](rs)
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != 25 {
			t.Fatalf("%d users", len(users))
		}
		u := users[3]
		if u.ID != 3 || u.Name != "userd" || u.Age == nil || *u.Age != 23 || !slices.Equal(u.Tags, []string{"t", "d"}) ||
			u.CreatedAt.UnixMilli() != 3000 || u.UserID != uuid.NewSHA1(uuid.Nil, []byte{3}) {
			t.Fatalf("user 3: %+v", u)
		}
		if users[5].Age != nil {
			t.Fatalf("null age: %v", *users[5].Age)
		}
		// A prepared statement's pages share its metadata: one plan at most
		// (none when an earlier run cached it).
		if n := cqltype.PlanBuilds() - before; n > 1 {
			t.Fatalf("%d plans for 4 pages of one prepared statement", n)
		}
	})
	t.Run("scan_all_simple_statement", func(t *testing.T) {
		rs, err := s.ExecuteStatement(ctx, NewStatement(selectUsers).PageSize(10))
		if err != nil {
			t.Fatal(err)
		}
		users, err := ScanAll[*itUser](rs)
		if err != nil || len(users) != 25 || users[24].ID != 24 {
			t.Fatalf("%d users, %v", len(users), err)
		}
	})
	t.Run("scan_one", func(t *testing.T) {
		rs, err := s.Execute(ctx, selectUsers+" AND id = ?", int32(7))
		if err != nil {
			t.Fatal(err)
		}
		u, err := ScanOne[itUser](rs)
		if err != nil || u.ID != 7 || u.Name != "userh" {
			t.Fatalf("%+v %v", u, err)
		}
		rs, err = s.Execute(ctx, selectUsers+" AND id = ?", int32(1000))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ScanOne[itUser](rs); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing row: %v", err)
		}
	})
	t.Run("unmapped_column_is_an_error", func(t *testing.T) {
		type partial struct {
			ID int32 `cql:"id"`
		}
		rs, err := s.Execute(ctx, "SELECT id, name FROM it_scan.users WHERE part = 'p' LIMIT 1")
		if err != nil {
			t.Fatal(err)
		}
		_, err = ScanOne[partial](rs)
		var ue *UnmarshalError
		if !errors.As(err, &ue) || ue.Column != "name" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("single_column_values", func(t *testing.T) {
		rs, err := s.Execute(ctx, "SELECT name FROM it_scan.users WHERE part = 'p'")
		if err != nil {
			t.Fatal(err)
		}
		names, err := ScanAll[string](rs)
		if err != nil || len(names) != 25 || names[0] != "usera" {
			t.Fatalf("%v %v", names, err)
		}
	})
}

func TestIntegrationRowsAndMaps(t *testing.T) {
	ctx, s := scanSession(t)
	t.Run("iterator_across_pages", func(t *testing.T) {
		rs, err := s.ExecuteStatement(ctx, NewStatement(selectUsers).PageSize(4))
		if err != nil {
			t.Fatal(err)
		}
		var ids []int32
		for row, err := range rs.Rows() {
			if err != nil {
				t.Fatal(err)
			}
			var u itUser
			if err := row.ScanStruct(&u); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, u.ID)
		}
		if len(ids) != 25 || ids[24] != 24 {
			t.Fatalf("ids %v", ids)
		}
	})
	t.Run("iterator_break", func(t *testing.T) {
		rs, err := s.ExecuteStatement(ctx, NewStatement(selectUsers).PageSize(4))
		if err != nil {
			t.Fatal(err)
		}
		for range rs.Rows() {
			break
		}
		rest, err := ScanAll[itUser](rs)
		if err != nil || len(rest) != 24 || rest[0].ID != 1 {
			t.Fatalf("%d rows after the break, %v", len(rest), err)
		}
	})
	t.Run("map_scan", func(t *testing.T) {
		rs, err := s.Execute(ctx, selectUsers+" AND id = ?", int32(5))
		if err != nil {
			t.Fatal(err)
		}
		if !rs.Next() {
			t.Fatal(rs.Err())
		}
		m := map[string]any{}
		if err := rs.MapScan(m); err != nil {
			t.Fatal(err)
		}
		if m["id"] != int32(5) || m["name"] != "userf" || m["age"] != nil || m["user_id"] != uuid.NewSHA1(uuid.Nil, []byte{5}) ||
			!slices.Equal(m["tags"].([]string), []string{"t", "f"}) || !m["created_at"].(time.Time).Equal(time.UnixMilli(5000)) {
			t.Fatalf("%#v", m)
		}
	})
	t.Run("manual_paging", func(t *testing.T) {
		stmt := NewStatement(selectUsers).PageSize(10)
		var ids []int32
		var state []byte
		for pages := 0; ; pages++ {
			rs, err := s.ExecuteStatement(ctx, stmt.PagingState(state))
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range rs.CurrentPage() {
				m, err := row.Map()
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, m["id"].(int32))
			}
			if state = rs.PagingState(); state == nil {
				break
			}
			if pages > 5 {
				t.Fatal("paging does not end")
			}
		}
		if len(ids) != 25 || ids[10] != 10 {
			t.Fatalf("ids %v", ids)
		}
	})
	t.Run("one_and_all", func(t *testing.T) {
		rs, err := s.ExecuteStatement(ctx, NewStatement(selectUsers).PageSize(6))
		if err != nil {
			t.Fatal(err)
		}
		first, err := rs.One()
		if err != nil {
			t.Fatal(err)
		}
		rest, err := rs.All()
		if err != nil || len(rest) != 24 {
			t.Fatalf("%d rows, %v", len(rest), err)
		}
		var u itUser
		if err := first.ScanStruct(&u); err != nil || u.ID != 0 {
			t.Fatalf("%+v %v", u, err)
		}
	})
}

func TestIntegrationWasApplied(t *testing.T) {
	ctx, s := scanSession(t)
	k := int32(time.Now().UnixNano() & 0x7fffffff)
	rs, err := s.Execute(ctx, "INSERT INTO it_scan.lwt (k, v) VALUES (?, ?) IF NOT EXISTS", k, "first")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := rs.WasApplied(); !ok || err != nil {
		t.Fatalf("first insert: %v %v", ok, err)
	}
	rs, err = s.Execute(ctx, "INSERT INTO it_scan.lwt (k, v) VALUES (?, ?) IF NOT EXISTS", k, "second")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := rs.WasApplied(); ok || err != nil {
		t.Fatalf("second insert: %v %v", ok, err)
	}
	// The current values come with it, and the flag scans into a struct.
	type current struct {
		Applied bool   `cql:"[applied]"`
		K       int32  `cql:"k"`
		V       string `cql:"v"`
	}
	cur, err := ScanOne[current](rs)
	if err != nil || cur.Applied || cur.V != "first" {
		t.Fatalf("current values: %+v %v", cur, err)
	}

	rs, err = s.Execute(ctx, "INSERT INTO it_scan.lwt (k, v) VALUES (?, ?)", k+1, "plain")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rs.WasApplied(); err == nil {
		t.Fatal("WasApplied on a plain insert succeeded")
	}

	// A conditional batch on one partition.
	p := k
	b := NewBatch(LoggedBatch).
		Query("INSERT INTO it_scan.lwt_batch (p, c, v) VALUES (?, ?, ?) IF NOT EXISTS", p, int32(1), "a").
		Query("INSERT INTO it_scan.lwt_batch (p, c, v) VALUES (?, ?, ?) IF NOT EXISTS", p, int32(2), "b")
	rs, err = s.ExecuteStatement(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := rs.WasApplied(); !ok || err != nil {
		t.Fatalf("batch: %v %v", ok, err)
	}
	rs, err = s.ExecuteStatement(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := rs.WasApplied(); ok || err != nil {
		t.Fatalf("batch again: %v %v", ok, err)
	}
	rows, err := rs.All()
	if err != nil || len(rows) != 2 {
		t.Fatalf("batch not applied: %d rows, %v", len(rows), err)
	}
	for _, row := range rows {
		m, err := row.Map()
		if err != nil || m["[applied]"] != false || m["p"] != p {
			t.Fatalf("batch row %v %v", m, err)
		}
	}
}

func TestIntegrationQueryTrace(t *testing.T) {
	ctx, s := scanSession(t)
	rs, err := s.ExecuteStatement(ctx, NewStatement(selectUsers+" AND id = ?", int32(1)).Trace(true))
	if err != nil {
		t.Fatal(err)
	}
	id, ok := rs.TraceID()
	if !ok {
		t.Fatal("no trace id")
	}
	tr, err := rs.QueryTrace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tr.ID != uuid.UUID(id) || tr.Duration <= 0 || len(tr.Events) == 0 || !tr.Coordinator.IsValid() || tr.StartedAt.IsZero() {
		t.Fatalf("trace %+v", tr)
	}
	for i, ev := range tr.Events {
		if ev.Activity == "" || !ev.Source.IsValid() || ev.Time.IsZero() {
			t.Fatalf("event %d: %+v", i, ev)
		}
	}
	t.Logf("trace %s: %s, %v, %d events, first %q", tr.ID, tr.Request, tr.Duration, len(tr.Events), tr.Events[0].Activity)

	// Through a future.
	fut := s.ExecuteStatementAsync(ctx, NewStatement("SELECT name FROM it_scan.users WHERE part = 'p' LIMIT 1").Trace(true))
	if tr, err := fut.QueryTrace(ctx); err != nil || len(tr.Events) == 0 {
		t.Fatalf("future trace: %v %v", tr, err)
	}

	// Not traced.
	rs, err = s.Execute(ctx, "SELECT name FROM it_scan.users WHERE part = 'p' LIMIT 1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rs.QueryTrace(ctx); !errors.Is(err, ErrNotTraced) {
		t.Fatalf("untraced: %v", err)
	}

	// An unknown session never completes: a TraceUnavailableError, bounded.
	short, cancel := context.WithTimeout(ctx, 400*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = s.queryTrace(short, uuid.New())
	var tu *TraceUnavailableError
	if !errors.As(err, &tu) || time.Since(start) > 3*time.Second {
		t.Fatalf("unknown trace: %v after %v", err, time.Since(start))
	}
}
