package metadata

import (
	"slices"
	"strings"

	"github.com/cqlgo/cassandra/frame"
)

// This file builds keyspaces from the system_schema tables of Cassandra
// 3.0 and later, and the virtual keyspaces of system_virtual_schema (4.0+).

// notOptions are the columns of system_schema.tables and views that are
// not table options.
var notOptions = map[string]bool{
	"keyspace_name": true, "table_name": true, "view_name": true, "id": true, "flags": true,
	"base_table_id": true, "base_table_name": true, "where_clause": true, "include_all_columns": true,
}

// obsoleteOptions are still columns in 4.0+ but no longer options: CREATE
// TABLE refuses them.
var obsoleteOptions = map[string]bool{"read_repair_chance": true, "dclocal_read_repair_chance": true}

func buildModernKeyspace(v SchemaVersion, name string, g ksRows) *Keyspace {
	row := g[tKeyspaces][0]
	k := &Keyspace{Name: name, version: v}
	b := newBuilder(name, v)
	var ok bool
	if k.DurableWrites, ok = boolOf(row["durable_writes"]); !ok && row["durable_writes"] != nil {
		b.problem(&k.problems, "keyspace", "durable_writes is %T", row["durable_writes"])
	}
	if k.Replication, ok = strMap(row["replication"]); !ok {
		b.problem(&k.problems, "keyspace", "replication is %T", row["replication"])
	}

	defs := make(map[string]typeDef, len(g[tTypes]))
	for _, r := range g[tTypes] {
		defs[strOr(r, "type_name")] = modernTypeDef(b, r)
	}
	b.resolveTypes(defs)
	k.Types = b.types

	cols := rowsByCol(g[tColumns], "table_name")
	dropped := rowsByCol(g[tDropped], "table_name")
	indexes := rowsByCol(g[tIndexes], "table_name")
	triggers := rowsByCol(g[tTriggers], "table_name")
	k.Tables = make(map[string]*Table, len(g[tTables]))
	for _, r := range g[tTables] {
		tn := strOr(r, "table_name")
		k.Tables[tn] = b.modernTable(r, cols[tn], dropped[tn], indexes[tn], triggers[tn])
	}
	k.Views = make(map[string]*MaterializedView, len(g[tViews]))
	for _, r := range g[tViews] {
		vn := strOr(r, "view_name")
		k.Views[vn] = b.modernView(r, cols[vn])
	}
	k.Functions = make(map[string]*Function, len(g[tFunctions]))
	for _, r := range g[tFunctions] {
		f := b.modernFunction(r)
		k.Functions[f.Signature()] = f
	}
	k.Aggregates = make(map[string]*Aggregate, len(g[tAggregates]))
	for _, r := range g[tAggregates] {
		a := b.modernAggregate(r)
		k.Aggregates[a.Signature()] = a
	}
	return k
}

func modernTypeDef(b *builder, r map[string]any) typeDef {
	var d typeDef
	var ok bool
	elem := "type " + strOr(r, "type_name")
	if d.names, ok = strList(r["field_names"]); !ok {
		b.problem(&d.problems, elem, "field_names is %T", r["field_names"])
	}
	if d.texts, ok = strList(r["field_types"]); !ok {
		b.problem(&d.problems, elem, "field_types is %T", r["field_types"])
	}
	return d
}

// modernColumns builds the columns of a table or view.
func (b *builder) modernColumns(elem string, dst *[]Problem, rows []map[string]any) []*Column {
	cols := make([]*Column, 0, len(rows))
	for _, r := range rows {
		name := strOr(r, "column_name")
		var kind ColumnKind
		switch k := strOr(r, "kind"); k {
		case "partition_key":
			kind = PartitionKeyColumn
		case "clustering":
			kind = ClusteringColumn
		case "static":
			kind = StaticColumn
		case "regular":
		default:
			b.problem(dst, elem, "column %s has kind %q", name, k)
		}
		order := NoOrder
		switch strOr(r, "clustering_order") {
		case "asc":
			order = Ascending
		case "desc":
			order = Descending
		}
		pos, _ := intOf(r["position"])
		text, ok := str(r, "type")
		if !ok {
			b.problem(dst, elem, "column %s has no type", name)
			text = "blob"
		}
		cols = append(cols, b.column(name, kind, int(pos), order, text))
	}
	return cols
}

