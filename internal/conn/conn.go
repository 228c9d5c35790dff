package conn

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

// Dialer opens network connections; net.Dialer satisfies it. Set
// Cluster.Dialer to route connections through a proxy or a test harness.
type Dialer interface {
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Config is what a connection needs from the cluster's configuration.
type Config struct {
	Version          frame.Version
	ExplicitVersion  bool
	Compression      Compression
	Auth             Authenticator
	TLS              *tls.Config
	Dialer           Dialer
	ConnectTimeout   time.Duration
	Heartbeat        time.Duration
	HeartbeatTimeout time.Duration
	// ProbeTimeout bounds the OPTIONS sent when Probe is called (after an
	// attempt timed out); 0 disables probes.
	ProbeTimeout  time.Duration
	MaxRequests   int
	MaxOrphans    int
	MaxBody       int
	Keyspace      string
	Logger        *slog.Logger
	DriverName    string
	DriverVersion string
	// ApplicationName, ApplicationVersion and ClientID go in STARTUP when
	// set.
	ApplicationName, ApplicationVersion, ClientID string

	// onEvent receives server events (stream -1). It runs on the reader
	// goroutine and must not block.
	OnEvent func(*frame.Event)
	// onClose is told once when the connection closes, with the reason.
	OnClose func(*Conn, error)
	// Traffic, when set, counts the bytes the connection sends and
	// receives.
	Traffic *Traffic
	// OnDrain is told once when more than MaxOrphans requests went
	// unanswered: the connection is to be replaced and closed. Without it
	// the connection closes at once.
	OnDrain func(*Conn)
}

// conn is one socket to one host, multiplexing requests over stream ids.
// One reader and one writer goroutine serve it; callers encode their own
// frames and wait for the answer on their call.
type Conn struct {
	cfg     *Config
	addr    netip.AddrPort
	nc      net.Conn
	br      *bufio.Reader
	version frame.Version
	comp    frame.Compressor // nil when uncompressed
	framing framing          // v3/v4 frames or v5 segments, for the reader and writer

	streams *streamSet
	calls   callTable
	writeq  writeQueue

	closed    chan struct{}
	closeOnce sync.Once
	closeErr  error // set before closed is closed
	orphans   atomic.Int32
	draining  atomic.Bool // past the orphan bound, waiting to be replaced
	opened    time.Time
	probe     chan struct{} // a send asks the heartbeat goroutine for a probe
	lastRead  atomic.Int64  // unix nanos of the last frame read
	keyspace  atomic.Pointer[string]
	wg        sync.WaitGroup

	// The calls' deadlines (deadlines.go).
	sweepMu     sync.RWMutex // finish reads, a sweep writes
	armMu       sync.Mutex   // guards sweepTimer, sweepClosed
	sweepTimer  *time.Timer
	sweepClosed bool
	sweepAt     atomic.Int64 // when the timer fires (mono); 0: not armed
}

// call is one request in flight. Calls are pooled; a call whose caller gave
// up stays owned by the connection until its response arrives (or the
// connection closes), then goes back to the pool.
type call struct {
	stream int16
	buf    []byte // the encoded request frame
	state  atomic.Int32
	done   chan struct{} // receives once per use
	// claim settles whether the frame goes out: the writer moves it from
	// 0 to 1 before writing, a caller giving up moves it from 0 to 2 and
	// the writer then skips it, so "not written" is known for certain.
	claim atomic.Int32
	resp  response
	next  *call // the next call in the write queue (writequeue.go)
	// started and deadline (the connection's mono clock; deadline 0:
	// none) are set before the call is in the table, for the sweep.
	started, deadline int64
	// dst is the caller's buffer for the response body (ExecAt), or nil.
	dst []byte
}

// readBufferSize is the size of a connection's read buffer (and of the v5
// segment reader's).
const readBufferSize = 16 << 10

// Call states.
const (
	callPending   int32 = iota
	callDone            // the response (or error) is in resp
	callAbandoned       // the caller left; the reader recycles the call
	callExpired         // the deadline sweep failed it; the caller reads it last
)

// response is what came back for a call.
type response struct {
	frame frame.Frame
	err   error
}

var callPool = sync.Pool{New: func() any { return &call{done: make(chan struct{}, 1)} }}

func getCall() *call {
	c := callPool.Get().(*call)
	c.state.Store(callPending)
	c.claim.Store(0)
	c.resp = response{}
	return c
}

func putCall(c *call) {
	if cap(c.buf) > 64<<10 {
		c.buf = nil // do not pin large buffers in the pool
	}
	c.buf = c.buf[:0]
	c.resp = response{}
	c.dst = nil
	callPool.Put(c)
}

// Dial opens a connection to addr and completes the handshake: OPTIONS,
// STARTUP, authentication, and USE keyspace when one is configured.
func Dial(ctx context.Context, addr netip.AddrPort, cfg *Config) (*Conn, error) {
	if cfg.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.ConnectTimeout)
		defer cancel()
	}
	nc, err := cfg.Dialer.DialContext(ctx, "tcp", addr.String())
	if err != nil {
		return nil, &ConnError{Host: addr, Op: "dial", Err: err}
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	if cfg.TLS != nil {
		tcfg := cfg.TLS.Clone()
		if tcfg.ServerName == "" && !tcfg.InsecureSkipVerify {
			tcfg.ServerName = addr.Addr().String()
		}
		tc := tls.Client(nc, tcfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, &ConnError{Host: addr, Op: "tls", Err: err}
		}
		nc = tc
	}
	c := &Conn{
		cfg:     cfg,
		addr:    addr,
		nc:      nc,
		version: cfg.Version,
		streams: newStreamSet(cfg.MaxRequests),
		writeq:  newWriteQueue(),
		closed:  make(chan struct{}),
		probe:   make(chan struct{}, 1),
		opened:  time.Now(),
	}
	// 16 KiB: bodies larger than the buffer are read past it, straight
	// into their own memory, so a bigger one would only cost idle memory.
	if cfg.Traffic != nil {
		c.br = bufio.NewReaderSize(countingReader{nc, cfg.Traffic}, readBufferSize)
	} else {
		c.br = bufio.NewReaderSize(nc, readBufferSize)
	}
	if err := c.handshake(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	c.lastRead.Store(time.Now().UnixNano())
	c.wg.Add(2)
	go c.readLoop()
	go c.writeLoop()
	if cfg.Heartbeat > 0 || cfg.ProbeTimeout > 0 {
		c.wg.Add(1)
		go c.heartbeatLoop()
	}
	if cfg.Keyspace != "" {
		if err := c.UseKeyspace(ctx, cfg.Keyspace); err != nil {
			c.CloseWith(err)
			return nil, err
		}
	}
	return c, nil
}

// err returns why the connection closed, or nil while it is open.
func (c *Conn) Err() error {
	select {
	case <-c.closed:
		return c.closeErr
	default:
		return nil
	}
}

// isClosed reports whether the connection has closed.
func (c *Conn) IsClosed() bool {
	select {
	case <-c.closed:
		return true
	default:
		return false
	}
}

// close shuts the connection down and fails every call in flight with err.
// It is safe to call many times; the first reason wins.
func (c *Conn) CloseWith(err error) {
	c.closeOnce.Do(func() {
		if err == nil {
			err = ErrClosed
		}
		c.closeErr = err
		close(c.closed)
		c.stopSweeps()
		c.nc.Close()
		c.calls.each(func(cl *call) { c.finish(cl, response{err: err}) })
		if c.cfg.OnClose != nil {
			c.cfg.OnClose(c, err) // must not wait for this connection's goroutines
		}
		c.cfg.Logger.Debug("cassandra: connection closed", "host", c.addr, "reason", err)
	})
}

// Close closes the connection and waits for its goroutines to exit.
func (c *Conn) Close() {
	c.CloseWith(ErrClosed)
	c.wg.Wait()
}

// finish completes cl with r unless it was already completed, releasing its
// stream. The caller of exec receives r; an abandoned call is recycled.
func (c *Conn) finish(cl *call, r response) {
	c.sweepMu.RLock()
	c.finishLocked(cl, r)
	c.sweepMu.RUnlock()
}

// finishLocked is finish for a caller holding sweepMu.
func (c *Conn) finishLocked(cl *call, r response) {
	if !c.calls.slot(cl.stream).CompareAndSwap(cl, nil) {
		return // already finished by the reader or the closer
	}
	c.streams.free(cl.stream)
	if cl.state.CompareAndSwap(callPending, callDone) {
		cl.resp = r
		cl.done <- struct{}{}
		return
	}
	// Abandoned or expired: the caller left on timeout; nobody waits.
	c.orphans.Add(-1)
	if r.err == nil && cl.state.Load() == callAbandoned {
		putCall(cl)
	}
	// A call failed by close is not pooled: the writer may still hold it
	// (queued, or being copied out), and a reuse would rewrite its buffer.
	// Nor is an expired one: its caller may still be reading it.
}

// bodyDst returns the body buffer the caller holding stream offered (the
// reader asks before reading a response body), or nil.
func (c *Conn) bodyDst(stream int16) []byte {
	if cl := c.calls.load(stream); cl != nil {
		return cl.dst
	}
	return nil
}

// inFlight returns the number of stream ids in use.
func (c *Conn) InFlight() int { return c.streams.used() }

// exec sends req and waits for its response frame. An ERROR response comes
// back as the server error; ctx bounds the wait. When ctx ends first the
// caller is released at once; the stream id stays reserved until the late
// response arrives, and too many such orphans close the connection.
func (c *Conn) Exec(ctx context.Context, req frame.Message, payload map[string][]byte, tracing bool) (frame.Frame, error) {
	return c.ExecUntil(ctx, time.Time{}, req, payload, tracing)
}

// ErrDeadline is the cause of a TimeoutError when the request's own
// deadline (not its context) ran out.
// ErrDeadline is the reason of a TimeoutError whose request deadline passed.
var ErrDeadline = fmt.Errorf("request timeout: %w", context.DeadlineExceeded)

// execUntil is exec with a deadline of its own besides ctx's (zero: none).
// The request path passes its timeout this way rather than deriving a
// context, which would cost allocations on every request.
func (c *Conn) ExecUntil(ctx context.Context, deadline time.Time, req frame.Message, payload map[string][]byte, tracing bool) (frame.Frame, error) {
	return c.ExecAt(ctx, time.Now(), deadline, nil, req, payload, tracing)
}

// ExecAt is ExecUntil for a caller that has just read the clock: start is
// that reading, which spares the hot path a clock read per request (the
// Elapsed of timeout errors counts from it). The deadline is enforced by
// the connection's deadline sweep (deadlines.go), not a timer per call.
//
// dst, when not nil, is where the response body goes if it fits (uncompressed,
// up to cap(dst) bytes), sparing an allocation: the returned frame's Body
// then aliases dst. The connection may write dst until the response arrives
// even after ExecAt returned (on a timeout the answer can still come), so a
// caller offers a buffer for one call only and never reuses it.
func (c *Conn) ExecAt(ctx context.Context, start, deadline time.Time, dst []byte, req frame.Message, payload map[string][]byte, tracing bool) (frame.Frame, error) {
	if err := c.Err(); err != nil {
		return frame.Frame{}, err
	}
	cl := getCall()
	cl.dst = dst
	id, ok := c.streams.alloc()
	if !ok {
		putCall(cl)
		return frame.Frame{}, ErrConnBusy
	}
	cl.stream = id
	var err error
	cl.buf, err = c.encode(cl.buf[:0], id, req, payload, tracing)
	if err != nil {
		c.streams.free(id)
		putCall(cl)
		return frame.Frame{}, err
	}
	cl.deadline = 0
	if !deadline.IsZero() {
		if !deadline.After(start) {
			c.streams.free(id)
			putCall(cl)
			return frame.Frame{}, &TimeoutError{Host: c.addr, Err: ErrDeadline}
		}
		cl.started, cl.deadline = c.mono(start), c.mono(deadline)
	}
	c.calls.slot(id).Store(cl)
	if cl.deadline != 0 {
		c.armSweep(cl.deadline)
	}
	if c.IsClosed() {
		// close may have swept the table before the store: finish here.
		c.finish(cl, response{err: c.closeErr})
	} else {
		c.writeq.push(cl)
	}
	var gaveUp error
	if done := ctx.Done(); done == nil {
		<-cl.done
	} else {
		select {
		case <-cl.done:
		case <-done:
			gaveUp = ctx.Err()
		}
	}
	if gaveUp != nil {
		if err := c.giveUp(cl, start, gaveUp); err != nil {
			return frame.Frame{}, err
		}
		<-cl.done // the response won the race
	}
	r := cl.resp
	if r.err != nil {
		// Not pooled: on a closing connection the writer may still hold the
		// call's buffer.
		return frame.Frame{}, r.err
	}
	putCall(cl)
	if r.frame.Header.Opcode == frame.OpError {
		return r.frame, c.serverError(r.frame)
	}
	return r.frame, nil
}

// giveUp settles a call whose caller stops waiting (its context ended;
// deadlines are the sweep's) and returns the caller's error, or nil when the answer
// came first and is to be taken after all. It is ExecAt's cold half, kept
// out of its frame, which every waiting request has on its stack.
//
//go:noinline
func (c *Conn) giveUp(cl *call, start time.Time, gaveUp error) error {
	if cl.claim.CompareAndSwap(0, 2) {
		// Still queued: it will never be written, so no answer will
		// come and nothing was applied. Release the stream now; the
		// call is not pooled (the writer may yet dequeue it).
		c.finish(cl, response{})
		return &TimeoutError{Host: c.addr, Err: gaveUp, Elapsed: time.Since(start)}
	}
	if !cl.state.CompareAndSwap(callPending, callAbandoned) {
		return nil
	}
	if n := c.orphans.Add(1); c.cfg.MaxOrphans > 0 && int(n) > c.cfg.MaxOrphans && c.draining.CompareAndSwap(false, true) {
		c.tooManyOrphans(int(n))
	}
	return &TimeoutError{Host: c.addr, MaybeApplied: true, Err: gaveUp, Elapsed: time.Since(start)}
}

// serverError decodes an ERROR answer into the server's error.
//
//go:noinline
func (c *Conn) serverError(f frame.Frame) error {
	var em frame.ErrorResponse
	if err := em.Decode(f.Body, c.version); err != nil {
		return &ConnError{Host: c.addr, Op: "decode", Err: err}
	}
	return em.Err
}

// readLoop reads frames and hands each to its call.
func (c *Conn) readLoop() {
	defer c.wg.Done()
	for {
		f, err := c.framing.readFrame(c.br)
		if err != nil {
			if c.IsClosed() {
				return
			}
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
				err = io.ErrUnexpectedEOF
			}
			op := "read"
			var de *frame.DecodeError
			if errors.As(err, &de) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, net.ErrClosed) {
				op = "decode" // bytes that arrived but make no sense
			}
			c.CloseWith(&ConnError{Host: c.addr, Op: op, Err: err})
			return
		}
		c.lastRead.Store(time.Now().UnixNano())
		if f.Header.Version != c.version || !f.Header.Response {
			// Every frame of a connection is of its version and from the
			// server: anything else is a corrupt or hostile stream.
			c.CloseWith(&ConnError{Host: c.addr, Op: "decode", Err: fmt.Errorf("frame of protocol version %d (response %v) on a protocol %d connection", f.Header.Version, f.Header.Response, c.version)})
			return
		}
		if f.Header.Stream < 0 {
			c.handleEvent(f)
			continue
		}
		cl := c.calls.load(f.Header.Stream)
		if cl == nil {
			// A response for a stream nobody holds is a server bug or a
			// corrupt stream; frames after it cannot be trusted either.
			c.CloseWith(&ConnError{Host: c.addr, Op: "read", Err: fmt.Errorf("response on stream %d which has no request", f.Header.Stream)})
			return
		}
		c.finish(cl, response{frame: f})
	}
}

