package frame

import "fmt"

// ResultKind is the [int] that starts a RESULT body (section 4.2.5).
type ResultKind int32

// Result kinds.
const (
	ResultVoid         ResultKind = 0x0001 // VoidResult
	ResultRows         ResultKind = 0x0002 // RowsResult
	ResultSetKeyspace  ResultKind = 0x0003 // SetKeyspaceResult
	ResultPrepared     ResultKind = 0x0004 // PreparedResult
	ResultSchemaChange ResultKind = 0x0005 // SchemaChangeResult
)

// String returns the spec's name of the kind, such as Rows.
func (k ResultKind) String() string {
	switch k {
	case ResultVoid:
		return "Void"
	case ResultRows:
		return "Rows"
	case ResultSetKeyspace:
		return "Set_keyspace"
	case ResultPrepared:
		return "Prepared"
	case ResultSchemaChange:
		return "Schema_change"
	}
	return fmt.Sprintf("ResultKind(%d)", int32(k))
}

// DecodeResult decodes a RESULT body, whose first [int] selects the Go type:
// *VoidResult, *RowsResult, *SetKeyspaceResult, *PreparedResult or
// *SchemaChangeResult.
func DecodeResult(body []byte, v Version) (Message, error) {
	var r Reader
	r.Reset(body, "RESULT")
	if !rspVersion(&r, v) {
		return nil, r.Err()
	}
	kind := ResultKind(r.Int("kind"))
	if r.Err() != nil {
		return nil, r.Err()
	}
	var m Message
	switch kind {
	case ResultVoid:
		m = &VoidResult{}
	case ResultRows:
		m = &RowsResult{}
	case ResultSetKeyspace:
		m = &SetKeyspaceResult{}
	case ResultPrepared:
		m = &PreparedResult{}
	case ResultSchemaChange:
		m = &SchemaChangeResult{}
	default:
		r.Failf("kind", "unknown result kind %d", int32(kind))
		return nil, r.Err()
	}
	if err := m.Decode(body, v); err != nil {
		return nil, err
	}
	return m, nil
}

// startResult prepares a Reader over a RESULT body of the given kind and
// reads the kind; it reports false if reading cannot go on.
func startResult(r *Reader, body []byte, v Version, kind ResultKind) bool {
	r.Reset(body, resultWhat(kind))
	if !rspVersion(r, v) {
		return false
	}
	if k := ResultKind(r.Int("kind")); r.Err() == nil && k != kind {
		r.Failf("kind", "result kind %s, want %s", k, kind)
	}
	return r.Err() == nil
}

// startResultEnc starts encoding a RESULT body of the given kind.
func startResultEnc(dst []byte, v Version, kind ResultKind) rspEnc {
	e := newRspEnc(dst, resultWhat(kind))
	if rspEncVersion(&e, v) {
		e.putInt(int32(kind))
	}
	return e
}

// VoidResult is the Void RESULT (section 4.2.5.1): success with nothing
// to say.
type VoidResult struct{}

// Opcode returns OpResult.
func (*VoidResult) Opcode() Opcode { return OpResult }

// Kind returns ResultVoid.
func (*VoidResult) Kind() ResultKind { return ResultVoid }

// Encode appends the kind.
func (*VoidResult) Encode(dst []byte, v Version) ([]byte, error) {
	e := startResultEnc(dst, v, ResultVoid)
	return e.done()
}

// Decode checks the kind and that nothing follows it.
func (*VoidResult) Decode(body []byte, v Version) error {
	var r Reader
	startResult(&r, body, v, ResultVoid)
	return r.Done()
}

// SetKeyspaceResult is the Set_keyspace RESULT (section 4.2.5.3), the
// answer to USE.
type SetKeyspaceResult struct {
	Keyspace string
}

// Opcode returns OpResult.
func (*SetKeyspaceResult) Opcode() Opcode { return OpResult }

// Kind returns ResultSetKeyspace.
func (*SetKeyspaceResult) Kind() ResultKind { return ResultSetKeyspace }

// Encode appends the kind and the keyspace.
func (m *SetKeyspaceResult) Encode(dst []byte, v Version) ([]byte, error) {
	e := startResultEnc(dst, v, ResultSetKeyspace)
	e.putString("keyspace", m.Keyspace)
	return e.done()
}

// Decode reads the keyspace.
func (m *SetKeyspaceResult) Decode(body []byte, v Version) error {
	var r Reader
	var ks string
	if startResult(&r, body, v, ResultSetKeyspace) {
		ks = r.String("keyspace")
	}
	if err := r.Done(); err != nil {
		return err
	}
	m.Keyspace = ks
	return nil
}

// resultWhat names a result kind for errors without building a string on
// the hot path.
func resultWhat(kind ResultKind) string {
	switch kind {
	case ResultVoid:
		return "RESULT Void"
	case ResultRows:
		return "RESULT Rows"
	case ResultSetKeyspace:
		return "RESULT Set_keyspace"
	case ResultPrepared:
		return "RESULT Prepared"
	case ResultSchemaChange:
		return "RESULT Schema_change"
	}
	return "RESULT"
}
