package cassandratest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra/frame"
)

// connState is where a connection is in the handshake.
type connState int

const (
	stateNew   connState = iota // before STARTUP succeeded
	stateAuth                   // AUTHENTICATE sent, waiting for AUTH_RESPONSE
	stateReady                  // READY or AUTH_SUCCESS sent
)

// conn is one client connection. Its reader goroutine (serve) decodes
// requests; during the handshake it reacts to them itself, so the framing
// switch after STARTUP happens before the next read, and afterwards each
// request reacts on a goroutine of its own. Writes are serialized by wmu.
type conn struct {
	n    *Node
	nc   net.Conn
	id   int
	br   *bufio.Reader
	done chan struct{} // closed by close

	closeOnce sync.Once

	mu       sync.Mutex // guards the fields below
	version  frame.Version
	state    connState
	events   map[string]bool
	keyspace string // set by the last SET_KEYSPACE answered

	wmu      sync.Mutex       // serializes writes; guards the framing below
	comp     frame.Compressor // v3/v4 body compression, both directions
	segments bool             // v5 segments, both directions
	segComp  frame.Compressor // v5 segment compression (lz4 or nil)
	wbuf     []byte
}

func newConn(n *Node, nc net.Conn, id int) *conn {
	return &conn{n: n, nc: nc, id: id, br: bufio.NewReader(nc), done: make(chan struct{}), events: map[string]bool{}}
}

// close closes the socket and releases the request goroutines waiting on
// done. It is idempotent.
func (c *conn) close() {
	c.closeOnce.Do(func() {
		close(c.done)
		c.nc.Close()
	})
}

func (c *conn) serve() {
	defer c.n.wg.Done()
	defer c.n.removeConn(c)
	defer c.close()
	for {
		if seg, comp := c.framing(); seg {
			c.readSegments(comp)
			return
		}
		if !c.readPlain() {
			return
		}
	}
}

// framing reports whether the connection moved to v5 segments, and their
// compressor.
func (c *conn) framing() (bool, frame.Compressor) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.segments, c.segComp
}

func (c *conn) readComp() frame.Compressor {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.comp
}

// readPlain reads and handles one v3/v4 (or pre-segments v5) frame. It
// reports whether to go on reading.
func (c *conn) readPlain() bool {
	b, err := c.br.Peek(1)
	if err != nil {
		return false
	}
	if v := b[0] & 0x7f; v < byte(frame.V3) {
		// v1 and v2 headers are 8 bytes with a 1-byte stream; reading 9
		// would wait for a byte that never comes.
		if b, err = c.br.Peek(8); err != nil {
			return false
		}
		c.refuse(frame.Version(v), int16(int8(b[2])), frame.Opcode(b[3]))
		return false
	}
	h, buf, err := frame.ReadFrame(c.br, nil, 0)
	if err != nil {
		var uv *frame.UnsupportedVersionError
		switch {
		case errors.As(err, &uv):
			c.refuse(h.Version, h.Stream, h.Opcode)
		case len(buf) >= frame.HeaderSize && !errors.Is(err, frame.ErrTruncated):
			c.fatal(h.Stream, err)
		}
		return false
	}
	return c.handle(h, buf[frame.HeaderSize:])
}

func (c *conn) readSegments(comp frame.Compressor) {
	dec := frame.SegmentDecoder{Compressor: comp}
	rbuf := make([]byte, 64<<10)
	for {
		for dec.Next() {
			if !c.handle(dec.Header(), bytes.Clone(dec.Body())) {
				return
			}
		}
		if err := dec.Err(); err != nil {
			c.fatal(0, err)
			return
		}
		k, err := c.br.Read(rbuf)
		if k > 0 {
			dec.Feed(rbuf[:k])
		}
		if err != nil {
			return
		}
	}
}

