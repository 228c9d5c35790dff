package conn

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// pollUntil waits until cond holds, checking every few milliseconds, and
// fails the test if it does not within d.
func pollUntil(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// quietLogger drops the driver's logs; set SIMLOG=1 to see them.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// startNode starts a simulated node closed at the end of the test.
func startNode(t testing.TB, cfg cassandratest.Config) *cassandratest.Node {
	t.Helper()
	n, err := cassandratest.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// testConnConfig is a connection configuration with short timeouts and no
// heartbeat.
func testConnConfig(v frame.Version) *Config {
	return &Config{
		Version:          v,
		Dialer:           &net.Dialer{},
		ConnectTimeout:   2 * time.Second,
		HeartbeatTimeout: time.Second,
		MaxRequests:      maxStreams,
		MaxOrphans:       1024,
		MaxBody:          frame.DefaultMaxBodyLength,
		Logger:           quietLogger(),
	}
}

// dialNode opens a connection to n, closed at the end of the test.
func dialNode(t testing.TB, n *cassandratest.Node, cfg *Config) (*Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cn, err := Dial(ctx, n.Addr(), cfg)
	if err == nil {
		t.Cleanup(cn.Close)
	}
	return cn, err
}

func mustDial(t testing.TB, n *cassandratest.Node, cfg *Config) *Conn {
	t.Helper()
	cn, err := dialNode(t, n, cfg)
	if err != nil {
		t.Fatalf("dial %v: %v", n.Addr(), err)
	}
	return cn
}

// queryText runs cql on cn and returns the first column of the first row
// as text, or "" for a non-rows result.
func queryText(ctx context.Context, cn *Conn, cql string) (string, error) {
	f, err := cn.Exec(ctx, &frame.Query{Query: cql, Params: frame.QueryParams{Consistency: frame.One}}, nil, false)
	if err != nil {
		return "", err
	}
	m, err := frame.DecodeResult(f.Body, cn.version)
	if err != nil {
		return "", err
	}
	rr, ok := m.(*frame.RowsResult)
	if !ok {
		return "", nil
	}
	cells := make([][]byte, rr.Metadata.ColumnCount)
	it := rr.Rows()
	if len(cells) > 0 && it.Next(cells) {
		return string(cells[0]), nil
	}
	return "", it.Err()
}

// echoRows answers a QUERY with one row holding its text.
func echoRows(r *cassandratest.Request) cassandratest.Reaction {
	meta := frame.NewRowsMetadata(frame.ColumnSpec{Keyspace: "ks", Table: "t", Name: "q", Type: &frame.Type{ID: frame.TypeVarchar}})
	return cassandratest.Rows(meta, [][][]byte{{cassandratest.TextCell(r.Query)}})
}
