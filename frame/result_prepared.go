package frame

import "fmt"

// PreparedResult is the Prepared RESULT (section 4.2.5.4), the answer to
// PREPARE:
//
//	<id>[<result_metadata_id>]<metadata><result_metadata>
//
// ID and ResultMetadataID are copied out of the frame, since the driver
// keeps them for as long as the statement lives.
type PreparedResult struct {
	ID []byte
	// ResultMetadataID (v5) identifies Result; EXECUTE sends it back so the
	// node can tell when the result metadata changed.
	ResultMetadataID []byte
	// Params describes the bind markers.
	Params PreparedMetadata
	// Result describes the rows EXECUTE will return; it may be empty
	// (MetadataNoMetadata and no columns), always so for non-SELECTs.
	Result RowsMetadata
}

// Opcode returns OpResult.
func (*PreparedResult) Opcode() Opcode { return OpResult }

// Kind returns ResultPrepared.
func (*PreparedResult) Kind() ResultKind { return ResultPrepared }

// Encode appends the Prepared result for version v; ResultMetadataID is an
// error before v5.
func (m *PreparedResult) Encode(dst []byte, v Version) ([]byte, error) {
	e := startResultEnc(dst, v, ResultPrepared)
	if e.err != nil {
		return e.done()
	}
	if v < V5 && m.ResultMetadataID != nil {
		e.fail("result_metadata_id", fmt.Errorf("needs protocol v5, not %s", v))
		return e.done()
	}
	e.putShortBytes("id", m.ID)
	if v >= V5 {
		e.putShortBytes("result_metadata_id", m.ResultMetadataID)
	}
	m.Params.encode(&e, v)
	m.Result.encode(&e, v)
	return e.done()
}

// Decode decodes a Prepared result.
func (m *PreparedResult) Decode(body []byte, v Version) error {
	var r Reader
	var p PreparedResult
	if startResult(&r, body, v, ResultPrepared) {
		p.ID = cloneBytes(r.ShortBytes("id"))
		if v >= V5 {
			p.ResultMetadataID = cloneBytes(r.ShortBytes("result_metadata_id"))
		}
		p.Params = ReadPreparedMetadata(&r, v)
		p.Result = ReadRowsMetadata(&r, v)
	}
	if err := r.Done(); err != nil {
		return err
	}
	*m = p
	return nil
}
