package frame

import (
	"fmt"
	"math"
)

// Execute is the EXECUTE request (opcode 0x0A): runs a statement prepared
// earlier, identified by the id from the PREPARED result.
type Execute struct {
	// ID is the prepared statement id, a [short bytes].
	ID []byte
	// ResultMetadataID is the id of the result metadata the client holds,
	// a [short bytes] sent in v5 only (it must be nil for v3 and v4).
	ResultMetadataID []byte
	Params           QueryParams
}

var _ Message = (*Execute)(nil)

// Opcode returns OpExecute.
func (m *Execute) Opcode() Opcode { return OpExecute }

// Encode appends the body of m for version v to dst. Besides the failures
// of Query.Encode, a result metadata id before v5 is an *EncodeError.
func (m *Execute) Encode(dst []byte, v Version) ([]byte, error) {
	if err := reqCheckVersion("EXECUTE", v); err != nil {
		return dst, err
	}
	if len(m.ID) > math.MaxUint16 {
		return dst, &EncodeError{What: "EXECUTE id", Err: fmt.Errorf("%d bytes exceed a [short] length", len(m.ID))}
	}
	if m.ResultMetadataID != nil && v < V5 {
		return dst, &EncodeError{What: "EXECUTE result metadata id", Err: errMetadataIDNeedsV5}
	}
	if len(m.ResultMetadataID) > math.MaxUint16 {
		return dst, &EncodeError{What: "EXECUTE result metadata id", Err: fmt.Errorf("%d bytes exceed a [short] length", len(m.ResultMetadataID))}
	}
	start := len(dst)
	dst = AppendShortBytes(dst, m.ID)
	if v >= V5 {
		dst = AppendShortBytes(dst, m.ResultMetadataID)
	}
	dst, err := m.Params.encode(dst, v, "EXECUTE")
	if err != nil {
		return dst[:start], err
	}
	return dst, nil
}

// Decode replaces m with the EXECUTE body for version v. The ids, values
// and paging state alias body.
func (m *Execute) Decode(body []byte, v Version) error {
	var r Reader
	reqReader(&r, body, "EXECUTE", v)
	m.ID = r.ShortBytes("id")
	m.ResultMetadataID = nil
	if v >= V5 {
		m.ResultMetadataID = r.ShortBytes("result metadata id")
	}
	m.Params.decode(&r, v)
	return r.Done()
}
