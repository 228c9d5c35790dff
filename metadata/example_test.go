package metadata_test

import (
	"fmt"

	"github.com/cqlgo/cassandra/frame"
	"github.com/cqlgo/cassandra/metadata"
)

// Parse the rows of the schema tables, as the driver's control connection
// reads them with the statements of QueriesFor, and describe a table.
func ExampleParse() {
	rows := metadata.Rows{
		"system_schema.keyspaces": {{"keyspace_name": "shop", "durable_writes": true,
			"replication": map[string]string{"class": "org.apache.cassandra.locator.SimpleStrategy", "replication_factor": "3"}}},
		"system_schema.types": {{"keyspace_name": "shop", "type_name": "price",
			"field_names": []string{"amount", "currency"}, "field_types": []string{"decimal", "text"}}},
		"system_schema.tables": {{"keyspace_name": "shop", "table_name": "orders", "flags": []string{"compound"},
			"comment": "one row per order line", "default_time_to_live": int32(0)}},
		"system_schema.columns": {
			{"keyspace_name": "shop", "table_name": "orders", "column_name": "customer", "kind": "partition_key", "position": int32(0), "type": "uuid"},
			{"keyspace_name": "shop", "table_name": "orders", "column_name": "placed", "kind": "clustering", "position": int32(0), "type": "timestamp", "clustering_order": "desc"},
			{"keyspace_name": "shop", "table_name": "orders", "column_name": "total", "kind": "regular", "position": int32(-1), "type": "frozen<price>"},
		},
	}
	schema, err := metadata.Parse(metadata.VersionFor("5.0.9"), rows)
	if err != nil {
		panic(err)
	}
	orders := schema.Keyspace("shop").Table("orders")
	total := orders.Column("total").Type
	fmt.Println(orders.Clustering[0].Name, orders.Clustering[0].Order, total.FieldNames)
	fmt.Println(orders.AsCQL())
	// Output:
	// placed DESC [amount currency]
	// CREATE TABLE shop.orders (
	//     customer uuid,
	//     placed timestamp,
	//     total frozen<price>,
	//     PRIMARY KEY (customer, placed)
	// ) WITH CLUSTERING ORDER BY (placed DESC)
	//     AND comment = 'one row per order line'
	//     AND default_time_to_live = 0;
}

// Refresh a snapshot after a SCHEMA_CHANGE event: the rows of the
// statements RefreshQueries lists say what the table is now (no rows: it was
// dropped).
func ExampleSchema_Refresh() {
	schema, _ := metadata.Parse(metadata.Schema40, metadata.Rows{
		"system_schema.keyspaces": {{"keyspace_name": "ks", "replication": map[string]string{"class": "SimpleStrategy", "replication_factor": "1"}}},
		"system_schema.tables":    {{"keyspace_name": "ks", "table_name": "old"}},
		"system_schema.columns":   {{"keyspace_name": "ks", "table_name": "old", "column_name": "k", "kind": "partition_key", "position": int32(0), "type": "int"}},
	})
	change := frame.SchemaChange{Change: frame.SchemaDropped, Target: frame.TargetTable, Keyspace: "ks", Name: "old"}
	for _, q := range metadata.RefreshQueries(schema.Version, change)[:2] {
		fmt.Println(q.CQL, q.Args)
	}
	next, err := schema.Refresh(change, metadata.Rows{}) // the queries found nothing
	if err != nil {
		panic(err)
	}
	fmt.Println(next.Keyspace("ks").TableNames(), schema.Keyspace("ks").TableNames())
	// Output:
	// SELECT * FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ? [ks old]
	// SELECT * FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ? [ks old]
	// [] [old]
}
