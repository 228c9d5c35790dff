package metadata

import (
	"strings"
)

// This file writes the schema back as CQL: CREATE statements a server of
// the same family accepts, with identifiers quoted as needed, the types as
// the server spells them, clustering order, static columns and the
// options in the server's own syntax. Virtual keyspaces and tables cannot
// be created; they come out inside a /* */ comment.

// AsCQL returns the CREATE KEYSPACE statement.
func (k *Keyspace) AsCQL() string {
	if k.Virtual {
		return "/* VIRTUAL KEYSPACE " + QuoteIdent(k.Name) + "; */"
	}
	repl := k.Replication
	if repl == nil {
		repl = map[string]string{}
	}
	return "CREATE KEYSPACE " + QuoteIdent(k.Name) + " WITH replication = " + formatReplication(repl) +
		" AND durable_writes = " + boolText(k.DurableWrites) + ";"
}

// formatReplication writes the replication map with its class first.
func formatReplication(m map[string]string) string {
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	if c, ok := m["class"]; ok {
		b.WriteString("'class': " + quoteString(c))
		n++
	}
	for _, k := range sortedKeys(m) {
		if k == "class" {
			continue
		}
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteString(k) + ": " + quoteString(m[k]))
		n++
	}
	b.WriteByte('}')
	return b.String()
}

func boolText(v bool) string {
	if v {
		return "true"
	}
	return "false"
}

// DescribeStatements returns the statements that create the keyspace and
// everything in it, each ending with a semicolon, in an order a server
// accepts: the keyspace, user types (each after those it uses), functions,
// aggregates, tables each followed by its indexes and triggers, then
// materialized views.
func (k *Keyspace) DescribeStatements() []string {
	out := []string{k.AsCQL()}
	for _, n := range k.TypeNames() {
		out = append(out, k.Types[n].AsCQL())
	}
	for _, s := range k.FunctionSignatures() {
		out = append(out, k.Functions[s].AsCQL())
	}
	for _, s := range k.AggregateSignatures() {
		out = append(out, k.Aggregates[s].AsCQL())
	}
	for _, n := range k.TableNames() {
		out = append(out, k.Tables[n].describeStatements()...)
	}
	for _, n := range k.ViewNames() {
		out = append(out, k.Views[n].AsCQL())
	}
	return out
}

// Describe returns DescribeStatements as one script, statements separated
// by blank lines.
func (k *Keyspace) Describe() string { return joinStatements(k.DescribeStatements()) }

func joinStatements(s []string) string { return strings.Join(s, "\n\n") + "\n" }

// AsCQL returns the CREATE TYPE statement.
func (u *UserType) AsCQL() string {
	var b strings.Builder
	b.WriteString("CREATE TYPE " + qualified(u.Keyspace, u.Name) + " (\n")
	for i, f := range u.Fields {
		b.WriteString("    " + QuoteIdent(f.Name) + " " + f.CQLType)
		if i < len(u.Fields)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(");")
	return b.String()
}

// AsCQL returns the CREATE FUNCTION statement.
func (f *Function) AsCQL() string {
	var b strings.Builder
	b.WriteString("CREATE FUNCTION " + qualified(f.Keyspace, f.Name) + "(")
	for i, t := range f.ArgCQLTypes {
		if i > 0 {
			b.WriteString(", ")
		}
		if i < len(f.ArgNames) {
			b.WriteString(QuoteIdent(f.ArgNames[i]) + " ")
		}
		b.WriteString(t)
	}
	b.WriteString(")\n")
	if f.CalledOnNullInput {
		b.WriteString("    CALLED ON NULL INPUT\n")
	} else {
		b.WriteString("    RETURNS NULL ON NULL INPUT\n")
	}
	b.WriteString("    RETURNS " + f.ReturnCQLType + "\n")
	b.WriteString("    LANGUAGE " + f.Language + "\n")
	b.WriteString("    AS " + dollarQuote(f.Body) + ";")
	return b.String()
}

// AsCQL returns the CREATE AGGREGATE statement.
func (a *Aggregate) AsCQL() string {
	var b strings.Builder
	b.WriteString("CREATE AGGREGATE " + qualified(a.Keyspace, a.Name) + "(" + strings.Join(a.ArgCQLTypes, ", ") + ")\n")
	b.WriteString("    SFUNC " + QuoteIdent(a.StateFunc) + "\n")
	b.WriteString("    STYPE " + a.StateCQLType)
	if a.FinalFunc != "" {
		b.WriteString("\n    FINALFUNC " + QuoteIdent(a.FinalFunc))
	}
	if a.InitCond != "" {
		b.WriteString("\n    INITCOND " + a.InitCond)
	}
	b.WriteString(";")
	return b.String()
}

// AsCQL returns the CREATE TABLE statement, without the table's indexes
// and triggers (see Describe).
func (t *Table) AsCQL() string {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + qualified(t.Keyspace, t.Name) + " (\n")
	for _, c := range t.Columns {
		b.WriteString("    " + QuoteIdent(c.Name) + " " + c.CQLType)
		if c.Kind == StaticColumn {
			b.WriteString(" static")
		}
		b.WriteString(",\n")
	}
	b.WriteString("    " + primaryKey(t.PartitionKey, t.Clustering) + "\n)")
	var lead []string
	if t.CompactStorage {
		lead = append(lead, "COMPACT STORAGE")
	}
	if len(t.Clustering) > 0 {
		lead = append(lead, clusteringOrder(t.Clustering))
	}
	withClause(&b, " WITH ", lead, t.Options)
	b.WriteString(";")
	if t.Virtual {
		return "/*\nVIRTUAL TABLE " + strings.ReplaceAll(strings.TrimPrefix(b.String(), "CREATE TABLE "), "*/", "* /") + "\n*/"
	}
	return b.String()
}

