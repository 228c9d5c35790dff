package cassandratest

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
)

// This file serves the system tables a driver reads to learn the cluster:
// system.local, system.peers_v2 and system.peers, with Cassandra 5.0's
// column names, types and order (partition key, clustering key, then the
// other columns by name), for SELECT * and for any column list.

var (
	textType = &frame.Type{ID: frame.TypeVarchar}
	inetType = &frame.Type{ID: frame.TypeInet}
	intType  = &frame.Type{ID: frame.TypeInt}
	uuidType = &frame.Type{ID: frame.TypeUUID}
	setText  = &frame.Type{ID: frame.TypeSet, Elems: []*frame.Type{textType}}
)

type column struct {
	name string
	typ  *frame.Type
}

type systemTable struct {
	name string
	cols []column
}

var (
	localTable = systemTable{"local", []column{
		{"key", textType}, {"bootstrapped", textType}, {"broadcast_address", inetType},
		{"broadcast_port", intType}, {"cluster_name", textType}, {"cql_version", textType},
		{"data_center", textType}, {"host_id", uuidType}, {"listen_address", inetType},
		{"listen_port", intType}, {"native_protocol_version", textType}, {"partitioner", textType},
		{"rack", textType}, {"release_version", textType}, {"rpc_address", inetType},
		{"rpc_port", intType}, {"schema_version", uuidType}, {"tokens", setText},
	}}
	peersV2Table = systemTable{"peers_v2", []column{
		{"peer", inetType}, {"peer_port", intType}, {"data_center", textType}, {"host_id", uuidType},
		{"native_address", inetType}, {"native_port", intType}, {"preferred_ip", inetType},
		{"preferred_port", intType}, {"rack", textType}, {"release_version", textType},
		{"schema_version", uuidType}, {"tokens", setText},
	}}
	peersTable = systemTable{"peers", []column{
		{"peer", inetType}, {"data_center", textType}, {"host_id", uuidType},
		{"preferred_ip", inetType}, {"rack", textType}, {"release_version", textType},
		{"rpc_address", inetType}, {"schema_version", uuidType}, {"tokens", setText},
	}}
)

var systemRE = regexp.MustCompile(`(?i)^select\s+(.+?)\s+from\s+system\.(local|peers_v2|peers)(\s+where\s+key\s*=\s*'local')?$`)

// systemQuery answers a SELECT of system.local (with or without WHERE
// key='local'), system.peers_v2 or system.peers; nil for other statements.
func (n *Node) systemQuery(q string) frame.Message {
	g := systemRE.FindStringSubmatch(normalize(q))
	if g == nil {
		return nil
	}
	table := strings.ToLower(g[2])
	if g[3] != "" && table != "local" {
		return nil
	}
	var t systemTable
	var rows []map[string][]byte
	n.mu.Lock()
	switch table {
	case "local":
		t, rows = localTable, []map[string][]byte{n.localRow()}
	case "peers_v2":
		if n.cfg.NoPeersV2 {
			n.mu.Unlock()
			return &frame.ErrorResponse{Err: &frame.InvalidError{Msg: "unconfigured table peers_v2"}}
		}
		t = peersV2Table
		for _, p := range n.peers {
			rows = append(rows, n.peerRow(p))
		}
	default:
		t = peersTable
		for _, p := range n.peers {
			rows = append(rows, n.peerRow(p))
		}
	}
	n.mu.Unlock()
	cols, err := t.project(g[1])
	if err != nil {
		return &frame.ErrorResponse{Err: &frame.InvalidError{Msg: err.Error()}}
	}
	specs := make([]frame.ColumnSpec, len(cols))
	for i, c := range cols {
		specs[i] = frame.ColumnSpec{Keyspace: "system", Table: t.name, Name: c.name, Type: c.typ}
	}
	cells := make([][][]byte, len(rows))
	for i, row := range rows {
		cells[i] = make([][]byte, len(cols))
		for j, c := range cols {
			cells[i][j] = row[c.name]
		}
	}
	return rowsResult(frame.NewRowsMetadata(specs...), cells)
}

