package metadata

import (
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
)

// reservedWords are the CQL keywords that cannot be used as bare
// identifiers: those Cassandra 5.0 reserves, and those older servers
// reserved (the consistency level names among them). Quoting a name that
// needs no quotes is harmless, so the union is used for every server.
var reservedWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		add aggregate allow alter and any apply asc authorize batch begin by
		columnfamily create default delete desc describe drop each_quorum
		entries execute for from full grant if in index infinity insert into
		is keyspace limit local_one local_quorum materialized mbean mbeans
		modify nan norecursive not null of on one or order primary quorum
		rename replace restrict revoke schema select set table three to token
		truncate two unlogged unrestrict unset update use using view where
		with`) {
		m[w] = true
	}
	return m
}()

// QuoteIdent returns name as a CQL identifier: bare when it is a lower-case
// word that is not a reserved keyword, else in double quotes with inner
// double quotes doubled ("Mixed", "select", "with space").
func QuoteIdent(name string) string {
	if isBareIdent(name) && !reservedWords[name] {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func isBareIdent(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// isWord reports a name of letters, digits and underscores that starts
// with a letter.
func isWord(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !letter && (i == 0 || ((c < '0' || c > '9') && c != '_')) {
			return false
		}
	}
	return s != ""
}

// qualified returns keyspace.name, each part quoted as needed.
func qualified(keyspace, name string) string {
	return QuoteIdent(keyspace) + "." + QuoteIdent(name)
}

// quoteString returns s as a CQL string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// formatFloat spells a double as a CQL literal that reads back to the same
// value.
func formatFloat(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEIN") { // integral: keep it a float literal
		s += ".0"
	}
	return s
}

// formatStringMap spells a map<text, text> option as {'k': 'v', ...} with
// sorted keys, so that the output is stable.
func formatStringMap(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteString(k))
		b.WriteString(": ")
		b.WriteString(quoteString(m[k]))
	}
	b.WriteByte('}')
	return b.String()
}

// formatBytesMap spells a map<text, blob> option (extensions).
func formatBytesMap(m map[string][]byte) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteString(k))
		b.WriteString(": 0x")
		b.WriteString(hex.EncodeToString(m[k]))
	}
	b.WriteByte('}')
	return b.String()
}

// dollarQuote returns a function body as a CQL string: $$body$$ when the
// body has no $$ in it, else a single-quoted literal.
func dollarQuote(body string) string {
	if !strings.Contains(body, "$$") && !strings.HasSuffix(body, "$") {
		return "$$" + body + "$$"
	}
	return quoteString(body)
}
