// Package cannedsrv is the simulated node of the benchmarks: a server
// that speaks protocol v4 and answers the workloads of package workload
// from frames encoded once at start, patching only the stream id, so that
// as little of its CPU as possible goes into each answer. It runs in its
// own process (cmd/cannedsrv), pinned to a core of its own, so that a
// client's CPU figures are the client's alone.
//
// Besides the workloads it answers what drivers send when they connect:
// OPTIONS, STARTUP, REGISTER, and QUERY of the system tables (system.local,
// system.peers, system.peers_v2 and system_schema), enough for this
// driver, gocql and the scylla Rust driver. Every request is decoded with
// package frame, and every answer encoded with it.
package cannedsrv

import (
	"bufio"
	"crypto/md5"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/cqlgo/cassandra/bench/internal/workload"
	"github.com/cqlgo/cassandra/frame"
)

// Options configure a Server. The zero value is ready.
type Options struct {
	// Log, when set, receives a line for every request the server answers
	// with an error: unknown statements, tables, opcodes.
	Log func(string)
}

// Server is a canned-answer node listening on one address.
type Server struct {
	ln    net.Listener
	opts  Options
	cat   catalog
	byID  map[string]*statement
	byCQL map[string]*statement
	void  []byte // Void RESULT frame

	mu     sync.Mutex
	system map[string]string // prepared system table queries, by id
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// statement is a workload statement with its canned answers.
type statement struct {
	id       []byte
	prepared []byte      // PREPARED RESULT frame
	pages    [][2][]byte // per page: the frame with metadata, the one without
}

// pageState is the paging state of page i+1 of a canned result.
func pageState(i int) []byte { return []byte{'c', 'a', 'n', 'n', 'e', 'd', byte(i)} }

// pageIndex returns the page a paging state asks for, 0 for none.
func pageIndex(state []byte, pages int) (int, bool) {
	if state == nil {
		return 0, true
	}
	if len(state) != 7 || string(state[:6]) != "canned" || int(state[6]) >= pages || state[6] == 0 {
		return 0, false
	}
	return int(state[6]), true
}

// Listen starts a server on addr ("127.0.0.1:0" for any free port).
// Serve it with Serve; Close stops it.
func Listen(addr string, opts Options) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, opts: opts, conns: map[net.Conn]struct{}{},
		byID: map[string]*statement{}, byCQL: map[string]*statement{}, system: map[string]string{}}
	s.cat = newCatalog(s.Addr())
	if err := s.encodeAnswers(); err != nil {
		ln.Close()
		return nil, err
	}
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() netip.AddrPort { return netip.MustParseAddrPort(s.ln.Addr().String()) }

func encode(m frame.Message) ([]byte, error) {
	return frame.AppendFrame(nil, frame.Header{Version: frame.V4}, nil, m, nil)
}

// encodeAnswers builds every canned frame.
func (s *Server) encodeAnswers() error {
	var err error
	if s.void, err = encode(&frame.VoidResult{}); err != nil {
		return err
	}
	for _, sh := range workload.Shapes {
		sum := md5.Sum([]byte(sh.CQL))
		st := &statement{id: sum[:]}
		res := frame.RowsMetadata{Flags: frame.MetadataNoMetadata}
		if sh.Columns != nil {
			res = frame.NewRowsMetadata(sh.Columns...)
		}
		st.prepared, err = encode(&frame.PreparedResult{ID: st.id, Params: frame.NewPreparedMetadata(sh.Params, sh.PKIndexes...), Result: res})
		if err != nil {
			return err
		}
		var pages [][]byte // rows_content of each page
		switch sh.CQL {
		case workload.SelectCQL:
			k, a, b := workload.KVRow(1)
			d := frame.AppendBytes(nil, workload.AppendInt(nil, int32(k)))
			d = frame.AppendBytes(d, workload.AppendBigint(nil, a))
			pages = [][]byte{frame.AppendBytes(d, []byte(b))}
		case workload.PageCQL:
			for first := 0; first < workload.PageRows; first += workload.PageSize {
				var d []byte
				for c := first; c < first+workload.PageSize && c < workload.PageRows; c++ {
					p, cc, v := workload.PageRow(c)
					d = frame.AppendBytes(d, workload.AppendInt(nil, int32(p)))
					d = frame.AppendBytes(d, workload.AppendInt(nil, int32(cc)))
					d = frame.AppendBytes(d, []byte(v))
				}
				pages = append(pages, d)
			}
		}
		for i, d := range pages {
			rows := len(sh.Columns)
			count := 0
			if rows > 0 {
				count = countRows(d, rows)
			}
			meta := frame.NewRowsMetadata(sh.Columns...)
			bare := frame.RowsMetadata{Flags: frame.MetadataNoMetadata, ColumnCount: len(sh.Columns)}
			if i+1 < len(pages) {
				meta.PagingState, bare.PagingState = pageState(i+1), pageState(i+1)
			}
			var p [2][]byte
			if p[0], err = encode(&frame.RowsResult{Metadata: meta, RowCount: count, Data: d}); err != nil {
				return err
			}
			if p[1], err = encode(&frame.RowsResult{Metadata: bare, RowCount: count, Data: d}); err != nil {
				return err
			}
			st.pages = append(st.pages, p)
		}
		s.byID[string(st.id)] = st
		s.byCQL[sh.CQL] = st
	}
	return nil
}

