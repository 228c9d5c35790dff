package frame

import (
	"fmt"
	"math"
)

// BatchType is the kind of a BATCH: logged, unlogged or counter.
type BatchType byte

// Batch types (section 4.1.7).
const (
	// LoggedBatch goes through the batch log, so either every statement
	// applies or none does.
	LoggedBatch BatchType = 0
	// UnloggedBatch skips the batch log.
	UnloggedBatch BatchType = 1
	// CounterBatch holds counter updates only.
	CounterBatch BatchType = 2
)

// String returns the CQL keyword of t: LOGGED, UNLOGGED or COUNTER.
func (t BatchType) String() string {
	switch t {
	case LoggedBatch:
		return "LOGGED"
	case UnloggedBatch:
		return "UNLOGGED"
	case CounterBatch:
		return "COUNTER"
	}
	return fmt.Sprintf("BatchType(%d)", byte(t))
}

// BatchStatement is one statement of a BATCH: a CQL string (kind 0) when ID
// is nil, otherwise a prepared statement id (kind 1), with its bound values.
type BatchStatement struct {
	Query string
	ID    []byte
	// Values are the bound values of this statement.
	Values []Value
	// Names, sent only when Batch.NamedValues is set, names each value
	// and must then have the length of Values.
	Names []string
}

// Batch is the BATCH request (opcode 0x0D): several DML statements applied
// together with one consistency level.
type Batch struct {
	Type       BatchType
	Statements []BatchStatement
	// Consistency is the consistency level of the whole batch.
	Consistency Consistency
	// SerialConsistency, when not Unset, is the consistency of the
	// Paxos phase of conditional statements.
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
	// NamedValues sends a name before every value (flag 0x40). The specs
	// warn that servers cannot implement it (CASSANDRA-10246) and Cassandra
	// rejects it; it is here so that test servers can decode what a client
	// sends.
	NamedValues bool
}

// BATCH statement kinds.
const (
	batchKindQuery    byte = 0
	batchKindPrepared byte = 1
)

// BATCH flags: the <query_parameters> ones that make sense for a batch.
const (
	batchKnownV4 = qpSerialConsistency | qpTimestamp | qpNames
	batchKnownV5 = batchKnownV4 | qpKeyspace | qpNowInSeconds
)

var _ Message = (*Batch)(nil)

// Opcode returns OpBatch.
func (m *Batch) Opcode() Opcode { return OpBatch }

// Encode appends the body of m for version v to dst. It fails with an
// *EncodeError on an unknown batch type, names that do not match the values
// (or names without NamedValues), unset values before v4, a keyspace or
// now_in_seconds before v5, or a field too long for its length prefix.
func (m *Batch) Encode(dst []byte, v Version) ([]byte, error) {
	if err := reqCheckVersion("BATCH", v); err != nil {
		return dst, err
	}
	if m.Type > CounterBatch {
		return dst, &EncodeError{What: "BATCH type", Err: fmt.Errorf("unknown batch type %d", byte(m.Type))}
	}
	if len(m.Statements) > math.MaxUint16 {
		return dst, &EncodeError{What: "BATCH statements", Err: fmt.Errorf("%d statements exceed a [short] count", len(m.Statements))}
	}
	var flags uint32
	if m.SerialConsistency != Unset {
		flags |= qpSerialConsistency
	}
	if m.HasTimestamp {
		flags |= qpTimestamp
	}
	if m.NamedValues {
		flags |= qpNames
	}
	if m.Keyspace != "" {
		if v < V5 {
			return dst, &EncodeError{What: "BATCH keyspace", Err: errKeyspaceNeedsV5}
		}
		if err := CheckString("BATCH keyspace", m.Keyspace); err != nil {
			return dst, err
		}
		flags |= qpKeyspace
	}
	if m.HasNowInSeconds {
		if v < V5 {
			return dst, &EncodeError{What: "BATCH now_in_seconds", Err: errNowNeedsV5}
		}
		flags |= qpNowInSeconds
	}

	start := len(dst)
	dst = append(dst, byte(m.Type))
	dst = AppendShort(dst, uint16(len(m.Statements)))
	for i := range m.Statements {
		var err error
		if dst, err = m.Statements[i].encode(dst, v, m.NamedValues); err != nil {
			return dst[:start], err
		}
	}
	dst = AppendConsistency(dst, m.Consistency)
	if v >= V5 {
		dst = AppendInt(dst, int32(flags))
	} else {
		dst = append(dst, byte(flags))
	}
	if flags&qpSerialConsistency != 0 {
		dst = AppendConsistency(dst, m.SerialConsistency)
	}
	if flags&qpTimestamp != 0 {
		dst = AppendLong(dst, m.Timestamp)
	}
	if flags&qpKeyspace != 0 {
		dst = AppendString(dst, m.Keyspace)
	}
	if flags&qpNowInSeconds != 0 {
		dst = AppendInt(dst, m.NowInSeconds)
	}
	return dst, nil
}

