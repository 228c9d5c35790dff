package metadata

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cqlgo/cassandra/cqltype"
)

// This file builds keyspaces from the schema tables of Cassandra 2.1 and
// 2.2 (system.schema_keyspaces, schema_columnfamilies, schema_columns,
// schema_usertypes, schema_triggers, and in 2.2 schema_functions and
// schema_aggregates). Types there are marshal class names, options are
// spread over columns and JSON text; both are brought to the 3.0 forms.

func buildLegacyKeyspace(v SchemaVersion, name string, g ksRows) *Keyspace {
	row := g[tLegacyKeyspaces][0]
	k := &Keyspace{Name: name, version: v, Views: map[string]*MaterializedView{}}
	b := newBuilder(name, v)
	k.DurableWrites, _ = boolOf(row["durable_writes"])
	k.Replication = map[string]string{"class": strOr(row, "strategy_class")}
	if opts, ok := jsonStringMap(strOr(row, "strategy_options")); ok {
		for o, val := range opts {
			k.Replication[o] = val
		}
	} else {
		b.problem(&k.problems, "keyspace", "strategy_options %q is not a JSON object", strOr(row, "strategy_options"))
	}

	defs := make(map[string]typeDef, len(g[tLegacyTypes]))
	for _, r := range g[tLegacyTypes] {
		tn := strOr(r, "type_name")
		defs[tn] = legacyTypeDef(b, tn, r)
	}
	b.resolveTypes(defs)
	k.Types = b.types

	cols := rowsByCol(g[tLegacyColumns], "columnfamily_name")
	triggers := rowsByCol(g[tLegacyTriggers], "columnfamily_name")
	k.Tables = make(map[string]*Table, len(g[tLegacyTables]))
	for _, r := range g[tLegacyTables] {
		tn := strOr(r, "columnfamily_name")
		k.Tables[tn] = b.legacyTable(r, cols[tn], triggers[tn])
	}
	k.Functions = make(map[string]*Function, len(g[tLegacyFunctions]))
	for _, r := range g[tLegacyFunctions] {
		f := b.legacyFunction(r)
		k.Functions[f.Signature()] = f
	}
	k.Aggregates = make(map[string]*Aggregate, len(g[tLegacyAggregates]))
	for _, r := range g[tLegacyAggregates] {
		a := b.legacyAggregate(r)
		k.Aggregates[a.Signature()] = a
	}
	return k
}

// legacyTypeDef reads a schema_usertypes row, its field classes turned
// into CQL type text.
func legacyTypeDef(b *builder, name string, r map[string]any) typeDef {
	d := modernTypeDef(b, r)
	texts := make([]string, len(d.texts)) // d.texts belongs to the rows
	for i, class := range d.texts {
		texts[i] = b.classText(&d.problems, "type "+name, class)
	}
	d.texts = texts
	return d
}

// classText converts a class name to CQL type text, recording a problem
// (and keeping the class as a custom type) when it does not parse.
func (b *builder) classText(dst *[]Problem, elem, class string) string {
	text, _, err := legacyType(class)
	if err != nil {
		b.problem(dst, elem, "%v", err)
		return quoteString(class)
	}
	return text
}

// legacyKinds maps schema_columns.type to column kinds.
var legacyKinds = map[string]ColumnKind{
	"partition_key": PartitionKeyColumn, "clustering_key": ClusteringColumn,
	"regular": RegularColumn, "static": StaticColumn, "compact_value": RegularColumn,
}

