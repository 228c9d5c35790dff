package frame

import (
	"encoding/binary"
	"fmt"
)

// Version is a native protocol version. Only 3, 4 and 5 are supported.
type Version byte

// Supported protocol versions.
const (
	V3 Version = 3
	V4 Version = 4
	V5 Version = 5
)

// Valid reports whether v is a version this package speaks.
func (v Version) Valid() bool { return v >= V3 && v <= V5 }

// String returns "v3", "v4" or "v5".
func (v Version) String() string { return fmt.Sprintf("v%d", byte(v)) }

// Opcode identifies a message.
type Opcode byte

// Opcodes from section 2.4 of the protocol specs.
const (
	OpError         Opcode = 0x00
	OpStartup       Opcode = 0x01
	OpReady         Opcode = 0x02
	OpAuthenticate  Opcode = 0x03
	OpOptions       Opcode = 0x05
	OpSupported     Opcode = 0x06
	OpQuery         Opcode = 0x07
	OpResult        Opcode = 0x08
	OpPrepare       Opcode = 0x09
	OpExecute       Opcode = 0x0A
	OpRegister      Opcode = 0x0B
	OpEvent         Opcode = 0x0C
	OpBatch         Opcode = 0x0D
	OpAuthChallenge Opcode = 0x0E
	OpAuthResponse  Opcode = 0x0F
	OpAuthSuccess   Opcode = 0x10
)

var opcodeNames = [...]string{
	OpError: "ERROR", OpStartup: "STARTUP", OpReady: "READY", OpAuthenticate: "AUTHENTICATE",
	0x04: "", OpOptions: "OPTIONS", OpSupported: "SUPPORTED", OpQuery: "QUERY", OpResult: "RESULT",
	OpPrepare: "PREPARE", OpExecute: "EXECUTE", OpRegister: "REGISTER", OpEvent: "EVENT",
	OpBatch: "BATCH", OpAuthChallenge: "AUTH_CHALLENGE", OpAuthResponse: "AUTH_RESPONSE",
	OpAuthSuccess: "AUTH_SUCCESS",
}

// String returns the spec's name of the opcode, such as QUERY.
func (o Opcode) String() string {
	if int(o) < len(opcodeNames) && opcodeNames[o] != "" {
		return opcodeNames[o]
	}
	return fmt.Sprintf("opcode(0x%02x)", byte(o))
}

// Valid reports whether o is an opcode of the protocol.
func (o Opcode) Valid() bool { return int(o) < len(opcodeNames) && opcodeNames[o] != "" }

// IsRequest reports whether o is sent by clients.
func (o Opcode) IsRequest() bool {
	switch o {
	case OpStartup, OpOptions, OpQuery, OpPrepare, OpExecute, OpRegister, OpBatch, OpAuthResponse:
		return true
	}
	return false
}

// Flags are the header flags of a frame.
type Flags byte

// Header flags (section 2.2).
const (
	FlagCompression   Flags = 0x01 // body compressed (v3/v4 only; v5 compresses segments)
	FlagTracing       Flags = 0x02
	FlagCustomPayload Flags = 0x04 // v4+
	FlagWarning       Flags = 0x08 // v4+
	FlagBeta          Flags = 0x10 // v5
)

// HeaderSize is the size of a frame header in v3, v4 and v5.
const HeaderSize = 9

// DefaultMaxBodyLength is the largest body accepted unless configured
// otherwise: 256 MiB, the protocol's own limit.
const DefaultMaxBodyLength = 256 << 20

// Header is a frame header.
type Header struct {
	Version  Version
	Response bool // direction bit of the version byte
	Flags    Flags
	Stream   int16
	Opcode   Opcode
	Length   int32 // body length in bytes
}

// AppendHeader appends the 9 header bytes of h to dst.
func AppendHeader(dst []byte, h Header) []byte {
	v := byte(h.Version)
	if h.Response {
		v |= 0x80
	}
	dst = append(dst, v, byte(h.Flags), 0, 0, byte(h.Opcode), 0, 0, 0, 0)
	n := len(dst)
	binary.BigEndian.PutUint16(dst[n-7:], uint16(h.Stream))
	binary.BigEndian.PutUint32(dst[n-4:], uint32(h.Length))
	return dst
}

// Encode appends the header to dst; it is AppendHeader as a method.
func (h Header) Encode(dst []byte) []byte { return AppendHeader(dst, h) }

// DecodeHeader decodes the 9-byte header at the start of b. A body longer
// than maxBody (DefaultMaxBodyLength when maxBody <= 0) is rejected before
// anything is allocated for it.
func DecodeHeader(b []byte, maxBody int) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, &DecodeError{What: "frame header", Offset: len(b), Err: ErrTruncated}
	}
	h := Header{
		Version:  Version(b[0] & 0x7f),
		Response: b[0]&0x80 != 0,
		Flags:    Flags(b[1]),
		Stream:   int16(binary.BigEndian.Uint16(b[2:4])),
		Opcode:   Opcode(b[4]),
		Length:   int32(binary.BigEndian.Uint32(b[5:9])),
	}
	if !h.Version.Valid() {
		return h, &DecodeError{What: "frame header version", Offset: 0, Err: &UnsupportedVersionError{Version: byte(h.Version), Header: b[0]}}
	}
	if !h.Opcode.Valid() {
		return h, &DecodeError{What: "frame header opcode", Offset: 4, Err: fmt.Errorf("%w 0x%02x", ErrUnknownOpcode, byte(h.Opcode))}
	}
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyLength
	}
	if h.Length < 0 || int64(h.Length) > int64(maxBody) {
		return h, &DecodeError{What: "frame header body length", Offset: 5, Err: &BodyTooLargeError{Length: int64(h.Length), Max: int64(maxBody)}}
	}
	return h, nil
}
