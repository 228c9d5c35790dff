package conn

import (
	"bufio"
	"io"
	"net"

	"github.com/cqlgo/cassandra/frame"
)

// framing is a connection's wire format: plain frames for v3/v4 and for the
// v5 handshake, v5 segments after it. The reader side (readFrame) and the
// writer side (appendOut) keep separate buffers, so the reader and writer
// goroutines can use them at once.
type framing struct {
	version  frame.Version
	maxBody  int
	segments bool
	comp     frame.Compressor

	// reader side
	// dst, when set, returns the buffer the caller of stream offered for
	// its response body (ExecAt's dst), or nil: a body that fits is read
	// there instead of into a new allocation.
	dst func(stream int16) []byte
	seg frame.SegmentDecoder
	hdr [frame.HeaderSize]byte

	// writer side
	payload []byte
}

func (f *framing) init(v frame.Version, maxBody int, _ net.Conn) {
	f.version, f.maxBody = v, maxBody
}

// started switches to the negotiated format once the server answered
// STARTUP: v5 moves to segments (compressed when comp is set), v3/v4 bodies
// are compressed from now on.
func (f *framing) started(comp frame.Compressor) {
	f.comp = comp
	if f.version >= frame.V5 {
		f.segments = true
		f.seg = frame.SegmentDecoder{Compressor: comp, MaxBody: f.maxBody}
	}
}

// readFrame returns the next frame. Its body is a fresh buffer that the
// caller owns: rows decoded from it alias it for as long as they live.
func (f *framing) readFrame(br *bufio.Reader) (frame.Frame, error) {
	if !f.segments {
		// The header is read into a fixed array and the body into one
		// buffer of its exact size: one allocation per frame. A declared
		// length over the maximum is refused before anything is allocated.
		if _, err := io.ReadFull(br, f.hdr[:]); err != nil {
			return frame.Frame{}, err
		}
		h, err := frame.DecodeHeader(f.hdr[:], f.maxBody)
		if err != nil {
			return frame.Frame{}, err
		}
		var body []byte
		if into := f.dstFor(h); into != nil && int(h.Length) <= cap(into) {
			body = into[:h.Length]
			if _, err := io.ReadFull(br, body); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return frame.Frame{}, err
			}
		} else if body, err = readBody(br, int(h.Length)); err != nil {
			return frame.Frame{}, err
		}
		fr, _, err := frame.ParseFrame(h, body, f.comp, nil, f.maxBody)
		return fr, err
	}
	for {
		if f.seg.Next() {
			var body []byte
			if into := f.dstFor(f.seg.Header()); into != nil && len(f.seg.Body()) <= cap(into) {
				body = append(into[:0], f.seg.Body()...)
			} else {
				body = append([]byte(nil), f.seg.Body()...)
			}
			fr, _, err := frame.ParseFrame(f.seg.Header(), body, nil, nil, f.maxBody)
			return fr, err
		}
		if err := f.seg.Err(); err != nil {
			return frame.Frame{}, err
		}
		// Fed from the read buffer itself (Feed copies), so segments need
		// no buffer of their own.
		if br.Buffered() == 0 {
			if _, err := br.Peek(1); err != nil {
				return frame.Frame{}, err
			}
		}
		b, _ := br.Peek(br.Buffered())
		f.seg.Feed(b)
		if _, err := br.Discard(len(b)); err != nil {
			return frame.Frame{}, err
		}
	}
}

// dstFor returns the buffer offered for the body of the response h heads,
// or nil. Compressed bodies are decompressed into a buffer of their own, so
// none is used for them.
func (f *framing) dstFor(h frame.Header) []byte {
	if f.dst == nil || h.Stream < 0 || h.Flags&frame.FlagCompression != 0 {
		return nil
	}
	return f.dst(h.Stream)
}

// appendOut appends encoded frames in wire format: as they are, or packed
// into v5 segments (as many whole frames per self-contained segment as fit;
// a frame too large for one segment is split over several).
func (f *framing) appendOut(dst []byte, frames [][]byte) ([]byte, error) {
	if !f.segments {
		for _, b := range frames {
			dst = append(dst, b...)
		}
		return dst, nil
	}
	var err error
	p := f.payload[:0]
	for _, b := range frames {
		if len(p)+len(b) > frame.MaxSegmentPayload && len(p) > 0 {
			if dst, err = frame.AppendSegments(dst, p, f.comp); err != nil {
				return dst, err
			}
			p = p[:0]
		}
		if len(b) > frame.MaxSegmentPayload {
			if dst, err = frame.AppendSegments(dst, b, f.comp); err != nil {
				return dst, err
			}
			continue
		}
		p = append(p, b...)
	}
	if len(p) > 0 {
		dst, err = frame.AppendSegments(dst, p, f.comp)
	}
	if cap(p) <= 1<<20 {
		f.payload = p[:0]
	}
	return dst, err
}

// encode appends the frame of req on stream id.
func (c *Conn) encode(dst []byte, id int16, req frame.Message, payload map[string][]byte, tracing bool) ([]byte, error) {
	h := frame.Header{Version: c.version, Stream: id}
	if tracing {
		h.Flags |= frame.FlagTracing
	}
	var env *frame.Envelope
	if payload != nil {
		env = &frame.Envelope{CustomPayload: payload}
	}
	return frame.AppendFrame(dst, h, env, req, c.comp)
}

// readBody reads an n-byte frame body. Bodies up to 1 MiB get one buffer of
// their size; larger ones grow as their bytes arrive, so a peer declaring a
// huge length and sending little costs little.
func readBody(r io.Reader, n int) ([]byte, error) {
	size := n
	if size > 1<<20 {
		size = 1 << 20
	}
	b := make([]byte, size)
	for {
		if _, err := io.ReadFull(r, b[len(b)-min(len(b), size):]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if len(b) == n {
			return b, nil
		}
		grow := min(len(b), n-len(b))
		b = append(b, make([]byte, grow)...)
		size = grow
	}
}
