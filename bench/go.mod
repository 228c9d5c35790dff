module github.com/cqlgo/cassandra/bench

go 1.26

require (
	github.com/apache/cassandra-gocql-driver/v2 v2.1.2
	github.com/cqlgo/cassandra v0.0.0-00010101000000-000000000000
	github.com/gocql/gocql v1.7.0
)

require (
	github.com/golang/snappy v1.0.0 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/hailocab/go-hostpool v0.0.0-20160125115350-e80d13ce29ed // indirect
	github.com/pierrec/lz4/v4 v4.1.33 // indirect
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	gopkg.in/inf.v0 v0.9.1 // indirect
)

replace github.com/cqlgo/cassandra => ../
