package frame

import (
	"errors"
	"fmt"
	"io"
)

// This file holds the envelope around a message body: the header, the
// optional fields that the header flags announce before the message
// (section 2.2 of the specs), and v3/v4 body compression.
//
// The order of those fields is tracing id, warnings, custom payload, as
// Cassandra writes and reads them (transport/Message.java): a tracing id is
// sent in responses only (a request's tracing flag carries no id), warnings
// in responses only, a custom payload in either direction from v4 on. When
// compression is on (v3/v4), the whole body, envelope fields included, is
// compressed.

// Envelope holds the optional fields that precede a message in a frame body.
type Envelope struct {
	// TracingID is the tracing session of a response with FlagTracing.
	TracingID [16]byte
	// Warnings are the server warnings of a response (FlagWarning, v4+).
	Warnings []string
	// CustomPayload is the custom payload of a request or response
	// (FlagCustomPayload, v4+).
	CustomPayload map[string][]byte
}

// Frame is a decoded frame: header, envelope fields and message body.
type Frame struct {
	Header Header
	Envelope
	// Body is the message body after the envelope fields, decompressed.
	Body []byte
}

// AppendFrame appends a whole frame: the header, the envelope fields and
// m encoded for h.Version, with the body length filled in.
//
// Of h only Version, Stream and the flags FlagTracing and FlagBeta are used;
// the rest is derived. Opcode and direction come from m. FlagTracing on a
// request asks for tracing; on a response it writes env.TracingID.
// FlagWarning is set when env.Warnings is non-nil (responses), and
// FlagCustomPayload when env.CustomPayload is non-nil; both need v4+. env may
// be nil.
//
// With a non-nil c and a v3/v4 frame, the body is compressed and
// FlagCompression set, except for STARTUP and OPTIONS, which precede the
// negotiation. For v5, c is ignored: compression happens on segments (see
// AppendSegments).
//
// dst is used as scratch for compression, so encoding into a reused buffer
// with enough capacity allocates nothing.
func AppendFrame(dst []byte, h Header, env *Envelope, m Message, c Compressor) ([]byte, error) {
	if !h.Version.Valid() {
		return dst, &EncodeError{What: "frame", Err: &UnsupportedVersionError{Version: byte(h.Version)}}
	}
	op := m.Opcode()
	h.Opcode = op
	h.Response = !op.IsRequest()
	h.Flags &= FlagTracing | FlagBeta
	if env != nil {
		if env.Warnings != nil {
			if !h.Response {
				return dst, &EncodeError{What: "frame warnings", Err: errors.New("only responses carry warnings")}
			}
			h.Flags |= FlagWarning
		}
		if env.CustomPayload != nil {
			h.Flags |= FlagCustomPayload
		}
		if h.Version < V4 && h.Flags&(FlagWarning|FlagCustomPayload) != 0 {
			return dst, &EncodeError{What: "frame envelope", Err: fmt.Errorf("warnings and custom payloads need v4 or later, not %v", h.Version)}
		}
		if len(env.CustomPayload) > 0xffff {
			return dst, &EncodeError{What: "frame custom payload", Err: fmt.Errorf("%d entries exceed 65535", len(env.CustomPayload))}
		}
	}
	compress := c != nil && h.Version < V5 && op != OpStartup && op != OpOptions
	if compress {
		h.Flags |= FlagCompression
	}

	start := len(dst)
	dst = AppendHeader(dst, h)
	bodyStart := len(dst)
	if h.Response && h.Flags&FlagTracing != 0 {
		dst = AppendUUID(dst, env.tracingID())
	}
	if h.Flags&FlagWarning != 0 {
		dst = AppendStringList(dst, env.Warnings)
	}
	if h.Flags&FlagCustomPayload != 0 {
		dst = AppendBytesMap(dst, env.CustomPayload)
	}
	dst, err := m.Encode(dst, h.Version)
	if err != nil {
		return dst[:start], err
	}
	if compress {
		// Compress behind the plain body, then move the result over it: one
		// buffer, no allocation once it is large enough.
		plainEnd := len(dst)
		if dst, err = c.AppendCompressed(dst, dst[bodyStart:plainEnd]); err != nil {
			return dst[:start], err
		}
		n := copy(dst[bodyStart:], dst[plainEnd:])
		dst = dst[:bodyStart+n]
	}
	n := len(dst) - bodyStart
	if n > DefaultMaxBodyLength {
		return dst[:start], &EncodeError{What: "frame", Err: &BodyTooLargeError{Length: int64(n), Max: DefaultMaxBodyLength}}
	}
	h.Length = int32(n)
	AppendHeader(dst[:start], h)
	return dst, nil
}

func (e *Envelope) tracingID() [16]byte {
	if e == nil {
		return [16]byte{}
	}
	return e.TracingID
}

