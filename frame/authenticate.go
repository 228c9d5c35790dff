package frame

// Authenticate is the AUTHENTICATE message (section 4.2.3): the server
// requires SASL authentication with the named IAuthenticator class, such as
// org.apache.cassandra.auth.PasswordAuthenticator.
type Authenticate struct {
	Authenticator string
}

// Opcode returns OpAuthenticate.
func (*Authenticate) Opcode() Opcode { return OpAuthenticate }

// Encode appends the authenticator class as a [string].
func (m *Authenticate) Encode(dst []byte, v Version) ([]byte, error) {
	e := newRspEnc(dst, "AUTHENTICATE")
	if rspEncVersion(&e, v) {
		e.putString("authenticator", m.Authenticator)
	}
	return e.done()
}

// Decode reads the authenticator class.
func (m *Authenticate) Decode(body []byte, v Version) error {
	var r Reader
	r.Reset(body, "AUTHENTICATE")
	if rspVersion(&r, v) {
		m.Authenticator = r.String("authenticator")
	}
	return r.Done()
}
