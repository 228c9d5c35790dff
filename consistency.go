package cassandra

import "github.com/cqlgo/cassandra/frame"

// Consistency is a CQL consistency level.
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
