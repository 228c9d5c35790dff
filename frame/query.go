package frame

// Query is the QUERY request (opcode 0x07): a CQL string run once, without
// preparing it, followed by the shared <query_parameters>.
type Query struct {
	// Query is the CQL text, sent as a [long string].
	Query  string
	Params QueryParams
}

var _ Message = (*Query)(nil)

// Opcode returns OpQuery.
func (m *Query) Opcode() Opcode { return OpQuery }

// Encode appends the body of m for version v to dst. It fails with an
// *EncodeError if m uses something v lacks (unset values before v4, a
// keyspace or now_in_seconds before v5) or a field overflows its length
// prefix.
func (m *Query) Encode(dst []byte, v Version) ([]byte, error) {
	if err := reqCheckVersion("QUERY", v); err != nil {
		return dst, err
	}
	if err := reqCheckLongString("QUERY query", m.Query); err != nil {
		return dst, err
	}
	start := len(dst)
	dst = AppendLongString(dst, m.Query)
	dst, err := m.Params.encode(dst, v, "QUERY")
	if err != nil {
		return dst[:start], err
	}
	return dst, nil
}

// Decode replaces m with the QUERY body for version v. Values and the
// paging state alias body.
func (m *Query) Decode(body []byte, v Version) error {
	var r Reader
	reqReader(&r, body, "QUERY", v)
	m.Query = r.LongString("query")
	m.Params.decode(&r, v)
	return r.Done()
}
