package metadata

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cqlgo/cassandra/frame"
)

// keyCols lists, for each system table, the text columns that say what a
// row describes. A row without them cannot be placed (RowError).
var keyCols = map[string][]string{
	tKeyspaces:  {"keyspace_name"},
	tTables:     {"keyspace_name", "table_name"},
	tColumns:    {"keyspace_name", "table_name", "column_name"},
	tDropped:    {"keyspace_name", "table_name", "column_name"},
	tIndexes:    {"keyspace_name", "table_name", "index_name"},
	tTriggers:   {"keyspace_name", "table_name", "trigger_name"},
	tTypes:      {"keyspace_name", "type_name"},
	tFunctions:  {"keyspace_name", "function_name"},
	tAggregates: {"keyspace_name", "aggregate_name"},
	tViews:      {"keyspace_name", "view_name"},

	tVirtualKeyspaces: {"keyspace_name"},
	tVirtualTables:    {"keyspace_name", "table_name"},
	tVirtualColumns:   {"keyspace_name", "table_name", "column_name"},

	tLegacyKeyspaces:  {"keyspace_name"},
	tLegacyTables:     {"keyspace_name", "columnfamily_name"},
	tLegacyColumns:    {"keyspace_name", "columnfamily_name", "column_name"},
	tLegacyTypes:      {"keyspace_name", "type_name"},
	tLegacyTriggers:   {"keyspace_name", "columnfamily_name", "trigger_name"},
	tLegacyFunctions:  {"keyspace_name", "function_name"},
	tLegacyAggregates: {"keyspace_name", "aggregate_name"},
}

// checkRows fails on the first row of a known table that lacks a key
// column, so that the builders can rely on them.
func checkRows(rows Rows) error {
	for table, rs := range rows {
		cols := keyCols[table]
		for i, r := range rs {
			for _, c := range cols {
				if _, ok := str(r, c); !ok {
					return &RowError{Table: table, Row: i, Column: c}
				}
			}
		}
	}
	return nil
}

// ksRows holds one keyspace's rows, by system table.
type ksRows map[string][]map[string]any

// groupRows splits rows by keyspace. With only set, rows of other
// keyspaces are dropped.
func groupRows(rows Rows, only string) map[string]ksRows {
	out := map[string]ksRows{}
	for table, rs := range rows {
		if keyCols[table] == nil {
			continue
		}
		for _, r := range rs {
			ks := strOr(r, "keyspace_name")
			if only != "" && ks != only {
				continue
			}
			g := out[ks]
			if g == nil {
				g = ksRows{}
				out[ks] = g
			}
			g[table] = append(g[table], r)
		}
	}
	return out
}

// Parse builds a Schema from the rows of Queries(v). Content the parser
// cannot make sense of (type text that does not parse, an unknown user
// type, an option of the wrong type) is recorded as a Problem on the element
// and does not fail the schema; Parse fails only with a *RowError, on rows
// that lack their key columns. Rows of keyspaces absent from the keyspaces
// table (read in the middle of a change) are ignored.
func Parse(v SchemaVersion, rows Rows) (*Schema, error) {
	if err := checkRows(rows); err != nil {
		return nil, err
	}
	s := &Schema{Version: v, keyspaces: map[string]*Keyspace{}}
	for name, g := range groupRows(rows, "") {
		if ks := buildKeyspace(v, name, g); ks != nil {
			s.keyspaces[name] = ks
		}
		if v >= Schema40 && len(g[tVirtualKeyspaces]) > 0 {
			s.keyspaces[name] = buildVirtualKeyspace(v, name, g)
		}
	}
	return s, nil
}

// ParseKeyspace builds one keyspace from the rows of the KEYSPACE queries
// of RefreshQueries (rows of other keyspaces are ignored). It returns nil
// without error when the rows have no keyspace row: the keyspace is gone.
func ParseKeyspace(v SchemaVersion, name string, rows Rows) (*Keyspace, error) {
	if err := checkRows(rows); err != nil {
		return nil, err
	}
	return buildKeyspace(v, name, groupRows(rows, name)[name]), nil
}

func buildKeyspace(v SchemaVersion, name string, g ksRows) *Keyspace {
	if v.legacy() {
		if len(g[tLegacyKeyspaces]) == 0 {
			return nil
		}
		return buildLegacyKeyspace(v, name, g)
	}
	if len(g[tKeyspaces]) == 0 {
		return nil
	}
	return buildModernKeyspace(v, name, g)
}

// builder builds the elements of one keyspace. It resolves user types by
// name, caches parsed type text, and sends the problems of type resolution
// to the element being built.
type builder struct {
	ks      string
	version SchemaVersion
	types   map[string]*UserType

	defs      map[string]typeDef // during resolveTypes
	resolving map[string]bool
	memo      map[string]*frame.Type

	elem string     // element being built, for problems
	cur  *[]Problem // where type problems go
}

// typeDef is a user type before resolution.
type typeDef struct {
	names, texts []string
	problems     []Problem // from reading the row
}

func newBuilder(ks string, v SchemaVersion) *builder {
	return &builder{ks: ks, version: v, types: map[string]*UserType{}, memo: map[string]*frame.Type{}}
}

// within builds one element: problems of type resolution go to dst.
func (b *builder) within(elem string, dst *[]Problem, f func()) {
	savedElem, savedCur := b.elem, b.cur
	b.elem, b.cur = elem, dst
	f()
	b.elem, b.cur = savedElem, savedCur
}

