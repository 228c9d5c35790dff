package metadata

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"
)

// Rows is the parser's input: the rows of system tables keyed by the Table
// of the Query that produced them ("system_schema.tables"). Each row maps
// column names to values as cqltype.DecodeAny produces them, which is what
// the driver's ResultSet.MapScan gives: string for text, bool, int32 for
// int, int64 for bigint, float64 for double, []string for list<text> and
// set<text>, map[string]string for map<text, text>, map[string][]byte for
// map<text, blob>, uuid.UUID (a [16]byte) for uuid, time.Time for
// timestamp, []byte for blob, and nil for null.
//
// The parser is lenient about the Go types, so rows decoded from JSON also
// work: any integer or integral float for an int, []any for a list,
// map[string]any for a map, a UUID in its text form. A table missing from
// Rows is taken as having no rows.
//
// The parser never modifies Rows, but keeps the maps and slices it finds
// in them (replication, option maps, field names) as part of the schema,
// so the rows must not be modified after parsing. MapScan gives new values
// for every row, so the driver needs no copy.
type Rows map[string][]map[string]any

// RowError reports a row the parser cannot place: one without the key
// columns (keyspace_name, table_name, ...) that say what it describes, which
// means the rows did not come from the queries this package lists.
type RowError struct {
	Table  string // system table, such as "system_schema.columns"
	Row    int    // index of the row in Rows[Table]
	Column string // the missing or mistyped column
}

// Error describes the row and the column.
func (e *RowError) Error() string {
	return fmt.Sprintf("metadata: %s row %d: column %s is missing or not text", e.Table, e.Row, e.Column)
}

// str returns a text column.
func str(r map[string]any, col string) (string, bool) {
	switch v := r[col].(type) {
	case string:
		return v, true
	case []byte:
		return string(v), true
	}
	return "", false
}

// strOr returns a text column, or "" when it is null or absent.
func strOr(r map[string]any, col string) string {
	s, _ := str(r, col)
	return s
}

func boolOf(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(x) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}

func intOf(v any) (int64, bool) {
	switch x := v.(type) {
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), true
		}
		return 0, false
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	case nil:
		return 0, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() <= math.MaxInt64 {
			return int64(rv.Uint()), true
		}
	}
	return 0, false
}

func floatOf(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	if n, ok := intOf(v); ok {
		return float64(n), true
	}
	return 0, false
}

func strList(v any) ([]string, bool) {
	switch x := v.(type) {
	case []string:
		return x, true
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[i] = s
		}
		return out, true
	case nil:
		return nil, true // an empty list reads as null
	}
	return nil, false
}

func strMap(v any) (map[string]string, bool) {
	switch x := v.(type) {
	case map[string]string:
		return x, true
	case map[string]any:
		out := make(map[string]string, len(x))
		for k, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out[k] = s
		}
		return out, true
	case nil:
		return nil, true
	}
	return nil, false
}

// bytesMap reads a map<text, blob>; from JSON, values may be hex strings
// (with or without 0x).
func bytesMap(v any) (map[string][]byte, bool) {
	switch x := v.(type) {
	case map[string][]byte:
		return x, true
	case map[string]any:
		out := make(map[string][]byte, len(x))
		for k, e := range x {
			switch b := e.(type) {
			case []byte:
				out[k] = b
			case string:
				d, err := hex.DecodeString(strings.TrimPrefix(b, "0x"))
				if err != nil {
					return nil, false
				}
				out[k] = d
			default:
				return nil, false
			}
		}
		return out, true
	case nil:
		return nil, true
	}
	return nil, false
}

// uuidOf reads a uuid column: any [16]byte array type (uuid.UUID), a
// 16-byte slice, or the text form.
func uuidOf(v any) ([16]byte, bool) {
	var id [16]byte
	switch x := v.(type) {
	case [16]byte:
		return x, true
	case []byte:
		if len(x) == 16 {
			copy(id[:], x)
			return id, true
		}
		return id, false
	case string:
		h := strings.ReplaceAll(x, "-", "")
		if len(h) != 32 {
			return id, false
		}
		if _, err := hex.Decode(id[:], []byte(h)); err != nil {
			return id, false
		}
		return id, true
	case nil:
		return id, false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Array && rv.Len() == 16 && rv.Type().Elem().Kind() == reflect.Uint8 {
		for i := range 16 {
			id[i] = byte(rv.Index(i).Uint())
		}
		return id, true
	}
	return id, false
}

func timeOf(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string:
		t, err := time.Parse(time.RFC3339Nano, x)
		return t, err == nil
	}
	if ms, ok := intOf(v); ok {
		return time.UnixMilli(ms).UTC(), true
	}
	return time.Time{}, false
}

// jsonStringMap decodes a JSON object of strings, as the pre-3.0 tables
// store options (strategy_options, compression_parameters, ...). Values
// that are not strings are kept in their JSON spelling.
func jsonStringMap(s string) (map[string]string, bool) {
	if s == "" || s == "null" {
		return nil, true
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return nil, false
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		var str string
		if err := json.Unmarshal(v, &str); err == nil {
			out[k] = str
		} else {
			out[k] = string(v)
		}
	}
	return out, true
}

// jsonStringList decodes a JSON array of strings (key_aliases, ...).
func jsonStringList(s string) ([]string, bool) {
	if s == "" || s == "null" {
		return nil, true
	}
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, false
	}
	return out, true
}
