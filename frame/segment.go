package frame

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// This file holds the outer framing of protocol v5 (section 2 of the v5
// spec, "frames" there; segments here, as the drivers call them, to keep
// "frame" for the envelope of header and message body).
//
// A segment is a header protected by a CRC24, a payload of at most
// MaxSegmentPayload bytes and a CRC32 of the payload. Every integer in it is
// little-endian, unlike the rest of the protocol. A self-contained segment
// holds one or more whole frames; a frame too large for one segment is split
// over several segments that are not self-contained and hold nothing else.
//
// Uncompressed header (6 bytes; bit 0 is the lowest bit of the first byte):
//
//	bits 0-16   payload length
//	bit  17     self-contained flag
//	bits 18-23  padding (zero)
//	bytes 3-5   CRC24 of bytes 0-2
//
// Compressed header (8 bytes), once LZ4 was negotiated in STARTUP:
//
//	bits 0-16   compressed payload length (the bytes on the wire)
//	bits 17-33  uncompressed length; 0 means the payload was sent as is
//	            because compressing it did not make it smaller
//	bit  34     self-contained flag
//	bits 35-39  padding (zero)
//	bytes 5-7   CRC24 of bytes 0-4
//
// The CRC24 is Cassandra's (Crc.java): polynomial 0x1974F0B, initial value
// 0x875060, input bytes taken least significant first, no final xor. The
// payload CRC32 is the IEEE CRC32 of the bytes FA 2D 55 CA followed by the
// payload (Cassandra seeds its CRC32 with those four bytes), written
// little-endian after the payload; for compressed segments it covers the
// compressed bytes.

// MaxSegmentPayload is the largest payload of one segment, compressed or not.
const MaxSegmentPayload = 1<<17 - 1

// Segment sizes around the payload.
const (
	SegmentHeaderSize           = 6 // uncompressed segments: 3 bytes + CRC24
	CompressedSegmentHeaderSize = 8 // compressed segments: 5 bytes + CRC24
	SegmentTrailerSize          = 4 // CRC32 of the payload
)

const (
	crc24Init = 0x875060
	crc24Poly = 0x1974F0B
)

// crc32Seed is the CRC32 state after Cassandra's four initial bytes.
var crc32Seed = crc32.ChecksumIEEE([]byte{0xFA, 0x2D, 0x55, 0xCA})

// crc24 computes Cassandra's CRC24 over the low n bytes of v, least
// significant byte first.
func crc24(v uint64, n int) uint32 {
	crc := uint32(crc24Init)
	for ; n > 0; n-- {
		crc ^= uint32(v&0xff) << 16
		v >>= 8
		for i := 0; i < 8; i++ {
			crc <<= 1
			if crc&0x1000000 != 0 {
				crc ^= crc24Poly
			}
		}
	}
	return crc
}

// segmentCRC32 is the payload checksum of a segment.
func segmentCRC32(payload []byte) uint32 {
	return crc32.Update(crc32Seed, crc32.IEEETable, payload)
}

// ErrSegmentCompressor means AppendSegments or a SegmentDecoder was given a
// Compressor that cannot work on raw blocks; v5 supports LZ4 only.
var ErrSegmentCompressor = errors.New("v5 segments support only lz4 compression")

// SegmentHeader is the decoded header of a v5 segment.
type SegmentHeader struct {
	// Compressed tells which header layout this is: 8 bytes when compression
	// was negotiated, 6 bytes otherwise.
	Compressed bool
	// PayloadLength is the number of payload bytes on the wire (compressed
	// when Compressed and UncompressedLength > 0).
	PayloadLength int
	// UncompressedLength is the payload length after decompression, for
	// compressed segments; 0 means the payload was not compressed.
	UncompressedLength int
	// SelfContained is set when the payload holds whole frames only.
	SelfContained bool
}

// Size returns the size of the encoded header.
func (h SegmentHeader) Size() int {
	if h.Compressed {
		return CompressedSegmentHeaderSize
	}
	return SegmentHeaderSize
}

