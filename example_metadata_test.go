package cassandra_test

import (
	"context"
	"fmt"
	"log"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/metadata"
)

// The examples in this file need a real cluster's schema (the simulated
// nodes of cassandratest have none), so go test compiles them without
// running them; the integration tests (schema_integration_test.go,
// tokens_integration_test.go, usertypes_integration_test.go) check the same
// calls against real servers.

// The schema as the driver keeps it: tables with their keys and parsed
// column types, and CREATE statements a server accepts again.
func ExampleCluster_Metadata() {
	ctx := context.Background()
	cluster := cassandra.NewCluster("127.0.0.1")
	if _, err := cluster.Connect(ctx); err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	ks := cluster.Metadata().Keyspace("shop")
	if ks == nil {
		log.Fatal("no keyspace shop")
	}
	users := ks.Table("users")
	for _, c := range users.PartitionKey {
		fmt.Println("partition key:", c.Name, c.Type)
	}
	for _, c := range users.Columns {
		fmt.Println(c.Name, c.CQLType, c.Kind)
	}
	fmt.Println(ks.Describe()) // CREATE KEYSPACE, TYPE, TABLE, INDEX, VIEW...

	// Hear of every change the driver applies (another client's DDL
	// included), after the schema debounce window.
	cluster.AddSchemaListener(func(ch cassandra.SchemaChange, s *metadata.Schema) {
		log.Printf("schema %s %s %s.%s", ch.Change, ch.Target, ch.Keyspace, ch.Name)
	})
}

// Which nodes hold a partition: the token of its key, computed with the
// table's column types, and the replicas of that token.
func ExampleCluster_TokenFor() {
	ctx := context.Background()
	cluster := cassandra.NewCluster("127.0.0.1", "127.0.0.2", "127.0.0.3")
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Close(ctx)

	// shop.events has PRIMARY KEY (day, id): day is the partition key.
	tok, err := session.TokenFor("shop", "events", "2026-12-01")
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range session.ReplicasFor("shop", tok) {
		fmt.Println(tok, h.Addr(), h.DC(), h.Rack())
	}
}

// Address is the Go side of CREATE TYPE shop.address (street text, zip int).
type Address struct {
	Street string `cql:"street"`
	Zip    int    `cql:"zip"`
}

// With a user type registered, its values read into any (Scan into a *any,
// MapScan, Values, a []any) are the registered struct, not a map.
func ExampleCluster_RegisterUserType() {
	ctx := context.Background()
	cluster := cassandra.NewCluster("127.0.0.1")
	// Before Connect the registration is recorded and checked when the
	// cluster connects; after it, against the schema at once.
	if err := cluster.RegisterUserType(ctx, "shop", "address", Address{}); err != nil {
		log.Fatal(err)
	}
	session, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err) // a *cassandra.UserTypeError if shop.address does not match
	}
	defer cluster.Close(ctx)

	row, err := session.QueryRow(ctx, "SELECT * FROM shop.customers WHERE id = ?", 1).Map()
	if err != nil {
		log.Fatal(err)
	}
	home := row["home"].(Address) // a frozen<address> column
	fmt.Println(home.Street, home.Zip)
}
