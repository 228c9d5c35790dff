package metadata

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
)

// cqlLiteral spells a value decoded with cqltype.DecodeAny as a CQL
// literal of type t: the initial state of a Cassandra 2.2 aggregate, which
// that release stores serialized.
func cqlLiteral(t *frame.Type, v any) string {
	if v == nil {
		return "null"
	}
	switch x := v.(type) {
	case string:
		return quoteString(x)
	case bool:
		return strconv.FormatBool(x)
	case []byte:
		return "0x" + hex.EncodeToString(x)
	case float32:
		return formatFloat(float64(x))
	case float64:
		return formatFloat(x)
	case time.Time:
		if t.ID == frame.TypeDate {
			return quoteString(x.UTC().Format("2006-01-02"))
		}
		return strconv.FormatInt(x.UnixMilli(), 10)
	case time.Duration:
		return strconv.FormatInt(int64(x), 10)
	case cqltype.Duration:
		return fmt.Sprintf("%dmo%dd%dns", x.Months, x.Days, x.Nanoseconds)
	case []cqltype.MapEntry:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = cqlLiteral(elemType(t, 0), e.Key) + ": " + cqlLiteral(elemType(t, 1), e.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case map[string]any:
		if t.ID == frame.TypeUDT {
			parts := make([]string, 0, len(t.FieldNames))
			for i, f := range t.FieldNames {
				parts = append(parts, QuoteIdent(f)+": "+cqlLiteral(elemType(t, i), x[f]))
			}
			return "{" + strings.Join(parts, ", ") + "}"
		}
	}
	switch t.ID {
	case frame.TypeInet, frame.TypeTimeUUID, frame.TypeUUID:
		if t.ID == frame.TypeInet {
			return quoteString(fmt.Sprint(v))
		}
		return fmt.Sprint(v)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		parts := make([]string, rv.Len())
		for i := range parts {
			et := elemType(t, 0)
			if t.ID == frame.TypeTuple {
				et = elemType(t, i)
			}
			parts[i] = cqlLiteral(et, rv.Index(i).Interface())
		}
		opening, closing := "[", "]"
		switch t.ID {
		case frame.TypeSet:
			opening, closing = "{", "}"
		case frame.TypeTuple:
			opening, closing = "(", ")"
		}
		return opening + strings.Join(parts, ", ") + closing
	case reflect.Map:
		parts := make([]string, 0, rv.Len())
		for _, k := range rv.MapKeys() {
			parts = append(parts, cqlLiteral(elemType(t, 0), k.Interface())+": "+cqlLiteral(elemType(t, 1), rv.MapIndex(k).Interface()))
		}
		sort.Strings(parts)
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v) // integers, varint, decimal
}

func elemType(t *frame.Type, i int) *frame.Type {
	if t != nil && i < len(t.Elems) && t.Elems[i] != nil {
		return t.Elems[i]
	}
	return &frame.Type{ID: frame.TypeBlob}
}
