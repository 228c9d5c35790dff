package frame

// framingTestMessage is a message with an opaque body, for the framing tests
// (the real messages live in their own files, written concurrently).
type framingTestMessage struct {
	op   Opcode
	body []byte
}

func (m *framingTestMessage) Opcode() Opcode { return m.op }

func (m *framingTestMessage) Encode(dst []byte, _ Version) ([]byte, error) {
	return append(dst, m.body...), nil
}

func (m *framingTestMessage) Decode(body []byte, _ Version) error {
	m.body = append(m.body[:0], body...)
	return nil
}
