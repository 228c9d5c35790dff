package cqltype

import "github.com/cqlgo/cassandra/frame"

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

// copyBytes is the natural value of a blob or custom type: a copy, never
// aliasing the response.
func copyBytes(_ *frame.Type, data []byte) (any, error) {
	return append(make([]byte, 0, len(data)), data...), nil
}

func init() {
	register(&codec{append: ignoreType(appendBlob), natural: naturalOf[[]byte](), decode: copyBytes}, frame.TypeBlob)
}
