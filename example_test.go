package cassandra_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"strings"
	"time"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/policy"
)

// The examples run against simulated nodes (package cassandratest), which
// answer their statements as a cluster holding this shop keyspace would:
//
//	CREATE TABLE shop.users (id int PRIMARY KEY, name text, email text, created_at timestamp);
//	CREATE TABLE shop.users_by_name (name text PRIMARY KEY, id int);
//	CREATE TABLE shop.events (day text, id int, PRIMARY KEY (day, id));
//
// so that `go test` checks what they print. With a real cluster, give
// NewCluster its addresses instead of shop's.

func Example_connect() {
	// Three simulated nodes, two in datacenter1 and one in datacenter2.
	contact, stop := shop(
		cassandratest.Config{DC: "datacenter1"},
		cassandratest.Config{DC: "datacenter1"},
		cassandratest.Config{DC: "datacenter2", ReleaseVersion: "4.1.5"},
	)
	defer stop()

	ctx := context.Background()
	cluster := cassandra.NewCluster(contact)
	cluster.Keyspace = "shop"
	cluster.Compression = cassandra.LZ4
	cluster.Policies.LoadBalancing = policy.DCAware("datacenter1")
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	// Every node was discovered from the one contact point.
	var hosts []string
	for _, h := range cluster.Hosts() {
		hosts = append(hosts, fmt.Sprintln(h.DC(), h.Rack(), h.Info().ReleaseVersion))
	}
	slices.Sort(hosts)
	fmt.Print(strings.Join(hosts, ""))
	// DCAware keeps to datacenter1: the session pools connections to its
	// two nodes only.
	fmt.Println("pools:", len(session.PoolStats()))
	fmt.Println("keyspace:", session.Keyspace())
	// Output:
	// datacenter1 rack1 5.0.2
	// datacenter1 rack1 5.0.2
	// datacenter2 rack1 4.1.5
	// pools: 2
	// keyspace: shop
}

func ExampleSession_Execute() {
	contact, stop := shop()
	defer stop()

	ctx := context.Background()
	cluster := cassandra.NewCluster(contact)
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	rs, err := session.Execute(ctx, "SELECT id, name FROM shop.users WHERE id = ?", 1)
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
	// Output:
	// 1 ann
}

func ExampleSession_Prepare() {
	contact, stop := shop()
	defer stop()

	ctx := context.Background()
	cluster := cassandra.NewCluster(contact)
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	ins, err := session.Prepare(ctx, "INSERT INTO shop.users (id, name) VALUES (?, ?)")
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range ins.Params() {
		fmt.Println(p.Name, p.Type)
	}
	if _, err := session.ExecuteStatement(ctx, ins.Bind(4, "dee").Idempotent(true).Consistency(cassandra.Quorum)); err != nil {
		log.Fatal(err)
	}
	fmt.Println("inserted")

	// Values are checked against the statement's types before anything is
	// sent; a wrong one is a *cassandra.MarshalError naming the column.
	_, err = session.ExecuteStatement(ctx, ins.Bind("five", "eve"))
	var me *cassandra.MarshalError
	if errors.As(err, &me) {
		fmt.Println("wrong value for column", me.Column)
	}
	// Output:
	// id int
	// name text
	// inserted
	// wrong value for column id
}

func ExampleSimpleStatement_PagingState() {
	contact, stop := shop()
	defer stop()

	ctx := context.Background()
	cluster := cassandra.NewCluster(contact)
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	// Read one page, remember where it ended, resume later (for example
	// in the next HTTP request).
	stmt := cassandra.NewStatement("SELECT id FROM shop.events WHERE day = ?", "2026-11-24").PageSize(2)
	rs, err := session.ExecuteStatement(ctx, stmt)
	if err != nil {
		log.Fatal(err)
	}
	for _, row := range rs.CurrentPage() {
		var id int
		if err := row.Scan(&id); err != nil {
			log.Fatal(err)
		}
		fmt.Println("first page:", id)
	}
	state := rs.PagingState() // nil on the last page

	rs, err = session.ExecuteStatement(ctx, stmt.PagingState(state))
	if err != nil {
		log.Fatal(err)
	}
	for rs.Next() { // the rows after the first page, fetching pages as needed
		var id int
		if err := rs.Scan(&id); err != nil {
			log.Fatal(err)
		}
		fmt.Println("resumed:", id)
	}
	if err := rs.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// first page: 1
	// first page: 2
	// resumed: 3
	// resumed: 4
	// resumed: 5
}

