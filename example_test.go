package cassandra_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/policy"
)

// These examples need a Cassandra node at 127.0.0.1:9042 (`make demo`
// starts one), so they are compiled by `go test` but not run.

func Example_connect() {
	ctx := context.Background()
	cluster := cassandra.NewCluster("127.0.0.1")
	cluster.Keyspace = "shop"
	cluster.Compression = cassandra.LZ4
	cluster.Policies.LoadBalancing = policy.DCAware("datacenter1")
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)
	for _, h := range cluster.Hosts() {
		fmt.Println(h, h.State(), h.Info().ReleaseVersion)
	}
	_ = session
}

func ExampleSession_Execute() {
	ctx := context.Background()
	cluster := cassandra.NewCluster("127.0.0.1")
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	rs, err := session.Execute(ctx, "SELECT id, name FROM shop.users WHERE id = ?", 42)
	if err != nil {
		log.Fatal(err)
	}
	for rs.Next() {
		var id int
		var name string
		if err := rs.Scan(&id, &name); err != nil {
			log.Fatal(err)
		}
		fmt.Println(id, name)
	}
	if err := rs.Err(); err != nil { // a later page that failed shows here
		log.Fatal(err)
	}
}

func ExampleSession_Prepare() {
	ctx := context.Background()
	cluster := cassandra.NewCluster("127.0.0.1")
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	ins, err := session.Prepare(ctx, "INSERT INTO shop.users (id, name) VALUES (?, ?)")
	if err != nil {
		log.Fatal(err)
	}
	// Values are checked against the statement's types before anything is
	// sent; a wrong one is a *cassandra.MarshalError naming the column.
	_, err = session.ExecuteStatement(ctx, ins.Bind(1, "ann").Idempotent(true).Consistency(cassandra.Quorum))
	var me *cassandra.MarshalError
	if errors.As(err, &me) {
		log.Fatalf("column %s: %v", me.Column, me.Err)
	}
}

func ExampleSimpleStatement_PagingState() {
	ctx := context.Background()
	cluster := cassandra.NewCluster("127.0.0.1")
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	// Read one page, remember where it ended, resume later (for example
	// in the next HTTP request).
	stmt := cassandra.NewStatement("SELECT id FROM shop.events WHERE day = ?", "2026-11-24").PageSize(100)
	rs, err := session.ExecuteStatement(ctx, stmt)
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i < 100 && rs.Next(); i++ {
		var id int
		_ = rs.Scan(&id)
	}
	state := rs.PagingState() // nil on the last page

	rs, err = session.ExecuteStatement(ctx, stmt.PagingState(state))
	if err != nil {
		log.Fatal(err)
	}
	for rs.Next() {
		// the rows after the first page
	}
}

func ExampleResponseFuture_AddCallbacks() {
	ctx := context.Background()
	cluster := cassandra.NewCluster("127.0.0.1")
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	fut := session.ExecuteAsync(ctx, "INSERT INTO shop.users (id, name) VALUES (?, ?)", 2, "bob")
	fut.AddCallbacks(
		func(rs *cassandra.ResultSet) { fmt.Println("written") },
		func(err error) { fmt.Println("failed:", err) },
	)
	if _, err := fut.Result(ctx); err != nil {
		log.Fatal(err)
	}
}

func ExampleNewBatch() {
	ctx := context.Background()
	cluster := cassandra.NewCluster("127.0.0.1")
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	ins, err := session.Prepare(ctx, "INSERT INTO shop.users (id, name) VALUES (?, ?)")
	if err != nil {
		log.Fatal(err)
	}
	b := cassandra.NewBatch(cassandra.LoggedBatch).
		Add(ins.Bind(3, "cy")).
		Query("UPDATE shop.counters_by_name SET n = n + 1 WHERE name = ?", "cy")
	if _, err := session.ExecuteStatement(ctx, b); err != nil {
		log.Fatal(err)
	}
}

func Example_lightweightTransaction() {
	ctx := context.Background()
	cluster := cassandra.NewCluster("127.0.0.1")
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	rs, err := session.Execute(ctx, "INSERT INTO shop.users (id, name) VALUES (?, ?) IF NOT EXISTS", 4, "dee")
	if err != nil {
		log.Fatal(err)
	}
	// The first column of a conditional statement's row is [applied];
	// when false, the others hold the values that stood in the way.
	applied, err := rs.WasApplied()
	if err != nil {
		log.Fatal(err)
	}
	if !applied {
		current := map[string]any{}
		if rs.Next() && rs.MapScan(current) == nil {
			fmt.Println("already there:", current["name"])
		}
	}
}

func ExampleProfileManager_Add() {
	ctx := context.Background()
	cluster := cassandra.NewCluster("127.0.0.1")
	if err := cluster.Profiles.Add("analytics", cassandra.ExecutionProfile{
		Consistency:    cassandra.One,
		RequestTimeout: time.Minute,
	}); err != nil {
		log.Fatal(err)
	}
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)
	_, err = session.ExecuteStatement(ctx, cassandra.NewStatement("SELECT count(*) FROM shop.events").Profile("analytics"))
	if err != nil {
		log.Fatal(err)
	}
}
