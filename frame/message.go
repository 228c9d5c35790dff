package frame

// Message is the body of a request or a response. Each message type lives in
// a file of its own with a symmetric Encode/Decode pair and golden tests.
//
// Decode may keep slices that alias body (for example the cells of a RESULT
// Rows); the caller keeps body unmodified for as long as the message is used.
// Encode appends to dst and returns the extended slice, so encoding into a
// reused buffer allocates nothing.
type Message interface {
	Opcode() Opcode
	Encode(dst []byte, v Version) ([]byte, error)
	Decode(body []byte, v Version) error
}
