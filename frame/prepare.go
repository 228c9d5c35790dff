package frame

// Prepare is the PREPARE request (opcode 0x09): asks the server to parse a
// statement once and return an id to EXECUTE it by.
type Prepare struct {
	// Query is the CQL text, a [long string].
	Query string
	// Keyspace, when not empty, is the keyspace unqualified names resolve
	// in instead of the connection's (v5 only).
	Keyspace string
}

// PREPARE flags (v5; v3 and v4 have no flags).
const prepareKeyspace uint32 = 0x01

var _ Message = (*Prepare)(nil)

// Opcode returns OpPrepare.
func (m *Prepare) Opcode() Opcode { return OpPrepare }

// Encode appends the body of m for version v to dst. A keyspace before v5
// is an *EncodeError.
func (m *Prepare) Encode(dst []byte, v Version) ([]byte, error) {
	if err := reqCheckVersion("PREPARE", v); err != nil {
		return dst, err
	}
	if err := reqCheckLongString("PREPARE query", m.Query); err != nil {
		return dst, err
	}
	if m.Keyspace != "" {
		if v < V5 {
			return dst, &EncodeError{What: "PREPARE keyspace", Err: errKeyspaceNeedsV5}
		}
		if err := CheckString("PREPARE keyspace", m.Keyspace); err != nil {
			return dst, err
		}
	}
	dst = AppendLongString(dst, m.Query)
	if v < V5 {
		return dst, nil
	}
	if m.Keyspace == "" {
		return AppendInt(dst, 0), nil
	}
	dst = AppendInt(dst, int32(prepareKeyspace))
	return AppendString(dst, m.Keyspace), nil
}

// Decode replaces m with the PREPARE body for version v.
func (m *Prepare) Decode(body []byte, v Version) error {
	var r Reader
	reqReader(&r, body, "PREPARE", v)
	*m = Prepare{Query: r.LongString("query")}
	if v >= V5 {
		if reqReadFlags(&r, v, prepareKeyspace, 0)&prepareKeyspace != 0 {
			m.Keyspace = r.String("keyspace")
		}
	}
	return r.Done()
}
