package frame

import "testing"

// schemaChangeGoldens are the <change_type><target><options> bodies shared
// by the event and the result; the same layout in v3, v4 and v5.
var schemaChangeGoldens = []struct {
	name string
	sc   SchemaChange
	body string
}{
	{"keyspace_created", SchemaChange{Change: SchemaCreated, Target: TargetKeyspace, Keyspace: "ks"}, `
		0007 "CREATED"  // change_type
		0008 "KEYSPACE" // target
		0002 "ks"       // keyspace
	`},
	{"table_updated", SchemaChange{Change: SchemaUpdated, Target: TargetTable, Keyspace: "ks", Name: "users"}, `
		0007 "UPDATED"  // change_type
		0005 "TABLE"    // target
		0002 "ks"       // keyspace
		0005 "users"    // table
	`},
	{"type_dropped", SchemaChange{Change: SchemaDropped, Target: TargetType, Keyspace: "ks", Name: "addr"}, `
		0007 "DROPPED"  // change_type
		0004 "TYPE"     // target
		0002 "ks"       // keyspace
		0004 "addr"     // user type
	`},
	{"function_created", SchemaChange{Change: SchemaCreated, Target: TargetFunction, Keyspace: "ks", Name: "f", ArgTypes: []string{"int", "text"}}, `
		0007 "CREATED"  // change_type
		0008 "FUNCTION" // target
		0002 "ks"       // keyspace
		0001 "f"        // function
		0002 0003 "int" 0004 "text" // argument types [string list]
	`},
	{"aggregate_without_arguments", SchemaChange{Change: SchemaDropped, Target: TargetAggregate, Keyspace: "ks", Name: "agg"}, `
		0007 "DROPPED"   // change_type
		0009 "AGGREGATE" // target
		0002 "ks"        // keyspace
		0003 "agg"       // aggregate
		0000             // argument types: none
	`},
}

func TestSchemaChangeResultGolden(t *testing.T) {
	var cases []rspCase
	for _, g := range schemaChangeGoldens {
		cases = append(cases, rspForVersions(rspVersions, g.name, &SchemaChangeResult{g.sc}, rspHex(`
			00000005 // kind: Schema_change
		`+g.body))...)
	}
	rspRunGolden(t, func() Message { return &SchemaChangeResult{} }, cases)
}

func TestSchemaChangeUnknownTarget(t *testing.T) {
	var m SchemaChangeResult
	if err := m.Decode(rspHex(`00000005 0007 "CREATED" 0005 "INDEX" 0002 "ks"`), V4); err == nil {
		t.Fatal("unknown target decoded")
	}
	m.SchemaChange = SchemaChange{Change: SchemaCreated, Target: "INDEX"}
	if _, err := m.Encode(nil, V4); err == nil {
		t.Fatal("unknown target encoded")
	}
	sc := SchemaChange{Change: SchemaCreated, Target: TargetTable, Keyspace: "ks", Name: "t"}
	if got := sc.String(); got != "CREATED TABLE ks.t" {
		t.Fatalf("String() = %q", got)
	}
}