// ParseFrame reads the envelope fields of a frame whose header is h and whose
// raw body (as read from the wire, h.Length bytes) is raw. A body with
// FlagCompression (v3/v4) is decompressed with c into scratch (appending to
// scratch[:0]), bounded by maxBody (DefaultMaxBodyLength when <= 0); the
// possibly grown scratch is returned for reuse.
//
// A header whose direction bit contradicts its opcode is refused.
// Frame.Body aliases raw or scratch; Warnings and CustomPayload are copies.
// A response with no flags is parsed without allocating.
func ParseFrame(h Header, raw []byte, c Compressor, scratch []byte, maxBody int) (Frame, []byte, error) {
	f := Frame{Header: h}
	if h.Response == h.Opcode.IsRequest() {
		// The direction bit decides which envelope fields are present, so a
		// bit that contradicts the opcode leaves the body unreadable.
		return f, scratch, &DecodeError{What: "frame header direction", Offset: 0, Err: fmt.Errorf("response bit %v on %v", h.Response, h.Opcode)}
	}
	body := raw
	if h.Flags&FlagCompression != 0 {
		if h.Version >= V5 {
			return f, scratch, &DecodeError{What: "frame flags", Offset: 1, Err: errors.New("compression flag in a v5 frame (v5 compresses segments)")}
		}
		if c == nil {
			return f, scratch, &DecodeError{What: "frame flags", Offset: 1, Err: errors.New("compressed frame on a connection without compression")}
		}
		var err error
		scratch, err = c.AppendDecompressed(scratch[:0], raw, maxBody)
		if err != nil {
			var de *DecodeError
			if errors.As(err, &de) {
				de.What = "frame body " + de.What
			}
			return f, scratch, err
		}
		body = scratch
	}
	if h.Flags&(FlagTracing|FlagWarning|FlagCustomPayload) == 0 || (!h.Response && h.Flags&FlagCustomPayload == 0) {
		f.Body = body
		return f, scratch, nil
	}
	what := "frame envelope"
	if h.Flags&FlagCompression != 0 {
		what = "frame envelope (offsets in the decompressed body)"
	}
	r := Reader{b: body, what: what}
	if h.Response && h.Flags&FlagTracing != 0 {
		f.TracingID = r.UUID("tracing id")
	}
	if h.Response && h.Flags&FlagWarning != 0 {
		f.Warnings = r.StringList("warnings")
		if f.Warnings == nil && r.err == nil {
			f.Warnings = []string{}
		}
	}
	if h.Flags&FlagCustomPayload != 0 {
		if h.Version < V4 {
			return f, scratch, &DecodeError{What: "frame flags", Offset: 1, Err: fmt.Errorf("custom payload flag in a %v frame", h.Version)}
		}
		f.CustomPayload = r.BytesMap("custom payload")
		if f.CustomPayload == nil && r.err == nil {
			f.CustomPayload = map[string][]byte{}
		}
	}
	if r.err != nil {
		return f, scratch, r.err
	}
	f.Body = r.Rest()
	return f, scratch, nil
}

// ReadFrame reads one frame from r, for v3/v4 streams and for v5 before the
// switch to segments. It reads into buf (reused from buf[:0]) and returns the
// header and the buffer holding header and raw body: the body is the returned
// slice from HeaderSize on. A declared length above maxBody
// (DefaultMaxBodyLength when <= 0) is refused before anything is read or
// allocated for the body, and the buffer grows only as body bytes arrive.
// A stream that ends cleanly before a header gives io.EOF; one that ends
// inside a frame gives an error wrapping ErrTruncated and io.ErrUnexpectedEOF.
func ReadFrame(r io.Reader, buf []byte, maxBody int) (Header, []byte, error) {
	buf = grow(buf[:0], HeaderSize)
	if n, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			return Header{}, buf[:0], io.EOF
		}
		return Header{}, buf[:n], &DecodeError{What: "frame header", Offset: n, Err: fmt.Errorf("%w: %w", ErrTruncated, err)}
	}
	h, err := DecodeHeader(buf, maxBody)
	if err != nil {
		return h, buf, err
	}
	total := HeaderSize + int(h.Length)
	for len(buf) < total {
		// Read in chunks at most as large as what arrived so far (and at
		// least 64 KiB), so a lying length costs no more than the bytes sent.
		at := len(buf)
		if cap(buf) >= total {
			buf = buf[:total]
		} else {
			chunk := min(total-at, max(at, 64<<10))
			nb := make([]byte, at+chunk, min(total, max(2*cap(buf), at+chunk)))
			copy(nb, buf)
			buf = nb
		}
		if n, err := io.ReadFull(r, buf[at:]); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return h, buf[:at+n], &DecodeError{What: "frame body", Offset: at + n, Err: fmt.Errorf("%w: %w", ErrTruncated, err)}
		}
	}
	return h, buf, nil
}
