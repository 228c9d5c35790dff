package main

// The wire-limit client: no driver, only pre-encoded frames. It keeps
// cfg.inflight requests pipelined on one socket, each on its own stream
// id, and reads answers by their header alone (the body is skipped, except
// an ERROR's). Its numbers bound what any driver could reach on the same
// connection and server: what is left is the kernel's and the server's.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/cqlgo/cassandra/bench/internal/workload"
	"github.com/cqlgo/cassandra/frame"
)

// wireConn is the handshaken connection and the frames of one request:
// one frame, or one per page for page10k, each encoded for stream 0.
type wireConn struct {
	c      net.Conn
	br     *bufio.Reader
	frames [][]byte
}

func openWire(ctx context.Context, cfg config) (*client, error) {
	d := net.Dialer{Timeout: 10 * time.Second}
	c, err := d.DialContext(ctx, "tcp", cfg.addr)
	if err != nil {
		return nil, err
	}
	w := &wireConn{c: c, br: bufio.NewReaderSize(c, 256<<10)}
	if err := w.setup(cfg); err != nil {
		c.Close()
		return nil, err
	}
	return &client{
		run:   func(ctx context.Context, ctl *control) { w.run(cfg.inflight, ctl) },
		close: func() { c.Close() },
	}, nil
}

// roundTrip sends m on stream 0 and returns the decoded answer.
func (w *wireConn) roundTrip(m frame.Message) (frame.Message, error) {
	b, err := frame.AppendFrame(nil, frame.Header{Version: frame.V4}, nil, m, nil)
	if err != nil {
		return nil, err
	}
	return w.roundTripRaw(b)
}

func (w *wireConn) roundTripRaw(b []byte) (frame.Message, error) {
	if _, err := w.c.Write(b); err != nil {
		return nil, err
	}
	h, fb, err := frame.ReadFrame(w.br, nil, 0)
	if err != nil {
		return nil, err
	}
	body := fb[frame.HeaderSize:]
	switch h.Opcode {
	case frame.OpReady:
		return &frame.Ready{}, nil
	case frame.OpError:
		return nil, decodeError(body)
	case frame.OpResult:
		return frame.DecodeResult(body, frame.V4)
	}
	return nil, fmt.Errorf("wire: unexpected %v", h.Opcode)
}

func decodeError(body []byte) error {
	var e frame.ErrorResponse
	if err := e.Decode(body, frame.V4); err != nil {
		return err
	}
	return e.Err
}

func (w *wireConn) prepare(cql string) ([]byte, error) {
	m, err := w.roundTrip(&frame.Prepare{Query: cql})
	if err != nil {
		return nil, fmt.Errorf("PREPARE %s: %w", cql, err)
	}
	p, ok := m.(*frame.PreparedResult)
	if !ok {
		return nil, fmt.Errorf("PREPARE %s answered %T", cql, m)
	}
	return p.ID, nil
}

func intValue(v int) frame.Value { return frame.Value{Bytes: workload.AppendInt(nil, int32(v))} }

// setup handshakes, prepares and encodes the frames of one request.
func (w *wireConn) setup(cfg config) error {
	if _, err := w.roundTrip(&frame.Startup{Options: map[string]string{frame.StartupCQLVersion: "3.0.0"}}); err != nil {
		return fmt.Errorf("STARTUP: %w", err)
	}
	enc := func(m frame.Message) error {
		b, err := frame.AppendFrame(nil, frame.Header{Version: frame.V4}, nil, m, nil)
		w.frames = append(w.frames, b)
		return err
	}
	insertValues := []frame.Value{intValue(1), intValue(0), {Bytes: []byte(workload.InsertText)}}
	switch cfg.workload {
	case workload.Select1:
		id, err := w.prepare(workload.SelectCQL)
		if err != nil {
			return err
		}
		return enc(&frame.Execute{ID: id, Params: frame.QueryParams{Consistency: frame.LocalOne, SkipMetadata: true,
			Values: []frame.Value{intValue(1)}}})
	case workload.Insert:
		id, err := w.prepare(workload.InsertCQL)
		if err != nil {
			return err
		}
		return enc(&frame.Execute{ID: id, Params: frame.QueryParams{Consistency: frame.LocalOne, Values: insertValues}})
	case workload.Batch10:
		id, err := w.prepare(workload.InsertCQL)
		if err != nil {
			return err
		}
		b := &frame.Batch{Type: frame.UnloggedBatch, Consistency: frame.LocalOne}
		for c := range workload.BatchSize {
			b.Statements = append(b.Statements, frame.BatchStatement{ID: id,
				Values: []frame.Value{insertValues[0], intValue(c), insertValues[2]}})
		}
		return enc(b)
	case workload.Page10k:
		id, err := w.prepare(workload.PageCQL)
		if err != nil {
			return err
		}
		// Walk the pages once to learn their paging states; a paging state
		// is a position in the partition, valid for every later query.
		var state []byte
		rows := 0
		for {
			if err := enc(&frame.Execute{ID: id, Params: frame.QueryParams{Consistency: frame.LocalOne, SkipMetadata: true,
				PageSize: workload.PageSize, PagingState: state, Values: []frame.Value{intValue(0)}}}); err != nil {
				return err
			}
			m, err := w.roundTripRaw(w.frames[len(w.frames)-1])
			if err != nil {
				return err
			}
			r, ok := m.(*frame.RowsResult)
			if !ok {
				return fmt.Errorf("page10k answered %T", m)
			}
			rows += r.RowCount
			if state = r.Metadata.PagingState; state == nil {
				break
			}
			if len(w.frames) > 10 {
				return errors.New("page10k: more than 10 pages")
			}
		}
		return checkRows(rows)
	}
	return fmt.Errorf("wire: no workload %s", cfg.workload)
}

