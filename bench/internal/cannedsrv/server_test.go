package cannedsrv

import (
	"bufio"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/bench/internal/workload"
	"github.com/cqlgo/cassandra/frame"
)

// client is a raw protocol client built on package frame.
type client struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func start(t *testing.T) *client {
	t.Helper()
	var logged []string
	s, err := Listen("127.0.0.1:0", Options{Log: func(l string) { logged = append(logged, l) }})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	c, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() {
		c.Close()
		s.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &client{t: t, c: c, br: bufio.NewReader(c)}
}

func (c *client) send(stream int16, m frame.Message) {
	c.t.Helper()
	c.sendVersion(frame.V4, stream, m)
}

func (c *client) sendVersion(v frame.Version, stream int16, m frame.Message) {
	c.t.Helper()
	b, err := frame.AppendFrame(nil, frame.Header{Version: v, Stream: stream}, nil, m, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.c.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

// recv reads one response and decodes its message.
func (c *client) recv() (frame.Header, frame.Message) {
	c.t.Helper()
	h, b, err := frame.ReadFrame(c.br, nil, 0)
	if err != nil {
		c.t.Fatal(err)
	}
	if !h.Response {
		c.t.Fatalf("frame without the response bit: %+v", h)
	}
	body := b[frame.HeaderSize:]
	var m frame.Message
	switch h.Opcode {
	case frame.OpResult:
		m, err = frame.DecodeResult(body, h.Version)
	case frame.OpReady:
		m = &frame.Ready{}
		err = m.Decode(body, h.Version)
	case frame.OpSupported:
		m = &frame.Supported{}
		err = m.Decode(body, h.Version)
	case frame.OpError:
		m = &frame.ErrorResponse{}
		err = m.Decode(body, h.Version)
	default:
		c.t.Fatalf("unexpected opcode %v", h.Opcode)
	}
	if err != nil {
		c.t.Fatalf("decoding %v: %v", h.Opcode, err)
	}
	return h, m
}

func (c *client) roundTrip(m frame.Message) frame.Message {
	c.t.Helper()
	c.send(7, m)
	h, r := c.recv()
	if h.Stream != 7 {
		c.t.Fatalf("answer on stream %d, want 7", h.Stream)
	}
	return r
}

func (c *client) prepare(cql string) *frame.PreparedResult {
	c.t.Helper()
	r, ok := c.roundTrip(&frame.Prepare{Query: cql}).(*frame.PreparedResult)
	if !ok {
		c.t.Fatalf("PREPARE %q answered %T", cql, r)
	}
	return r
}

func serverErr[T frame.ServerError](t *testing.T, m frame.Message) T {
	t.Helper()
	e, ok := m.(*frame.ErrorResponse)
	if !ok {
		t.Fatalf("answer is %T, want an error", m)
	}
	var target T
	if !errors.As(e.Err, &target) {
		t.Fatalf("error is %T (%v), want %T", e.Err, e.Err, target)
	}
	return target
}

func TestHandshakeOpcodes(t *testing.T) {
	c := start(t)
	sup, ok := c.roundTrip(&frame.Options{}).(*frame.Supported)
	if !ok || len(sup.Options["CQL_VERSION"]) == 0 {
		t.Fatalf("OPTIONS answered %#v", sup)
	}
	if _, ok := c.roundTrip(&frame.Startup{Options: map[string]string{"CQL_VERSION": "3.0.0"}}).(*frame.Ready); !ok {
		t.Fatal("STARTUP not answered READY")
	}
	if _, ok := c.roundTrip(&frame.Register{EventTypes: []string{frame.EventSchemaChange}}).(*frame.Ready); !ok {
		t.Fatal("REGISTER not answered READY")
	}
	serverErr[*frame.ProtocolError](t, c.roundTrip(&frame.Startup{Options: map[string]string{"CQL_VERSION": "3.0.0", "COMPRESSION": "lz4"}}))
	ks, ok := c.roundTrip(&frame.Query{Query: `USE "bench"`}).(*frame.SetKeyspaceResult)
	if !ok || ks.Keyspace != "bench" {
		t.Fatalf("USE answered %#v", ks)
	}
}

func TestVersion5IsRefusedWithAProtocolError(t *testing.T) {
	c := start(t)
	c.sendVersion(frame.V5, 0, &frame.Options{})
	h, m := c.recv()
	if h.Version != frame.V4 {
		t.Errorf("answered in %v", h.Version)
	}
	serverErr[*frame.ProtocolError](t, m)
}

func TestSystemTables(t *testing.T) {
	c := start(t)
	tests := []struct {
		name, cql string
		cols      []string
		rows      int
	}{
		{"local_star_has_every_column", "SELECT * FROM system.local WHERE key='local'", nil, 1},
		{"local_projection_keeps_order", "SELECT host_id, rpc_address, data_center, rack, tokens, cluster_name FROM system.local WHERE key='local'",
			[]string{"host_id", "rpc_address", "data_center", "rack", "tokens", "cluster_name"}, 1},
		{"schema_version", "SELECT schema_version FROM system.local WHERE key='local'", []string{"schema_version"}, 1},
		{"peers_empty", "SELECT * FROM system.peers", nil, 0},
		{"peers_v2_empty", "select peer, native_address, schema_version from system.peers_v2", []string{"peer", "native_address", "schema_version"}, 0},
		{"keyspaces_list_bench", "SELECT keyspace_name, replication, durable_writes FROM system_schema.keyspaces", []string{"keyspace_name", "replication", "durable_writes"}, 2},
		{"schema_tables_empty", "SELECT keyspace_name, table_name FROM system_schema.tables", []string{"keyspace_name", "table_name"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := c.roundTrip(&frame.Query{Query: tt.cql, Params: frame.QueryParams{Consistency: frame.One}}).(*frame.RowsResult)
			if !ok {
				t.Fatalf("answered %T", r)
			}
			if r.RowCount != tt.rows {
				t.Errorf("%d rows, want %d", r.RowCount, tt.rows)
			}
			if tt.cols != nil {
				if len(r.Metadata.Columns) != len(tt.cols) {
					t.Fatalf("%d columns, want %v", len(r.Metadata.Columns), tt.cols)
				}
				for i, name := range tt.cols {
					if r.Metadata.Columns[i].Name != name {
						t.Errorf("column %d is %s, want %s", i, r.Metadata.Columns[i].Name, name)
					}
				}
			}
		})
	}
	t.Run("local_row_holds_the_address", func(t *testing.T) {
		r := c.roundTrip(&frame.Query{Query: "SELECT rpc_address, tokens FROM system.local"}).(*frame.RowsResult)
		cells := make([][]byte, 2)
		it := r.Rows()
		if !it.Next(cells) || string(cells[0]) != "\x7f\x00\x00\x01" || len(cells[1]) == 0 {
			t.Fatalf("row %x", cells)
		}
	})
	t.Run("unknown_table_is_invalid", func(t *testing.T) {
		serverErr[*frame.InvalidError](t, c.roundTrip(&frame.Query{Query: "SELECT * FROM system_schema.scylla_tables"}))
	})
	t.Run("unknown_column_is_invalid", func(t *testing.T) {
		serverErr[*frame.InvalidError](t, c.roundTrip(&frame.Query{Query: "SELECT nope FROM system.local"}))
	})
}

func TestPrepareGivesTheWorkloadShapes(t *testing.T) {
	c := start(t)
	for _, sh := range workload.Shapes {
		p := c.prepare(sh.CQL)
		if len(p.ID) == 0 || len(p.Params.Columns) != len(sh.Params) || len(p.Result.Columns) != len(sh.Columns) {
			t.Errorf("%s: prepared %+v", sh.CQL, p)
		}
		if len(p.Params.PKIndexes) != 1 || p.Params.PKIndexes[0] != 0 {
			t.Errorf("%s: partition key indexes %v", sh.CQL, p.Params.PKIndexes)
		}
	}
	serverErr[*frame.InvalidError](t, c.roundTrip(&frame.Prepare{Query: "SELECT x FROM bench.nope"}))
}

func execute(id []byte, skip bool, state []byte, values ...[]byte) *frame.Execute {
	vs := make([]frame.Value, len(values))
	for i, v := range values {
		vs[i].Bytes = v
	}
	return &frame.Execute{ID: id, Params: frame.QueryParams{Consistency: frame.LocalOne, Values: vs,
		SkipMetadata: skip, PageSize: workload.PageSize, PagingState: state}}
}

func TestExecuteSelect1(t *testing.T) {
	c := start(t)
	p := c.prepare(workload.SelectCQL)
	for _, skip := range []bool{false, true} {
		r, ok := c.roundTrip(execute(p.ID, skip, nil, workload.AppendInt(nil, 5))).(*frame.RowsResult)
		if !ok || r.RowCount != 1 || r.Metadata.ColumnCount != 3 {
			t.Fatalf("skip=%v: answered %#v", skip, r)
		}
		if skip != (r.Metadata.Columns == nil) {
			t.Errorf("skip=%v but columns %v", skip, r.Metadata.Columns)
		}
		cells := make([][]byte, 3)
		it := r.Rows()
		it.Next(cells)
		_, _, b := workload.KVRow(1)
		if string(cells[2]) != b {
			t.Errorf("text cell %q, want %q", cells[2], b)
		}
	}
}

func TestExecutePage10kGivesTwoPagesOf5000(t *testing.T) {
	c := start(t)
	p := c.prepare(workload.PageCQL)
	var state []byte
	var rows []int
	for page := 0; page < 3; page++ {
		r, ok := c.roundTrip(execute(p.ID, true, state, workload.AppendInt(nil, 0))).(*frame.RowsResult)
		if !ok {
			t.Fatalf("page %d answered %T", page, r)
		}
		rows = append(rows, r.RowCount)
		state = r.Metadata.PagingState
		if state == nil {
			break
		}
	}
	if len(rows) != 2 || rows[0] != 5000 || rows[1] != 5000 {
		t.Errorf("pages of %v rows, want [5000 5000]", rows)
	}
	serverErr[*frame.ProtocolError](t, c.roundTrip(execute(p.ID, true, []byte("foreign"), workload.AppendInt(nil, 0))))
}

func TestExecuteInsertAndBatchAreVoid(t *testing.T) {
	c := start(t)
	p := c.prepare(workload.InsertCQL)
	vals := [][]byte{workload.AppendInt(nil, 1), workload.AppendInt(nil, 2), []byte(workload.InsertText)}
	if _, ok := c.roundTrip(execute(p.ID, false, nil, vals...)).(*frame.VoidResult); !ok {
		t.Fatal("INSERT not answered Void")
	}
	b := &frame.Batch{Type: frame.UnloggedBatch, Consistency: frame.LocalOne}
	for i := 0; i < workload.BatchSize; i++ {
		b.Statements = append(b.Statements, frame.BatchStatement{ID: p.ID, Values: []frame.Value{{Bytes: vals[0]}, {Bytes: vals[1]}, {Bytes: vals[2]}}})
	}
	if _, ok := c.roundTrip(b).(*frame.VoidResult); !ok {
		t.Fatal("BATCH not answered Void")
	}
	b.Statements[3].ID = []byte("unknown")
	if u := serverErr[*frame.UnpreparedError](t, c.roundTrip(b)); string(u.ID) != "unknown" {
		t.Errorf("unprepared id %q", u.ID)
	}
}

func TestExecuteUnknownIDIsUnprepared(t *testing.T) {
	c := start(t)
	if u := serverErr[*frame.UnpreparedError](t, c.roundTrip(execute([]byte("nope"), false, nil))); string(u.ID) != "nope" {
		t.Errorf("unprepared id %q", u.ID)
	}
}

func TestPipelinedRequestsKeepTheirStreams(t *testing.T) {
	c := start(t)
	p := c.prepare(workload.SelectCQL)
	var buf []byte
	const n = 300
	for i := 0; i < n; i++ {
		var err error
		buf, err = frame.AppendFrame(buf, frame.Header{Version: frame.V4, Stream: int16(i)}, nil, execute(p.ID, true, nil, workload.AppendInt(nil, int32(i))), nil)
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.c.Write(buf); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		h, m := c.recv()
		if int(h.Stream) != i {
			t.Fatalf("answer %d on stream %d", i, h.Stream)
		}
		if _, ok := m.(*frame.RowsResult); !ok {
			t.Fatalf("answer %d is %T", i, m)
		}
	}
}

func TestPreparedSystemQueriesExecute(t *testing.T) {
	c := start(t)
	q := "SELECT keyspace_name, durable_writes, replication FROM system_schema.keyspaces WHERE keyspace_name = ?"
	p := c.prepare(q)
	if len(p.Params.Columns) != 1 || p.Params.Columns[0].Type.ID != frame.TypeVarchar {
		t.Fatalf("markers %+v", p.Params.Columns)
	}
	if len(p.Result.Columns) != 3 || p.Result.Columns[2].Type.ID != frame.TypeMap {
		t.Fatalf("result columns %+v", p.Result.Columns)
	}
	r, ok := c.roundTrip(execute(p.ID, false, nil, []byte("bench"))).(*frame.RowsResult)
	if !ok || r.RowCount == 0 {
		t.Fatalf("EXECUTE answered %#v", r)
	}
	in := c.prepare("SELECT table_name FROM system_schema.tables WHERE keyspace_name IN ?")
	if len(in.Params.Columns) != 1 || in.Params.Columns[0].Type.ID != frame.TypeList {
		t.Errorf("IN marker %+v", in.Params.Columns)
	}
}
