package frame

import (
	"errors"
	"fmt"
	"math"
)

// This file holds the <query_parameters> block that QUERY and EXECUTE share
// (section 4.1.4 of the specs) and the bound [value]s that BATCH statements
// use as well.

// Flags of <query_parameters>. BATCH reuses 0x10 and up with the same
// meaning. Flags are a [byte] in v3/v4 and an [int] in v5.
const (
	qpValues            uint32 = 0x0001
	qpSkipMetadata      uint32 = 0x0002
	qpPageSize          uint32 = 0x0004
	qpPagingState       uint32 = 0x0008
	qpSerialConsistency uint32 = 0x0010
	qpTimestamp         uint32 = 0x0020
	qpNames             uint32 = 0x0040
	qpKeyspace          uint32 = 0x0080 // v5
	qpNowInSeconds      uint32 = 0x0100 // v5

	qpKnownV4 = qpValues | qpSkipMetadata | qpPageSize | qpPagingState | qpSerialConsistency | qpTimestamp | qpNames
	qpKnownV5 = qpKnownV4 | qpKeyspace | qpNowInSeconds
)

// Reasons wrapped in EncodeError when a request uses something its protocol
// version lacks.
var (
	errUnsetNeedsV4      = errors.New("unset values need protocol v4 or later")
	errKeyspaceNeedsV5   = errors.New("a per-request keyspace needs protocol v5")
	errNowNeedsV5        = errors.New("now_in_seconds needs protocol v5")
	errMetadataIDNeedsV5 = errors.New("a result metadata id needs protocol v5")
)

// Value is one bound value of a QUERY, EXECUTE or BATCH statement: Bytes nil
// and Unset false is null. Unset (v4+) leaves the column unchanged on the
// server; Bytes is ignored when it is set. Decoded Bytes alias the body.
type Value struct {
	Bytes []byte
	Unset bool
}

// QueryParams is the <query_parameters> block of QUERY and EXECUTE. Which
// optional fields are sent follows from their values, so the zero value is a
// valid block: consistency ANY, no values, no paging, server timestamp.
type QueryParams struct {
	Consistency Consistency
	// Values are the bound values, by position or, with Names, by name.
	Values []Value
	// Names, when non-nil, names each value (flag 0x40); its length must
	// equal len(Values).
	Names []string
	// SkipMetadata asks for rows without metadata; the caller knows it from
	// the PREPARED result.
	SkipMetadata bool
	// PageSize > 0 asks for pages of at most that many rows.
	PageSize int32
	// PagingState, when non-nil, resumes paging where a previous page ended.
	PagingState []byte
	// SerialConsistency, when not Unset, is the consistency of the
	// Paxos phase of conditional updates.
	SerialConsistency Consistency
	// Timestamp, when HasTimestamp, is the default write time in
	// microseconds since the epoch.
	Timestamp    int64
	HasTimestamp bool
	// Keyspace, when not empty, overrides the connection's keyspace (v5).
	Keyspace string
	// NowInSeconds, when HasNowInSeconds, stands for the server's clock in
	// TTL and tombstone computations (v5, for tests).
	NowInSeconds    int32
	HasNowInSeconds bool
}