// Describe returns the CREATE TABLE statement followed by those of the
// table's indexes and triggers.
func (t *Table) Describe() string { return joinStatements(t.describeStatements()) }

func (t *Table) describeStatements() []string {
	out := []string{t.AsCQL()}
	for _, ix := range t.Indexes {
		out = append(out, ix.AsCQL())
	}
	for _, tr := range t.Triggers {
		out = append(out, tr.AsCQL())
	}
	return out
}

func primaryKey(pk, ck []*Column) string {
	names := func(cols []*Column) []string {
		out := make([]string, len(cols))
		for i, c := range cols {
			out[i] = QuoteIdent(c.Name)
		}
		return out
	}
	part := strings.Join(names(pk), ", ")
	if len(pk) != 1 {
		part = "(" + part + ")"
	}
	return "PRIMARY KEY (" + strings.Join(append([]string{part}, names(ck)...), ", ") + ")"
}

func clusteringOrder(ck []*Column) string {
	parts := make([]string, len(ck))
	for i, c := range ck {
		o := c.Order
		if o == NoOrder {
			o = Ascending
		}
		parts[i] = QuoteIdent(c.Name) + " " + o.String()
	}
	return "CLUSTERING ORDER BY (" + strings.Join(parts, ", ") + ")"
}

// AsCQL returns the CREATE MATERIALIZED VIEW statement.
func (v *MaterializedView) AsCQL() string {
	var b strings.Builder
	b.WriteString("CREATE MATERIALIZED VIEW " + qualified(v.Keyspace, v.Name) + " AS\n    SELECT ")
	if v.IncludeAllColumns {
		b.WriteString("*")
	} else {
		for i, c := range v.Columns {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(QuoteIdent(c.Name))
		}
	}
	b.WriteString("\n    FROM " + qualified(v.Keyspace, v.BaseTable))
	if v.WhereClause != "" {
		b.WriteString("\n    WHERE " + v.WhereClause)
	}
	b.WriteString("\n    " + primaryKey(v.PartitionKey, v.Clustering))
	var lead []string
	if len(v.Clustering) > 0 {
		lead = append(lead, clusteringOrder(v.Clustering))
	}
	withClause(&b, "\n    WITH ", lead, v.Options)
	b.WriteString(";")
	return b.String()
}

// AsCQL returns the CREATE INDEX (or CREATE CUSTOM INDEX) statement.
func (ix *Index) AsCQL() string {
	name := QuoteIdent(ix.Name)
	if ix.version == Schema21 && isWord(ix.Name) && !reservedWords[ix.Name] {
		// 2.1.0 takes no quoted index name, and keeps the case of a bare
		// one (the generated name of an index on "CamelCol" has capitals).
		name = ix.Name
	}
	on := " ON " + qualified(ix.Keyspace, ix.Table) + " (" + ix.Target + ")"
	if ix.Kind != "CUSTOM" {
		return "CREATE INDEX " + name + on + ";"
	}
	s := "CREATE CUSTOM INDEX " + name + on + " USING " + quoteString(ix.Class)
	rest := make(map[string]string, len(ix.Options))
	for k, v := range ix.Options {
		if k != "target" && k != "class_name" {
			rest[k] = v
		}
	}
	if len(rest) > 0 {
		s += " WITH OPTIONS = " + formatStringMap(rest)
	}
	return s + ";"
}

// AsCQL returns the CREATE TRIGGER statement.
func (tr *Trigger) AsCQL() string {
	return "CREATE TRIGGER " + QuoteIdent(tr.Name) + " ON " + qualified(tr.Keyspace, tr.Table) + " USING " + quoteString(tr.Class) + ";"
}