func (c *Conn) handleEvent(f frame.Frame) {
	if f.Header.Opcode != frame.OpEvent || c.cfg.OnEvent == nil {
		return
	}
	ev := new(frame.Event)
	if err := ev.Decode(f.Body, c.version); err != nil {
		c.cfg.Logger.Warn("cassandra: undecodable event", "host", c.addr, "err", err)
		return
	}
	c.cfg.OnEvent(ev)
}

// writeLoop writes queued frames. It takes every call already queued
// before writing, so bursts share one syscall, but never waits for more:
// a lone request on an idle connection is written at once.
func (c *Conn) writeLoop() {
	defer c.wg.Done()
	var out []byte
	var batch [][]byte
	for {
		list := c.writeq.take()
		if list == nil {
			select {
			case <-c.writeq.wake:
				continue
			case <-c.closed:
				return
			}
		}
		// Once, let the goroutines that are ready to run queue their
		// requests before the write: under load this folds many requests
		// into one syscall, and on an idle connection nothing else is
		// runnable, so Gosched returns at once and no latency is added
		// (unlike a timer-based coalescing window).
		runtime.Gosched()
		if more := c.writeq.take(); more != nil {
			last := list
			for last.next != nil {
				last = last.next
			}
			last.next = more
		}
		batch = batch[:0]
		n := 0
		for cl := list; cl != nil; {
			// next is read before the call can go back to its caller: a
			// written call is answered only after the write below.
			next := cl.next
			cl.next = nil
			if cl.claim.CompareAndSwap(0, 1) { // else its caller gave up before it went out
				batch = append(batch, cl.buf)
				n += len(cl.buf)
			}
			cl = next
			if len(batch) == 0 || (n < 256<<10 && cl != nil) {
				continue
			}
			var err error
			out, err = c.framing.appendOut(out[:0], batch)
			if err == nil {
				var w int
				w, err = c.nc.Write(out)
				if c.cfg.Traffic != nil {
					c.cfg.Traffic.Sent.Add(uint64(w))
				}
			}
			if err != nil {
				c.CloseWith(&ConnError{Host: c.addr, Op: "write", Err: err})
				return
			}
			if cap(out) > 1<<20 {
				out = nil
			}
			batch = batch[:0]
			n = 0
		}
	}
}

