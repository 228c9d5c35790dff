package cqltype

import (
	"errors"
	"fmt"
	"math/big"
	"net/netip"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unsafe"
	"weak"

	"gopkg.in/inf.v0"

	"github.com/cqlgo/cassandra/frame"
)

// Struct scanning: a row goes into a struct by column name.
//
// Field mapping, decided once per Go type (typeInfo):
//   - `cql:"name"` maps the field to the column "name" exactly;
//   - `cql:"-"` skips the field;
//   - an untagged exported field matches its lower-cased name ("UserID" →
//     "userid") and its snake_case form ("user_id");
//   - the fields of embedded structs (and of embedded pointers to structs,
//     allocated on demand) are flattened, as encoding/json does: a shallower
//     field hides a deeper one of the same name, a tagged field beats an
//     untagged one at the same depth, and any other tie is ambiguous;
//   - a column name with no exact match is tried lower-cased, so a quoted
//     column "userName" still finds the field UserName.
//
// Every column must find a field: a column with no field (or an ambiguous
// one) is an *UnmarshalError naming it. This is the safer default, since
// silently dropping a column hides a typo in a tag or a SELECT that reads more
// than the struct holds. Fields with no column keep their value. A null
// column sets its field to nil (pointer fields) or the zero value.
//
// The column → field plan depends on the Go type and the result metadata,
// so it is computed once per pair and cached (planCache), never per row.

// typeInfo is the column-name view of a struct type.
type typeInfo struct {
	fields []fieldInfo
	byName map[string]int // name → index in fields; -1 when ambiguous
	lower  map[string]int // the same, keyed by lower-cased name
}

type fieldInfo struct {
	index  []int // reflect field index path from the outer struct
	typ    reflect.Type
	viaPtr bool // the path crosses an embedded pointer (allocated on write)
}

// StructPlan maps each column of one result metadata to a field of one
// struct type. err is set when some column has no field; it is cached too.
type StructPlan struct {
	fields []planField // one per column, in column order
	err    error
}

type planField struct {
	index  []int
	viaPtr bool
	dec    decodeFunc
	// iface: the field's type holds an interface somewhere (any, []any,
	// map[string]any...), where registered user types apply.
	iface bool
	// Fields not behind an embedded pointer sit at a fixed offset from the
	// struct's address: the scanner makes the *F destination from the
	// offset and ptrType (the type word of a *F interface) without going
	// through reflect.Value.Addr, which looks the pointer type up per call.
	offset  uintptr
	ptrType unsafe.Pointer
}

// PlanMemo remembers the last plan a ResultSet used, so consecutive rows of
// a page skip even the cache lookup.
type PlanMemo struct {
	rt   reflect.Type
	cols *frame.ColumnSpec
	n    int
	p    *StructPlan
}

// planKey identifies a result metadata by a weak pointer to its first column:
// it does not keep the metadata alive, and it never matches a later
// metadata allocated at the same address. A cleanup removes the entry when
// the metadata is collected, so the cache holds only plans for metadata in
// use (prepared statements' metadata lives as long as the statement).
type planKey struct {
	rt   reflect.Type
	cols weak.Pointer[frame.ColumnSpec]
	n    int
}

var (
	typeCache sync.Map // reflect.Type → *typeInfo
	planCache sync.Map // planKey → *StructPlan

	planBuilds atomic.Int64
)

// PlanBuilds returns how many column → field plans have been built since
// the process started: a figure that stays flat once every struct type and
// result metadata in use has its plan.
func PlanBuilds() int64 { return planBuilds.Load() }

// ErrNoField is the reason of the UnmarshalError for a column that no
// struct field takes.
var ErrNoField = errors.New("no struct field for this column (add a field tagged `cql:\"<column>\"`)")

// ErrAmbiguousField is the reason for a column that several embedded fields
// take at the same depth.
var ErrAmbiguousField = errors.New("several struct fields match this column at the same depth")

func typeInfoOf(rt reflect.Type) *typeInfo {
	if v, ok := typeCache.Load(rt); ok {
		return v.(*typeInfo)
	}
	ti := buildTypeInfo(rt)
	v, _ := typeCache.LoadOrStore(rt, ti)
	return v.(*typeInfo)
}

type fieldCandidate struct {
	name   string
	depth  int
	tagged bool
	field  int // index in typeInfo.fields
}

