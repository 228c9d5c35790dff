package metadata

import (
	"fmt"
	"maps"

	"github.com/cqlgo/cassandra/frame"
)

// This file applies schema changes to a snapshot, copy-on-write: the
// element that changed is rebuilt from its rows, everything else is shared
// with the old snapshot.

// Refresh returns the schema after change c, given the rows of
// RefreshQueries(s.Version, c). The rows say what the changed element is
// now; when they have none it is gone, so created, updated and dropped
// elements need nothing different. s is not modified.
//
// A change inside a keyspace the schema does not have fails with
// ErrUnknownKeyspace: read the keyspace instead. So does any change on a nil
// Schema, which does not know its server's schema family: Parse first.
func (s *Schema) Refresh(c frame.SchemaChange, rows Rows) (*Schema, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: no schema yet", ErrUnknownKeyspace)
	}
	v := s.Version
	if c.Target == frame.TargetKeyspace {
		ks, err := ParseKeyspace(v, c.Keyspace, rows)
		if err != nil {
			return nil, err
		}
		if ks == nil {
			return s.WithoutKeyspace(c.Keyspace), nil
		}
		return s.WithKeyspace(ks), nil
	}
	k := s.Keyspace(c.Keyspace)
	if k == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnknownKeyspace, c.Keyspace)
	}
	nk, err := k.Refresh(c, rows)
	if err != nil {
		return nil, err
	}
	return s.WithKeyspace(nk), nil
}

// Refresh returns the keyspace after a TABLE, TYPE, FUNCTION or AGGREGATE
// change, given the rows of RefreshQueries for it (see Schema.Refresh). k
// is not modified. A TYPE change also re-resolves the tables, views,
// functions and aggregates that use user types, so they see the new
// fields.
func (k *Keyspace) Refresh(c frame.SchemaChange, rows Rows) (*Keyspace, error) {
	if c.Keyspace != k.Name {
		return nil, fmt.Errorf("metadata: change in keyspace %q applied to keyspace %q", c.Keyspace, k.Name)
	}
	if err := checkRows(rows); err != nil {
		return nil, err
	}
	g := groupRows(rows, k.Name)[k.Name]
	nk := *k
	b := newBuilder(k.Name, k.version)
	b.types = k.Types // read only: no type is resolved below but for TYPE
	switch c.Target {
	case frame.TargetTable:
		nk.Tables, nk.Views = maps.Clone(k.Tables), maps.Clone(k.Views)
		delete(nk.Tables, c.Name)
		delete(nk.Views, c.Name)
		if k.version.legacy() {
			for _, r := range named(g[tLegacyTables], "columnfamily_name", c.Name) {
				nk.Tables[c.Name] = b.legacyTable(r, named(g[tLegacyColumns], "columnfamily_name", c.Name),
					named(g[tLegacyTriggers], "columnfamily_name", c.Name))
			}
			break
		}
		cols := named(g[tColumns], "table_name", c.Name)
		for _, r := range named(g[tTables], "table_name", c.Name) {
			nk.Tables[c.Name] = b.modernTable(r, cols, named(g[tDropped], "table_name", c.Name),
				named(g[tIndexes], "table_name", c.Name), named(g[tTriggers], "table_name", c.Name))
		}
		for _, r := range named(g[tViews], "view_name", c.Name) {
			nk.Views[c.Name] = b.modernView(r, cols)
		}
	case frame.TargetType:
		nk.refreshType(c.Name, g)
	case frame.TargetFunction:
		nk.Functions = maps.Clone(k.Functions)
		maps.DeleteFunc(nk.Functions, func(_ string, f *Function) bool { return f.Name == c.Name })
		if k.version.legacy() {
			for _, r := range named(g[tLegacyFunctions], "function_name", c.Name) {
				f := b.legacyFunction(r)
				nk.Functions[f.Signature()] = f
			}
			break
		}
		for _, r := range named(g[tFunctions], "function_name", c.Name) {
			f := b.modernFunction(r)
			nk.Functions[f.Signature()] = f
		}
	case frame.TargetAggregate:
		nk.Aggregates = maps.Clone(k.Aggregates)
		maps.DeleteFunc(nk.Aggregates, func(_ string, a *Aggregate) bool { return a.Name == c.Name })
		if k.version.legacy() {
			for _, r := range named(g[tLegacyAggregates], "aggregate_name", c.Name) {
				a := b.legacyAggregate(r)
				nk.Aggregates[a.Signature()] = a
			}
			break
		}
		for _, r := range named(g[tAggregates], "aggregate_name", c.Name) {
			a := b.modernAggregate(r)
			nk.Aggregates[a.Signature()] = a
		}
	default:
		return nil, fmt.Errorf("metadata: cannot refresh a keyspace for a %s change (use ParseKeyspace)", c.Target)
	}
	return &nk, nil
}

