package frame

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/golang/snappy"
	"github.com/pierrec/lz4/v4"
)

// Compressor compresses frame bodies (v3/v4) and segment payloads (v5).
//
// Implementations append to dst and return the extended slice, so a caller
// that reuses a buffer with enough capacity allocates nothing.
type Compressor interface {
	// Name is the value of the STARTUP COMPRESSION option: "lz4" or "snappy".
	Name() string
	// AppendCompressed appends the compressed form of src to dst.
	AppendCompressed(dst, src []byte) ([]byte, error)
	// AppendDecompressed appends the decompressed form of src to dst. An
	// uncompressed length above maxLen (DefaultMaxBodyLength when maxLen <= 0)
	// is an error, decided from the declared length before anything is
	// allocated for it.
	AppendDecompressed(dst, src []byte, maxLen int) ([]byte, error)
}

// BlockCompressor is a Compressor that can also work on raw blocks with no
// length prefix, as v5 segments carry them (the segment header holds the
// uncompressed length). LZ4 implements it; Snappy does not, as protocol v5
// supports LZ4 only.
type BlockCompressor interface {
	Compressor
	// AppendBlock appends the raw compressed block of src to dst.
	AppendBlock(dst, src []byte) ([]byte, error)
	// AppendBlockDecompressed appends the decompression of the raw block src
	// to dst; the block must decompress to exactly n bytes.
	AppendBlockDecompressed(dst, src []byte, n int) ([]byte, error)
}

// Compressors supported by the protocol.
var (
	// LZ4 is the "lz4" compressor. Its v3/v4 body layout is a 4-byte
	// big-endian uncompressed length followed by a raw LZ4 block, as
	// Cassandra's transport Compressor and the drivers write it.
	LZ4 Compressor = lz4Compressor{}
	// Snappy is the "snappy" compressor (v3/v4 only): a snappy block, whose
	// own varint prefix gives the uncompressed length.
	Snappy Compressor = snappyCompressor{}
)

// ErrCorruptCompressed means compressed bytes failed to decompress, or
// decompressed to a length other than the one declared.
var ErrCorruptCompressed = errors.New("corrupt compressed data")

// Neither format can expand by more than these ratios: an LZ4 sequence of n
// bytes yields at most about 255*n bytes, a snappy copy of 3 bytes at most 64
// bytes. A declared length beyond them cannot be honest, so it is refused
// before it is used to size a buffer, however large maxLen is.
const (
	lz4MaxRatio    = 255
	snappyMaxRatio = 32
)

// lz4Pool holds lz4.Compressor values (their hash tables are 16 KiB each, too
// big to build per call). This is the one piece of shared state in the
// package: a sync.Pool is a cache, not a resource pool, so frame stays pure
// in the sense doc.go gives (no sockets, goroutines or timers).
var lz4Pool = sync.Pool{New: func() any { return new(lz4.Compressor) }}

type lz4Compressor struct{}

func (lz4Compressor) Name() string { return "lz4" }

func (c lz4Compressor) AppendCompressed(dst, src []byte) ([]byte, error) {
	if uint64(len(src)) > 1<<31-1 {
		return dst, &EncodeError{What: "lz4 body", Err: fmt.Errorf("%d bytes exceed the 4-byte length prefix", len(src))}
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(src)))
	return c.AppendBlock(dst, src)
}

func (c lz4Compressor) AppendDecompressed(dst, src []byte, maxLen int) ([]byte, error) {
	if len(src) < 4 {
		return dst, &DecodeError{What: "lz4 body length", Offset: len(src), Err: ErrTruncated}
	}
	n := int64(binary.BigEndian.Uint32(src))
	if err := checkDeclared("lz4 body length", n, len(src)-4, lz4MaxRatio, maxLen); err != nil {
		return dst, err
	}
	return c.appendBlockDecompressed(dst, src[4:], int(n), 4)
}

// AppendBlock appends the raw LZ4 block of src. An empty src is the one-byte
// block 0x00 (a token with no literals and no match), as the C library
// writes it.
func (lz4Compressor) AppendBlock(dst, src []byte) ([]byte, error) {
	if len(src) == 0 {
		return append(dst, 0), nil
	}
	start := len(dst)
	dst = grow(dst, lz4.CompressBlockBound(len(src)))
	c := lz4Pool.Get().(*lz4.Compressor)
	n, err := c.CompressBlock(src, dst[start:])
	lz4Pool.Put(c)
	if err != nil || n == 0 {
		// Cannot happen with a destination of CompressBlockBound bytes.
		return dst[:start], &EncodeError{What: "lz4 block", Err: fmt.Errorf("compression failed: %v", err)}
	}
	return dst[:start+n], nil
}