func buildTypeInfo(rt reflect.Type) *typeInfo {
	ti := &typeInfo{byName: map[string]int{}, lower: map[string]int{}}
	var cands []fieldCandidate
	var walk func(t reflect.Type, index []int, depth int, viaPtr bool, seen []reflect.Type)
	walk = func(t reflect.Type, index []int, depth int, viaPtr bool, seen []reflect.Type) {
		for _, s := range seen {
			if s == t {
				return // an embedding cycle through pointers
			}
		}
		seen = append(seen, t)
		for i := 0; i < t.NumField(); i++ {
			sf := t.Field(i)
			tag, hasTag := sf.Tag.Lookup("cql")
			name, _, _ := strings.Cut(tag, ",")
			if name == "-" && tag == "-" {
				continue
			}
			idx := append(append([]int(nil), index...), i)
			if sf.Anonymous && name == "" {
				et, ptr := sf.Type, false
				if et.Kind() == reflect.Pointer {
					et, ptr = et.Elem(), true
				}
				if et.Kind() == reflect.Struct && !isValueStruct(et) {
					if ptr && !sf.IsExported() {
						continue // cannot allocate an unexported embedded pointer
					}
					walk(et, idx, depth+1, viaPtr || ptr, seen)
					continue
				}
			}
			if !sf.IsExported() {
				continue
			}
			fi := len(ti.fields)
			ti.fields = append(ti.fields, fieldInfo{index: idx, typ: sf.Type, viaPtr: viaPtr})
			if hasTag && name != "" {
				cands = append(cands, fieldCandidate{name: name, depth: depth, tagged: true, field: fi})
				continue
			}
			lower := strings.ToLower(sf.Name)
			cands = append(cands, fieldCandidate{name: lower, depth: depth, field: fi})
			if snake := snakeCase(sf.Name); snake != lower {
				cands = append(cands, fieldCandidate{name: snake, depth: depth, field: fi})
			}
		}
	}
	walk(rt, nil, 0, false, nil)
	resolveNames(ti.byName, cands, func(s string) string { return s })
	resolveNames(ti.lower, cands, strings.ToLower)
	return ti
}

// resolveNames fills m with the winner of each name: the shallowest
// candidate, a tagged one among equals, else -1 (ambiguous).
func resolveNames(m map[string]int, cands []fieldCandidate, key func(string) string) {
	type best struct {
		c     fieldCandidate
		ambig bool
	}
	bests := map[string]*best{}
	for _, c := range cands {
		k := key(c.name)
		b := bests[k]
		switch {
		case b == nil:
			bests[k] = &best{c: c}
		case b.c.field == c.field:
			// the same field under two spellings
		case c.depth < b.c.depth:
			*b = best{c: c}
		case c.depth > b.c.depth:
		case c.tagged && !b.c.tagged:
			*b = best{c: c}
		case c.tagged == b.c.tagged:
			b.ambig = true
		}
	}
	for k, b := range bests {
		if b.ambig {
			m[k] = -1
		} else {
			m[k] = b.c.field
		}
	}
}

// snakeCase turns a Go field name into snake_case, keeping acronyms
// together: "UserID" → "user_id", "HTTPServer" → "http_server".
func snakeCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 {
				prev := rs[i-1]
				nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	bigIntType  = reflect.TypeFor[big.Int]()
	decType     = reflect.TypeFor[inf.Dec]()
	durType     = reflect.TypeFor[Duration]()
	addrType    = reflect.TypeFor[netip.Addr]()
	unmarshaler = reflect.TypeFor[Unmarshaler]()
)

// isValueStruct reports whether a struct type is a single CQL value (a
// timestamp, a decimal, a UDT with its own codec...) rather than a row.
func isValueStruct(t reflect.Type) bool {
	switch t {
	case timeType, bigIntType, decType, durType, addrType:
		return true
	}
	return reflect.PointerTo(t).Implements(unmarshaler)
}

// PlanFor returns the plan for struct type rt and columns cols, from the
// cache or built now.
func PlanFor(rt reflect.Type, cols []frame.ColumnSpec) *StructPlan {
	if len(cols) == 0 {
		return &StructPlan{}
	}
	key := planKey{rt: rt, cols: weak.Make(&cols[0]), n: len(cols)}
	if v, ok := planCache.Load(key); ok {
		return v.(*StructPlan)
	}
	p := buildPlan(typeInfoOf(rt), rt, cols)
	v, loaded := planCache.LoadOrStore(key, p)
	if !loaded {
		runtime.AddCleanup(&cols[0], func(k planKey) { planCache.Delete(k) }, key)
	}
	return v.(*StructPlan)
}

