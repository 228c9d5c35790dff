// Package cannednode is a minimal in-process Cassandra node for benchmarks
// of the driver's request path. Unlike cassandratest it has no rules and
// no goroutine per request: it answers every request from pre-encoded
// frames, patching only the stream id, so that the allocations a benchmark
// counts are the driver's own. It speaks protocol v4 without compression.
package cannednode

import (
	"bufio"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/cqlgo/cassandra/frame"
)

// Node is a canned-answer node on a loopback port.
type Node struct {
	ln    net.Listener
	rows  []byte // RESULT Rows body answering every EXECUTE
	meta  frame.RowsMetadata
	param []frame.ColumnSpec

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// Start listens on 127.0.0.1 and answers EXECUTE of any prepared statement
// with rows (one page, encoded without metadata since the driver asks to
// skip it). cols describes the rows for PREPARE; params the bind markers.
func Start(params, cols []frame.ColumnSpec, rows [][][]byte) (*Node, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	n := &Node{ln: ln, conns: map[net.Conn]struct{}{}, param: params}
	n.meta = frame.NewRowsMetadata(cols...)
	noMeta := frame.RowsMetadata{Flags: frame.MetadataNoMetadata, ColumnCount: len(cols)}
	var data []byte
	for _, r := range rows {
		for _, c := range r {
			data = frame.AppendBytes(data, c)
		}
	}
	n.rows, err = (&frame.RowsResult{Metadata: noMeta, RowCount: len(rows), Data: data}).Encode(nil, frame.V4)
	if err != nil {
		ln.Close()
		return nil, err
	}
	n.wg.Add(1)
	go n.accept()
	return n, nil
}

// Addr is the node's address.
func (n *Node) Addr() netip.AddrPort { return netip.MustParseAddrPort(n.ln.Addr().String()) }

// Close stops the node and waits for its goroutines.
func (n *Node) Close() {
	n.ln.Close()
	n.mu.Lock()
	for c := range n.conns {
		c.Close()
	}
	n.mu.Unlock()
	n.wg.Wait()
}

func (n *Node) accept() {
	defer n.wg.Done()
	for {
		c, err := n.ln.Accept()
		if err != nil {
			return
		}
		n.mu.Lock()
		n.conns[c] = struct{}{}
		n.mu.Unlock()
		n.wg.Add(1)
		go n.serve(c)
	}
}

// serve answers one connection: a frame in, a frame out, in order.
func (n *Node) serve(c net.Conn) {
	defer n.wg.Done()
	defer func() {
		n.mu.Lock()
		delete(n.conns, c)
		n.mu.Unlock()
		c.Close()
	}()
	br := bufio.NewReaderSize(c, 64<<10)
	bw := bufio.NewWriterSize(c, 64<<10)
	var buf, out []byte
	for {
		h, fb, err := frame.ReadFrame(br, buf, 0)
		buf = fb
		if err != nil {
			return
		}
		if h.Version != frame.V4 {
			out, _ = frame.AppendFrame(out[:0], frame.Header{Version: frame.V4, Stream: h.Stream},
				nil, &frame.ErrorResponse{Err: &frame.ProtocolError{Msg: "Invalid or unsupported protocol version (5); highest supported version is 4"}}, nil)
			bw.Write(out)
			bw.Flush()
			return
		}
		out, err = n.answer(out[:0], h, fb[frame.HeaderSize:])
		if err != nil {
			return
		}
		bw.Write(out)
		// Flush only when no other request is already buffered, so bursts
		// share a write, as a real server's event loop does.
		if br.Buffered() < frame.HeaderSize {
			if bw.Flush() != nil {
				return
			}
		}
	}
}

func (n *Node) answer(dst []byte, h frame.Header, body []byte) ([]byte, error) {
	reply := func(m frame.Message) ([]byte, error) {
		return frame.AppendFrame(dst, frame.Header{Version: frame.V4, Stream: h.Stream}, nil, m, nil)
	}
	switch h.Opcode {
	case frame.OpOptions:
		return reply(&frame.Supported{Options: map[string][]string{"CQL_VERSION": {"3.4.7"}, "COMPRESSION": {}}})
	case frame.OpStartup, frame.OpRegister:
		return reply(&frame.Ready{})
	case frame.OpQuery:
		var q frame.Query
		if err := q.Decode(body, frame.V4); err != nil {
			return nil, err
		}
		return reply(systemRows(q.Query))
	case frame.OpPrepare:
		var p frame.Prepare
		if err := p.Decode(body, frame.V4); err != nil {
			return nil, err
		}
		id := md5.Sum([]byte(p.Query))
		return reply(&frame.PreparedResult{ID: id[:], Params: frame.NewPreparedMetadata(n.param, 0), Result: n.meta})
	case frame.OpExecute:
		dst = frame.AppendHeader(dst, frame.Header{Version: frame.V4, Response: true, Stream: h.Stream, Opcode: frame.OpResult, Length: int32(len(n.rows))})
		return append(dst, n.rows...), nil
	}
	return nil, errors.New("cannednode: unexpected " + h.Opcode.String())
}

var (
	text = &frame.Type{ID: frame.TypeVarchar}
	uid  = &frame.Type{ID: frame.TypeUUID}
	inet = &frame.Type{ID: frame.TypeInet}
)

// systemRows answers the control connection's discovery queries: one local
// host, no peers; any other query gets a Void result.
func systemRows(q string) frame.Message {
	switch {
	case strings.Contains(q, "system.local"):
		cols := []frame.ColumnSpec{
			{Keyspace: "system", Table: "local", Name: "host_id", Type: uid},
			{Keyspace: "system", Table: "local", Name: "data_center", Type: text},
			{Keyspace: "system", Table: "local", Name: "rack", Type: text},
			{Keyspace: "system", Table: "local", Name: "release_version", Type: text},
			{Keyspace: "system", Table: "local", Name: "schema_version", Type: uid},
			{Keyspace: "system", Table: "local", Name: "broadcast_address", Type: inet},
			{Keyspace: "system", Table: "local", Name: "tokens", Type: &frame.Type{ID: frame.TypeSet, Elems: []*frame.Type{text}}},
		}
		var d []byte
		d = frame.AppendBytes(d, []byte("0123456789abcdef"))
		d = frame.AppendBytes(d, []byte("dc1"))
		d = frame.AppendBytes(d, []byte("rack1"))
		d = frame.AppendBytes(d, []byte("5.0.0"))
		d = frame.AppendBytes(d, []byte("fedcba9876543210"))
		d = frame.AppendBytes(d, []byte{127, 0, 0, 1})
		tokens := binary.BigEndian.AppendUint32(nil, 1)
		tokens = frame.AppendBytes(tokens, []byte("0"))
		d = frame.AppendBytes(d, tokens)
		return &frame.RowsResult{Metadata: frame.NewRowsMetadata(cols...), RowCount: 1, Data: d}
	case strings.Contains(q, "system.peers"):
		cols := []frame.ColumnSpec{
			{Keyspace: "system", Table: "peers_v2", Name: "peer", Type: inet},
			{Keyspace: "system", Table: "peers_v2", Name: "host_id", Type: uid},
		}
		return &frame.RowsResult{Metadata: frame.NewRowsMetadata(cols...)}
	}
	return &frame.VoidResult{}
}

var _ = io.EOF
