module github.com/cqlgo/cassandra

go 1.26

require (
	github.com/golang/snappy v1.0.0
	github.com/google/uuid v1.6.0
	github.com/pierrec/lz4/v4 v4.1.33
	gopkg.in/inf.v0 v0.9.1
)