// countRows counts the rows of cols cells each in rows_content d.
func countRows(d []byte, cols int) int {
	cells := 0
	for len(d) >= 4 {
		n := int(int32(uint32(d[0])<<24 | uint32(d[1])<<16 | uint32(d[2])<<8 | uint32(d[3])))
		d = d[4:]
		if n > 0 {
			d = d[n:]
		}
		cells++
	}
	return cells / cols
}

// Serve accepts connections until Close; it returns nil after Close.
func (s *Server) Serve() error {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			return err
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return nil
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(c)
	}
}

// Close stops listening, closes every connection and waits for them.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// serve answers one connection in order: a frame in, a frame out.
func (s *Server) serve(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	br := bufio.NewReaderSize(c, 256<<10)
	bw := bufio.NewWriterSize(c, 256<<10)
	var buf []byte
	var hdr [frame.HeaderSize]byte
	for {
		h, fb, err := frame.ReadFrame(br, buf, 0)
		buf = fb
		if err != nil {
			return
		}
		out, err := s.answer(h, fb[frame.HeaderSize:])
		if err != nil {
			return
		}
		// out is a whole frame encoded for stream 0: write the header with
		// this request's stream, then the body as is.
		copy(hdr[:], out[:frame.HeaderSize])
		hdr[2], hdr[3] = byte(uint16(h.Stream)>>8), byte(h.Stream)
		bw.Write(hdr[:])
		bw.Write(out[frame.HeaderSize:])
		if h.Version != frame.V4 {
			bw.Flush()
			return
		}
		// Flush only when no whole request is waiting, so that a burst of
		// requests gets its answers in one write, as a real node's event
		// loop does.
		if !wholeFrameBuffered(br) {
			if bw.Flush() != nil {
				return
			}
		}
	}
}

func wholeFrameBuffered(br *bufio.Reader) bool {
	n := br.Buffered()
	if n < frame.HeaderSize {
		return false
	}
	b, _ := br.Peek(frame.HeaderSize)
	h, err := frame.DecodeHeader(b, 0)
	return err != nil || n >= frame.HeaderSize+int(h.Length)
}

// errFatal ends a connection the server cannot make sense of.
var errFatal = errors.New("cannedsrv: unreadable frame")