// named returns the rows whose column col is name.
func named(rows []map[string]any, col, name string) []map[string]any {
	var out []map[string]any
	for _, r := range rows {
		if strOr(r, col) == name {
			out = append(out, r)
		}
	}
	return out
}

// refreshType replaces (or removes) one user type, resolves the types
// again, and rebuilds the types of every element that uses a user type.
func (k *Keyspace) refreshType(name string, g ksRows) {
	defs := make(map[string]typeDef, len(k.Types)+1)
	for n, u := range k.Types {
		if n == name {
			continue
		}
		d := typeDef{names: make([]string, len(u.Fields)), texts: make([]string, len(u.Fields)), problems: u.defProblems}
		for i, f := range u.Fields {
			d.names[i], d.texts[i] = f.Name, f.CQLType
		}
		defs[n] = d
	}
	b := newBuilder(k.Name, k.version)
	if k.version.legacy() {
		for _, r := range named(g[tLegacyTypes], "type_name", name) {
			defs[name] = legacyTypeDef(b, name, r)
		}
	} else {
		for _, r := range named(g[tTypes], "type_name", name) {
			defs[name] = modernTypeDef(b, r)
		}
	}
	b.resolveTypes(defs)
	k.Types = b.types

	k.Tables = maps.Clone(k.Tables)
	for n, t := range k.Tables {
		if tableUsesUDT(t.Columns, t.DroppedColumns) {
			k.Tables[n] = b.reresolveTable(t)
		}
	}
	k.Views = maps.Clone(k.Views)
	for n, v := range k.Views {
		if tableUsesUDT(v.Columns, nil) {
			nv := *v
			nv.typeProblems = nil
			b.within("view "+v.Name, &nv.typeProblems, func() {
				nv.PartitionKey, nv.Clustering, nv.Columns, _ = b.reresolveColumns(v.PartitionKey, v.Clustering, v.Columns, nil)
			})
			k.Views[n] = &nv
		}
	}
	k.Functions = maps.Clone(k.Functions)
	for s, f := range k.Functions {
		if usesUDT(append(append([]*frame.Type(nil), f.ArgTypes...), f.ReturnType)) {
			nf := *f
			b.resolveFunction(&nf)
			k.Functions[s] = &nf
		}
	}
	k.Aggregates = maps.Clone(k.Aggregates)
	for s, a := range k.Aggregates {
		if usesUDT(append(append([]*frame.Type(nil), a.ArgTypes...), a.StateType, a.ReturnType)) {
			na := *a
			keep := na.InitCond
			b.resolveAggregate(&na)
			na.InitCond = keep
			k.Aggregates[s] = &na
		}
	}
}

func usesUDT(ts []*frame.Type) bool {
	for _, t := range ts {
		if hasUDT(t) {
			return true
		}
	}
	return false
}

func tableUsesUDT(cols []*Column, dropped []*DroppedColumn) bool {
	for _, c := range cols {
		if hasUDT(c.Type) {
			return true
		}
	}
	for _, d := range dropped {
		if hasUDT(d.Type) {
			return true
		}
	}
	return false
}

func (b *builder) reresolveTable(t *Table) *Table {
	nt := *t
	nt.typeProblems = nil
	b.within("table "+t.Name, &nt.typeProblems, func() {
		nt.PartitionKey, nt.Clustering, nt.Columns, nt.DroppedColumns = b.reresolveColumns(t.PartitionKey, t.Clustering, t.Columns, t.DroppedColumns)
	})
	return &nt
}

// reresolveColumns copies columns with their types parsed again.
func (b *builder) reresolveColumns(pk, ck, all []*Column, dropped []*DroppedColumn) (npk, nck, nall []*Column, ndropped []*DroppedColumn) {
	moved := make(map[*Column]*Column, len(all))
	nall = make([]*Column, len(all))
	for i, c := range all {
		nc := *c
		nc.Type = b.parseType(c.CQLType)
		nall[i], moved[c] = &nc, &nc
	}
	remap := func(cols []*Column) []*Column {
		out := make([]*Column, len(cols))
		for i, c := range cols {
			out[i] = moved[c]
		}
		return out
	}
	if dropped != nil {
		ndropped = make([]*DroppedColumn, len(dropped))
		for i, d := range dropped {
			nd := *d
			if d.CQLType != "" {
				nd.Type = b.parseType(d.CQLType)
			}
			ndropped[i] = &nd
		}
	}
	return remap(pk), remap(ck), nall, ndropped
}