func (b *builder) modernOptions(elem string, dst *[]Problem, r map[string]any) Options {
	o := make(Options, len(r))
	for name, v := range r {
		if v == nil || notOptions[name] || (b.version >= Schema40 && obsoleteOptions[name]) {
			continue
		}
		nv, ok := normalizeOption(name, v)
		if !ok {
			b.problem(dst, elem, "option %s is %T", name, v)
			continue
		}
		o[name] = nv
	}
	return o
}

func (b *builder) modernTable(r map[string]any, cols, dropped, indexes, triggers []map[string]any) *Table {
	t := &Table{Keyspace: b.ks, Name: strOr(r, "table_name"), version: b.version}
	elem := "table " + t.Name
	t.ID, _ = uuidOf(r["id"])
	t.Flags, _ = strList(r["flags"])
	t.Options = b.modernOptions(elem, &t.problems, r)
	var columns []*Column
	b.within(elem, &t.typeProblems, func() {
		columns = b.modernColumns(elem, &t.problems, cols)
	})
	if b.version < Schema40 && r["flags"] != nil {
		columns = b.compactColumns(t, columns)
	}
	t.PartitionKey, t.Clustering, t.Columns = arrangeColumns(columns)
	checkKey(b, &t.problems, elem, t.PartitionKey, t.Clustering)

	for _, ir := range indexes {
		opts, _ := strMap(ir["options"])
		t.Indexes = append(t.Indexes, &Index{
			Keyspace: b.ks, Table: t.Name, Name: strOr(ir, "index_name"), Kind: strOr(ir, "kind"),
			Target: opts["target"], Class: opts["class_name"], Options: opts,
		})
	}
	slices.SortFunc(t.Indexes, func(a, c *Index) int { return strings.Compare(a.Name, c.Name) })
	for _, tr := range triggers {
		opts, _ := strMap(tr["options"])
		t.Triggers = append(t.Triggers, &Trigger{
			Keyspace: b.ks, Table: t.Name, Name: strOr(tr, "trigger_name"), Class: opts["class"], Options: opts,
		})
	}
	slices.SortFunc(t.Triggers, func(a, c *Trigger) int { return strings.Compare(a.Name, c.Name) })
	b.within(elem, &t.typeProblems, func() {
		for _, dr := range dropped {
			d := &DroppedColumn{Name: strOr(dr, "column_name"), CQLType: strOr(dr, "type")}
			if d.CQLType != "" {
				d.Type = b.parseType(d.CQLType)
			}
			if strOr(dr, "kind") == "static" {
				d.Kind = StaticColumn
			}
			d.DroppedAt, _ = timeOf(dr["dropped_time"])
			t.DroppedColumns = append(t.DroppedColumns, d)
		}
	})
	slices.SortFunc(t.DroppedColumns, func(a, c *DroppedColumn) int { return strings.Compare(a.Name, c.Name) })
	return t
}

// compactColumns applies the flags of a 3.x table: a table WITH COMPACT
// STORAGE keeps hidden columns in system_schema that its CQL definition
// does not have. A dense table has a value column of type empty when it
// has no value; a static compact table (neither compound nor dense) shows
// its columns as static, beside a clustering column1 and a regular value
// that are internal.
func (b *builder) compactColumns(t *Table, cols []*Column) []*Column {
	has := func(f string) bool { return slices.Contains(t.Flags, f) }
	dense, compound, super := has("dense"), has("compound"), has("super")
	if compound && !dense && !super {
		return cols
	}
	t.CompactStorage = true
	out := cols[:0]
	for _, c := range cols {
		switch {
		case dense && c.Kind == RegularColumn && c.CQLType == "empty":
			continue
		case !dense && !super && (c.Kind == ClusteringColumn || c.Kind == RegularColumn):
			continue
		case !dense && !super && c.Kind == StaticColumn:
			c.Kind = RegularColumn
		}
		out = append(out, c)
	}
	return out
}