func (c lz4Compressor) AppendBlockDecompressed(dst, src []byte, n int) ([]byte, error) {
	if n < 0 || int64(n) > int64(len(src))*lz4MaxRatio+lz4MaxRatio {
		return dst, &DecodeError{What: "lz4 block", Err: fmt.Errorf("%w: %d bytes cannot decompress to %d", ErrCorruptCompressed, len(src), n)}
	}
	return c.appendBlockDecompressed(dst, src, n, 0)
}

func (lz4Compressor) appendBlockDecompressed(dst, src []byte, n, off int) ([]byte, error) {
	if n == 0 {
		// Only the empty block (a lone zero token) decompresses to nothing.
		if len(src) == 1 && src[0] == 0 {
			return dst, nil
		}
		return dst, &DecodeError{What: "lz4 block", Offset: off, Err: fmt.Errorf("%w: %d bytes for an empty block", ErrCorruptCompressed, len(src))}
	}
	start := len(dst)
	dst = grow(dst, n)
	got, err := lz4.UncompressBlock(src, dst[start:start+n])
	if err != nil {
		return dst[:start], &DecodeError{What: "lz4 block", Offset: off, Err: fmt.Errorf("%w: %v", ErrCorruptCompressed, err)}
	}
	if got != n {
		return dst[:start], &DecodeError{What: "lz4 block", Offset: off, Err: fmt.Errorf("%w: decompressed %d bytes, declared %d", ErrCorruptCompressed, got, n)}
	}
	return dst[:start+n], nil
}

type snappyCompressor struct{}

func (snappyCompressor) Name() string { return "snappy" }

func (snappyCompressor) AppendCompressed(dst, src []byte) ([]byte, error) {
	bound := snappy.MaxEncodedLen(len(src))
	if bound < 0 {
		return dst, &EncodeError{What: "snappy body", Err: fmt.Errorf("%d bytes are too many for snappy", len(src))}
	}
	start := len(dst)
	dst = grow(dst, bound)
	out := snappy.Encode(dst[start:start+bound], src)
	return dst[:start+len(out)], nil
}

func (snappyCompressor) AppendDecompressed(dst, src []byte, maxLen int) ([]byte, error) {
	n, err := snappy.DecodedLen(src)
	if err != nil {
		return dst, &DecodeError{What: "snappy body length", Err: fmt.Errorf("%w: %v", ErrCorruptCompressed, err)}
	}
	if err := checkDeclared("snappy body length", int64(n), len(src), snappyMaxRatio, maxLen); err != nil {
		return dst, err
	}
	start := len(dst)
	dst = grow(dst, n)
	out, err := snappy.Decode(dst[start:start+n], src)
	if err != nil {
		return dst[:start], &DecodeError{What: "snappy body", Err: fmt.Errorf("%w: %v", ErrCorruptCompressed, err)}
	}
	if len(out) != n || (n > 0 && &out[0] != &dst[start]) {
		return dst[:start], &DecodeError{What: "snappy body", Err: fmt.Errorf("%w: decoded %d bytes, declared %d", ErrCorruptCompressed, len(out), n)}
	}
	return dst[:start+n], nil
}

// checkDeclared vets a declared uncompressed length n against maxLen and
// against what compressed bytes of the format can expand to.
func checkDeclared(what string, n int64, compressed int, ratio int64, maxLen int) error {
	if maxLen <= 0 {
		maxLen = DefaultMaxBodyLength
	}
	if n > int64(maxLen) {
		return &DecodeError{What: what, Err: &BodyTooLargeError{Length: n, Max: int64(maxLen)}}
	}
	if n > int64(compressed)*ratio+ratio {
		return &DecodeError{What: what, Err: fmt.Errorf("%w: %d compressed bytes cannot hold %d", ErrCorruptCompressed, compressed, n)}
	}
	return nil
}

// grow extends dst by n bytes (contents unspecified), reallocating only when
// its capacity is short.
func grow(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst[:len(dst)+n]
	}
	out := make([]byte, len(dst)+n, 2*cap(dst)+n)
	copy(out, dst)
	return out
}