func (b *builder) legacyTable(r map[string]any, cols, triggers []map[string]any) *Table {
	t := &Table{Keyspace: b.ks, Name: strOr(r, "columnfamily_name"), version: b.version}
	elem := "table " + t.Name
	t.ID, _ = uuidOf(r["cf_id"])
	comp, err := parseComparator(strOr(r, "comparator"))
	if err != nil {
		b.problem(&t.problems, elem, "comparator: %v", err)
	}
	dense, ok := boolOf(r["is_dense"])
	if !ok { // not stored by older servers: a CQL table has a composite comparator
		dense = !comp.composite
	}
	t.CompactStorage = dense || !comp.composite
	t.Options = b.legacyOptions(elem, &t.problems, r)

	var columns []*Column
	b.within(elem, &t.typeProblems, func() {
		for _, cr := range cols {
			name := strOr(cr, "column_name")
			kind, ok := legacyKinds[strOr(cr, "type")]
			if !ok {
				b.problem(&t.problems, elem, "column %s has type %q", name, strOr(cr, "type"))
			}
			pos, _ := intOf(cr["component_index"])
			text, desc, err := legacyType(strOr(cr, "validator"))
			if err != nil {
				b.problem(&t.problems, elem, "column %s: %v", name, err)
				text = quoteString(strOr(cr, "validator"))
			}
			order := Ascending
			if desc {
				order = Descending
			}
			columns = append(columns, b.column(name, kind, int(pos), order, text))
			if ix := legacyIndex(b.ks, t.Name, name, cr); ix != nil {
				ix.version = b.version
				t.Indexes = append(t.Indexes, ix)
			}
		}
		columns = b.legacyImplicitColumns(t, r, comp, dense, columns)
	})
	t.PartitionKey, t.Clustering, t.Columns = arrangeColumns(columns)
	checkKey(b, &t.problems, elem, t.PartitionKey, t.Clustering)
	slices.SortFunc(t.Indexes, func(a, c *Index) int { return strings.Compare(a.Name, c.Name) })

	for _, tr := range triggers {
		opts, _ := strMap(tr["trigger_options"])
		t.Triggers = append(t.Triggers, &Trigger{
			Keyspace: b.ks, Table: t.Name, Name: strOr(tr, "trigger_name"), Class: opts["class"], Options: opts,
		})
	}
	slices.SortFunc(t.Triggers, func(a, c *Trigger) int { return strings.Compare(a.Name, c.Name) })

	switch dc := r["dropped_columns"].(type) {
	case map[string]int64:
		for name, us := range dc {
			t.DroppedColumns = append(t.DroppedColumns, &DroppedColumn{Name: name, DroppedAt: time.UnixMicro(us).UTC()})
		}
	case map[string]any:
		for name, v := range dc {
			us, _ := intOf(v)
			t.DroppedColumns = append(t.DroppedColumns, &DroppedColumn{Name: name, DroppedAt: time.UnixMicro(us).UTC()})
		}
	}
	slices.SortFunc(t.DroppedColumns, func(a, c *DroppedColumn) int { return strings.Compare(a.Name, c.Name) })
	return t
}

// legacyImplicitColumns adds the key and value columns that tables made
// outside CQL (through Thrift) do not list in schema_columns: their names
// come from key_aliases, column_aliases and value_alias, or the defaults
// key, column1, value; their types from key_validator, the comparator and
// default_validator.
func (b *builder) legacyImplicitColumns(t *Table, r map[string]any, comp comparator, dense bool, cols []*Column) []*Column {
	count := func(k ColumnKind) int {
		n := 0
		for _, c := range cols {
			if c.Kind == k {
				n++
			}
		}
		return n
	}
	if count(PartitionKeyColumn) == 0 {
		aliases, _ := jsonStringList(strOr(r, "key_aliases"))
		kc, err := parseComparator(strOr(r, "key_validator"))
		if err == nil {
			for i, part := range kc.components {
				name := "key"
				if i > 0 {
					name += strconv.Itoa(i + 1)
				}
				if i < len(aliases) {
					name = aliases[i]
				}
				cols = append(cols, b.column(name, PartitionKeyColumn, i, NoOrder, part.cql))
			}
		}
	}
	if !dense || count(ClusteringColumn) > 0 {
		return cols
	}
	aliases, _ := jsonStringList(strOr(r, "column_aliases"))
	for i, part := range comp.components {
		name := "column" + strconv.Itoa(i+1)
		if i < len(aliases) {
			name = aliases[i]
		}
		order := Ascending
		if part.desc {
			order = Descending
		}
		cols = append(cols, b.column(name, ClusteringColumn, i, order, part.cql))
	}
	hasValue := false
	for _, c := range cols {
		hasValue = hasValue || c.Kind == RegularColumn
	}
	if dv := strOr(r, "default_validator"); !hasValue && dv != "" && !strings.HasSuffix(dv, "EmptyType") {
		name := strOr(r, "value_alias")
		if name == "" {
			name = "value"
		}
		text, _, err := legacyType(dv)
		if err == nil {
			cols = append(cols, b.column(name, RegularColumn, -1, NoOrder, text))
		}
	}
	return cols
}

