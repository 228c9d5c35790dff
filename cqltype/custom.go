package cqltype

import "github.com/cqlgo/cassandra/frame"

// Custom types (a Java class name the driver does not know) travel as raw
// bytes: []byte in, a copied []byte out. Implement Marshaler and Unmarshaler
// on a Go type to give one a real mapping; t.Custom names the class.

func appendCustom(dst []byte, v any) ([]byte, error) {
	if b, ok := v.([]byte); ok {
		return append(dst, b...), nil
	}
	return appendStringKind(dst, v)
}

func init() {
	register(&codec{append: ignoreType(appendCustom), natural: naturalOf[[]byte](), decode: copyBytes}, frame.TypeCustom)
}
