package frame

// Supported is the SUPPORTED message (section 4.2.4), the answer to
// OPTIONS: for each STARTUP option the values the server accepts, such as
// "COMPRESSION": ["snappy", "lz4"] and "PROTOCOL_VERSIONS": ["3/v3", "4/v4",
// "5/v5"].
type Supported struct {
	Options map[string][]string
}

// Opcode returns OpSupported.
func (*Supported) Opcode() Opcode { return OpSupported }

// Encode appends Options as a [string multimap] in sorted key order, so the
// bytes are deterministic.
func (m *Supported) Encode(dst []byte, v Version) ([]byte, error) {
	e := newRspEnc(dst, "SUPPORTED")
	if !rspEncVersion(&e, v) {
		return e.done()
	}
	e.putCount("options", len(m.Options), true)
	for _, k := range sortedKeys(m.Options) {
		e.putString("option name", k)
		e.putStringList("option values", m.Options[k])
	}
	return e.done()
}

// Decode reads the multimap. An empty multimap decodes as a nil map; a key
// sent twice keeps its last values.
func (m *Supported) Decode(body []byte, v Version) error {
	var r Reader
	r.Reset(body, "SUPPORTED")
	var opts map[string][]string
	if rspVersion(&r, v) {
		opts = r.StringMultimap("options")
	}
	if err := r.Done(); err != nil {
		return err
	}
	m.Options = opts
	return nil
}