func ExampleResponseFuture_AddCallbacks() {
	contact, stop := shop()
	defer stop()

	ctx := context.Background()
	cluster := cassandra.NewCluster(contact)
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	done := make(chan struct{})
	session.ExecuteAsync(ctx, "INSERT INTO shop.users (id, name) VALUES (?, ?)", 5, "eve").AddCallbacks(
		func(rs *cassandra.ResultSet) { fmt.Println("written"); close(done) },
		func(err error) { fmt.Println("failed:", err); close(done) },
	)
	// The callbacks run on the driver's goroutine when the request ends.
	<-done
	// Output:
	// written
}

func ExampleNewBatch() {
	contact, stop := shop()
	defer stop()

	ctx := context.Background()
	cluster := cassandra.NewCluster(contact)
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	ins, err := session.Prepare(ctx, "INSERT INTO shop.users (id, name) VALUES (?, ?)")
	if err != nil {
		log.Fatal(err)
	}
	// A logged batch keeps the table and its lookup table in step: both
	// rows are written or neither.
	b := cassandra.NewBatch(cassandra.LoggedBatch).
		Add(ins.Bind(6, "fay")).
		Query("INSERT INTO shop.users_by_name (name, id) VALUES (?, ?)", "fay", 6)
	if _, err := session.ExecuteStatement(ctx, b); err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.Len(), "statements applied")
	// Output:
	// 2 statements applied
}

func Example_lightweightTransaction() {
	contact, stop := shop()
	defer stop()

	ctx := context.Background()
	cluster := cassandra.NewCluster(contact)
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	for _, id := range []int{7, 2} {
		rs, err := session.Execute(ctx, "INSERT INTO shop.users (id, name) VALUES (?, ?) IF NOT EXISTS", id, "gus")
		if err != nil {
			log.Fatal(err)
		}
		// The first column of a conditional statement's row is [applied];
		// when false, the others hold the values that stood in the way.
		applied, err := rs.WasApplied()
		if err != nil {
			log.Fatal(err)
		}
		if applied {
			fmt.Println(id, "inserted")
			continue
		}
		current := map[string]any{}
		if rs.Next() && rs.MapScan(current) == nil {
			fmt.Println(id, "already there:", current["name"])
		}
	}
	// Output:
	// 7 inserted
	// 2 already there: bob
}

func ExampleProfileManager_Add() {
	contact, stop := shop()
	defer stop()

	ctx := context.Background()
	cluster := cassandra.NewCluster(contact)
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

	// The count runs with the profile's consistency and timeout.
	rs, err := session.ExecuteStatement(ctx, cassandra.NewStatement("SELECT count(*) FROM shop.events").Profile("analytics"))
	if err != nil {
		log.Fatal(err)
	}
	n, err := cassandra.ScanOne[int64](rs)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "events")
	// Output:
	// 5 events
}

// shop starts simulated nodes, one per Config (one node when none is
// given), on 127.0.0.1, answering the shop keyspace's statements these
// examples run. It returns the first node's address as a contact point,
// and the function that stops them.
func shop(cfgs ...cassandratest.Config) (contact string, stop func()) {
	if len(cfgs) == 0 {
		cfgs = []cassandratest.Config{{}}
	}
	for i := range cfgs {
		cfgs[i].Addr = "127.0.0.1:0" // one port each: portable to any OS
	}
	nodes, err := cassandratest.StartClusterWith(cfgs...)
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range nodes {
		for _, r := range shopRules() {
			n.AddRule(r)
		}
	}
	return nodes[0].Addr().String(), func() {
		for _, n := range nodes {
			n.Close()
		}
	}
}

// shopUsers are the rows of shop.users, by column.
var shopUsers = []map[string]any{
	{"id": 1, "name": "ann", "email": "ann@example.com", "created_at": time.Date(2025, 1, 15, 9, 30, 0, 0, time.UTC)},
	{"id": 2, "name": "bob", "email": nil, "created_at": time.Date(2025, 2, 1, 17, 0, 0, 0, time.UTC)},
	{"id": 3, "name": "cy", "email": "cy@example.com", "created_at": time.Date(2025, 3, 10, 8, 15, 0, 0, time.UTC)},
}

// shopTypes are the CQL types of the shop's columns.
var shopTypes = map[string]frame.TypeID{
	"id": frame.TypeInt, "name": frame.TypeVarchar, "email": frame.TypeVarchar, "created_at": frame.TypeTimestamp,
	"day": frame.TypeVarchar, "count": frame.TypeBigint, "[applied]": frame.TypeBoolean,
}