func buildPlan(ti *typeInfo, rt reflect.Type, cols []frame.ColumnSpec) *StructPlan {
	planBuilds.Add(1)
	p := &StructPlan{fields: make([]planField, len(cols))}
	for i, c := range cols {
		fi, ok := ti.byName[c.Name]
		if !ok {
			fi, ok = ti.lower[strings.ToLower(c.Name)]
		}
		if !ok || fi < 0 {
			reason := ErrNoField
			if ok {
				reason = ErrAmbiguousField
			}
			p.err = &UnmarshalError{Column: c.Name, CQLType: c.Type.String(), GoType: rt.String(), Err: reason}
			p.fields = nil
			return p
		}
		f := ti.fields[fi]
		ptr := reflect.PointerTo(f.typ)
		pf := planField{index: f.index, viaPtr: f.viaPtr, dec: planDecode(c.Type, ptr), iface: holdsInterface(f.typ, nil)}
		if !f.viaPtr {
			pf.offset = rt.FieldByIndex(f.index).Offset
			for j, t := 1, rt; j < len(f.index); j++ {
				// FieldByIndex gives the last field's offset in its own
				// struct; add the offsets of the embedded structs on the way.
				sf := t.Field(f.index[j-1])
				pf.offset += sf.Offset
				t = sf.Type
			}
			pf.ptrType = efaceType(reflect.New(f.typ).Interface())
		}
		p.fields[i] = pf
	}
	return p
}

// plan returns the plan for rt and the current metadata, remembering it so
// that the next row of the same page finds it with two comparisons.
func (m *PlanMemo) Plan(rt reflect.Type, cols []frame.ColumnSpec) *StructPlan {
	var first *frame.ColumnSpec
	if len(cols) > 0 {
		first = &cols[0]
	}
	if m.p != nil && m.rt == rt && m.cols == first && m.n == len(cols) {
		return m.p
	}
	p := PlanFor(rt, cols)
	*m = PlanMemo{rt: rt, cols: first, n: len(cols), p: p}
	return p
}

// Scan decodes one row into sv, an addressable struct value. Fields that
// hold interfaces decode user-defined types with ut's registrations (ut may
// be nil).
func (p *StructPlan) Scan(ut *UserTypes, sv reflect.Value, cols []frame.ColumnSpec, cells [][]byte) error {
	if p.err != nil {
		return p.err
	}
	base := sv.Addr().UnsafePointer()
	for i := range p.fields {
		f := &p.fields[i]
		var dst any
		if f.ptrType != nil {
			dst = ptrIface(f.ptrType, unsafe.Add(base, f.offset))
		} else {
			dst = fieldAlloc(sv, f.index).Addr().Interface()
		}
		var err error
		if f.iface && ut.Len() > 0 {
			err = unmarshal(ut, cols[i].Type, cells[i], dst)
		} else {
			err = f.dec(cells[i], dst)
		}
		if err != nil {
			return WithColumn(err, cols[i].Name)
		}
	}
	return nil
}

// eface is the layout of an empty interface.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// efaceType returns the type word of v.
func efaceType(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

// ptrIface returns the interface holding pointer p of the pointer type whose
// type word is typ: what reflect.NewAt(T, p).Interface() returns, without
// reflect's per-call lookup of *T. Pointers are stored in interfaces as
// they are, so the data word is p itself.
func ptrIface(typ, p unsafe.Pointer) any {
	var v any
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = typ, p
	return v
}

// fieldAlloc is FieldByIndex allocating nil embedded pointers on the way.
func fieldAlloc(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// StructDest checks that dst is a non-nil pointer to a row struct and
// returns the struct.
func StructDest(dst any) (reflect.Value, error) {
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("cassandra: ScanStruct needs a non-nil pointer to a struct, got %T", dst)
	}
	return rv.Elem(), nil
}

// RowKind says how ScanAll and ScanOne fill a T.
type RowKind int

const (
	RowStruct    RowKind = iota // T is a struct: by column name
	RowPtrStruct                // T is *S for a struct S: a new S per row
	RowValue                    // anything else: the only column's value
)

func KindOf(rt reflect.Type) RowKind {
	switch {
	case rt.Kind() == reflect.Struct && !isValueStruct(rt):
		return RowStruct
	case rt.Kind() == reflect.Pointer && rt.Elem().Kind() == reflect.Struct && !isValueStruct(rt.Elem()):
		return RowPtrStruct
	}
	return RowValue
}

// holdsInterface reports whether values of Go type rt can contain an
// interface: rt is one, or one is reachable through its elements or fields.
func holdsInterface(rt reflect.Type, seen map[reflect.Type]bool) bool {
	switch rt.Kind() {
	case reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsInterface(rt.Elem(), seen)
	case reflect.Map:
		return holdsInterface(rt.Key(), seen) || holdsInterface(rt.Elem(), seen)
	case reflect.Struct:
		if seen[rt] {
			return false
		}
		if seen == nil {
			seen = map[reflect.Type]bool{}
		}
		seen[rt] = true
		for i := 0; i < rt.NumField(); i++ {
			if holdsInterface(rt.Field(i).Type, seen) {
				return true
			}
		}
	}
	return false
}