// handle decodes one request frame and reacts to it. raw is the frame body
// as read, owned by the call. It reports whether to go on reading.
func (c *conn) handle(h frame.Header, raw []byte) bool {
	if !slices.Contains(c.n.versions, h.Version) {
		c.refuse(h.Version, h.Stream, h.Opcode)
		return false
	}
	req := &Request{Conn: c.id, Version: h.Version, Stream: h.Stream, Opcode: h.Opcode}
	c.mu.Lock()
	if c.version == 0 {
		c.version = h.Version
	}
	cv := c.version
	c.mu.Unlock()
	if h.Version != cv {
		c.n.log(req)
		req.Version = cv
		c.protocolError(req, fmt.Sprintf("Invalid message version. Got %v but previous messages on this connection had version %v", h.Version, cv))
		return true
	}
	f, _, err := frame.ParseFrame(h, raw, c.readComp(), nil, 0)
	var m frame.Message
	if err == nil {
		m, err = decodeRequest(h, f.Body)
	}
	if err != nil {
		c.n.log(req)
		c.protocolError(req, err.Error())
		return true
	}
	req.Msg, req.CustomPayload = m, f.CustomPayload
	c.mu.Lock()
	req.Keyspace = c.keyspace
	c.mu.Unlock()
	var ks string
	switch m := m.(type) {
	case *frame.Query:
		req.Query, req.Consistency, ks = m.Query, m.Params.Consistency, m.Params.Keyspace
	case *frame.Prepare:
		req.Query, ks = m.Query, m.Keyspace
	case *frame.Execute:
		req.ID, req.Consistency, ks = m.ID, m.Params.Consistency, m.Params.Keyspace
		if p := c.n.lookup(m.ID); p != nil {
			req.Query = p.query
		}
	case *frame.Batch:
		req.Consistency, ks = m.Consistency, m.Keyspace
	}
	if ks != "" {
		req.Keyspace = ks
	}
	switch h.Opcode {
	case frame.OpQuery, frame.OpPrepare, frame.OpExecute, frame.OpBatch:
		if h.Flags&frame.FlagTracing != 0 {
			req.Tracing, req.TraceID = true, timeUUID()
		}
	}
	r := orBuiltin(c.n.record(req))
	x := &exchange{c: c, req: req}
	if c.getState() != stateReady {
		r.react(x)
		return true
	}
	// The reader goroutine holds a count of n.wg, so adding here cannot
	// race with Close's Wait reaching zero.
	c.n.wg.Add(1)
	go func() {
		defer c.n.wg.Done()
		r.react(x)
	}()
	return true
}

// decodeRequest decodes the body of a request frame.
func decodeRequest(h frame.Header, body []byte) (frame.Message, error) {
	if h.Response {
		return nil, fmt.Errorf("unexpected response frame %v from a client", h.Opcode)
	}
	var m frame.Message
	switch h.Opcode {
	case frame.OpStartup:
		m = &frame.Startup{}
	case frame.OpOptions:
		m = &frame.Options{}
	case frame.OpQuery:
		m = &frame.Query{}
	case frame.OpPrepare:
		m = &frame.Prepare{}
	case frame.OpExecute:
		m = &frame.Execute{}
	case frame.OpBatch:
		m = &frame.Batch{}
	case frame.OpRegister:
		m = &frame.Register{}
	case frame.OpAuthResponse:
		m = &frame.AuthResponse{}
	default:
		return nil, fmt.Errorf("unexpected opcode %v in a request", h.Opcode)
	}
	if err := m.Decode(body, h.Version); err != nil {
		return nil, err
	}
	return m, nil
}

func (c *conn) getState() connState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

func (c *conn) setState(s connState) {
	c.mu.Lock()
	c.state = s
	c.mu.Unlock()
}

func (c *conn) registered(eventType string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state == stateReady && c.events[eventType]
}

func (c *conn) register(types []string) {
	c.mu.Lock()
	for _, t := range types {
		c.events[t] = true
	}
	c.mu.Unlock()
}

// refuse answers a frame of a version the node does not accept with a
// PROTOCOL_ERROR in its highest version, as Cassandra does, then shuts the
// connection down.
func (c *conn) refuse(v frame.Version, stream int16, op frame.Opcode) {
	hi := c.n.versions[len(c.n.versions)-1]
	c.n.log(&Request{Conn: c.id, Version: v, Stream: stream, Opcode: op})
	msg := fmt.Sprintf("Invalid or unsupported protocol version (%d); highest supported version is %d", byte(v), byte(hi))
	_ = c.write(hi, stream, &frame.ErrorResponse{Err: &frame.ProtocolError{Msg: msg}}, writeOpts{})
	c.shutdown()
}

// fatal answers a frame that cannot be read past with a PROTOCOL_ERROR,
// then shuts the connection down: the byte stream is out of step.
func (c *conn) fatal(stream int16, err error) {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	if v == 0 {
		v = c.n.versions[len(c.n.versions)-1]
	}
	_ = c.write(v, stream, &frame.ErrorResponse{Err: &frame.ProtocolError{Msg: err.Error()}}, writeOpts{})
	c.shutdown()
}

// shutdown half-closes the connection and discards what the client still
// sends until it closes, so the error just written is not lost to a reset.
func (c *conn) shutdown() {
	if tc, ok := c.nc.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	_, _ = io.Copy(io.Discard, c.br)
}

func (c *conn) protocolError(req *Request, msg string) {
	c.reply(req, &frame.ErrorResponse{Err: &frame.ProtocolError{Msg: msg}})
}

// writeOpts are what reactions add to an answer.
type writeOpts struct {
	warnings []string // server warnings (v4+)
	traced   bool     // the request asked for tracing
	traceID  [16]byte
	half     bool // write half the frame, then close
}

func (o *writeOpts) envelope(v frame.Version, m frame.Message) (frame.Flags, *frame.Envelope) {
	var flags frame.Flags
	var env frame.Envelope
	if o.traced && m.Opcode() == frame.OpResult {
		flags |= frame.FlagTracing
		env.TracingID = o.traceID
	}
	if o.warnings != nil && v >= frame.V4 {
		env.Warnings = o.warnings
	}
	if flags == 0 && env.Warnings == nil {
		return 0, nil
	}
	return flags, &env
}