// legacyIndex reads the index columns of a schema_columns row.
func legacyIndex(ks, table, col string, r map[string]any) *Index {
	name, ok := str(r, "index_name")
	if !ok {
		return nil
	}
	opts, _ := jsonStringMap(strOr(r, "index_options"))
	if opts == nil {
		opts = map[string]string{}
	}
	target := QuoteIdent(col)
	switch {
	case hasKey(opts, "index_keys"):
		target = "keys(" + target + ")"
	case hasKey(opts, "index_keys_and_values"):
		target = "entries(" + target + ")"
	case hasKey(opts, "index_full"):
		target = "full(" + target + ")"
	}
	opts["target"] = target
	return &Index{Keyspace: ks, Table: table, Name: name, Kind: strOr(r, "index_type"),
		Target: target, Class: opts["class_name"], Options: opts}
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

// legacySimpleOptions are columns of schema_columnfamilies that are table
// options under the same name.
var legacySimpleOptions = []string{
	"bloom_filter_fp_chance", "comment", "default_time_to_live", "gc_grace_seconds",
	"max_index_interval", "min_index_interval", "memtable_flush_period_in_ms", "read_repair_chance",
	"speculative_retry", "index_interval", "populate_io_cache_on_flush", "replicate_on_write",
}

func (b *builder) legacyOptions(elem string, dst *[]Problem, r map[string]any) Options {
	o := make(Options, 16)
	set := func(name string, v any) {
		if v == nil {
			return
		}
		nv, ok := normalizeOption(name, v)
		if !ok {
			b.problem(dst, elem, "option %s is %T", name, v)
			return
		}
		o[name] = nv
	}
	for _, name := range legacySimpleOptions {
		set(name, r[name])
	}
	set("dclocal_read_repair_chance", r["local_read_repair_chance"])
	if c, ok := str(r, "caching"); ok {
		if m, ok := jsonStringMap(c); ok && m != nil {
			o["caching"] = m
		} else {
			o["caching"] = c // 2.0's keyword: KEYS_ONLY, ALL...
		}
	}
	if class, ok := str(r, "compaction_strategy_class"); ok {
		m, ok := jsonStringMap(strOr(r, "compaction_strategy_options"))
		if !ok {
			b.problem(dst, elem, "compaction_strategy_options is not a JSON object")
		}
		if m == nil {
			m = map[string]string{}
		}
		m["class"] = class
		// The thresholds have columns of their own. Only size-tiered
		// compaction takes them back in its options (2.1 refuses them for
		// the others), so for those they are kept only when not the
		// defaults, as information.
		sizeTiered := strings.HasSuffix(class, "SizeTieredCompactionStrategy")
		for _, th := range []struct {
			col, opt string
			def      int64
		}{
			{"min_compaction_threshold", "min_threshold", 4}, {"max_compaction_threshold", "max_threshold", 32},
		} {
			if n, ok := intOf(r[th.col]); ok && (sizeTiered || n != th.def) {
				m[th.opt] = strconv.FormatInt(n, 10)
			}
		}
		o["compaction"] = m
	}
	if c, ok := str(r, "compression_parameters"); ok {
		if m, ok := jsonStringMap(c); ok && m != nil {
			o["compression"] = m
		} else if !ok {
			b.problem(dst, elem, "compression_parameters is not a JSON object")
		}
	}
	return o
}

func (b *builder) legacyFunction(r map[string]any) *Function {
	f := &Function{Keyspace: b.ks, Name: strOr(r, "function_name")}
	elem, dst := "function "+f.Name, &f.problems
	f.ArgNames, _ = strList(r["argument_names"])
	classes, _ := strList(r["argument_types"])
	for _, c := range classes {
		f.ArgCQLTypes = append(f.ArgCQLTypes, b.classText(dst, elem, c))
	}
	if c := strOr(r, "return_type"); c != "" {
		f.ReturnCQLType = b.classText(dst, elem, c)
	}
	f.Language = strOr(r, "language")
	f.Body = strOr(r, "body")
	f.CalledOnNullInput, _ = boolOf(r["called_on_null_input"])
	b.resolveFunction(f)
	return f
}

func (b *builder) legacyAggregate(r map[string]any) *Aggregate {
	a := &Aggregate{Keyspace: b.ks, Name: strOr(r, "aggregate_name")}
	elem, dst := "aggregate "+a.Name, &a.problems
	classes, _ := strList(r["argument_types"])
	for _, c := range classes {
		a.ArgCQLTypes = append(a.ArgCQLTypes, b.classText(dst, elem, c))
	}
	if c := strOr(r, "state_type"); c != "" {
		a.StateCQLType = b.classText(dst, elem, c)
	}
	if c := strOr(r, "return_type"); c != "" {
		a.ReturnCQLType = b.classText(dst, elem, c)
	}
	a.StateFunc = strOr(r, "state_func")
	a.FinalFunc = strOr(r, "final_func")
	b.resolveAggregate(a)
	// 2.2 stores the initial state serialized with the state type.
	switch ic := r["initcond"].(type) {
	case []byte:
		if a.StateType != nil {
			v, err := cqltype.DecodeAny(a.StateType, ic)
			if err != nil {
				b.problem(&a.problems, "aggregate "+a.Signature(), "initcond: %v", err)
			} else {
				a.InitCond = cqlLiteral(a.StateType, v)
			}
		}
	case string:
		a.InitCond = ic
	}
	return a
}