// Len returns the size of the whole segment: header, payload and trailer.
func (h SegmentHeader) Len() int { return h.Size() + h.PayloadLength + SegmentTrailerSize }

// AppendSegmentHeader appends the encoded header h, with its CRC24. Lengths
// beyond MaxSegmentPayload are an error.
func AppendSegmentHeader(dst []byte, h SegmentHeader) ([]byte, error) {
	if h.PayloadLength < 0 || h.PayloadLength > MaxSegmentPayload ||
		h.UncompressedLength < 0 || h.UncompressedLength > MaxSegmentPayload ||
		(!h.Compressed && h.UncompressedLength != 0) {
		return dst, &EncodeError{What: "segment header", Err: fmt.Errorf("invalid lengths %d/%d", h.PayloadLength, h.UncompressedLength)}
	}
	v := uint64(h.PayloadLength)
	n := 3
	if h.Compressed {
		v |= uint64(h.UncompressedLength) << 17
		if h.SelfContained {
			v |= 1 << 34
		}
		n = 5
	} else if h.SelfContained {
		v |= 1 << 17
	}
	v |= uint64(crc24(v, n)) << (8 * n)
	for i := 0; i < n+3; i++ {
		dst = append(dst, byte(v>>(8*i)))
	}
	return dst, nil
}

// DecodeSegmentHeader decodes the segment header at the start of b and checks
// its CRC24. A short b fails with ErrTruncated, a bad CRC with ErrBadCRC.
func DecodeSegmentHeader(b []byte, compressed bool) (SegmentHeader, error) {
	h := SegmentHeader{Compressed: compressed}
	n := 3
	if compressed {
		n = 5
	}
	if len(b) < n+3 {
		return h, &DecodeError{What: "segment header", Offset: len(b), Err: ErrTruncated}
	}
	var v uint64
	for i := n + 2; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	body := v & (1<<(8*n) - 1)
	if got, want := uint32(v>>(8*n)), crc24(body, n); got != want {
		return h, &DecodeError{What: "segment header", Offset: n, Err: fmt.Errorf("%w: read %06x, computed %06x", ErrBadCRC, got, want)}
	}
	h.PayloadLength = int(body & MaxSegmentPayload)
	if compressed {
		h.UncompressedLength = int(body >> 17 & MaxSegmentPayload)
		h.SelfContained = body&(1<<34) != 0
	} else {
		h.SelfContained = body&(1<<17) != 0
	}
	return h, nil
}

// segmentCompressor returns c as a BlockCompressor, nil for nil.
func segmentCompressor(c Compressor) (BlockCompressor, error) {
	if c == nil {
		return nil, nil
	}
	bc, ok := c.(BlockCompressor)
	if !ok {
		return nil, fmt.Errorf("frame: %q: %w", c.Name(), ErrSegmentCompressor)
	}
	return bc, nil
}

// AppendSegment appends one segment holding payload (at most
// MaxSegmentPayload bytes). With a non-nil c the compressed header layout is
// used and the payload is compressed, unless compressing does not make it
// smaller, in which case it is sent as is with an uncompressed length of 0.
func AppendSegment(dst, payload []byte, selfContained bool, c Compressor) ([]byte, error) {
	bc, err := segmentCompressor(c)
	if err != nil {
		return dst, err
	}
	return appendSegment(dst, payload, selfContained, bc)
}

func appendSegment(dst, payload []byte, selfContained bool, c BlockCompressor) ([]byte, error) {
	if len(payload) > MaxSegmentPayload {
		return dst, &EncodeError{What: "segment", Err: fmt.Errorf("payload of %d bytes exceeds %d", len(payload), MaxSegmentPayload)}
	}
	h := SegmentHeader{Compressed: c != nil, PayloadLength: len(payload), SelfContained: selfContained}
	start := len(dst)
	pstart := start + h.Size()
	dst = grow(dst, h.Size())
	if c != nil && len(payload) > 0 {
		var err error
		if dst, err = c.AppendBlock(dst, payload); err != nil {
			return dst[:start], err
		}
		if n := len(dst) - pstart; n < len(payload) {
			h.PayloadLength, h.UncompressedLength = n, len(payload)
		} else {
			dst = append(dst[:pstart], payload...)
		}
	} else {
		dst = append(dst, payload...)
	}
	// The header goes in last, once the payload length is known; appending
	// into dst[:start] rewrites the reserved bytes in place.
	if _, err := AppendSegmentHeader(dst[:start], h); err != nil {
		return dst[:start], err
	}
	return binary.LittleEndian.AppendUint32(dst, segmentCRC32(dst[pstart:])), nil
}

