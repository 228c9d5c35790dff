package frame

// Ready is the READY message (section 4.2.2): the server accepted STARTUP
// (or REGISTER) and is ready for queries. Its body is empty.
type Ready struct{}

// Opcode returns OpReady.
func (*Ready) Opcode() Opcode { return OpReady }

// Encode appends nothing: READY has an empty body.
func (*Ready) Encode(dst []byte, v Version) ([]byte, error) {
	e := newRspEnc(dst, "READY")
	rspEncVersion(&e, v)
	return e.done()
}

// Decode checks that body is empty.
func (*Ready) Decode(body []byte, v Version) error {
	var r Reader
	r.Reset(body, "READY")
	rspVersion(&r, v)
	return r.Done()
}
