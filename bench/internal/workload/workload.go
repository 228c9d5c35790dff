// Package workload defines the benchmark's four workloads once, for every
// client and for the canned-answer server: the CQL text, the column types,
// the schema and data on a real server, and the canned rows on the
// simulated one. Clients bind the values the helpers here return, so every
// driver sends the same requests.
package workload

import (
	"fmt"

	"github.com/cqlgo/cassandra/frame"
)

// Names of the workloads, as used in flags and result rows.
const (
	Select1 = "select1" // prepared single-row SELECT by key, 3 columns
	Insert  = "insert"  // prepared INSERT of one row
	Page10k = "page10k" // prepared SELECT of 10,000 rows in pages of 5000
	Batch10 = "batch10" // unlogged batch of 10 prepared INSERTs
)

// All lists the workloads in report order.
var All = []string{Select1, Insert, Page10k, Batch10}

// Known reports whether name is a workload.
func Known(name string) bool {
	for _, w := range All {
		if w == name {
			return true
		}
	}
	return false
}

// Keyspace is the keyspace every statement runs in.
const Keyspace = "bench"

// Statements, fully qualified so no client needs USE.
const (
	SelectCQL = "SELECT k, a, b FROM bench.kv WHERE k = ?"
	InsertCQL = "INSERT INTO bench.ins (k, c, v) VALUES (?, ?, ?)"
	PageCQL   = "SELECT p, c, v FROM bench.page WHERE p = ?"
)

// Sizes of the data.
const (
	KVRows     = 1000  // rows of bench.kv; select1 keys cycle over them
	PageRows   = 10000 // rows of partition 0 of bench.page
	PageSize   = 5000  // page size of page10k
	BatchSize  = 10    // statements per batch10
	InsertKeys = 1000  // insert and batch10 partition keys cycle over them
)

// Schema is the DDL a real server needs, in order.
var Schema = []string{
	"CREATE KEYSPACE IF NOT EXISTS bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
	"CREATE TABLE IF NOT EXISTS bench.kv (k int PRIMARY KEY, a bigint, b text)",
	"CREATE TABLE IF NOT EXISTS bench.ins (k int, c int, v text, PRIMARY KEY (k, c))",
	"CREATE TABLE IF NOT EXISTS bench.page (p int, c int, v text, PRIMARY KEY (p, c))",
}

// Load statements fill the tables read by select1 and page10k.
const (
	LoadKVCQL   = "INSERT INTO bench.kv (k, a, b) VALUES (?, ?, ?)"
	LoadPageCQL = "INSERT INTO bench.page (p, c, v) VALUES (?, ?, ?)"
)

// KVRow returns the values of row k of bench.kv.
func KVRow(k int) (int, int64, string) {
	return k, int64(k) * 1000003, fmt.Sprintf("value-%010d", k)
}

// PageRow returns the values of row c of partition 0 of bench.page.
func PageRow(c int) (int, int, string) { return 0, c, fmt.Sprintf("row-%05d-abcdefghij", c) }

// InsertText is the text column of every inserted row.
const InsertText = "inserted-value-0123456789"

// SelectKey returns the key of the i-th select1 request.
func SelectKey(i uint64) int { return int(i % KVRows) }

// InsertKey returns the partition key of the i-th insert or batch.
func InsertKey(i uint64) int { return int(i % InsertKeys) }

var (
	intT    = &frame.Type{ID: frame.TypeInt}
	bigintT = &frame.Type{ID: frame.TypeBigint}
	textT   = &frame.Type{ID: frame.TypeVarchar}
)

func col(table, name string, t *frame.Type) frame.ColumnSpec {
	return frame.ColumnSpec{Keyspace: Keyspace, Table: table, Name: name, Type: t}
}

// Shape is what a server says when a statement is prepared: its bind
// markers, their partition key indexes and its result columns.
type Shape struct {
	CQL       string
	Params    []frame.ColumnSpec
	PKIndexes []uint16
	Columns   []frame.ColumnSpec // nil for statements without rows
}

// Shapes are the prepared statements of the workloads.
var Shapes = []Shape{
	{
		CQL:       SelectCQL,
		Params:    []frame.ColumnSpec{col("kv", "k", intT)},
		PKIndexes: []uint16{0},
		Columns:   []frame.ColumnSpec{col("kv", "k", intT), col("kv", "a", bigintT), col("kv", "b", textT)},
	},
	{
		CQL:       InsertCQL,
		Params:    []frame.ColumnSpec{col("ins", "k", intT), col("ins", "c", intT), col("ins", "v", textT)},
		PKIndexes: []uint16{0},
	},
	{
		CQL:       PageCQL,
		Params:    []frame.ColumnSpec{col("page", "p", intT)},
		PKIndexes: []uint16{0},
		Columns:   []frame.ColumnSpec{col("page", "p", intT), col("page", "c", intT), col("page", "v", textT)},
	},
}

// ShapeOf returns the shape of a workload statement.
func ShapeOf(cql string) (Shape, bool) {
	for _, s := range Shapes {
		if s.CQL == cql {
			return s, true
		}
	}
	return Shape{}, false
}

// AppendInt appends the 4-byte encoding of a CQL int.
func AppendInt(dst []byte, v int32) []byte {
	return append(dst, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// AppendBigint appends the 8-byte encoding of a CQL bigint.
func AppendBigint(dst []byte, v int64) []byte {
	return AppendInt(AppendInt(dst, int32(v>>32)), int32(v))
}
