package frame

import (
	"errors"
	"fmt"
)

// Errors wrapped by DecodeError.
var (
	// ErrTruncated means the bytes ended before the value being read.
	ErrTruncated = errors.New("truncated")
	// ErrUnknownOpcode means a header named an opcode the protocol lacks.
	ErrUnknownOpcode = errors.New("unknown opcode")
	// ErrUnknownType means a type option id that the protocol lacks.
	ErrUnknownType = errors.New("unknown type id")
	// ErrBadCRC means a v5 segment failed its CRC check.
	ErrBadCRC = errors.New("CRC mismatch")
	// ErrTrailingBytes means a message body had bytes after its last field.
	ErrTrailingBytes = errors.New("trailing bytes")
)

// DecodeError reports malformed input: what was being read, the offset in
// the bytes given to the decoder where it went wrong, and why.
type DecodeError struct {
	What   string
	Offset int
	Err    error
}

// Error says what was being decoded, where, and why it failed.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("frame: decoding %s at offset %d: %v", e.What, e.Offset, e.Err)
}

// Unwrap returns the reason.
func (e *DecodeError) Unwrap() error { return e.Err }

// UnsupportedVersionError is a frame whose version byte is not 3, 4 or 5.
type UnsupportedVersionError struct {
	Version byte
	// Header is the raw version byte of a frame header (direction bit
	// included), 0 when the version did not come from a header: a reader
	// can tell a real server's old-version answer (0x81, 0x82) from bytes
	// that are no CQL at all.
	Header byte
}

// Error names the version.
func (e *UnsupportedVersionError) Error() string {
	return fmt.Sprintf("unsupported protocol version %d", e.Version)
}

// BodyTooLargeError is a frame or segment whose declared length exceeds the
// configured maximum.
type BodyTooLargeError struct{ Length, Max int64 }

// Error gives the declared length and the maximum.
func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("body length %d exceeds the maximum %d", e.Length, e.Max)
}

// EncodeError reports a message that cannot be encoded for a version, such
// as a field the version lacks or a value too long for its length prefix.
type EncodeError struct {
	What string
	Err  error
}

// Error says what could not be encoded and why.
func (e *EncodeError) Error() string { return fmt.Sprintf("frame: encoding %s: %v", e.What, e.Err) }

// Unwrap returns the reason.
func (e *EncodeError) Unwrap() error { return e.Err }
