package cqltype

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/cqlgo/cassandra/frame"
)

// Reasons carried in the Err field of MarshalError and UnmarshalError.
var (
	errOutOfRange = errors.New("out of range")
	//lint:ignore ST1005 starts with the proper noun Go
	errWrongGoType = errors.New("Go type not accepted for this CQL type")
	//lint:ignore ST1005 starts with the exported name Unset
	errUnsetNotValue  = errors.New("Unset is only valid as a top-level bound value")
	errNullElement    = errors.New("collection and vector elements cannot be null")
	errNotPointer     = errors.New("destination must be a non-nil pointer")
	errTimeUUIDVer    = errors.New("timeuuid needs a version 1 UUID")
	errUnknownCQLType = errors.New("unsupported CQL type")
	errTrailing       = errors.New("trailing bytes after the value")
	errTruncated      = errors.New("value truncated")
)

// MarshalError reports a Go value that cannot be converted to a CQL type
// without losing data: a number out of range, a Go type the CQL type does not
// accept, a wrong length. It is returned by Marshal, AppendValue and the
// statement binder; use errors.As to reach it.
type MarshalError struct {
	// Column is the bound column or marker name, filled in by the binder;
	// empty when the value was marshalled on its own.
	Column string
	// Path locates the failing part inside a collection, tuple, UDT or
	// vector value, such as "[2]", "{key}" or ".address.zip"; empty at the
	// top level.
	Path string
	// CQLType is the CQL type the failing part was marshalled to.
	CQLType string
	// GoType is the Go type of the failing part.
	GoType string
	// Err is the reason.
	Err error

	value string // short rendering of numeric values for the message
}

// Error formats the failure as "cassandra: cannot marshal <Go type> [value]
// into column "<name>" of type <CQL type>: <reason>".
func (e *MarshalError) Error() string {
	var b strings.Builder
	b.WriteString("cassandra: cannot marshal ")
	b.WriteString(e.GoType)
	if e.value != "" {
		b.WriteByte(' ')
		b.WriteString(e.value)
	}
	b.WriteString(" into ")
	writeWhere(&b, e.Column, e.Path)
	b.WriteString("type ")
	b.WriteString(e.CQLType)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the reason.
func (e *MarshalError) Unwrap() error { return e.Err }

// UnmarshalError reports CQL bytes that cannot be stored in a Go destination:
// malformed bytes, a value out of the destination's range, or a destination
// type the CQL type cannot be converted to. Use errors.As to reach it.
type UnmarshalError struct {
	// Column is the result column name, filled in by the row scanner; empty
	// when the value was unmarshalled on its own.
	Column string
	// Path locates the failing part inside a collection, tuple, UDT or
	// vector value; empty at the top level.
	Path string
	// CQLType is the CQL type of the failing part.
	CQLType string
	// GoType is the Go type of the destination.
	GoType string
	// Err is the reason.
	Err error
}

// Error formats the failure as "cassandra: cannot unmarshal column
// "<name>" of type <CQL type> into <Go type>: <reason>".
func (e *UnmarshalError) Error() string {
	var b strings.Builder
	b.WriteString("cassandra: cannot unmarshal ")
	writeWhere(&b, e.Column, e.Path)
	b.WriteString("type ")
	b.WriteString(e.CQLType)
	b.WriteString(" into ")
	b.WriteString(e.GoType)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the reason.
func (e *UnmarshalError) Unwrap() error { return e.Err }

func writeWhere(b *strings.Builder, column, path string) {
	switch {
	case column != "" && path != "":
		fmt.Fprintf(b, "column %q at %s of ", column, path)
	case column != "":
		fmt.Fprintf(b, "column %q of ", column)
	case path != "":
		fmt.Fprintf(b, "element %s of ", path)
	}
}

// WithColumn records the column name in a MarshalError or UnmarshalError
// carried by err and returns err; other errors are returned unchanged. The
// binder and the row scanner call it, since only they know the name.
func WithColumn(err error, column string) error {
	var me *MarshalError
	if errors.As(err, &me) {
		me.Column = column
		return err
	}
	var ue *UnmarshalError
	if errors.As(err, &ue) {
		ue.Column = column
	}
	return err
}

// withPath prefixes the location of a nested failure, so an error in the
// third element of a list reads "[2]" and one inside a UDT field ".zip".
func withPath(err error, elem string) error {
	switch e := err.(type) {
	case *MarshalError:
		e.Path = elem + e.Path
	case *UnmarshalError:
		e.Path = elem + e.Path
	}
	return err
}

func indexPath(i int) string { return "[" + strconv.Itoa(i) + "]" }

// marshalErr builds a MarshalError for v; numbers and booleans are shown in
// the message, other values (which may be secrets) are not.
func marshalErr(t *frame.Type, v any, reason error) *MarshalError {
	e := &MarshalError{CQLType: t.String(), GoType: goTypeName(v), Err: reason}
	switch x := v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		float32, float64, bool:
		e.value = fmt.Sprint(x)
	case *big.Int:
		if x != nil && x.BitLen() <= 256 {
			e.value = x.String()
		}
	}
	return e
}

func marshalErrf(t *frame.Type, v any, format string, args ...any) *MarshalError {
	return marshalErr(t, v, fmt.Errorf(format, args...))
}

func unmarshalErr(t *frame.Type, dst any, reason error) *UnmarshalError {
	return &UnmarshalError{CQLType: t.String(), GoType: strings.TrimPrefix(goTypeName(dst), "*"), Err: reason}
}

func goTypeName(v any) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprintf("%T", v)
}

// wrongLength is the reason for a fixed-size CQL value of the wrong size.
func wrongLength(want, got int) error {
	return fmt.Errorf("%w: want %d bytes, got %d", errTruncatedOrLong(want, got), want, got)
}

func errTruncatedOrLong(want, got int) error {
	if got < want {
		return errTruncated
	}
	return errTrailing
}
