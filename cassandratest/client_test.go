package cassandratest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

// client is a raw frame-level client: just enough protocol to drive the
// node from tests, independent of the driver under test.
type client struct {
	t        *testing.T
	nc       net.Conn
	br       *bufio.Reader
	v        frame.Version
	comp     frame.Compressor // v3/v4 bodies sent
	readComp frame.Compressor // v3/v4 bodies received, flagged per frame
	segments bool
	dec      frame.SegmentDecoder
	rbuf     []byte
}

func dial(t *testing.T, n *Node, v frame.Version) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", n.Addr().String(), 5*time.Second)
	require.NoError(t, err)
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, br: bufio.NewReader(nc), v: v, rbuf: make([]byte, 64<<10)}
}

// send writes m on stream in the client's current framing.
func (c *client) send(stream int16, m frame.Message) {
	c.t.Helper()
	c.sendFlags(stream, 0, m)
}

// sendFlags writes m on stream with header flags (FlagTracing).
func (c *client) sendFlags(stream int16, flags frame.Flags, m frame.Message) {
	c.t.Helper()
	b, err := frame.AppendFrame(nil, frame.Header{Version: c.v, Stream: stream, Flags: flags}, nil, m, c.comp)
	require.NoError(c.t, err)
	if c.segments {
		b, err = frame.AppendSegments(nil, b, c.dec.Compressor)
		require.NoError(c.t, err)
	}
	_, err = c.nc.Write(b)
	require.NoError(c.t, err)
}

// read returns the next frame, or an error (io.EOF when the node closed).
func (c *client) read() (frame.Frame, error) {
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if !c.segments {
		h, buf, err := frame.ReadFrame(c.br, nil, 0)
		if err != nil {
			return frame.Frame{}, err
		}
		f, _, err := frame.ParseFrame(h, buf[frame.HeaderSize:], c.readComp, nil, 0)
		return f, err
	}
	for {
		if c.dec.Next() {
			body := append([]byte(nil), c.dec.Body()...)
			f, _, err := frame.ParseFrame(c.dec.Header(), body, nil, nil, 0)
			return f, err
		}
		if err := c.dec.Err(); err != nil {
			return frame.Frame{}, err
		}
		k, err := c.br.Read(c.rbuf)
		if k > 0 {
			c.dec.Feed(c.rbuf[:k])
			continue
		}
		return frame.Frame{}, err
	}
}

// recv returns the next frame and its decoded message.
func (c *client) recv() (frame.Frame, frame.Message) {
	c.t.Helper()
	f, err := c.read()
	require.NoError(c.t, err)
	m, err := decodeResponse(f)
	require.NoError(c.t, err)
	return f, m
}

// recvAfter sends m on stream 1 and returns the answer with its frame.
func (c *client) recvAfter(m frame.Message) (frame.Frame, frame.Message) {
	c.t.Helper()
	c.send(1, m)
	f, resp := c.recv()
	require.Equal(c.t, int16(1), f.Header.Stream)
	return f, resp
}

// roundTrip sends m on stream 1 and returns the answer.
func (c *client) roundTrip(m frame.Message) frame.Message {
	c.t.Helper()
	c.send(1, m)
	f, resp := c.recv()
	require.Equal(c.t, int16(1), f.Header.Stream)
	return resp
}

// handshake runs STARTUP asking for compression (none when empty) and
// switches the framing as the node does.
func (c *client) handshake(compression string) frame.Message {
	c.t.Helper()
	opts := map[string]string{frame.StartupCQLVersion: "3.0.0"}
	if compression != "" {
		opts[frame.StartupCompression] = compression
	}
	c.expect(compression)
	resp := c.roundTrip(&frame.Startup{Options: opts})
	switch resp.(type) {
	case *frame.Ready, *frame.Authenticate:
		c.started(compression)
	}
	return resp
}

// expect readies the client for a compressed answer to a STARTUP asking
// for compression: Cassandra compresses it in v3/v4.
func (c *client) expect(compression string) {
	if c.v < frame.V5 {
		c.readComp = compressor(compression)
	}
}

func (c *client) started(compression string) {
	comp := compressor(compression)
	if c.v >= frame.V5 {
		c.segments = true
		c.dec = frame.SegmentDecoder{Compressor: comp}
		return
	}
	c.comp = comp
}

// ready dials and completes a handshake without authentication.
func ready(t *testing.T, n *Node, v frame.Version) *client {
	t.Helper()
	c := dial(t, n, v)
	require.IsType(t, &frame.Ready{}, c.handshake(""))
	return c
}

// expectClosed asserts that the node closed the connection.
func (c *client) expectClosed() {
	c.t.Helper()
	_ = c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.ReadAll(c.br)
	var ne net.Error
	require.False(c.t, errors.As(err, &ne) && ne.Timeout(), "connection still open")
}

func decodeResponse(f frame.Frame) (frame.Message, error) {
	var m frame.Message
	switch f.Header.Opcode {
	case frame.OpResult:
		return frame.DecodeResult(f.Body, f.Header.Version)
	case frame.OpError:
		m = &frame.ErrorResponse{}
	case frame.OpReady:
		m = &frame.Ready{}
	case frame.OpAuthenticate:
		m = &frame.Authenticate{}
	case frame.OpSupported:
		m = &frame.Supported{}
	case frame.OpAuthSuccess:
		m = &frame.AuthSuccess{}
	case frame.OpAuthChallenge:
		m = &frame.AuthChallenge{}
	case frame.OpEvent:
		m = &frame.Event{}
	default:
		return nil, fmt.Errorf("unexpected opcode %v", f.Header.Opcode)
	}
	return m, m.Decode(f.Body, f.Header.Version)
}

// serverErr returns the server error of an ERROR answer.
func serverErr(t *testing.T, m frame.Message) frame.ServerError {
	t.Helper()
	e, ok := m.(*frame.ErrorResponse)
	require.True(t, ok, "want ERROR, got %T", m)
	return e.Err
}

// rows returns the cells of a ROWS answer by column name.
func rows(t *testing.T, m frame.Message) (frame.RowsMetadata, []map[string][]byte) {
	t.Helper()
	r, ok := m.(*frame.RowsResult)
	require.True(t, ok, "want ROWS, got %T (%v)", m, m)
	var out []map[string][]byte
	it := r.Rows()
	cells := make([][]byte, it.Columns())
	for it.Next(cells) {
		row := map[string][]byte{}
		for i, c := range r.Metadata.Columns {
			row[c.Name] = cells[i]
		}
		out = append(out, row)
	}
	require.NoError(t, it.Err())
	return r.Metadata, out
}
