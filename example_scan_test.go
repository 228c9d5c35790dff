package cassandra_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra"
)

// User is a row of shop.users: tags name the columns; untagged fields
// match their lower-cased or snake_case name (CreatedAt takes created_at).
type User struct {
	ID        uuid.UUID `cql:"id"`
	Name      string    `cql:"name"`
	Email     *string   // nil when the column is null
	CreatedAt time.Time
	Internal  string `cql:"-"` // never read from a column
}

func exampleSession() (*cassandra.Session, func()) {
	ctx := context.Background()
	cluster := cassandra.NewCluster("127.0.0.1")
	cluster.Keyspace = "shop"
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	return session, func() { cluster.Close(ctx) }
}

func ExampleScanAll() {
	session, done := exampleSession()
	defer done()
	ctx := context.Background()

	rs, err := session.Execute(ctx, "SELECT id, name, email, created_at FROM users WHERE shard = ?", 7)
	if err != nil {
		log.Fatal(err)
	}
	// Reads every page; the column → field plan is computed once.
	users, err := cassandra.ScanAll[User](rs)
	if err != nil {
		log.Fatal(err) // users holds the rows read before the error
	}
	for _, u := range users {
		fmt.Println(u.ID, u.Name)
	}
}

func ExampleScanOne() {
	session, done := exampleSession()
	defer done()
	ctx := context.Background()

	rs, err := session.Execute(ctx, "SELECT id, name, email, created_at FROM users WHERE id = ?", uuid.New())
	if err != nil {
		log.Fatal(err)
	}
	u, err := cassandra.ScanOne[User](rs)
	switch {
	case errors.Is(err, cassandra.ErrNotFound):
		fmt.Println("no such user")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(u.Name)
	}
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
		var id uuid.UUID
		var name string
		if err := row.Scan(&id, &name); err != nil {
			log.Fatal(err)
		}
		fmt.Println(id, name)
	}
}

func ExampleResultSet_WasApplied() {
	session, done := exampleSession()
	defer done()
	ctx := context.Background()

	rs, err := session.Execute(ctx, "INSERT INTO users (id, name) VALUES (?, ?) IF NOT EXISTS", uuid.New(), "dee")
	if err != nil {
		log.Fatal(err)
	}
	applied, err := rs.WasApplied()
	if err != nil {
		log.Fatal(err)
	}
	if !applied {
		// The row holds the existing values.
		current, err := rs.One()
		if err != nil {
			log.Fatal(err)
		}
		m, _ := current.Map()
		fmt.Println("exists:", m["name"])
	}
}

func ExampleResultSet_CurrentPage() {
	session, done := exampleSession()
	defer done()
	ctx := context.Background()

	stmt := cassandra.NewStatement("SELECT id, name FROM users").PageSize(100)
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
	fmt.Println(len(next) > 0)
}

func ExampleResultSet_QueryTrace() {
	session, done := exampleSession()
	defer done()
	ctx := context.Background()

	rs, err := session.ExecuteStatement(ctx, cassandra.NewStatement("SELECT name FROM users WHERE id = ?", uuid.New()).Trace(true))
	if err != nil {
		log.Fatal(err)
	}
	tr, err := rs.QueryTrace(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tr.Request, tr.Duration)
	for _, ev := range tr.Events {
		fmt.Println(ev.SourceElapsed, ev.Source, ev.Activity)
	}
}
