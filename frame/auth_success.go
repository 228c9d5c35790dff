package frame

// AuthSuccess is the AUTH_SUCCESS message (section 4.2.8): authentication
// succeeded. Token holds the server's final SASL data; nil is the null
// [bytes], which PasswordAuthenticator sends.
type AuthSuccess struct {
	Token []byte
}

// Opcode returns OpAuthSuccess.
func (*AuthSuccess) Opcode() Opcode { return OpAuthSuccess }

// Encode appends the token as [bytes].
func (m *AuthSuccess) Encode(dst []byte, v Version) ([]byte, error) {
	return encodeAuthToken(dst, v, "AUTH_SUCCESS", m.Token)
}

// Decode reads the token, copied so it outlives the frame buffer.
func (m *AuthSuccess) Decode(body []byte, v Version) error {
	t, err := decodeAuthToken(body, v, "AUTH_SUCCESS")
	if err == nil {
		m.Token = t
	}
	return err
}
