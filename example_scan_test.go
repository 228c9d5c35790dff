package cassandra_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// User is a row of shop.users: tags name the columns; untagged fields
// match their lower-cased or snake_case name (CreatedAt takes created_at).
type User struct {
	ID        int     `cql:"id"`
	Name      string  `cql:"name"`
	Email     *string // nil when the column is null
	CreatedAt time.Time
	Internal  string `cql:"-"` // never read from a column
}

// exampleSession connects to simulated shop nodes (see shop) in keyspace
// shop, and returns the session with the function that closes it all.
func exampleSession() (*cassandra.Session, func()) {
	contact, stop := shop()
	ctx := context.Background()
	cluster := cassandra.NewCluster(contact)
	cluster.Keyspace = "shop"
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	return session, func() { cluster.Close(ctx); stop() }
}

func ExampleScanAll() {
	session, done := exampleSession()
	defer done()
	ctx := context.Background()

	rs, err := session.ExecuteStatement(ctx, cassandra.NewStatement("SELECT id, name, email, created_at FROM users").PageSize(2))
	if err != nil {
		log.Fatal(err)
	}
	// Reads every page; the column → field plan is computed once.
	users, err := cassandra.ScanAll[User](rs)
	if err != nil {
		log.Fatal(err) // users holds the rows read before the error
	}
	for _, u := range users {
		email := "-"
		if u.Email != nil {
			email = *u.Email
		}
		fmt.Println(u.ID, u.Name, email, u.CreatedAt.Format(time.DateOnly))
	}
	// Output:
	// 1 ann ann@example.com 2025-01-15
	// 2 bob - 2025-02-01
	// 3 cy cy@example.com 2025-03-10
}

func ExampleScanOne() {
	session, done := exampleSession()
	defer done()
	ctx := context.Background()

	for _, id := range []int{1, 99} {
		rs, err := session.Execute(ctx, "SELECT id, name, email, created_at FROM users WHERE id = ?", id)
		if err != nil {
			log.Fatal(err)
		}
		u, err := cassandra.ScanOne[User](rs)
		switch {
		case errors.Is(err, cassandra.ErrNotFound):
			fmt.Println(id, "no such user")
		case err != nil:
			log.Fatal(err)
		default:
			fmt.Println(id, u.Name)
		}
	}
	// Output:
	// 1 ann
	// 99 no such user
}

func ExampleResultSet_Rows() {
	session, done := exampleSession()
	defer done()
	ctx := context.Background()

	rs, err := session.ExecuteStatement(ctx, cassandra.NewStatement("SELECT id, name FROM users").PageSize(500))
	if err != nil {
		log.Fatal(err)
	}
	for row, err := range rs.Rows() {
		if err != nil {
			log.Fatal(err) // a later page failed; earlier rows were yielded
		}
		var id int
		var name string
		if err := row.Scan(&id, &name); err != nil {
			log.Fatal(err)
		}
		fmt.Println(id, name)
	}
	// Output:
	// 1 ann
	// 2 bob
	// 3 cy
}

func ExampleResultSet_WasApplied() {
	session, done := exampleSession()
	defer done()
	ctx := context.Background()

	rs, err := session.Execute(ctx, "INSERT INTO users (id, name) VALUES (?, ?) IF NOT EXISTS", 1, "dee")
	if err != nil {
		log.Fatal(err)
	}
	applied, err := rs.WasApplied()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("applied:", applied)
	if !applied {
		// The row holds the existing values.
		current, err := rs.One()
		if err != nil {
			log.Fatal(err)
		}
		m, _ := current.Map()
		fmt.Println("exists:", m["name"])
	}
	// Output:
	// applied: false
	// exists: ann
}

func ExampleResultSet_CurrentPage() {
	session, done := exampleSession()
	defer done()
	ctx := context.Background()

	stmt := cassandra.NewStatement("SELECT id, name FROM users").PageSize(2)
	var state []byte // e.g. from the previous HTTP request's cursor
	rs, err := session.ExecuteStatement(ctx, stmt.PagingState(state))
	if err != nil {
		log.Fatal(err)
	}
	for _, row := range rs.CurrentPage() {
		var u User
		if err := row.ScanStruct(&u); err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.Name)
	}
	next := rs.PagingState() // nil after the last page
	fmt.Println("more:", len(next) > 0)
	// Output:
	// ann
	// bob
	// more: true
}