func (b *builder) modernView(r map[string]any, cols []map[string]any) *MaterializedView {
	v := &MaterializedView{Keyspace: b.ks, Name: strOr(r, "view_name")}
	elem := "view " + v.Name
	v.ID, _ = uuidOf(r["id"])
	v.BaseTable = strOr(r, "base_table_name")
	v.BaseTableID, _ = uuidOf(r["base_table_id"])
	v.WhereClause = strOr(r, "where_clause")
	v.IncludeAllColumns, _ = boolOf(r["include_all_columns"])
	v.Options = b.modernOptions(elem, &v.problems, r)
	var columns []*Column
	b.within(elem, &v.typeProblems, func() {
		columns = b.modernColumns(elem, &v.problems, cols)
	})
	v.PartitionKey, v.Clustering, v.Columns = arrangeColumns(columns)
	checkKey(b, &v.problems, elem, v.PartitionKey, v.Clustering)
	return v
}

func (b *builder) modernFunction(r map[string]any) *Function {
	f := &Function{Keyspace: b.ks, Name: strOr(r, "function_name")}
	f.ArgNames, _ = strList(r["argument_names"])
	f.ArgCQLTypes, _ = strList(r["argument_types"])
	f.ReturnCQLType = strOr(r, "return_type")
	f.Language = strOr(r, "language")
	f.Body = strOr(r, "body")
	f.CalledOnNullInput, _ = boolOf(r["called_on_null_input"])
	b.resolveFunction(f)
	return f
}

// resolveFunction parses the function's types; problems replace the old.
func (b *builder) resolveFunction(f *Function) {
	f.typeProblems = nil
	b.within("function "+f.Signature(), &f.typeProblems, func() {
		f.ArgTypes = make([]*frame.Type, len(f.ArgCQLTypes))
		for i, a := range f.ArgCQLTypes {
			f.ArgTypes[i] = b.parseType(a)
		}
		if f.ReturnCQLType != "" {
			f.ReturnType = b.parseType(f.ReturnCQLType)
		}
	})
}

func (b *builder) modernAggregate(r map[string]any) *Aggregate {
	a := &Aggregate{Keyspace: b.ks, Name: strOr(r, "aggregate_name")}
	a.ArgCQLTypes, _ = strList(r["argument_types"])
	a.StateFunc = strOr(r, "state_func")
	a.StateCQLType = strOr(r, "state_type")
	a.FinalFunc = strOr(r, "final_func")
	a.ReturnCQLType = strOr(r, "return_type")
	a.InitCond = strOr(r, "initcond")
	b.resolveAggregate(a)
	return a
}

func (b *builder) resolveAggregate(a *Aggregate) {
	a.typeProblems = nil
	b.within("aggregate "+a.Signature(), &a.typeProblems, func() {
		a.ArgTypes = make([]*frame.Type, len(a.ArgCQLTypes))
		for i, t := range a.ArgCQLTypes {
			a.ArgTypes[i] = b.parseType(t)
		}
		if a.StateCQLType != "" {
			a.StateType = b.parseType(a.StateCQLType)
		}
		if a.ReturnCQLType != "" {
			a.ReturnType = b.parseType(a.ReturnCQLType)
		}
	})
}

// buildVirtualKeyspace builds a virtual keyspace (Cassandra 4.0+): tables
// and columns only, with a comment as the one option.
func buildVirtualKeyspace(v SchemaVersion, name string, g ksRows) *Keyspace {
	k := &Keyspace{Name: name, Virtual: true, version: v,
		Types: map[string]*UserType{}, Views: map[string]*MaterializedView{},
		Functions: map[string]*Function{}, Aggregates: map[string]*Aggregate{}}
	b := newBuilder(name, v)
	cols := rowsByCol(g[tVirtualColumns], "table_name")
	k.Tables = make(map[string]*Table, len(g[tVirtualTables]))
	for _, r := range g[tVirtualTables] {
		t := &Table{Keyspace: name, Name: strOr(r, "table_name"), Virtual: true, version: v, Options: Options{}}
		if c, ok := str(r, "comment"); ok {
			t.Options["comment"] = c
		}
		elem := "table " + t.Name
		var columns []*Column
		b.within(elem, &t.typeProblems, func() {
			columns = b.modernColumns(elem, &t.problems, cols[t.Name])
		})
		t.PartitionKey, t.Clustering, t.Columns = arrangeColumns(columns)
		k.Tables[t.Name] = t
	}
	return k
}