func (b *builder) problem(dst *[]Problem, elem, format string, args ...any) {
	*dst = append(*dst, Problem{Keyspace: b.ks, Element: elem, Message: fmt.Sprintf(format, args...)})
}

// parseType parses CQL type text in the keyspace, resolving user types.
// Text that fails gives a custom type holding the text, and a problem.
func (b *builder) parseType(text string) *frame.Type {
	if t, ok := b.memo[text]; ok {
		return t
	}
	before := len(*b.cur)
	t, err := parseCQLType(text, b.lookup)
	if err != nil {
		b.problem(b.cur, b.elem, "%v", err)
		return &frame.Type{ID: frame.TypeCustom, Custom: text}
	}
	if len(*b.cur) == before { // resolved cleanly: the same text gives the same type
		b.memo[text] = t
	}
	return t
}

func (b *builder) lookup(ks, name string) *frame.Type {
	placeholder := &frame.Type{ID: frame.TypeUDT, Keyspace: b.ks, Name: name}
	if ks != "" && ks != b.ks {
		placeholder.Keyspace = ks
		b.problem(b.cur, b.elem, "type %s.%s is in another keyspace", ks, name)
		return placeholder
	}
	if u := b.types[name]; u != nil {
		return u.Type
	}
	if _, ok := b.defs[name]; ok {
		if b.resolving[name] {
			b.problem(b.cur, b.elem, "type %s refers to itself", name)
			return placeholder
		}
		return b.resolveType(name).Type
	}
	b.problem(b.cur, b.elem, "unknown type %s", name)
	return placeholder
}

// resolveTypes resolves the keyspace's user types, each after those its
// fields use.
func (b *builder) resolveTypes(defs map[string]typeDef) {
	b.defs, b.resolving = defs, map[string]bool{}
	for _, name := range sortedKeys(defs) {
		b.resolveType(name)
	}
	b.defs, b.resolving = nil, nil
}

func (b *builder) resolveType(name string) *UserType {
	if u := b.types[name]; u != nil {
		return u
	}
	d := b.defs[name]
	b.resolving[name] = true
	u := &UserType{Keyspace: b.ks, Name: name, defProblems: d.problems}
	t := &frame.Type{ID: frame.TypeUDT, Keyspace: b.ks, Name: name}
	b.within("type "+name, &u.problems, func() {
		if len(d.names) != len(d.texts) {
			b.problem(&u.problems, "type "+name, "%d field names and %d field types", len(d.names), len(d.texts))
		}
		n := min(len(d.names), len(d.texts))
		u.Fields = make([]Field, n)
		t.FieldNames = d.names[:n:n]
		t.Elems = make([]*frame.Type, n)
		for i := range n {
			ft := b.parseType(d.texts[i])
			u.Fields[i] = Field{Name: d.names[i], Type: ft, CQLType: d.texts[i]}
			t.Elems[i] = ft
		}
	})
	u.Type = t
	delete(b.resolving, name)
	b.types[name] = u
	return u
}

// column builds a column, parsing its type.
func (b *builder) column(name string, kind ColumnKind, pos int, order ClusteringOrder, text string) *Column {
	if kind != PartitionKeyColumn && kind != ClusteringColumn {
		pos = -1
	}
	if kind == ClusteringColumn && order == NoOrder {
		order = Ascending
	}
	if kind != ClusteringColumn {
		order = NoOrder
	}
	return &Column{Name: name, Kind: kind, Position: pos, Type: b.parseType(text), CQLType: text, Order: order}
}

// arrangeColumns sorts columns into key order: partition key and
// clustering columns by position, then the others by name.
func arrangeColumns(cols []*Column) (pk, ck, all []*Column) {
	rank := func(k ColumnKind) int {
		switch k {
		case PartitionKeyColumn:
			return 0
		case ClusteringColumn:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(cols, func(a, b *Column) int {
		if c := cmp.Compare(rank(a.Kind), rank(b.Kind)); c != 0 {
			return c
		}
		if a.Kind == PartitionKeyColumn || a.Kind == ClusteringColumn {
			if c := cmp.Compare(a.Position, b.Position); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Name, b.Name)
	})
	i := 0
	for i < len(cols) && cols[i].Kind == PartitionKeyColumn {
		i++
	}
	j := i
	for j < len(cols) && cols[j].Kind == ClusteringColumn {
		j++
	}
	return cols[:i:i], cols[i:j:j], cols
}

// checkKey records a problem when key positions are not 0..n-1.
func checkKey(b *builder, dst *[]Problem, elem string, pk, ck []*Column) {
	if len(pk) == 0 {
		b.problem(dst, elem, "no partition key column")
	}
	for _, part := range [][]*Column{pk, ck} {
		for i, c := range part {
			if c.Position != i {
				b.problem(dst, elem, "column %s is at key position %d, expected %d", c.Name, c.Position, i)
				break
			}
		}
	}
}

// rowsByCol groups rows by a text column already checked by checkRows.
func rowsByCol(rows []map[string]any, col string) map[string][]map[string]any {
	out := make(map[string][]map[string]any, len(rows)/4+1)
	for _, r := range rows {
		n := strOr(r, col)
		out[n] = append(out[n], r)
	}
	return out
}
