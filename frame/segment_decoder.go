package frame

import "fmt"

// SegmentDecoder turns the raw bytes of a v5 connection, after the
// handshake, into frames. It checks every CRC, decompresses LZ4 payloads,
// splits self-contained segments into their frames and reassembles a frame
// spread over non-self-contained segments.
//
// It is used like a bufio.Scanner over pushed bytes:
//
//	d := frame.SegmentDecoder{Compressor: frame.LZ4}
//	for {
//		n, err := conn.Read(buf)
//		d.Feed(buf[:n])
//		for d.Next() {
//			h, body := d.Header(), d.Body()
//			...
//		}
//		if d.Err() != nil { ... } // the stream is corrupt; close it
//	}
//
// Memory is bounded: buffered input never exceeds one segment beyond what
// Feed was given at once, and a frame spread over segments is grown as its
// segments arrive, after its declared length was checked against MaxBody.
// Once its buffers are warm a decoder allocates nothing.
type SegmentDecoder struct {
	// Compressor is nil when the connection negotiated no compression, or LZ4.
	Compressor Compressor
	// MaxBody bounds the body length of a frame; DefaultMaxBodyLength when
	// <= 0.
	MaxBody int

	buf      []byte // fed bytes; buf[off:] not yet consumed
	off      int
	consumed int // stream offset of buf[0], for errors

	payload []byte // uncompressed payload of the current self-contained segment
	pOff    int
	pBase   int // stream offset of the current segment

	scratch []byte // decompressed payloads
	large   []byte // frame being reassembled from non-self-contained segments
	want    int    // its total size (header and body); 0 when none

	h    Header
	body []byte
	err  error
}

// Reset empties d, keeping its buffers, Compressor and MaxBody.
func (d *SegmentDecoder) Reset() {
	*d = SegmentDecoder{Compressor: d.Compressor, MaxBody: d.MaxBody,
		buf: d.buf[:0], scratch: d.scratch[:0], large: d.large[:0]}
}

// Feed appends bytes read from the connection. The current frame (Header
// and Body) is invalid after Feed.
func (d *SegmentDecoder) Feed(p []byte) {
	// Consumed bytes are dropped by moving the rest to the front, but not
	// while frames of the current self-contained payload, which may alias
	// buf, are still to be returned: then a plain append leaves them intact.
	if d.off > 0 && d.pOff >= len(d.payload) && (len(d.buf) == d.off || cap(d.buf)-len(d.buf) < len(p)) {
		n := copy(d.buf, d.buf[d.off:])
		d.consumed += d.off
		d.buf, d.off = d.buf[:n], 0
	}
	d.buf = append(d.buf, p...)
}

// Next advances to the next complete frame, reporting whether there is one.
// It returns false when more input is needed or the stream is corrupt; Err
// tells the two apart. An error is final.
func (d *SegmentDecoder) Next() bool {
	d.h, d.body = Header{}, nil
	if d.err != nil {
		return false
	}
	for {
		if d.pOff < len(d.payload) {
			return d.nextInPayload()
		}
		d.payload, d.pOff = nil, 0
		seg, ok := d.nextSegment()
		if !ok {
			return false
		}
		if seg.Header.SelfContained {
			if d.want > 0 {
				return d.fail("segment", d.pBase, fmt.Errorf("self-contained segment inside a frame split over segments (%d of %d bytes)", len(d.large), d.want))
			}
			d.payload = seg.Payload
			continue
		}
		if d.addPart(seg.Payload) {
			return true
		}
		if d.err != nil {
			return false
		}
	}
}

// nextInPayload cuts the next frame out of a self-contained payload.
func (d *SegmentDecoder) nextInPayload() bool {
	rest := d.payload[d.pOff:]
	at := d.pBase + d.pOff
	h, err := DecodeHeader(rest, d.MaxBody)
	if err != nil {
		return d.failWrap("self-contained segment", at, err)
	}
	n := HeaderSize + int(h.Length)
	if n > len(rest) {
		return d.fail("self-contained segment frame body", at, fmt.Errorf("%w: frame of %d bytes, %d left in the segment", ErrTruncated, n, len(rest)))
	}
	d.h, d.body = h, rest[HeaderSize:n:n]
	d.pOff += n
	return true
}