// heartbeatLoop sends OPTIONS when the connection has been silent for the
// heartbeat interval; a heartbeat that fails or times out closes the
// connection, so no caller waits on a dead socket. The timer is aimed at
// one interval after the last frame read, so a node that hangs is found
// within interval + heartbeat timeout of its last answer.
func (c *Conn) heartbeatLoop() {
	defer c.wg.Done()
	var tick <-chan time.Time
	var t *time.Timer
	if c.cfg.Heartbeat > 0 {
		t = time.NewTimer(c.cfg.Heartbeat)
		defer t.Stop()
		tick = t.C
	}
	for {
		op, timeout := "heartbeat", c.cfg.HeartbeatTimeout
		select {
		case <-c.closed:
			return
		case <-c.probe:
			op, timeout = "probe", c.cfg.ProbeTimeout
		case <-tick:
			if idle := time.Since(time.Unix(0, c.lastRead.Load())); idle < c.cfg.Heartbeat {
				t.Reset(c.cfg.Heartbeat - idle)
				continue
			}
		}
		sent := time.Now().UnixNano()
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		_, err := c.Exec(ctx, &frame.Options{}, nil, false)
		cancel()
		// Any frame read since the OPTIONS went out proves the node
		// alive: on a busy connection the answer may queue behind large
		// responses, and closing a working connection would fail every
		// request on it.
		if err != nil && !c.IsClosed() && c.lastRead.Load() <= sent {
			c.CloseWith(&ConnError{Host: c.addr, Op: op, Err: err})
			return
		}
		if t != nil && op == "heartbeat" {
			t.Reset(c.cfg.Heartbeat)
		}
	}
}

