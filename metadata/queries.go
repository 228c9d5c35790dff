package metadata

import (
	"strconv"
	"strings"

	"github.com/cqlgo/cassandra/frame"
)

// SchemaVersion names a family of schema tables: where a server keeps its
// schema and how it spells it.
type SchemaVersion int

// Schema table families, named after the first Cassandra release of each.
const (
	// Schema21: Cassandra 2.1, system.schema_keyspaces,
	// schema_columnfamilies, schema_columns, schema_usertypes and
	// schema_triggers; types as Java marshal class names.
	Schema21 SchemaVersion = 21
	// Schema22: Cassandra 2.2, as 2.1 plus schema_functions and
	// schema_aggregates.
	Schema22 SchemaVersion = 22
	// Schema30: Cassandra 3.x, the system_schema keyspace with CQL type
	// text.
	Schema30 SchemaVersion = 30
	// Schema40: Cassandra 4.0 and later, system_schema plus the virtual
	// keyspaces of system_virtual_schema.
	Schema40 SchemaVersion = 40
)

// String returns the family as the Cassandra release that introduced it
// ("2.1", "4.0"...).
func (v SchemaVersion) String() string {
	return strconv.Itoa(int(v)/10) + "." + strconv.Itoa(int(v)%10)
}

func (v SchemaVersion) legacy() bool { return v < Schema30 }

// VersionFor returns the schema family of a server from its
// release_version (system.local), such as "5.0.9" or "2.1.0". Text that does
// not start with a version number gives the newest family.
func VersionFor(releaseVersion string) SchemaVersion {
	major, minor, ok := parseRelease(releaseVersion)
	switch {
	case !ok || major >= 4:
		return Schema40
	case major == 3:
		return Schema30
	case major == 2 && minor >= 2:
		return Schema22
	}
	return Schema21
}

func parseRelease(s string) (major, minor int, ok bool) {
	s = strings.TrimSpace(s)
	num := func() (int, bool) {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		n, err := strconv.Atoi(s[:i])
		s = s[i:]
		return n, err == nil
	}
	if major, ok = num(); !ok {
		return 0, 0, false
	}
	if strings.HasPrefix(s, ".") {
		s = s[1:]
		minor, _ = num()
	}
	return major, minor, true
}

// Query is a statement the driver runs to read the schema. Its rows go into
// Rows under Table.
type Query struct {
	// Table is the system table read, such as "system_schema.tables": the
	// key of the rows in Rows.
	Table string
	// CQL is the SELECT, with ? markers for Args.
	CQL string
	// Args are the values of the markers: none, a keyspace name, or a
	// keyspace and an element name. Run it as Execute(ctx, q.CQL, q.Args...).
	Args []any
}

// System tables, by the key their rows have in Rows.
const (
	tKeyspaces  = "system_schema.keyspaces"
	tTables     = "system_schema.tables"
	tColumns    = "system_schema.columns"
	tDropped    = "system_schema.dropped_columns"
	tIndexes    = "system_schema.indexes"
	tTriggers   = "system_schema.triggers"
	tTypes      = "system_schema.types"
	tFunctions  = "system_schema.functions"
	tAggregates = "system_schema.aggregates"
	tViews      = "system_schema.views"

	tVirtualKeyspaces = "system_virtual_schema.keyspaces"
	tVirtualTables    = "system_virtual_schema.tables"
	tVirtualColumns   = "system_virtual_schema.columns"

	tLegacyKeyspaces  = "system.schema_keyspaces"
	tLegacyTables     = "system.schema_columnfamilies"
	tLegacyColumns    = "system.schema_columns"
	tLegacyTypes      = "system.schema_usertypes"
	tLegacyTriggers   = "system.schema_triggers"
	tLegacyFunctions  = "system.schema_functions"
	tLegacyAggregates = "system.schema_aggregates"
)

// scope is how much of the schema a query reads.
type scope int

const (
	scopeAll      scope = iota // no WHERE
	scopeKeyspace              // WHERE keyspace_name = ?
	scopeElement               // WHERE keyspace_name = ? AND <name column> = ?
)

// tableSpec is a system table and the column that names its elements.
type tableSpec struct {
	table   string
	nameCol string // clustering column for element-scoped queries
}

func (s tableSpec) query(sc scope, args ...any) Query {
	q := Query{Table: s.table, CQL: "SELECT * FROM " + s.table}
	switch sc {
	case scopeKeyspace:
		q.CQL += " WHERE keyspace_name = ?"
	case scopeElement:
		q.CQL += " WHERE keyspace_name = ? AND " + s.nameCol + " = ?"
	}
	q.Args = args
	return q
}

