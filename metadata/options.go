package metadata

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Options are the options of a table or view, keyed by the name CREATE
// TABLE ... WITH uses on that server: comment, default_time_to_live,
// gc_grace_seconds, compaction, compression, caching,
// bloom_filter_fp_chance, speculative_retry and whatever else the server
// stores. Before 3.0 they are gathered from the columns of
// schema_columnfamilies into the same names (compaction from
// compaction_strategy_class and friends, dclocal_read_repair_chance from
// local_read_repair_chance).
//
// Values are string, bool, int64, float64, map[string]string or (for
// extensions) map[string][]byte; options the server left null are absent.
// Options are read-only: the map and its values must not be modified.
type Options map[string]any

// Text returns a text option, "" when absent.
func (o Options) Text(name string) string {
	s, _ := o[name].(string)
	return s
}

// Int returns an integer option, 0 when absent.
func (o Options) Int(name string) int64 {
	n, _ := intOf(o[name])
	return n
}

// Float returns a double option, 0 when absent.
func (o Options) Float(name string) float64 {
	f, _ := floatOf(o[name])
	return f
}

// Map returns a map option (compaction, compression, caching), nil when
// absent. The map is shared: do not modify it.
func (o Options) Map(name string) map[string]string {
	m, _ := o[name].(map[string]string)
	return m
}

// Comment returns the comment option.
func (o Options) Comment() string { return o.Text("comment") }

// DefaultTimeToLive returns default_time_to_live in seconds.
func (o Options) DefaultTimeToLive() int64 { return o.Int("default_time_to_live") }

// GCGraceSeconds returns gc_grace_seconds.
func (o Options) GCGraceSeconds() int64 { return o.Int("gc_grace_seconds") }

// BloomFilterFPChance returns bloom_filter_fp_chance.
func (o Options) BloomFilterFPChance() float64 { return o.Float("bloom_filter_fp_chance") }

// SpeculativeRetry returns speculative_retry as the server spells it
// (99p, 50ms, 99.0PERCENTILE...).
func (o Options) SpeculativeRetry() string { return o.Text("speculative_retry") }

// Compaction returns the compaction options, class included.
func (o Options) Compaction() map[string]string { return o.Map("compaction") }

// Compression returns the compression options.
func (o Options) Compression() map[string]string { return o.Map("compression") }

// Caching returns the caching options (keys, rows_per_partition).
func (o Options) Caching() map[string]string { return o.Map("caching") }

// Names returns the option names, sorted.
func (o Options) Names() []string {
	names := make([]string, 0, len(o))
	for k := range o {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// optionKinds says how to read the option columns whose type is known, so
// that rows from loose sources (JSON) come out with the documented Go
// types. Columns not listed keep the value's own type.
var optionKinds = map[string]byte{
	"default_time_to_live": 'i', "gc_grace_seconds": 'i', "max_index_interval": 'i',
	"min_index_interval": 'i', "memtable_flush_period_in_ms": 'i', "index_interval": 'i',
	"bloom_filter_fp_chance": 'f', "crc_check_chance": 'f', "read_repair_chance": 'f',
	"dclocal_read_repair_chance": 'f',
	"caching":                    'm', "compaction": 'm', "compression": 'm',
	"extensions": 'b',
	"cdc":        'z', "allow_auto_snapshot": 'z', "incremental_backups": 'z',
	"replicate_on_write": 'z', "populate_io_cache_on_flush": 'z',
}

// normalizeOption converts an option value to the documented Go types. ok
// is false for a value of the wrong type.
func normalizeOption(name string, v any) (any, bool) {
	switch optionKinds[name] {
	case 'i':
		n, ok := intOf(v)
		return n, ok
	case 'f':
		f, ok := floatOf(v)
		return f, ok
	case 'm':
		m, ok := strMap(v)
		if m == nil && ok {
			m = map[string]string{}
		}
		return m, ok
	case 'b':
		m, ok := bytesMap(v)
		return m, ok
	case 'z':
		b, ok := boolOf(v)
		return b, ok
	}
	switch x := v.(type) {
	case string, bool, int64, float64, map[string]string, map[string][]byte:
		return x, true
	case []byte:
		return string(x), true
	}
	if n, ok := intOf(v); ok {
		return n, true
	}
	if f, ok := floatOf(v); ok {
		return f, true
	}
	if m, ok := strMap(v); ok {
		return m, true
	}
	return fmt.Sprint(v), true
}

// formatOption spells an option value as CQL, or returns false for a value
// that should not be written back (an empty extensions map).
func formatOption(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return quoteString(x), true
	case bool:
		return strconv.FormatBool(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return formatFloat(x), true
	case map[string]string:
		return formatStringMap(x), true
	case map[string][]byte:
		if len(x) == 0 {
			return "", false
		}
		return formatBytesMap(x), true
	}
	return quoteString(fmt.Sprint(v)), true
}

// withClause writes the WITH clause of a table or view, starting with
// first (" WITH "): the given leading items (CLUSTERING ORDER BY, COMPACT
// STORAGE), then the options by name.
func withClause(b *strings.Builder, first string, lead []string, o Options) {
	items := lead
	for _, name := range o.Names() {
		if s, ok := formatOption(o[name]); ok {
			items = append(items, name+" = "+s)
		}
	}
	for i, it := range items {
		if i == 0 {
			b.WriteString(first)
		} else {
			b.WriteString("\n    AND ")
		}
		b.WriteString(it)
	}
}