func (c *conn) reply(req *Request, m frame.Message) { c.replyOpts(req, m, writeOpts{}) }

// replyOpts answers req with m and moves the handshake along: a READY or
// AUTHENTICATE to a STARTUP turns on the negotiated compression (v3/v4:
// this very answer is compressed, as Cassandra does) or v5 segments (from
// the next frame on), and READY or AUTH_SUCCESS makes the connection ready.
// A SET_KEYSPACE answer sets the connection's keyspace.
func (c *conn) replyOpts(req *Request, m frame.Message, o writeOpts) {
	if o.half {
		_ = c.write(req.Version, req.Stream, m, o)
		c.close()
		return
	}
	var next connState = -1
	var comp frame.Compressor
	switch req.Opcode {
	case frame.OpStartup:
		switch m.(type) {
		case *frame.Ready:
			next = stateReady
		case *frame.Authenticate:
			next = stateAuth
		}
		if st, ok := req.Msg.(*frame.Startup); ok && next >= 0 {
			comp = compressor(startupOption(st, frame.StartupCompression))
		}
	case frame.OpAuthResponse:
		if _, ok := m.(*frame.AuthSuccess); ok {
			next = stateReady
		}
	}
	if next < 0 {
		if ks, ok := m.(*frame.SetKeyspaceResult); ok {
			// Before the answer, so the client's next request sees it.
			c.mu.Lock()
			c.keyspace = ks.Keyspace
			c.mu.Unlock()
		}
		_ = c.write(req.Version, req.Stream, m, o)
		return
	}
	c.wmu.Lock()
	if req.Opcode == frame.OpStartup && req.Version < frame.V5 {
		c.comp = comp
	}
	err := c.writeLocked(req.Version, req.Stream, m, o)
	if req.Opcode == frame.OpStartup && req.Version >= frame.V5 {
		c.segments = true
		if comp == frame.LZ4 {
			c.segComp = comp
		}
	}
	c.wmu.Unlock()
	if err == nil {
		c.setState(next)
	}
}

// send writes m on stream in the connection's version.
func (c *conn) send(stream int16, m frame.Message) error {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	return c.write(v, stream, m, writeOpts{})
}

func (c *conn) write(v frame.Version, stream int16, m frame.Message, o writeOpts) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(v, stream, m, o)
}

// writeLocked encodes m in the current framing and writes it. A message
// that cannot be encoded (a test's mistake, such as v4-only fields in v3)
// is answered with a SERVER_ERROR saying why, so the test sees it.
func (c *conn) writeLocked(v frame.Version, stream int16, m frame.Message, o writeOpts) error {
	flags, env := o.envelope(v, m)
	h := frame.Header{Version: v, Stream: stream, Flags: flags}
	out, err := frame.AppendFrame(c.wbuf[:0], h, env, m, c.comp)
	if err != nil {
		msg := "cassandratest: cannot encode the answer: " + err.Error()
		h.Flags = 0
		if out, err = frame.AppendFrame(c.wbuf[:0], h, nil, &frame.ErrorResponse{Err: &frame.InternalError{Msg: msg}}, c.comp); err != nil {
			return err
		}
	}
	c.wbuf = out
	hdr := frame.HeaderSize
	if c.segments {
		if out, err = frame.AppendSegments(nil, out, c.segComp); err != nil {
			return err
		}
		hdr = frame.SegmentHeaderSize
		if c.segComp != nil {
			hdr = frame.CompressedSegmentHeaderSize
		}
	}
	if o.half {
		// The header, which announces the whole length, and half the rest.
		out = out[:hdr+(len(out)-hdr)/2]
	}
	return c.writeBytes(out)
}

func (c *conn) writeRaw(b []byte) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.writeBytes(b)
}

// timeUUID returns a version 1 (time-based) UUID, as Cassandra's tracing
// session ids are.
func timeUUID() [16]byte {
	u, err := uuid.NewUUID()
	if err != nil {
		return RandomUUID()
	}
	return u
}

// writeTimeout bounds a write to a client that stopped reading, so that
// SendEvent or a reaction cannot block its caller for ever.
const writeTimeout = 10 * time.Second

// writeBytes writes b; wmu is held. A failed write may have left part of
// a frame behind, so the connection is closed.
func (c *conn) writeBytes(b []byte) error {
	_ = c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := c.nc.Write(b); err != nil {
		c.close()
		return err
	}
	return nil
}

// startupOption returns a STARTUP option, its key matched without regard
// to case as Cassandra does.
func startupOption(st *frame.Startup, key string) string {
	for k, v := range st.Options {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return ""
}

func compressor(name string) frame.Compressor {
	switch strings.ToLower(name) {
	case "lz4":
		return frame.LZ4
	case "snappy":
		return frame.Snappy
	}
	return nil
}
