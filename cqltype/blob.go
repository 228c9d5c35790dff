package cqltype

// blob is raw bytes. It accepts []byte and string (and named types of
// either); it decodes into a copy, so the result never aliases the network
// buffer.

func appendBlob(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return append(dst, x...), nil
	case string:
		return append(dst, x...), nil
	}
	return appendStringKind(dst, v)
}