var (
	specKeyspaces  = tableSpec{tKeyspaces, ""}
	specTables     = tableSpec{tTables, "table_name"}
	specColumns    = tableSpec{tColumns, "table_name"}
	specDropped    = tableSpec{tDropped, "table_name"}
	specIndexes    = tableSpec{tIndexes, "table_name"}
	specTriggers   = tableSpec{tTriggers, "table_name"}
	specTypes      = tableSpec{tTypes, "type_name"}
	specFunctions  = tableSpec{tFunctions, "function_name"}
	specAggregates = tableSpec{tAggregates, "aggregate_name"}
	specViews      = tableSpec{tViews, "view_name"}

	specLegacyKeyspaces  = tableSpec{tLegacyKeyspaces, ""}
	specLegacyTables     = tableSpec{tLegacyTables, "columnfamily_name"}
	specLegacyColumns    = tableSpec{tLegacyColumns, "columnfamily_name"}
	specLegacyTypes      = tableSpec{tLegacyTypes, "type_name"}
	specLegacyTriggers   = tableSpec{tLegacyTriggers, "columnfamily_name"}
	specLegacyFunctions  = tableSpec{tLegacyFunctions, "function_name"}
	specLegacyAggregates = tableSpec{tLegacyAggregates, "aggregate_name"}
)

// keyspaceSpecs lists the tables that describe a keyspace, in the order
// the queries are listed.
func keyspaceSpecs(v SchemaVersion) []tableSpec {
	switch {
	case v == Schema21:
		return []tableSpec{specLegacyKeyspaces, specLegacyTables, specLegacyColumns, specLegacyTypes, specLegacyTriggers}
	case v.legacy():
		return []tableSpec{specLegacyKeyspaces, specLegacyTables, specLegacyColumns, specLegacyTypes,
			specLegacyTriggers, specLegacyFunctions, specLegacyAggregates}
	}
	return []tableSpec{specKeyspaces, specTables, specColumns, specDropped, specIndexes, specTriggers,
		specTypes, specFunctions, specAggregates, specViews}
}

// Queries returns the statements that read the whole schema of a server of
// family v. Run each and pass the rows to Parse.
func Queries(v SchemaVersion) []Query {
	specs := keyspaceSpecs(v)
	out := make([]Query, 0, len(specs)+3)
	for _, s := range specs {
		out = append(out, s.query(scopeAll))
	}
	if v >= Schema40 {
		for _, t := range []string{tVirtualKeyspaces, tVirtualTables, tVirtualColumns} {
			out = append(out, tableSpec{table: t}.query(scopeAll))
		}
	}
	return out
}

// QueriesFor returns Queries for the server's release_version.
func QueriesFor(releaseVersion string) []Query { return Queries(VersionFor(releaseVersion)) }

// RefreshQueries returns the statements that read what a SCHEMA_CHANGE
// event (or a DDL statement's Schema_change result) says has changed, for
// Schema.Refresh:
//
//   - KEYSPACE: every table of Queries restricted to the keyspace (the whole
//     keyspace is read again: from protocol v3 servers this event also
//     stands for function changes);
//   - TABLE: the table's rows in tables, columns, indexes, triggers and
//     dropped columns, and the views row of that name (a view's changes
//     come as TABLE events);
//   - TYPE, FUNCTION, AGGREGATE: the rows of that name (every overload of
//     a function or aggregate).
//
// CREATED, UPDATED and DROPPED need the same queries: Refresh replaces the
// element with what the rows say, and removes it when they say nothing.
func RefreshQueries(v SchemaVersion, c frame.SchemaChange) []Query {
	ks, name := c.Keyspace, c.Name
	var specs []tableSpec
	switch c.Target {
	case frame.TargetKeyspace:
		all := keyspaceSpecs(v)
		out := make([]Query, len(all))
		for i, s := range all {
			out[i] = s.query(scopeKeyspace, ks)
		}
		return out
	case frame.TargetTable:
		if v.legacy() {
			specs = []tableSpec{specLegacyTables, specLegacyColumns, specLegacyTriggers}
		} else {
			specs = []tableSpec{specTables, specColumns, specDropped, specIndexes, specTriggers, specViews}
		}
	case frame.TargetType:
		specs = []tableSpec{pick(v, specTypes, specLegacyTypes)}
	case frame.TargetFunction:
		if v == Schema21 {
			return nil
		}
		specs = []tableSpec{pick(v, specFunctions, specLegacyFunctions)}
	case frame.TargetAggregate:
		if v == Schema21 {
			return nil
		}
		specs = []tableSpec{pick(v, specAggregates, specLegacyAggregates)}
	default:
		return nil
	}
	out := make([]Query, len(specs))
	for i, s := range specs {
		out[i] = s.query(scopeElement, ks, name)
	}
	return out
}

func pick(v SchemaVersion, modern, legacy tableSpec) tableSpec {
	if v.legacy() {
		return legacy
	}
	return modern
}
