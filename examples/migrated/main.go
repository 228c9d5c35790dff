// Command migrated is a small gocql program moved over to this driver, as
// docs/migrating-from-gocql.md walks through it: a users table created,
// written with a prepared statement and a logged batch, read by key,
// paged through, and updated with lightweight transactions.
//
// It connects to CASSANDRA_HOSTS (127.0.0.1 by default), with
// CASSANDRA_USERNAME/CASSANDRA_PASSWORD and CASSANDRA_TLS_CA/
// CASSANDRA_TLS_SERVER_NAME when they are set, and exits non-zero on any
// failure. Everything it runs works on Cassandra 2.1 (protocol v3) too.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/policy"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx); err != nil {
		log.Fatal(err)
	}
}

// newCluster is gocql's NewCluster plus ClusterConfig fields, field for field.
func newCluster() (*cassandra.Cluster, error) {
	hosts := strings.Split(os.Getenv("CASSANDRA_HOSTS"), ",")
	if hosts[0] == "" {
		hosts = []string{"127.0.0.1"}
	}
	c := cassandra.NewCluster(hosts...)                               // gocql.NewCluster(hosts...)
	c.Consistency = cassandra.Quorum                                  // cluster.Consistency = gocql.Quorum
	c.Timeouts.Request = 10 * time.Second                             // cluster.Timeout (the whole request here)
	c.Timeouts.Attempt = 5 * time.Second                              // (one try on one host; gocql has no separate bound)
	c.Timeouts.Connect = 10 * time.Second                             // cluster.ConnectTimeout
	c.Pool.ConnectionsPerHost = 2                                     // cluster.NumConns
	c.Policies.Retry = policy.DefaultRetry()                          // cluster.RetryPolicy (retries idempotent statements only)
	c.Policies.LoadBalancing = policy.TokenAware(policy.RoundRobin()) // cluster.PoolConfig.HostSelectionPolicy = gocql.TokenAwareHostPolicy(gocql.RoundRobinHostPolicy())
	if u := os.Getenv("CASSANDRA_USERNAME"); u != "" {                // cluster.Authenticator = gocql.PasswordAuthenticator{...}
		c.Auth = &cassandra.PasswordAuthenticator{Username: u, Password: os.Getenv("CASSANDRA_PASSWORD")}
	}
	if ca := os.Getenv("CASSANDRA_TLS_CA"); ca != "" { // cluster.SslOpts = &gocql.SslOptions{CaPath: ca, ...}
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no PEM certificate", ca)
		}
		c.TLS = &tls.Config{RootCAs: pool, ServerName: os.Getenv("CASSANDRA_TLS_SERVER_NAME")}
	}
	return c, nil
}

type user struct {
	id    int
	name  string
	email string
}