// cols describes columns of a shop table.
func cols(table string, names ...string) []frame.ColumnSpec {
	out := make([]frame.ColumnSpec, len(names))
	for i, n := range names {
		out[i] = frame.ColumnSpec{Keyspace: "shop", Table: table, Name: n, Type: &frame.Type{ID: shopTypes[n]}}
	}
	return out
}

// cells encodes the given columns of rows.
func cells(cs []frame.ColumnSpec, rows ...map[string]any) [][][]byte {
	out := make([][][]byte, len(rows))
	for i, r := range rows {
		for _, c := range cs {
			var cell []byte
			if v := r[c.Name]; v != nil {
				cell = cassandratest.Cell(c.Type, v)
			}
			out[i] = append(out[i], cell)
		}
	}
	return out
}

// userByID returns the user whose id is bound first in req, or nil.
func userByID(req *cassandratest.Request) map[string]any {
	var id int
	if vs := req.Values(); len(vs) > 0 && cqltype.Unmarshal(&frame.Type{ID: frame.TypeInt}, vs[0].Bytes, &id) == nil {
		for _, u := range shopUsers {
			if u["id"] == id {
				return u
			}
		}
	}
	return nil
}

// shopRules are the rules that make a node answer the examples'
// statements: each is prepared with its bind markers and result columns,
// and answered from shopUsers, or by VOID for writes.
func shopRules() []cassandratest.Rule {
	var rules []cassandratest.Rule
	serve := func(cql string, params, result []frame.ColumnSpec, answer cassandratest.Reaction) {
		rules = append(rules,
			cassandratest.Rule{Match: cassandratest.Prepare(cql), Then: cassandratest.Prepared(frame.NewPreparedMetadata(params, 0), frame.NewRowsMetadata(result...))},
			cassandratest.Rule{Match: cassandratest.Statement(cql), Then: answer})
	}
	rows := func(cs []frame.ColumnSpec, rows ...map[string]any) cassandratest.Reaction {
		return cassandratest.Rows(frame.NewRowsMetadata(cs...), cells(cs, rows...))
	}
	byID := func(cs []frame.ColumnSpec) cassandratest.Reaction {
		return cassandratest.Func(func(req *cassandratest.Request) cassandratest.Reaction {
			if u := userByID(req); u != nil {
				return rows(cs, u)
			}
			return rows(cs)
		})
	}
	ifNotExists := cassandratest.Func(func(req *cassandratest.Request) cassandratest.Reaction {
		if u := userByID(req); u != nil {
			return rows(cols("users", "[applied]", "id", "name"), map[string]any{"[applied]": false, "id": u["id"], "name": u["name"]})
		}
		return rows(cols("users", "[applied]"), map[string]any{"[applied]": true})
	})
	all := func(cs []frame.ColumnSpec) cassandratest.Reaction {
		return cassandratest.PagedRows(frame.NewRowsMetadata(cs...), cells(cs, shopUsers...))
	}

	id, idName, user := cols("users", "id"), cols("users", "id", "name"), cols("users", "id", "name", "email", "created_at")
	for _, ks := range []string{"shop.", ""} { // qualified, or in the session's keyspace
		users := ks + "users"
		serve("SELECT id, name FROM "+users+" WHERE id = ?", id, idName, byID(idName))
		serve("SELECT name FROM "+users+" WHERE id = ?", id, cols("users", "name"), byID(cols("users", "name")))
		serve("SELECT id, name, email, created_at FROM "+users+" WHERE id = ?", id, user, byID(user))
		serve("SELECT id, name, email, created_at FROM "+users, nil, user, all(user))
		serve("SELECT id, name FROM "+users, nil, idName, all(idName))
		serve("INSERT INTO "+users+" (id, name) VALUES (?, ?)", idName, nil, cassandratest.Void())
		serve("INSERT INTO "+users+" (id, name) VALUES (?, ?) IF NOT EXISTS", idName, cols("users", "[applied]"), ifNotExists)
		serve("INSERT INTO "+ks+"users_by_name (name, id) VALUES (?, ?)", cols("users_by_name", "name", "id"), nil, cassandratest.Void())
	}
	events := cols("events", "id")
	var eventRows []map[string]any
	for id := 1; id <= 5; id++ {
		eventRows = append(eventRows, map[string]any{"id": id})
	}
	serve("SELECT id FROM shop.events WHERE day = ?", cols("events", "day"), events,
		cassandratest.PagedRows(frame.NewRowsMetadata(events...), cells(events, eventRows...)))
	serve("SELECT count(*) FROM shop.events", nil, cols("events", "count"), rows(cols("events", "count"), map[string]any{"count": 5}))
	return append(rules, traceRules()...)
}
