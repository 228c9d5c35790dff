package cassandra

import "github.com/cqlgo/cassandra/internal/typetest"

// Shorthands for the types and comparisons of internal/typetest.
var (
	tBigint    = typetest.Bigint
	tBlob      = typetest.Blob
	tBoolean   = typetest.Boolean
	tDouble    = typetest.Double
	tInet      = typetest.Inet
	tInt       = typetest.Int
	tText      = typetest.Text
	tTimestamp = typetest.Timestamp
	tTimeUUID  = typetest.TimeUUID
	tUUID      = typetest.UUID
)

var (
	listOf      = typetest.ListOf
	mapOf       = typetest.MapOf
	valuesEqual = typetest.ValuesEqual
)