func (s *BatchStatement) encode(dst []byte, v Version, named bool) ([]byte, error) {
	if named {
		if len(s.Names) != len(s.Values) {
			return dst, &EncodeError{What: "BATCH statement names", Err: fmt.Errorf("%d names for %d values", len(s.Names), len(s.Values))}
		}
	} else if s.Names != nil {
		return dst, &EncodeError{What: "BATCH statement names", Err: fmt.Errorf("names given but NamedValues is not set")}
	}
	if s.ID == nil {
		if err := reqCheckLongString("BATCH statement query", s.Query); err != nil {
			return dst, err
		}
		dst = append(dst, batchKindQuery)
		dst = AppendLongString(dst, s.Query)
	} else {
		if len(s.ID) > math.MaxUint16 {
			return dst, &EncodeError{What: "BATCH statement id", Err: fmt.Errorf("%d bytes exceed a [short] length", len(s.ID))}
		}
		dst = append(dst, batchKindPrepared)
		dst = AppendShortBytes(dst, s.ID)
	}
	names := s.Names
	if !named {
		names = nil
	}
	return reqAppendValues(dst, s.Values, names, v, "BATCH statement")
}

// Decode replaces m with the BATCH body for version v. Ids and values alias
// body.
//
// The 0x40 flag that says whether values carry names comes after the
// statements, so the body is read first without names and, if that fails
// or finds the flag set, again with names. The reading that succeeds wins;
// if neither does, the error from the reading that got further is returned.
func (m *Batch) Decode(body []byte, v Version) error {
	err := m.decode(body, v, false)
	if err == nil {
		return nil
	}
	err2 := m.decode(body, v, true)
	if err2 == nil {
		return nil
	}
	if de, ok := err.(*DecodeError); ok {
		if de2, ok := err2.(*DecodeError); ok && de2.Offset > de.Offset {
			return err2
		}
	}
	return err
}

func (m *Batch) decode(body []byte, v Version, named bool) error {
	var r Reader
	reqReader(&r, body, "BATCH", v)
	*m = Batch{NamedValues: named}
	off := r.Offset()
	m.Type = BatchType(r.Byte("type"))
	if r.Err() == nil && m.Type > CounterBatch {
		reqFailAt(&r, off, "type", fmt.Errorf("unknown batch type %d", byte(m.Type)))
	}
	// A statement is at least a kind, a [short bytes] id and a values count.
	n := r.Count("statements count", true, 5)
	if n > 0 && r.Err() == nil {
		m.Statements = make([]BatchStatement, n)
		for i := range m.Statements {
			if m.Statements[i].decode(&r, v, named); r.Err() != nil {
				break
			}
		}
	}
	m.Consistency = r.Consistency("consistency")
	off = r.Offset()
	flags := reqReadFlags(&r, v, batchKnownV5, batchKnownV4)
	if r.Err() == nil && (flags&qpNames != 0) != named {
		reqFailAt(&r, off, "flags", fmt.Errorf("named values flag is %t but statements were read with names %t", flags&qpNames != 0, named))
	}
	if flags&qpSerialConsistency != 0 {
		m.SerialConsistency = r.Consistency("serial consistency")
	}
	if flags&qpTimestamp != 0 {
		m.Timestamp = r.Long("timestamp")
		m.HasTimestamp = true
	}
	if flags&qpKeyspace != 0 {
		m.Keyspace = r.String("keyspace")
	}
	if flags&qpNowInSeconds != 0 {
		m.NowInSeconds = r.Int("now_in_seconds")
		m.HasNowInSeconds = true
	}
	return r.Done()
}

func (s *BatchStatement) decode(r *Reader, v Version, named bool) {
	off := r.Offset()
	switch kind := r.Byte("statement kind"); {
	case r.Err() != nil:
		return
	case kind == batchKindQuery:
		s.Query = r.LongString("statement query")
	case kind == batchKindPrepared:
		s.ID = r.ShortBytes("statement id")
	default:
		reqFailAt(r, off, "statement kind", fmt.Errorf("unknown statement kind %d", kind))
		return
	}
	s.Values, s.Names = reqReadValues(r, v, named)
}
