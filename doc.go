// Package cassandra is a driver for Apache Cassandra speaking the CQL native
// protocol v3, v4 and v5.
//
// A program builds a Cluster with NewCluster, calls Connect to get a Session,
// and runs statements through it. The wire codec lives in the frame package;
// load balancing, retry, reconnection and speculative execution policies live
// in the policy package.
package cassandra