func ExampleResultSet_QueryTrace() {
	session, done := exampleSession()
	defer done()
	ctx := context.Background()

	rs, err := session.ExecuteStatement(ctx, cassandra.NewStatement("SELECT name FROM users WHERE id = ?", 3).Trace(true))
	if err != nil {
		log.Fatal(err)
	}
	name, err := cassandra.ScanOne[string](rs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(name)
	tr, err := rs.QueryTrace(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tr.Request, tr.Duration)
	for _, ev := range tr.Events {
		fmt.Println(ev.SourceElapsed, ev.Source, ev.Activity)
	}
	// Output:
	// cy
	// Execute CQL3 prepared query 1.5ms
	// 40µs 127.0.0.1 Parsing SELECT name FROM users WHERE id = ?
	// 900µs 127.0.0.1 Read 1 live rows and 0 tombstone cells
}

// traceRules answer the driver's reads of system_traces (what QueryTrace
// runs) with one trace, whatever its session id.
func traceRules() []cassandratest.Rule {
	typ := func(id frame.TypeID, elems ...*frame.Type) *frame.Type { return &frame.Type{ID: id, Elems: elems} }
	text := typ(frame.TypeVarchar)
	spec := func(table string, nameTypes ...any) []frame.ColumnSpec {
		var out []frame.ColumnSpec
		for i := 0; i < len(nameTypes); i += 2 {
			out = append(out, frame.ColumnSpec{Keyspace: "system_traces", Table: table, Name: nameTypes[i].(string), Type: nameTypes[i+1].(*frame.Type)})
		}
		return out
	}
	row := func(cs []frame.ColumnSpec, vals ...any) [][]byte {
		out := make([][]byte, len(vals))
		for i, v := range vals {
			out[i] = cassandratest.Cell(cs[i].Type, v)
		}
		return out
	}
	params := frame.NewPreparedMetadata(spec("sessions", "session_id", typ(frame.TypeUUID)), 0)
	sessions := spec("sessions", "coordinator", typ(frame.TypeInet), "duration", typ(frame.TypeInt),
		"parameters", typ(frame.TypeMap, text, text), "request", text, "started_at", typ(frame.TypeTimestamp), "client", typ(frame.TypeInet))
	events := spec("events", "event_id", typ(frame.TypeTimeUUID), "activity", text, "source", typ(frame.TypeInet),
		"source_elapsed", typ(frame.TypeInt), "thread", text)
	node := netip.MustParseAddr("127.0.0.1")
	session := row(sessions, node, int32(1500), map[string]string{"query": "SELECT name FROM users WHERE id = ?", "consistency_level": "LOCAL_ONE"},
		"Execute CQL3 prepared query", time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), node)
	evRows := [][][]byte{
		row(events, uuid.Must(uuid.NewUUID()), "Parsing SELECT name FROM users WHERE id = ?", node, int32(40), "Native-Transport-Requests-1"),
		row(events, uuid.Must(uuid.NewUUID()), "Read 1 live rows and 0 tombstone cells", node, int32(900), "ReadStage-2"),
	}
	// reads matches the requests of one statement on table.
	reads := func(op frame.Opcode, table string) cassandratest.Matcher {
		return cassandratest.All(cassandratest.Op(op), func(r *cassandratest.Request) bool { return strings.Contains(r.Query, "system_traces."+table) })
	}
	sessMeta, evMeta := frame.NewRowsMetadata(sessions...), frame.NewRowsMetadata(events...)
	return []cassandratest.Rule{
		{Match: reads(frame.OpPrepare, "sessions"), Then: cassandratest.Prepared(params, sessMeta)},
		{Match: reads(frame.OpPrepare, "events"), Then: cassandratest.Prepared(params, evMeta)},
		{Match: reads(frame.OpExecute, "sessions"), Then: cassandratest.Rows(sessMeta, [][][]byte{session})},
		{Match: reads(frame.OpExecute, "events"), Then: cassandratest.Rows(evMeta, evRows)},
	}
}