// answer returns the whole response frame (stream 0) to a request.
func (s *Server) answer(h frame.Header, raw []byte) ([]byte, error) {
	if h.Version != frame.V4 {
		return encode(&frame.ErrorResponse{Err: &frame.ProtocolError{Msg: fmt.Sprintf("Invalid or unsupported protocol version (%d); highest supported version is 4", h.Version)}})
	}
	f, _, err := frame.ParseFrame(h, raw, nil, nil, 0)
	if err != nil || h.Flags&frame.FlagCompression != 0 {
		return nil, errFatal
	}
	body := f.Body
	switch h.Opcode {
	case frame.OpOptions:
		return encode(&frame.Supported{Options: map[string][]string{
			"CQL_VERSION": {"3.4.7"}, "COMPRESSION": {}, "PROTOCOL_VERSIONS": {"3/v3", "4/v4"}}})
	case frame.OpStartup:
		var m frame.Startup
		if err := m.Decode(body, frame.V4); err != nil {
			return s.fail(&frame.ProtocolError{Msg: err.Error()})
		}
		if c := m.Options[frame.StartupCompression]; c != "" {
			return s.fail(&frame.ProtocolError{Msg: "canned node: no compression (asked for " + c + ")"})
		}
		return encode(&frame.Ready{})
	case frame.OpRegister:
		var m frame.Register
		if err := m.Decode(body, frame.V4); err != nil {
			return s.fail(&frame.ProtocolError{Msg: err.Error()})
		}
		return encode(&frame.Ready{})
	case frame.OpQuery:
		var m frame.Query
		if err := m.Decode(body, frame.V4); err != nil {
			return s.fail(&frame.ProtocolError{Msg: err.Error()})
		}
		return s.query(m.Query, m.Params)
	case frame.OpPrepare:
		var m frame.Prepare
		if err := m.Decode(body, frame.V4); err != nil {
			return s.fail(&frame.ProtocolError{Msg: err.Error()})
		}
		if st, ok := s.byCQL[strings.TrimSpace(m.Query)]; ok {
			return st.prepared, nil
		}
		return s.prepareSystem(m.Query)
	case frame.OpExecute:
		var m frame.Execute
		if err := m.Decode(body, frame.V4); err != nil {
			return s.fail(&frame.ProtocolError{Msg: err.Error()})
		}
		st, ok := s.byID[string(m.ID)]
		if !ok {
			s.mu.Lock()
			q, ok := s.system[string(m.ID)]
			s.mu.Unlock()
			if ok {
				return s.query(q, m.Params)
			}
			return s.fail(&frame.UnpreparedError{Msg: "canned node: unknown prepared id", ID: m.ID})
		}
		return s.result(st, m.Params)
	case frame.OpBatch:
		var m frame.Batch
		if err := m.Decode(body, frame.V4); err != nil {
			return s.fail(&frame.ProtocolError{Msg: err.Error()})
		}
		for _, bs := range m.Statements {
			if bs.ID == nil {
				if _, ok := s.byCQL[strings.TrimSpace(bs.Query)]; !ok {
					return s.fail(&frame.InvalidError{Msg: "canned node: unknown batch statement " + bs.Query})
				}
			} else if _, ok := s.byID[string(bs.ID)]; !ok {
				return s.fail(&frame.UnpreparedError{Msg: "canned node: unknown prepared id", ID: bs.ID})
			}
		}
		return s.void, nil
	}
	return s.fail(&frame.ProtocolError{Msg: "canned node: unexpected " + h.Opcode.String()})
}

// result answers a workload statement: its rows (the page the paging
// state asks for), or Void for an INSERT.
func (s *Server) result(st *statement, p frame.QueryParams) ([]byte, error) {
	if len(st.pages) == 0 {
		return s.void, nil
	}
	i, ok := pageIndex(p.PagingState, len(st.pages))
	if !ok {
		return s.fail(&frame.ProtocolError{Msg: "canned node: foreign paging state"})
	}
	if p.SkipMetadata {
		return st.pages[i][1], nil
	}
	return st.pages[i][0], nil
}

// query answers a QUERY: USE, a workload statement sent unprepared, or a
// system table.
func (s *Server) query(q string, p frame.QueryParams) ([]byte, error) {
	q = strings.TrimSpace(q)
	if st, ok := s.byCQL[q]; ok {
		return s.result(st, p)
	}
	if f := strings.Fields(q); len(f) == 2 && strings.EqualFold(f[0], "USE") {
		return encode(&frame.SetKeyspaceResult{Keyspace: unquote(f[1])})
	}
	m := s.cat.query(q)
	if e, ok := m.(*frame.ErrorResponse); ok {
		return s.fail(e.Err)
	}
	return encode(m)
}

// prepareSystem prepares a SELECT on a system table, which some drivers
// send with bound values (a keyspace name).
func (s *Server) prepareSystem(q string) ([]byte, error) {
	sel, msg := s.cat.resolve(q)
	if msg != "" {
		return s.fail(&frame.InvalidError{Msg: msg})
	}
	id := md5.Sum([]byte(q))
	s.mu.Lock()
	s.system[string(id[:])] = q
	s.mu.Unlock()
	return encode(&frame.PreparedResult{ID: id[:], Params: frame.NewPreparedMetadata(sel.markers(q)),
		Result: frame.NewRowsMetadata(sel.columns()...)})
}

func (s *Server) fail(e frame.ServerError) ([]byte, error) {
	if s.opts.Log != nil {
		s.opts.Log(e.Error())
	}
	return encode(&frame.ErrorResponse{Err: e})
}
