package cannedsrv

import (
	"encoding/binary"
	"net/netip"
	"regexp"
	"strings"

	"github.com/cqlgo/cassandra/frame"
)

// The system tables a driver reads when it connects, with the columns
// Cassandra 5.0 gives them. system.local has one row describing this node;
// the peers tables are empty (a one-node cluster); system_schema.keyspaces
// lists the bench keyspace so drivers that look up its replication find it.
// Any other table is unknown, as on a real server.

var (
	tText    = &frame.Type{ID: frame.TypeVarchar}
	tInt     = &frame.Type{ID: frame.TypeInt}
	tUUID    = &frame.Type{ID: frame.TypeUUID}
	tInet    = &frame.Type{ID: frame.TypeInet}
	tBool    = &frame.Type{ID: frame.TypeBoolean}
	tBlob    = &frame.Type{ID: frame.TypeBlob}
	tTextSet = &frame.Type{ID: frame.TypeSet, Elems: []*frame.Type{tText}}
	tTexts   = &frame.Type{ID: frame.TypeList, Elems: []*frame.Type{tText}}
	tTextMap = &frame.Type{ID: frame.TypeMap, Elems: []*frame.Type{tText, tText}}
	tTrunc   = &frame.Type{ID: frame.TypeMap, Elems: []*frame.Type{tUUID, tBlob}}
)

// table is a system table: its columns and its rows, each row one encoded
// cell per column (nil for null).
type table struct {
	keyspace, name string
	cols           []colDef
	rows           [][][]byte
}

type colDef struct {
	name string
	typ  *frame.Type
}

// catalog holds the system tables by "keyspace.table".
type catalog map[string]*table

func newCatalog(addr netip.AddrPort) catalog {
	ip := addr.Addr().AsSlice()
	hostID := []byte("\x6b\x1d\x6f\x30\x5e\x21\x4c\x1a\x9a\x3e\x10\x00\x00\x00\x00\x01")
	schema := []byte("\x2e\x6b\x61\x6e\x6e\x65\x64\x00\x80\x00\x00\x00\x00\x00\x00\x01")
	port := binary.BigEndian.AppendUint32(nil, uint32(addr.Port()))
	p7000 := binary.BigEndian.AppendUint32(nil, 7000)
	gossip := binary.BigEndian.AppendUint32(nil, 1700000000)
	c := catalog{}
	add := func(t *table) { c[t.keyspace+"."+t.name] = t }
	add(&table{keyspace: "system", name: "local", cols: []colDef{
		{"key", tText}, {"bootstrapped", tText}, {"broadcast_address", tInet}, {"broadcast_port", tInt},
		{"cluster_name", tText}, {"cql_version", tText}, {"data_center", tText}, {"gossip_generation", tInt},
		{"host_id", tUUID}, {"listen_address", tInet}, {"listen_port", tInt}, {"native_protocol_version", tText},
		{"partitioner", tText}, {"rack", tText}, {"release_version", tText}, {"rpc_address", tInet},
		{"rpc_port", tInt}, {"schema_version", tUUID}, {"tokens", tTextSet}, {"truncated_at", tTrunc},
	}, rows: [][][]byte{{
		[]byte("local"), []byte("COMPLETED"), ip, p7000,
		[]byte("canned"), []byte("3.4.7"), []byte("datacenter1"), gossip,
		hostID, ip, p7000, []byte("5"),
		[]byte("org.apache.cassandra.dht.Murmur3Partitioner"), []byte("rack1"), []byte("5.0.0"), ip,
		port, schema, textCollection("0"), nil,
	}}})
	add(&table{keyspace: "system", name: "peers", cols: []colDef{
		{"peer", tInet}, {"data_center", tText}, {"host_id", tUUID}, {"preferred_ip", tInet}, {"rack", tText},
		{"release_version", tText}, {"rpc_address", tInet}, {"schema_version", tUUID}, {"tokens", tTextSet},
	}})
	add(&table{keyspace: "system", name: "peers_v2", cols: []colDef{
		{"peer", tInet}, {"peer_port", tInt}, {"data_center", tText}, {"host_id", tUUID}, {"native_address", tInet},
		{"native_port", tInt}, {"preferred_ip", tInet}, {"preferred_port", tInt}, {"rack", tText},
		{"release_version", tText}, {"schema_version", tUUID}, {"tokens", tTextSet},
	}})
	add(&table{keyspace: "system_schema", name: "keyspaces", cols: []colDef{
		{"keyspace_name", tText}, {"durable_writes", tBool}, {"replication", tTextMap},
	}, rows: [][][]byte{
		{[]byte("bench"), {1}, textMap("class", "org.apache.cassandra.locator.SimpleStrategy", "replication_factor", "1")},
		{[]byte("system"), {1}, textMap("class", "org.apache.cassandra.locator.LocalStrategy")},
	}})
	add(&table{keyspace: "system_schema", name: "tables", cols: []colDef{
		{"keyspace_name", tText}, {"table_name", tText}, {"id", tUUID}, {"comment", tText},
	}})
	add(&table{keyspace: "system_schema", name: "columns", cols: []colDef{
		{"keyspace_name", tText}, {"table_name", tText}, {"column_name", tText}, {"clustering_order", tText},
		{"column_name_bytes", tBlob}, {"kind", tText}, {"position", tInt}, {"type", tText},
	}})
	add(&table{keyspace: "system_schema", name: "types", cols: []colDef{
		{"keyspace_name", tText}, {"type_name", tText}, {"field_names", tTexts}, {"field_types", tTexts},
	}})
	add(&table{keyspace: "system_schema", name: "views", cols: []colDef{
		{"keyspace_name", tText}, {"view_name", tText}, {"base_table_id", tUUID}, {"base_table_name", tText},
	}})
	add(&table{keyspace: "system_schema", name: "functions", cols: []colDef{
		{"keyspace_name", tText}, {"function_name", tText}, {"argument_types", tTexts}, {"argument_names", tTexts},
		{"body", tText}, {"language", tText}, {"return_type", tText}, {"called_on_null_input", tBool},
	}})
	add(&table{keyspace: "system_schema", name: "aggregates", cols: []colDef{
		{"keyspace_name", tText}, {"aggregate_name", tText}, {"argument_types", tTexts}, {"final_func", tText},
		{"initcond", tText}, {"return_type", tText}, {"state_func", tText}, {"state_type", tText},
	}})
	return c
}