// encode appends the block for version v. what names the message in errors.
// On error dst is returned unchanged in length.
func (p *QueryParams) encode(dst []byte, v Version, what string) ([]byte, error) {
	var flags uint32
	if len(p.Values) > 0 {
		flags |= qpValues
	}
	if p.Names != nil {
		if len(p.Names) != len(p.Values) {
			return dst, &EncodeError{What: what + " names", Err: fmt.Errorf("%d names for %d values", len(p.Names), len(p.Values))}
		}
		flags |= qpNames
	}
	if p.SkipMetadata {
		flags |= qpSkipMetadata
	}
	if p.PageSize > 0 {
		flags |= qpPageSize
	}
	if p.PagingState != nil {
		if len(p.PagingState) > math.MaxInt32 {
			return dst, &EncodeError{What: what + " paging state", Err: fmt.Errorf("%d bytes exceed an [int] length", len(p.PagingState))}
		}
		flags |= qpPagingState
	}
	if p.SerialConsistency != Unset {
		flags |= qpSerialConsistency
	}
	if p.HasTimestamp {
		flags |= qpTimestamp
	}
	if p.Keyspace != "" {
		if v < V5 {
			return dst, &EncodeError{What: what + " keyspace", Err: errKeyspaceNeedsV5}
		}
		if err := CheckString(what+" keyspace", p.Keyspace); err != nil {
			return dst, err
		}
		flags |= qpKeyspace
	}
	if p.HasNowInSeconds {
		if v < V5 {
			return dst, &EncodeError{What: what + " now_in_seconds", Err: errNowNeedsV5}
		}
		flags |= qpNowInSeconds
	}

	start := len(dst)
	dst = AppendConsistency(dst, p.Consistency)
	if v >= V5 {
		dst = AppendInt(dst, int32(flags))
	} else {
		dst = append(dst, byte(flags))
	}
	if flags&qpValues != 0 {
		var err error
		if dst, err = reqAppendValues(dst, p.Values, p.Names, v, what); err != nil {
			return dst[:start], err
		}
	}
	if flags&qpPageSize != 0 {
		dst = AppendInt(dst, p.PageSize)
	}
	if flags&qpPagingState != 0 {
		dst = AppendBytes(dst, p.PagingState)
	}
	if flags&qpSerialConsistency != 0 {
		dst = AppendConsistency(dst, p.SerialConsistency)
	}
	if flags&qpTimestamp != 0 {
		dst = AppendLong(dst, p.Timestamp)
	}
	if flags&qpKeyspace != 0 {
		dst = AppendString(dst, p.Keyspace)
	}
	if flags&qpNowInSeconds != 0 {
		dst = AppendInt(dst, p.NowInSeconds)
	}
	return dst, nil
}

// decode reads the block for version v into p, replacing its contents.
// Errors are left in r. Decoded values and paging state alias the body.
func (p *QueryParams) decode(r *Reader, v Version) {
	*p = QueryParams{}
	p.Consistency = r.Consistency("consistency")
	flags := reqReadFlags(r, v, qpKnownV5, qpKnownV4)
	if r.Err() != nil {
		return
	}
	named := flags&qpNames != 0
	if flags&qpValues != 0 {
		p.Values, p.Names = reqReadValues(r, v, named)
	}
	if named && p.Names == nil {
		// The flag without values still round-trips as an empty name list.
		p.Names = []string{}
	}
	p.SkipMetadata = flags&qpSkipMetadata != 0
	if flags&qpPageSize != 0 {
		off := r.Offset()
		p.PageSize = r.Int("page size")
		if r.Err() == nil && p.PageSize <= 0 {
			reqFailAt(r, off, "page size", fmt.Errorf("page size %d is not positive", p.PageSize))
		}
	}
	if flags&qpPagingState != 0 {
		p.PagingState = r.Bytes("paging state")
	}
	if flags&qpSerialConsistency != 0 {
		p.SerialConsistency = r.Consistency("serial consistency")
	}
	if flags&qpTimestamp != 0 {
		p.Timestamp = r.Long("timestamp")
		p.HasTimestamp = true
	}
	if flags&qpKeyspace != 0 {
		p.Keyspace = r.String("keyspace")
	}
	if flags&qpNowInSeconds != 0 {
		p.NowInSeconds = r.Int("now_in_seconds")
		p.HasNowInSeconds = true
	}
}

