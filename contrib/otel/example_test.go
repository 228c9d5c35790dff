package cassandraotel_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/cassandratest"
	cassandraotel "github.com/cqlgo/cassandra/contrib/otel"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// Tracing a session: every request is a client span (a child of the span
// in the caller's context) with a child span per attempt.
func Example() {
	// A simulated node stands in for Cassandra here.
	nodes, err := cassandratest.StartClusterWith(cassandratest.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		panic(err)
	}
	defer nodes[0].Close()

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))

	ctx := context.Background()
	cluster := cassandra.NewCluster(nodes[0].Addr().String())
	cluster.Keyspace = "shop"
	cluster.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cluster.Observer = cassandraotel.NewObserver(
		cassandraotel.WithTracerProvider(tp),
		cassandraotel.WithMeterProvider(mp))
	session, err := cluster.Connect(ctx)
	if err != nil {
		panic(err)
	}
	defer cluster.Close(ctx)
	// The session's counters and gauges as OpenTelemetry instruments.
	reg, err := cassandraotel.RegisterMetrics(session, mp)
	if err != nil {
		panic(err)
	}
	defer reg.Unregister()

	ctx, handler := tp.Tracer("shop").Start(ctx, "GET /users")
	if _, err := session.Execute(ctx, "SELECT name FROM users"); err != nil {
		panic(err)
	}
	handler.End()

	for _, s := range spans.Ended() {
		if s.Parent().SpanID() == handler.SpanContext().SpanID() {
			fmt.Println("request span:", s.Name(), s.SpanKind())
		}
	}
	// Output:
	// request span: SELECT shop client
}
