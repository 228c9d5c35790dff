package metadata

import (
	"time"

	"github.com/cqlgo/cassandra/frame"
)

// ColumnKind says what role a column plays in its table.
type ColumnKind int

// Column kinds, as system_schema.columns.kind names them.
const (
	RegularColumn ColumnKind = iota
	PartitionKeyColumn
	ClusteringColumn
	StaticColumn
)

// String returns the kind as system_schema spells it: partition_key,
// clustering, regular or static.
func (k ColumnKind) String() string {
	switch k {
	case PartitionKeyColumn:
		return "partition_key"
	case ClusteringColumn:
		return "clustering"
	case StaticColumn:
		return "static"
	}
	return "regular"
}

// ClusteringOrder is the order of a clustering column.
type ClusteringOrder int

// Clustering orders. Columns that do not cluster have NoOrder.
const (
	NoOrder ClusteringOrder = iota
	Ascending
	Descending
)

// String returns ASC, DESC, or "" for NoOrder.
func (o ClusteringOrder) String() string {
	switch o {
	case Ascending:
		return "ASC"
	case Descending:
		return "DESC"
	}
	return ""
}

// Column is a column of a table or materialized view.
type Column struct {
	Name string
	Kind ColumnKind
	// Position is the column's index in the partition key or among the
	// clustering columns; -1 for regular and static columns.
	Position int
	// Type is the parsed type, user types resolved (fields filled in).
	Type *frame.Type
	// CQLType is the type as CQL text with frozen<> where the server has
	// it: the server's own text from 3.0 on, derived from the marshal class
	// before.
	CQLType string
	// Order is Ascending or Descending for clustering columns.
	Order ClusteringOrder
}

// Table is a table: its columns, primary key, options, indexes and
// triggers.
//
// A Table is read-only, shared by the schema snapshots it is part of: its
// slices and maps must not be modified.
type Table struct {
	Keyspace string
	Name     string
	// ID is the table id (system_schema.tables.id, cf_id before 3.0).
	ID [16]byte
	// Virtual marks a table of a virtual keyspace (Cassandra 4.0+).
	Virtual bool
	// CompactStorage marks a table created WITH COMPACT STORAGE (before
	// 4.0).
	CompactStorage bool
	// Flags are system_schema.tables.flags (compound, counter, dense,
	// super); nil before 3.0.
	Flags []string

	// PartitionKey holds the partition key columns in key order.
	PartitionKey []*Column
	// Clustering holds the clustering columns in key order, each with its
	// Order.
	Clustering []*Column
	// Columns holds every column: the partition key, the clustering
	// columns, then the static and regular columns by name.
	Columns []*Column

	Options Options

	// Indexes, Triggers and DroppedColumns are sorted by name.
	Indexes        []*Index
	Triggers       []*Trigger
	DroppedColumns []*DroppedColumn

	version SchemaVersion
	// problems come from the rows; typeProblems from resolving user types,
	// redone when a type changes.
	problems, typeProblems []Problem
}

// Column returns the named column, or nil.
func (t *Table) Column(name string) *Column { return findColumn(t.Columns, name) }

// Index returns the named index, or nil.
func (t *Table) Index(name string) *Index {
	for _, ix := range t.Indexes {
		if ix.Name == name {
			return ix
		}
	}
	return nil
}

// IsCounter reports whether the table holds counters.
func (t *Table) IsCounter() bool {
	for _, c := range t.Columns {
		if c.Type != nil && c.Type.ID == frame.TypeCounter {
			return true
		}
	}
	return false
}

// Problems lists what could not be parsed or resolved in the table's rows.
func (t *Table) Problems() []Problem { return concatProblems(t.problems, t.typeProblems) }

func findColumn(cols []*Column, name string) *Column {
	for _, c := range cols {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Index is a secondary index.
type Index struct {
	Keyspace string
	Table    string
	Name     string
	// Kind is KEYS, COMPOSITES or CUSTOM.
	Kind string
	// Target is the indexed column as CQL: a column name (quoted as
	// needed), keys(m), values(l), entries(m) or full(f).
	Target string
	// Class is the index class of a CUSTOM index (options class_name), such
	// as StorageAttachedIndex.
	Class string
	// Options are the index options as stored, target and class_name
	// included. Read-only.
	Options map[string]string

	version SchemaVersion
}

// Trigger is a trigger on a table.
type Trigger struct {
	Keyspace string
	Table    string
	Name     string
	// Class is the trigger's Java class (options class).
	Class string
	// Options are the trigger options as stored. Read-only.
	Options map[string]string
}

// DroppedColumn is a column dropped from a table, remembered so that
// sstables written before the drop can still be read.
type DroppedColumn struct {
	Name string
	// Type and CQLType are the column's type when it was dropped (3.0+;
	// nil and "" before). The server stores user types there as tuples.
	Type    *frame.Type
	CQLType string
	Kind    ColumnKind
	// DroppedAt is when the column was dropped.
	DroppedAt time.Time
}

// MaterializedView is a materialized view (Cassandra 3.0+).
//
// A MaterializedView is read-only, shared by the schema snapshots it is
// part of: its slices and maps must not be modified.
type MaterializedView struct {
	Keyspace string
	Name     string
	ID       [16]byte
	// BaseTable is the name of the table the view selects from, in the
	// same keyspace.
	BaseTable   string
	BaseTableID [16]byte
	// WhereClause is the view's WHERE clause as stored, without WHERE.
	WhereClause string
	// IncludeAllColumns is set for SELECT *.
	IncludeAllColumns bool

	// PartitionKey, Clustering and Columns are as in Table.
	PartitionKey []*Column
	Clustering   []*Column
	Columns      []*Column

	Options Options

	problems, typeProblems []Problem
}

// Column returns the named column, or nil.
func (v *MaterializedView) Column(name string) *Column { return findColumn(v.Columns, name) }

// Problems lists what could not be parsed or resolved in the view's rows.
func (v *MaterializedView) Problems() []Problem {
	return concatProblems(v.problems, v.typeProblems)
}

func concatProblems(a, b []Problem) []Problem {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	return append(append([]Problem(nil), a...), b...)
}