// Probe asks the connection to prove, within ProbeTimeout, that the node
// still answers: an OPTIONS goes out on the heartbeat goroutine, and with no
// answer the connection closes with a "probe" *ConnError. Calls while a
// probe is pending are merged. It never blocks.
func (c *Conn) Probe() {
	if c.cfg.ProbeTimeout <= 0 {
		return
	}
	select {
	case c.probe <- struct{}{}:
	default:
	}
}

// useKeyspace switches the connection's keyspace.
func (c *Conn) UseKeyspace(ctx context.Context, ks string) error {
	if cur := c.keyspace.Load(); cur != nil && *cur == ks {
		return nil
	}
	q := &frame.Query{Query: "USE " + quoteIdent(ks), Params: frame.QueryParams{Consistency: frame.One}}
	if _, err := c.Exec(ctx, q, nil, false); err != nil {
		return err
	}
	c.keyspace.Store(&ks)
	return nil
}

// quoteIdent quotes a CQL identifier.
func quoteIdent(s string) string {
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return string(append(b, '"'))
}

// Version returns the protocol version the connection speaks.
func (c *Conn) Version() frame.Version { return c.version }

// Addr returns the address the connection was opened to.
func (c *Conn) Addr() netip.AddrPort { return c.addr }

// Done is closed when the connection has closed.
func (c *Conn) Done() <-chan struct{} { return c.closed }

