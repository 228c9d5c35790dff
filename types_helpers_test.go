package cassandra

import "github.com/cqlgo/cassandra/internal/typetest"

// Shorthands for the types and comparisons of internal/typetest.
var (
	tASCII     = typetest.ASCII
	tBigint    = typetest.Bigint
	tBlob      = typetest.Blob
	tBoolean   = typetest.Boolean
	tCounter   = typetest.Counter
	tDate      = typetest.Date
	tDecimal   = typetest.Decimal
	tDouble    = typetest.Double
	tDuration  = typetest.Duration
	tFloat     = typetest.Float
	tInet      = typetest.Inet
	tInt       = typetest.Int
	tSmallint  = typetest.Smallint
	tText      = typetest.Text
	tTime      = typetest.Time
	tTimestamp = typetest.Timestamp
	tTimeUUID  = typetest.TimeUUID
	tTinyint   = typetest.Tinyint
	tUUID      = typetest.UUID
	tVarint    = typetest.Varint
	tCustom    = typetest.Custom
)

var (
	listOf      = typetest.ListOf
	setOf       = typetest.SetOf
	mapOf       = typetest.MapOf
	tupleOf     = typetest.TupleOf
	vectorOf    = typetest.VectorOf
	udtOf       = typetest.UdtOf
	valuesEqual = typetest.ValuesEqual
)