// addPart adds the payload of a non-self-contained segment to the frame
// being reassembled, reporting whether it is now complete.
func (d *SegmentDecoder) addPart(p []byte) bool {
	if d.want == 0 {
		h, err := DecodeHeader(p, d.MaxBody)
		if err != nil {
			return d.failWrap("first segment of a split frame", d.pBase, err)
		}
		d.want = HeaderSize + int(h.Length)
		d.h = h
		d.large = d.large[:0]
	}
	if len(d.large)+len(p) > d.want {
		return d.fail("segment", d.pBase, fmt.Errorf("split frame of %d bytes overrun: %d bytes with this segment", d.want, len(d.large)+len(p)))
	}
	// Append grows by doubling, so memory follows the bytes that arrived,
	// not the declared length.
	d.large = append(d.large, p...)
	if len(d.large) < d.want {
		d.h = Header{}
		return false
	}
	d.h, _ = DecodeHeader(d.large, d.MaxBody)
	d.body = d.large[HeaderSize:d.want:d.want]
	d.want = 0
	return true
}

// nextSegment decodes the next whole segment from buf, if it is all there.
func (d *SegmentDecoder) nextSegment() (Segment, bool) {
	bc, err := segmentCompressor(d.Compressor)
	if err != nil {
		d.err = err
		return Segment{}, false
	}
	b := d.buf[d.off:]
	hsize := SegmentHeaderSize
	if bc != nil {
		hsize = CompressedSegmentHeaderSize
	}
	if len(b) < hsize {
		return Segment{}, false
	}
	at := d.consumed + d.off
	h, err := DecodeSegmentHeader(b, bc != nil)
	if err != nil {
		d.failWrap("", at, err)
		return Segment{}, false
	}
	if len(b) < h.Len() {
		return Segment{}, false
	}
	if d.scratch == nil && bc != nil {
		d.scratch = make([]byte, 0, MaxSegmentPayload)
	}
	s, err := decodeSegmentBody(b, h, bc, d.scratch, at)
	if err != nil {
		d.err = err
		return Segment{}, false
	}
	d.off += h.Len()
	d.pBase = at + h.Size()
	return s, true
}

// Header returns the header of the current frame.
func (d *SegmentDecoder) Header() Header { return d.h }

// Body returns the body of the current frame. It aliases the decoder's
// buffers and is valid until the next call to Next or Feed.
func (d *SegmentDecoder) Body() []byte { return d.body }

// Err returns the error that stopped the decoder, or nil.
func (d *SegmentDecoder) Err() error { return d.err }

// Buffered returns the number of bytes fed and not yet consumed as whole
// segments.
func (d *SegmentDecoder) Buffered() int { return len(d.buf) - d.off }

// Finish reports an ErrTruncated error if the stream ended inside a segment
// or inside a frame split over segments; call it at end of input.
func (d *SegmentDecoder) Finish() error {
	if d.err != nil {
		return d.err
	}
	if d.Buffered() > 0 {
		return &DecodeError{What: "segment", Offset: d.consumed + len(d.buf), Err: ErrTruncated}
	}
	if d.want > 0 {
		return &DecodeError{What: "split frame", Offset: d.consumed + len(d.buf), Err: fmt.Errorf("%w: %d of %d bytes", ErrTruncated, len(d.large), d.want)}
	}
	return nil
}

func (d *SegmentDecoder) fail(what string, at int, err error) bool {
	d.err = &DecodeError{What: what, Offset: at, Err: err}
	d.h, d.body = Header{}, nil
	return false
}

// failWrap records err, a *DecodeError about bytes starting at stream offset
// at, with its offset made absolute and what prefixed.
func (d *SegmentDecoder) failWrap(what string, at int, err error) bool {
	if de, ok := err.(*DecodeError); ok {
		w := de.What
		if what != "" {
			w = what + " " + w
		}
		err = &DecodeError{What: w, Offset: at + de.Offset, Err: de.Err}
	}
	d.err = err
	d.h, d.body = Header{}, nil
	return false
}