// AppendSegments appends payload as v5 segments: one self-contained segment
// when it fits in MaxSegmentPayload bytes, whatever number of whole frames it
// holds; otherwise payload must be exactly one frame (header and body), which
// is split over as many non-self-contained segments as needed. c is nil for
// an uncompressed connection, or LZ4.
func AppendSegments(dst, payload []byte, c Compressor) ([]byte, error) {
	bc, err := segmentCompressor(c)
	if err != nil {
		return dst, err
	}
	if len(payload) <= MaxSegmentPayload {
		return appendSegment(dst, payload, true, bc)
	}
	h, err := DecodeHeader(payload, len(payload))
	if err != nil || HeaderSize+int(h.Length) != len(payload) {
		return dst, &EncodeError{What: "segments", Err: fmt.Errorf("%d bytes do not fit one segment and are not exactly one frame", len(payload))}
	}
	start := len(dst)
	for len(payload) > 0 {
		n := min(len(payload), MaxSegmentPayload)
		if dst, err = appendSegment(dst, payload[:n], false, bc); err != nil {
			return dst[:start], err
		}
		payload = payload[n:]
	}
	return dst, nil
}

// Segment is a decoded segment.
type Segment struct {
	Header SegmentHeader
	// Payload is the uncompressed payload.
	Payload []byte
}

// DecodeSegment decodes the complete segment at the start of b, checking both
// CRCs, and returns it with the number of bytes it took. c is nil for the
// uncompressed layout. A compressed payload is decompressed into scratch
// (appending to scratch[:0]); with a capacity of MaxSegmentPayload nothing is
// allocated. Payload aliases b or scratch.
func DecodeSegment(b []byte, c Compressor, scratch []byte) (Segment, int, error) {
	bc, err := segmentCompressor(c)
	if err != nil {
		return Segment{}, 0, err
	}
	h, err := DecodeSegmentHeader(b, bc != nil)
	if err != nil {
		return Segment{Header: h}, 0, err
	}
	s, err := decodeSegmentBody(b, h, bc, scratch, 0)
	return s, h.Len(), err
}

// decodeSegmentBody checks the payload CRC and decompresses; h was decoded
// from the start of b. base is the stream offset of b, for errors.
func decodeSegmentBody(b []byte, h SegmentHeader, c BlockCompressor, scratch []byte, base int) (Segment, error) {
	s := Segment{Header: h}
	if len(b) < h.Len() {
		return s, &DecodeError{What: "segment payload", Offset: base + len(b), Err: ErrTruncated}
	}
	payload := b[h.Size() : h.Size()+h.PayloadLength]
	got := binary.LittleEndian.Uint32(b[h.Size()+h.PayloadLength:])
	if want := segmentCRC32(payload); got != want {
		return s, &DecodeError{What: "segment payload", Offset: base + h.Size() + h.PayloadLength,
			Err: fmt.Errorf("%w: read %08x, computed %08x", ErrBadCRC, got, want)}
	}
	if h.UncompressedLength == 0 {
		s.Payload = payload
		return s, nil
	}
	out, err := c.AppendBlockDecompressed(scratch[:0], payload, h.UncompressedLength)
	if err != nil {
		var de *DecodeError
		if errors.As(err, &de) {
			de.What = "segment payload " + de.What
			de.Offset += base + h.Size()
		}
		return s, err
	}
	s.Payload = out
	return s, nil
}