// directLimit is the most request bytes in flight for which the reader
// writes follow-up requests itself: the server's receive buffer holds them
// all, so such a write never blocks while the server waits for us to read.
// Above it a writer goroutine sends them.
const directLimit = 64 << 10

// run keeps n requests in flight until ctl says stop, then waits for the
// ones started.
func (w *wireConn) run(n int, ctl *control) {
	largest := 0
	for _, f := range w.frames {
		largest = max(largest, len(f))
	}
	direct := n*largest <= directLimit
	type slot struct {
		start time.Time
		page  int
		err   error
	}
	slots := make([]slot, n)
	var (
		mu      sync.Mutex
		pending []byte
		wake    = make(chan struct{}, 1)
		wdone   = make(chan struct{})
	)
	go func() { // the writer: sends whatever was queued, in one write
		defer close(wdone)
		var out []byte
		for range wake {
			mu.Lock()
			out, pending = pending, out[:0]
			mu.Unlock()
			if len(out) > 0 {
				if _, err := w.c.Write(out); err != nil {
					w.c.Close() // the reader sees it and ends
					return
				}
			}
		}
	}()
	var local []byte
	queue := func(stream int, f []byte) {
		i := len(local)
		local = append(local, f...)
		local[i+2], local[i+3] = byte(stream>>8), byte(stream)
	}
	flush := func() {
		if len(local) == 0 {
			return
		}
		if direct {
			if _, err := w.c.Write(local); err != nil {
				w.c.Close() // the reader sees it and ends
			}
			local = local[:0]
			return
		}
		mu.Lock()
		pending = append(pending, local...)
		mu.Unlock()
		local = local[:0]
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	active := 0
	for s := range slots {
		if _, ok := ctl.next(); !ok {
			break
		}
		slots[s].start = time.Now()
		queue(s, w.frames[0])
		active++
	}
	flush()
	var hdr [frame.HeaderSize]byte
	for active > 0 {
		if _, err := io.ReadFull(w.br, hdr[:]); err != nil {
			ctl.failed.Add(int64(active))
			break
		}
		h, err := frame.DecodeHeader(hdr[:], 0)
		if err != nil || int(h.Stream) < 0 || int(h.Stream) >= n {
			ctl.failed.Add(int64(active))
			break
		}
		s := &slots[h.Stream]
		if h.Opcode == frame.OpError {
			body := make([]byte, h.Length)
			if _, err := io.ReadFull(w.br, body); err != nil {
				break
			}
			s.err = decodeError(body)
		} else if _, err := w.br.Discard(int(h.Length)); err != nil {
			break
		}
		if s.err == nil && s.page+1 < len(w.frames) {
			s.page++
			queue(int(h.Stream), w.frames[s.page])
		} else {
			ctl.done(s.start, s.err)
			if _, ok := ctl.next(); ok {
				*s = slot{start: time.Now()}
				queue(int(h.Stream), w.frames[0])
			} else {
				active--
			}
		}
		if !wholeFrameBuffered(w.br) {
			flush()
		}
	}
	close(wake)
	<-wdone
}

// wholeFrameBuffered reports whether the next answer can be read without
// waiting for the network.
func wholeFrameBuffered(br *bufio.Reader) bool {
	if br.Buffered() < frame.HeaderSize {
		return false
	}
	b, _ := br.Peek(frame.HeaderSize)
	h, err := frame.DecodeHeader(b, 0)
	return err != nil || br.Buffered() >= frame.HeaderSize+int(h.Length)
}