// reqReadFlags reads the flags of <query_parameters>, BATCH or PREPARE: an
// [int] in v5 and a [byte] before. Bits outside known5 (v5) or known4 (v3
// and v4) are an error at the offset of the flags.
func reqReadFlags(r *Reader, v Version, known5, known4 uint32) uint32 {
	off := r.Offset()
	var flags, known uint32
	if v >= V5 {
		flags, known = uint32(r.Int("flags")), known5
	} else {
		flags, known = uint32(r.Byte("flags")), known4
	}
	if r.Err() == nil && flags&^known != 0 {
		reqFailAt(r, off, "flags", fmt.Errorf("unknown flags 0x%x for %v", flags&^known, v))
	}
	return flags
}

// reqAppendValues appends a [short] count and the values, each preceded by its
// [string] name when names is non-nil (the caller checked the lengths).
func reqAppendValues(dst []byte, values []Value, names []string, v Version, what string) ([]byte, error) {
	if len(values) > math.MaxUint16 {
		return dst, &EncodeError{What: what + " values", Err: fmt.Errorf("%d values exceed a [short] count", len(values))}
	}
	dst = AppendShort(dst, uint16(len(values)))
	for i := range values {
		if names != nil {
			if err := CheckString(what+" value name", names[i]); err != nil {
				return dst, err
			}
			dst = AppendString(dst, names[i])
		}
		val := &values[i]
		switch {
		case val.Unset:
			if v < V4 {
				return dst, &EncodeError{What: fmt.Sprintf("%s value %d", what, i), Err: errUnsetNeedsV4}
			}
			dst = AppendInt(dst, -2)
		case val.Bytes == nil:
			dst = AppendInt(dst, -1)
		case len(val.Bytes) > math.MaxInt32:
			return dst, &EncodeError{What: fmt.Sprintf("%s value %d", what, i), Err: fmt.Errorf("%d bytes exceed an [int] length", len(val.Bytes))}
		default:
			dst = AppendInt(dst, int32(len(val.Bytes)))
			dst = append(dst, val.Bytes...)
		}
	}
	return dst, nil
}

// reqReadValues reads a [short] count and that many values, each preceded by a
// [string] name when named. A zero count gives nil values (and an empty,
// non-nil name list when named, so the flag survives a round trip).
func reqReadValues(r *Reader, v Version, named bool) ([]Value, []string) {
	minPer := 4 // an [int] length
	if named {
		minPer += 2 // a [short] name length
	}
	n := r.Count("values count", true, minPer)
	if r.Err() != nil {
		return nil, nil
	}
	var names []string
	if named {
		names = make([]string, n)
	}
	if n == 0 {
		return nil, names
	}
	values := make([]Value, n)
	for i := range values {
		if named {
			names[i] = r.String("value name")
		}
		if v < V4 {
			// v3 values are [bytes]: any negative length is null.
			values[i].Bytes = r.Bytes("value")
		} else {
			values[i].Bytes, values[i].Unset = r.Value("value")
		}
		if r.Err() != nil {
			return nil, nil
		}
	}
	return values, names
}

// reqFailAt records err for field at offset off, the start of the field, when
// the fault is found only after reading it (a bad flag or count).
func reqFailAt(r *Reader, off int, field string, err error) {
	if r.err == nil {
		cur := r.off
		r.off = off
		r.Fail(field, err)
		r.off = cur
	}
}

// reqCheckVersion returns an EncodeError unless v is 3, 4 or 5.
func reqCheckVersion(what string, v Version) error {
	if !v.Valid() {
		return &EncodeError{What: what, Err: &UnsupportedVersionError{Version: byte(v)}}
	}
	return nil
}

// reqReader resets r to read body, and fails it at once when v is not a
// version this package speaks.
func reqReader(r *Reader, body []byte, what string, v Version) {
	r.Reset(body, what)
	if !v.Valid() {
		r.Fail("", &UnsupportedVersionError{Version: byte(v)})
	}
}

// reqCheckLongString returns an EncodeError if s does not fit a [long string].
func reqCheckLongString(what, s string) error {
	if len(s) > math.MaxInt32 {
		return &EncodeError{What: what, Err: fmt.Errorf("string of %d bytes exceeds an [int] length", len(s))}
	}
	return nil
}
