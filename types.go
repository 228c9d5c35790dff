package cassandra

import (
	"time"

	"github.com/cqlgo/cassandra/cqltype"
	"github.com/cqlgo/cassandra/frame"
)

// The value codec lives in package cqltype (CQL values to and from Go
// values, the struct-mapping plans); these are the names users write every
// day, so they stay reachable from this package.
type (
	// Date is a CQL date: days since the Unix epoch (cqltype.Date).
	Date = cqltype.Date
	// Duration is a CQL duration: months, days and nanoseconds
	// (cqltype.Duration).
	Duration = cqltype.Duration
	// MapEntry is one pair of a CQL map whose keys have no comparable Go
	// type (cqltype.MapEntry).
	MapEntry = cqltype.MapEntry
	// Marshaler lets a Go type encode itself (cqltype.Marshaler).
	Marshaler = cqltype.Marshaler
	// AppendMarshaler is a Marshaler that appends without allocating
	// (cqltype.AppendMarshaler).
	AppendMarshaler = cqltype.AppendMarshaler
	// Unmarshaler lets a Go type decode itself (cqltype.Unmarshaler).
	Unmarshaler = cqltype.Unmarshaler
	// MarshalError reports a Go value that does not fit its column
	// (cqltype.MarshalError).
	MarshalError = cqltype.MarshalError
	// UnmarshalError reports a column value that does not fit its Go
	// destination (cqltype.UnmarshalError).
	UnmarshalError = cqltype.UnmarshalError
)

// Unset, bound as a value, leaves the column unchanged (protocol v4+).
var Unset = cqltype.Unset

// DateOf returns the date of t in UTC.
func DateOf(t time.Time) Date { return cqltype.DateOf(t) }

// Consistency is a CQL consistency level. The zero value means "not set":
// a statement or profile that leaves it zero takes its level from the next
// layer (profile, then Cluster), so Any can be chosen as a default like any
// other level. Consistency.Wire gives the protocol's number.
type Consistency = frame.Consistency

// Consistency levels.
const (
	Any         = frame.Any
	One         = frame.One
	Two         = frame.Two
	Three       = frame.Three
	Quorum      = frame.Quorum
	All         = frame.All
	LocalQuorum = frame.LocalQuorum
	EachQuorum  = frame.EachQuorum
	Serial      = frame.Serial
	LocalSerial = frame.LocalSerial
	LocalOne    = frame.LocalOne
)

// ParseConsistency returns the consistency level named s (LOCAL_QUORUM,
// local_quorum or LocalQuorum), for configuration files and flags.
func ParseConsistency(s string) (Consistency, error) { return frame.ParseConsistency(s) }
