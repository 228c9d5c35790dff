package frame

// AuthChallenge is the AUTH_CHALLENGE message (section 4.2.7): a SASL
// challenge the client answers with AUTH_RESPONSE. A nil Token is the null
// [bytes]; an empty one is a zero-length token.
type AuthChallenge struct {
	Token []byte
}

// Opcode returns OpAuthChallenge.
func (*AuthChallenge) Opcode() Opcode { return OpAuthChallenge }

// Encode appends the token as [bytes].
func (m *AuthChallenge) Encode(dst []byte, v Version) ([]byte, error) {
	return encodeAuthToken(dst, v, "AUTH_CHALLENGE", m.Token)
}

// Decode reads the token, copied so it outlives the frame buffer.
func (m *AuthChallenge) Decode(body []byte, v Version) error {
	t, err := decodeAuthToken(body, v, "AUTH_CHALLENGE")
	if err == nil {
		m.Token = t
	}
	return err
}

func encodeAuthToken(dst []byte, v Version, what string, token []byte) ([]byte, error) {
	e := newRspEnc(dst, what)
	if rspEncVersion(&e, v) {
		e.putBytes("token", token)
	}
	return e.done()
}

func decodeAuthToken(body []byte, v Version, what string) ([]byte, error) {
	var r Reader
	r.Reset(body, what)
	var t []byte
	if rspVersion(&r, v) {
		t = cloneBytes(r.Bytes("token"))
	}
	return t, r.Done()
}
