package cassandratest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/cassandratest"
	"github.com/cqlgo/cassandra/frame"
)

// Users is the code under test: a service's repository over the driver.
type Users struct{ s *cassandra.Session }

const getUser = "SELECT name FROM shop.users WHERE id = ?"

// Get returns the name of user id. The read is idempotent, so the driver
// may retry it on another node.
func (u Users) Get(ctx context.Context, id int) (string, error) {
	rs, err := u.s.ExecuteStatement(ctx, cassandra.NewStatement(getUser, id).Idempotent(true))
	if err != nil {
		return "", fmt.Errorf("get user %d: %w", id, err)
	}
	return cassandra.ScanOne[string](rs)
}

// A test of Users against a two-node cluster that fails on purpose: one
// node is overloaded, then a read times out.
func Example() {
	// Two nodes on 127.0.0.1, one port each (StartCluster uses 127.0.0.2
	// and so on, which only Linux has by default).
	nodes, err := cassandratest.StartClusterWith(cassandratest.Config{Addr: "127.0.0.1:0"}, cassandratest.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		panic(err)
	}
	defer func() {
		for _, n := range nodes {
			n.Close()
		}
	}()

	// What the table holds: the statement's bind markers and result
	// columns, and the row of user 42.
	int32Type, textType := &frame.Type{ID: frame.TypeInt}, &frame.Type{ID: frame.TypeVarchar}
	params := frame.NewPreparedMetadata([]frame.ColumnSpec{{Keyspace: "shop", Table: "users", Name: "id", Type: int32Type}}, 0)
	result := frame.NewRowsMetadata(frame.ColumnSpec{Keyspace: "shop", Table: "users", Name: "name", Type: textType})
	// One Once shared by both nodes: the first attempt fails, wherever the
	// driver sends it.
	overloaded := cassandratest.Once(cassandratest.Error(&frame.OverloadedError{Msg: "too many requests in flight"}))
	for _, n := range nodes {
		n.AddRule(cassandratest.Rule{Match: cassandratest.Prepare(getUser), Then: cassandratest.Prepared(params, result)})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(getUser), Then: overloaded})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(getUser), Then: cassandratest.Rows(result, [][][]byte{{cassandratest.TextCell("ann")}})})
	}

	ctx := context.Background()
	cluster := cassandra.NewCluster(nodes[0].Addr().String())
	cluster.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cluster.Timeouts.Request = 2 * time.Second
	session, err := cluster.Connect(ctx)
	if err != nil {
		panic(err)
	}
	defer cluster.Close(ctx)
	if err := waitForPools(ctx, session, len(nodes)); err != nil {
		panic(err)
	}
	users := Users{session}

	// Overloaded: the driver retries the idempotent read on the other node.
	name, err := users.Get(ctx, 42)
	fmt.Println(name, err)
	for i, n := range nodes {
		fmt.Printf("node %d: %d execution(s)\n", i+1, n.Count(cassandratest.Execute(getUser)))
	}

	// A read timeout with too few replicas answering reaches the caller,
	// who can tell it apart with errors.As.
	for _, n := range nodes {
		n.ClearRules()
		n.AddRule(cassandratest.Rule{Match: cassandratest.Prepare(getUser), Then: cassandratest.Prepared(params, result)})
		n.AddRule(cassandratest.Rule{Match: cassandratest.Execute(getUser), Then: cassandratest.Error(&frame.ReadTimeoutError{
			Msg: "Operation timed out - received only 1 responses.", Consistency: frame.LocalQuorum, Received: 1, BlockFor: 2})})
		n.ResetRequests()
	}
	_, err = users.Get(ctx, 42)
	var rt *cassandra.ReadTimeoutError
	if errors.As(err, &rt) {
		fmt.Printf("read timeout: %d of %d replicas answered\n", rt.Received, rt.BlockFor)
	}
	fmt.Println("attempts:", nodes[0].Count(cassandratest.Execute(getUser))+nodes[1].Count(cassandratest.Execute(getUser)))
	// Output:
	// ann <nil>
	// node 1: 1 execution(s)
	// node 2: 1 execution(s)
	// read timeout: 1 of 2 replicas answered
	// attempts: 1
}

// waitForPools waits until the session has an open connection to each of
// the hosts: Connect returns once it can run requests, perhaps before the
// pools to the other nodes are open, and a retry needs one to go to.
func waitForPools(ctx context.Context, s *cassandra.Session, hosts int) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for {
		open := 0
		for _, p := range s.PoolStats() {
			if p.OpenConnections > 0 {
				open++
			}
		}
		if open >= hosts {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of %d pools open: %w", open, hosts, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}