// Compressor returns the compression the connection negotiated, nil for
// none.
func (c *Conn) Compressor() frame.Compressor { return c.comp }

// Keyspace returns the keyspace the connection last switched to with USE
// (UseKeyspace, or the configured one), "" for none.
func (c *Conn) Keyspace() string {
	if ks := c.keyspace.Load(); ks != nil {
		return *ks
	}
	return ""
}

// Orphaned returns the requests whose caller gave up and whose answer has
// not come yet; their stream ids stay taken until it does.
func (c *Conn) Orphaned() int { return int(c.orphans.Load()) }

// AvailableStreams returns the stream ids free for new requests.
func (c *Conn) AvailableStreams() int { return int(c.streams.limit) - c.streams.used() }

// Draining reports that the connection passed the orphan bound and is to
// be replaced: new requests should go elsewhere when they can.
func (c *Conn) Draining() bool { return c.draining.Load() }

// Opened returns when the connection was dialled.
func (c *Conn) Opened() time.Time { return c.opened }

// Traffic counts the bytes connections sent and received; connections
// sharing one add to the same totals.
type Traffic struct {
	Sent, Received atomic.Uint64
}

// countingReader adds what it reads to a Traffic.
type countingReader struct {
	r io.Reader
	t *Traffic
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.t.Received.Add(uint64(n))
	return n, err
}
