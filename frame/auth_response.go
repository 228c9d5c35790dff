package frame

import (
	"fmt"
	"math"
)

// AuthResponse is the AUTH_RESPONSE request (opcode 0x0F): the client's
// answer in a SASL exchange, started after AUTHENTICATE and repeated after
// each AUTH_CHALLENGE.
type AuthResponse struct {
	// Token is the authenticator-specific answer, a [bytes]: nil is sent as
	// null. A decoded Token aliases the body.
	Token []byte
}

var _ Message = (*AuthResponse)(nil)

// Opcode returns OpAuthResponse.
func (m *AuthResponse) Opcode() Opcode { return OpAuthResponse }

// Encode appends the body of m to dst.
func (m *AuthResponse) Encode(dst []byte, v Version) ([]byte, error) {
	if err := reqCheckVersion("AUTH_RESPONSE", v); err != nil {
		return dst, err
	}
	if len(m.Token) > math.MaxInt32 {
		return dst, &EncodeError{What: "AUTH_RESPONSE token", Err: fmt.Errorf("%d bytes exceed an [int] length", len(m.Token))}
	}
	return AppendBytes(dst, m.Token), nil
}

// Decode replaces m with the AUTH_RESPONSE body. Any negative length is a
// null token, as [bytes] defines.
func (m *AuthResponse) Decode(body []byte, v Version) error {
	var r Reader
	reqReader(&r, body, "AUTH_RESPONSE", v)
	m.Token = r.Bytes("token")
	return r.Done()
}
