package cassandraprom_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/cassandratest"
	cassandraprom "github.com/cqlgo/cassandra/contrib/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// Exporting a session's metrics: register the collector, then serve the
// registry (promhttp.HandlerFor(reg, promhttp.HandlerOpts{})) as usual.
func Example() {
	// A simulated node stands in for Cassandra here.
	nodes, err := cassandratest.StartClusterWith(cassandratest.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		panic(err)
	}
	defer nodes[0].Close()

	ctx := context.Background()
	cluster := cassandra.NewCluster(nodes[0].Addr().String())
	cluster.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	session, err := cluster.Connect(ctx)
	if err != nil {
		panic(err)
	}
	defer cluster.Close(ctx)

	reg := prometheus.NewRegistry()
	reg.MustRegister(cassandraprom.NewCollector(session, cassandraprom.WithConstLabels(prometheus.Labels{"app": "shop"})))

	for range 3 {
		if _, err := session.Execute(ctx, "SELECT name FROM shop.users"); err != nil {
			panic(err)
		}
	}
	err = testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP cassandra_connected_nodes Hosts with an open connection.
# TYPE cassandra_connected_nodes gauge
cassandra_connected_nodes{app="shop"} 1
`), "cassandra_connected_nodes")
	fmt.Println("connected_nodes as expected:", err == nil)
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "cassandra_cql_requests_seconds" {
			fmt.Println("requests:", mf.GetMetric()[0].GetHistogram().GetSampleCount())
		}
	}
	// Output:
	// connected_nodes as expected: true
	// requests: 3
}
