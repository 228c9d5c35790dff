// Package metadata is the driver's model of a cluster's schema: keyspaces
// with their replication, tables with their columns, keys, options, indexes
// and triggers, user types, functions, aggregates and materialized views.
// It parses the rows of the server's schema tables, refreshes a snapshot
// from the rows of one changed element, and writes the schema back as CQL
// (AsCQL, Describe).
//
// # Layer
//
// The package sits beside the driver, not under it: it reads no network.
// The driver's control connection runs the statements this package lists
// and hands it the rows, as Rows: for each system table, the rows as
// column name → value maps, values as cqltype.DecodeAny decodes them (what
// ResultSet.MapScan gives). Types come out as *frame.Type, user types
// resolved (fields filled in).
//
// Two families of schema tables are understood (SchemaVersion):
// system_schema from Cassandra 3.0 on (with the virtual keyspaces of
// system_virtual_schema from 4.0), and the system.schema_* tables of 2.1
// and 2.2, whose Java marshal class names and JSON options are brought to
// the same model.
//
// # Immutability
//
// A *Schema is never modified once built. WithKeyspace, WithoutKeyspace and
// Refresh return new snapshots that share every keyspace, table, type and
// column that did not change, so readers on other goroutines need no lock
// and an old snapshot stays valid. The model's fields are exported for
// reading; the slices and maps they hold (columns, options, replication,
// the *frame.Type values) are shared between snapshots and must not be
// modified. Methods that return a new slice (Keyspaces, TableNames...) say
// so.
//
// # Problems
//
// What the parser cannot make sense of does not fail the schema: a column
// of a user type the keyspace lacks keeps the type's keyspace and name
// without fields, type text that does not parse becomes a custom type, and
// each such case is recorded as a Problem on its element (Schema.Problems
// lists them all). Parse fails only on rows without the key columns that
// place them (*RowError).
//
// # Wiring into the driver
//
// On connect, and after reconnecting the control connection: read
// release_version from system.local, run Queries(VersionFor(release)) (the
// list per family is in QueriesFor), gather the rows by Query.Table and
// call Parse. Keep the *Schema in an atomic pointer.
//
// On each SCHEMA_CHANGE event (after the driver's debouncing), and after a
// DDL statement's Schema_change result: run RefreshQueries(schema.Version,
// change) with their Args, then schema.Refresh(change, rows) and store the
// result. KEYSPACE changes read the whole keyspace; TABLE changes read one
// table (or view) of it; TYPE, FUNCTION and AGGREGATE changes one element
// by name. When Refresh fails with ErrUnknownKeyspace, refresh the keyspace
// instead (a KEYSPACE change); on any other error, read everything again.
package metadata