func run(ctx context.Context) error {
	c, err := newCluster()
	if err != nil {
		return err
	}
	session, err := c.Connect(ctx) // cluster.CreateSession()
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer c.Close(ctx) // session.Close()

	// DDL: session.Query(cql).Exec() becomes session.Execute(ctx, cql).
	if _, err := session.Execute(ctx, `CREATE KEYSPACE IF NOT EXISTS migrated
		WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`); err != nil {
		return fmt.Errorf("create keyspace: %w", err)
	}
	if _, err := session.Execute(ctx, `CREATE TABLE IF NOT EXISTS migrated.users (
		id int PRIMARY KEY, name text, email text)`); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	if _, err := session.Execute(ctx, "TRUNCATE migrated.users"); err != nil {
		return fmt.Errorf("truncate: %w", err)
	}

	// Insert with a prepared statement. gocql prepares Query text with
	// values behind the scenes; here Prepare is explicit (Execute with
	// values would prepare and cache it too).
	ins, err := session.Prepare(ctx, "INSERT INTO migrated.users (id, name, email) VALUES (?, ?, ?)")
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if _, err := session.ExecuteStatement(ctx, ins.Bind(1, "ann", "ann@example.com").Idempotent(true)); err != nil {
		return fmt.Errorf("insert: %w", err)
	}

	// A logged batch: session.NewBatch(gocql.LoggedBatch) + b.Query(...) +
	// session.ExecuteBatch(b).
	b := cassandra.NewBatch(cassandra.LoggedBatch)
	for i, name := range []string{"bob", "cy", "dee", "eve"} {
		b.Query("INSERT INTO migrated.users (id, name, email) VALUES (?, ?, ?)", i+2, name, name+"@example.com")
	}
	if _, err := session.ExecuteStatement(ctx, b); err != nil {
		return fmt.Errorf("batch: %w", err)
	}

	// One row by key: session.Query(cql, id).Scan(&name, &email).
	var name, email string
	if err := session.QueryRow(ctx, "SELECT name, email FROM migrated.users WHERE id = ?", 3).Scan(&name, &email); err != nil {
		return fmt.Errorf("read one: %w", err)
	}
	if name != "cy" || email != "cy@example.com" {
		return fmt.Errorf("read one: got %q %q, want cy cy@example.com", name, email)
	}
	// gocql.ErrNotFound becomes cassandra.ErrNotFound.
	err = session.QueryRow(ctx, "SELECT name FROM migrated.users WHERE id = ?", 404).Scan(&name)
	if !errors.Is(err, cassandra.ErrNotFound) {
		return fmt.Errorf("read missing: %v, want ErrNotFound", err)
	}

	// Page through all rows, two per page: session.Query(...).PageSize(2).Iter()
	// with iter.Scan/iter.Close becomes a ResultSet with Next/Scan/Err.
	rs, err := session.ExecuteStatement(ctx, cassandra.NewStatement("SELECT id, name, email FROM migrated.users").PageSize(2))
	if err != nil {
		return fmt.Errorf("select all: %w", err)
	}
	var users []user
	for rs.Next() {
		var u user
		if err := rs.Scan(&u.id, &u.name, &u.email); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		users = append(users, u)
	}
	if err := rs.Err(); err != nil { // iter.Close()
		return fmt.Errorf("paging: %w", err)
	}
	if len(users) != 5 {
		return fmt.Errorf("paging: %d users, want 5", len(users))
	}

	// Manual paging: query.PageState(state) becomes PagingState(state).
	stmt := cassandra.NewStatement("SELECT id FROM migrated.users").PageSize(3)
	rs, err = session.ExecuteStatement(ctx, stmt)
	if err != nil {
		return fmt.Errorf("first page: %w", err)
	}
	first, state := len(rs.CurrentPage()), rs.PagingState()
	rs, err = session.ExecuteStatement(ctx, stmt.PagingState(state))
	if err != nil {
		return fmt.Errorf("second page: %w", err)
	}
	if second := len(rs.CurrentPage()); first != 3 || second != 2 {
		return fmt.Errorf("manual paging: pages of %d and %d rows, want 3 and 2", first, second)
	}

	// Lightweight transactions: ScanCAS / MapScanCAS become WasApplied,
	// and the current values are the row's other columns.
	rs, err = session.Execute(ctx, "INSERT INTO migrated.users (id, name) VALUES (?, ?) IF NOT EXISTS", 1, "again")
	if err != nil {
		return fmt.Errorf("lwt insert: %w", err)
	}
	applied, err := rs.WasApplied()
	if err != nil {
		return fmt.Errorf("lwt insert: %w", err)
	}
	current := map[string]any{}
	if rs.Next() {
		if err := rs.MapScan(current); err != nil { // iter.MapScan / Query.MapScanCAS
			return fmt.Errorf("lwt insert: %w", err)
		}
	}
	if applied || current["name"] != "ann" {
		return fmt.Errorf("lwt insert of an existing id: applied %v, current %v; want false and name ann", applied, current)
	}
	rs, err = session.Execute(ctx, "UPDATE migrated.users SET email = ? WHERE id = ? IF name = ?", "ann@example.org", 1, "ann")
	if err != nil {
		return fmt.Errorf("lwt update: %w", err)
	}
	if applied, err = rs.WasApplied(); err != nil || !applied {
		return fmt.Errorf("lwt update: applied %v, %v; want true", applied, err)
	}

	fmt.Printf("migrated: %d users written, read, paged and updated\n", len(users))
	return nil
}
