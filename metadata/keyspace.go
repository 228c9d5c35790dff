package metadata

import (
	"sort"
	"strings"
)

// Keyspace is a keyspace with everything in it.
//
// A Keyspace is read-only and shared by the schema snapshots it is part
// of: its maps, and everything they hold, must not be modified.
type Keyspace struct {
	Name string
	// Virtual marks a virtual keyspace (system_views, ...; Cassandra 4.0+):
	// it has no replication and cannot be created.
	Virtual bool
	// DurableWrites is the durable_writes option.
	DurableWrites bool
	// Replication is the replication map as system_schema.keyspaces has
	// it: "class" holds the strategy class, the other keys its options
	// (replication_factor, or a factor per datacenter). Before 3.0 it is
	// built from strategy_class and strategy_options.
	Replication map[string]string

	// Tables, Views and Types are keyed by name; Functions and Aggregates
	// by Signature, as overloads share a name.
	Tables     map[string]*Table
	Views      map[string]*MaterializedView
	Types      map[string]*UserType
	Functions  map[string]*Function
	Aggregates map[string]*Aggregate

	version  SchemaVersion
	problems []Problem
}

// StrategyClass returns the replication strategy class as stored, such as
// org.apache.cassandra.locator.NetworkTopologyStrategy.
func (k *Keyspace) StrategyClass() string { return k.Replication["class"] }

// Strategy returns the strategy class without the
// org.apache.cassandra.locator package: SimpleStrategy,
// NetworkTopologyStrategy, LocalStrategy, EverywhereStrategy...
func (k *Keyspace) Strategy() string {
	return strings.TrimPrefix(k.StrategyClass(), "org.apache.cassandra.locator.")
}

// Table returns the named table, or nil.
func (k *Keyspace) Table(name string) *Table { return k.Tables[name] }

// View returns the named materialized view, or nil.
func (k *Keyspace) View(name string) *MaterializedView { return k.Views[name] }

// Type returns the named user type, or nil.
func (k *Keyspace) Type(name string) *UserType { return k.Types[name] }

// Function returns the function of that name and argument types (spelled as
// the server does, see Function.ArgCQLTypes), or nil.
func (k *Keyspace) Function(name string, argTypes ...string) *Function {
	return k.Functions[signature(name, argTypes)]
}

// Aggregate returns the aggregate of that name and argument types, or nil.
func (k *Keyspace) Aggregate(name string, argTypes ...string) *Aggregate {
	return k.Aggregates[signature(name, argTypes)]
}

// TableNames returns the table names, sorted.
func (k *Keyspace) TableNames() []string { return sortedKeys(k.Tables) }

// ViewNames returns the materialized view names, sorted.
func (k *Keyspace) ViewNames() []string { return sortedKeys(k.Views) }

// TypeNames returns the user type names in dependency order: a type comes
// after the types its fields use, and by name otherwise.
func (k *Keyspace) TypeNames() []string { return typeOrder(k) }

// FunctionSignatures returns the function signatures, sorted.
func (k *Keyspace) FunctionSignatures() []string { return sortedKeys(k.Functions) }

// AggregateSignatures returns the aggregate signatures, sorted.
func (k *Keyspace) AggregateSignatures() []string { return sortedKeys(k.Aggregates) }

// ViewsOf returns the materialized views of a table, sorted by name.
func (k *Keyspace) ViewsOf(table string) []*MaterializedView {
	var out []*MaterializedView
	for _, name := range k.ViewNames() {
		if v := k.Views[name]; v.BaseTable == table {
			out = append(out, v)
		}
	}
	return out
}

// Problems lists what could not be parsed or resolved in the keyspace and
// everything in it, sorted by element.
func (k *Keyspace) Problems() []Problem {
	out := append([]Problem(nil), k.problems...)
	for _, n := range k.TypeNames() {
		out = append(out, k.Types[n].Problems()...)
	}
	for _, n := range k.TableNames() {
		out = append(out, k.Tables[n].Problems()...)
	}
	for _, n := range k.ViewNames() {
		out = append(out, k.Views[n].Problems()...)
	}
	for _, n := range k.FunctionSignatures() {
		out = append(out, k.Functions[n].Problems()...)
	}
	for _, n := range k.AggregateSignatures() {
		out = append(out, k.Aggregates[n].Problems()...)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// typeOrder sorts the keyspace's types so that each comes after the types
// it uses (a depth-first walk over names in order; a cycle, which the
// server does not allow, is broken where it is found).
func typeOrder(k *Keyspace) []string {
	names := sortedKeys(k.Types)
	out := make([]string, 0, len(names))
	state := make(map[string]int, len(names)) // 1 visiting, 2 done
	var visit func(string)
	visit = func(n string) {
		u := k.Types[n]
		if u == nil || state[n] != 0 {
			return
		}
		state[n] = 1
		deps := map[string]bool{}
		for _, f := range u.Fields {
			for _, r := range typeRefs(f.CQLType, k.Name) {
				deps[r] = true
			}
		}
		for _, d := range sortedKeys(deps) {
			visit(d)
		}
		state[n] = 2
		out = append(out, n)
	}
	for _, n := range names {
		visit(n)
	}
	return out
}