// textCollection encodes a list or set of text (v3+ layout: int counts).
func textCollection(elems ...string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(elems)))
	for _, e := range elems {
		b = frame.AppendBytes(b, []byte(e))
	}
	return b
}

// textMap encodes a map<text, text> from alternating keys and values.
func textMap(kv ...string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(kv)/2))
	for _, s := range kv {
		b = frame.AppendBytes(b, []byte(s))
	}
	return b
}

var selectRE = regexp.MustCompile(`(?is)^\s*select\s+(.+?)\s+from\s+("?[a-z0-9_]+"?)\s*\.\s*("?[a-z0-9_]+"?)`)

// selection is a parsed SELECT on a system table.
type selection struct {
	t   *table
	idx []int // the selected columns
}

// resolve parses a SELECT on a system table, or returns the message of the
// Invalid error a server would answer.
func (c catalog) resolve(q string) (selection, string) {
	m := selectRE.FindStringSubmatch(q)
	if m == nil {
		return selection{}, "canned node: unsupported query: " + q
	}
	ks, name := unquote(m[2]), unquote(m[3])
	t, ok := c[ks+"."+name]
	if !ok {
		return selection{}, "table " + ks + "." + name + " does not exist"
	}
	idx, err := t.project(m[1])
	if err != "" {
		return selection{}, err
	}
	return selection{t, idx}, ""
}

// columns returns the specs of the selected columns.
func (s selection) columns() []frame.ColumnSpec {
	specs := make([]frame.ColumnSpec, len(s.idx))
	for i, j := range s.idx {
		specs[i] = frame.ColumnSpec{Keyspace: s.t.keyspace, Table: s.t.name, Name: s.t.cols[j].name, Type: s.t.cols[j].typ}
	}
	return specs
}

// rows returns the selected columns of every row, whatever the WHERE
// clause says, which is right for the one-row and empty tables here (and
// harmless for system_schema.keyspaces, which drivers filter by name).
func (s selection) rows() *frame.RowsResult {
	var data []byte
	for _, row := range s.t.rows {
		for _, j := range s.idx {
			data = frame.AppendBytes(data, row[j])
		}
	}
	return &frame.RowsResult{Metadata: frame.NewRowsMetadata(s.columns()...), RowCount: len(s.t.rows), Data: data}
}

var markerRE = regexp.MustCompile(`(?i)"?([a-z0-9_]+)"?\s*(=|\s+in)\s*\?`)

// markers returns the specs of the bind markers of q, typed after the
// column each is compared with: text when unknown, a list for IN.
func (s selection) markers(q string) []frame.ColumnSpec {
	var specs []frame.ColumnSpec
	for _, m := range markerRE.FindAllStringSubmatch(q, -1) {
		typ := tText
		for _, c := range s.t.cols {
			if c.name == strings.ToLower(m[1]) {
				typ = c.typ
			}
		}
		if strings.EqualFold(strings.TrimSpace(m[2]), "in") {
			typ = &frame.Type{ID: frame.TypeList, Elems: []*frame.Type{typ}}
		}
		specs = append(specs, frame.ColumnSpec{Keyspace: s.t.keyspace, Table: s.t.name, Name: m[1], Type: typ})
	}
	return specs
}

// query answers a QUERY of a system table: its rows, or an Invalid error
// as a server answers for an unknown table or column.
func (c catalog) query(q string) frame.Message {
	s, err := c.resolve(q)
	if err != "" {
		return invalid(err)
	}
	return s.rows()
}

// project returns the indexes of the selected columns, or an error message.
func (t *table) project(list string) ([]int, string) {
	var idx []int
	if strings.TrimSpace(list) == "*" {
		for i := range t.cols {
			idx = append(idx, i)
		}
		return idx, ""
	}
	for _, f := range strings.Split(list, ",") {
		name := unquote(strings.TrimSpace(f))
		found := -1
		for i, c := range t.cols {
			if c.name == name {
				found = i
				break
			}
		}
		if found < 0 {
			return nil, "Undefined column name " + name + " in table " + t.keyspace + "." + t.name
		}
		idx = append(idx, found)
	}
	return idx, ""
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return strings.ToLower(s)
}

func invalid(msg string) frame.Message {
	return &frame.ErrorResponse{Err: &frame.InvalidError{Msg: msg}}
}