// project returns the columns a select list names, in its order.
func (t systemTable) project(list string) ([]column, error) {
	if strings.TrimSpace(list) == "*" {
		return t.cols, nil
	}
	var cols []column
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		found := false
		for _, c := range t.cols {
			if c.name == name {
				cols, found = append(cols, c), true
				break
			}
		}
		if !found {
			//lint:ignore ST1005 the server's own message
			return nil, fmt.Errorf("Undefined column name %s in table system.%s", name, t.name)
		}
	}
	return cols, nil
}

// localRow is the system.local row; n.mu is held.
func (n *Node) localRow() map[string][]byte {
	ip := n.addr.Addr()
	return map[string][]byte{
		"key":                     TextCell("local"),
		"bootstrapped":            TextCell("COMPLETED"),
		"broadcast_address":       InetCell(ip),
		"broadcast_port":          IntCell(7000),
		"cluster_name":            TextCell(n.cfg.ClusterName),
		"cql_version":             TextCell(CQLVersion),
		"data_center":             TextCell(n.cfg.DC),
		"host_id":                 UUIDCell(n.cfg.HostID),
		"listen_address":          InetCell(ip),
		"listen_port":             IntCell(7000),
		"native_protocol_version": TextCell(strconv.Itoa(int(n.versions[len(n.versions)-1]))),
		"partitioner":             TextCell(n.cfg.Partitioner),
		"rack":                    TextCell(n.cfg.Rack),
		"release_version":         TextCell(n.cfg.ReleaseVersion),
		"rpc_address":             InetCell(ip),
		"rpc_port":                IntCell(int32(n.addr.Port())),
		"schema_version":          UUIDCell(n.schema),
		"tokens":                  TextSetCell(n.cfg.Tokens),
	}
}

// peerRow is the row of p in either peers table; n.mu is held.
func (n *Node) peerRow(p PeerInfo) map[string][]byte {
	peer := p.Peer
	if !peer.IsValid() {
		peer = p.Addr.Addr()
	}
	port := p.PeerPort
	if port == 0 {
		port = 7000
	}
	or := func(s, def string) string {
		if s == "" {
			return def
		}
		return s
	}
	schema := p.SchemaVersion
	if schema == ([16]byte{}) {
		schema = n.schema
	}
	return map[string][]byte{
		"peer":            InetCell(peer),
		"peer_port":       IntCell(int32(port)),
		"data_center":     TextCell(or(p.DC, "datacenter1")),
		"host_id":         UUIDCell(p.HostID),
		"native_address":  InetCell(p.Addr.Addr()),
		"native_port":     IntCell(int32(p.Addr.Port())),
		"rpc_address":     InetCell(p.Addr.Addr()),
		"rack":            TextCell(or(p.Rack, "rack1")),
		"release_version": TextCell(or(p.ReleaseVersion, n.cfg.ReleaseVersion)),
		"schema_version":  UUIDCell(schema),
		"tokens":          TextSetCell(p.Tokens),
	}
}

// Cell encodes v as a value of CQL type t with the driver's value codec
// (package cqltype), so simulated nodes and the driver agree on every
// type. It panics on a value that does not fit: cells are built by tests
// and by this package from values it controls.
func Cell(t *frame.Type, v any) []byte {
	b, err := cqltype.Marshal(t, v)
	if err != nil {
		panic(fmt.Sprintf("cassandratest: cell of type %s: %v", t, err))
	}
	return b
}

var bigintType = &frame.Type{ID: frame.TypeBigint}

// TextCell encodes a text, varchar or ascii value.
func TextCell(s string) []byte { return Cell(textType, s) }

// IntCell encodes an int value.
func IntCell(v int32) []byte { return Cell(intType, v) }

// BigintCell encodes a bigint value.
func BigintCell(v int64) []byte { return Cell(bigintType, v) }

// InetCell encodes an inet value; nil (null) for an invalid address.
func InetCell(a netip.Addr) []byte {
	if !a.IsValid() {
		return nil
	}
	return Cell(inetType, a)
}

// UUIDCell encodes a uuid or timeuuid value.
func UUIDCell(u [16]byte) []byte { return Cell(uuidType, u) }

// TextSetCell encodes a set<text> or list<text> value.
func TextSetCell(ss []string) []byte {
	if ss == nil {
		ss = []string{}
	}
	return Cell(setText, ss)
}
