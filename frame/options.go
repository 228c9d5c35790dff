package frame

// Options is the OPTIONS request (opcode 0x05): asks which STARTUP options
// the server supports. Its body is empty.
type Options struct{}

var _ Message = (*Options)(nil)

// Opcode returns OpOptions.
func (m *Options) Opcode() Opcode { return OpOptions }

// Encode returns dst unchanged: the body is empty.
func (m *Options) Encode(dst []byte, v Version) ([]byte, error) {
	if err := reqCheckVersion("OPTIONS", v); err != nil {
		return dst, err
	}
	return dst, nil
}

// Decode checks that body is empty.
func (m *Options) Decode(body []byte, v Version) error {
	var r Reader
	reqReader(&r, body, "OPTIONS", v)
	return r.Done()
}
