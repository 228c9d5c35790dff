// Command quickstart is what `make demo` runs: it connects to the node at
// CASSANDRA_HOSTS (127.0.0.1 by default), creates a keyspace and a table,
// writes a few rows with a prepared statement and a batch, reads them back
// page by page and into structs, runs a lightweight transaction, and prints
// what it did.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/cqlgo/cassandra"
	"github.com/google/uuid"
)

type user struct {
	ID      uuid.UUID `cql:"id"`
	Name    string    `cql:"name"`
	Email   string    `cql:"email"`
	Created time.Time `cql:"created"`
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx); err != nil {
		log.Fatal(err)
	}
}

func cluster() (*cassandra.Cluster, error) {
	hosts := strings.Split(os.Getenv("CASSANDRA_HOSTS"), ",")
	if hosts[0] == "" {
		hosts = []string{"127.0.0.1"}
	}
	c := cassandra.NewCluster(hosts...)
	c.Compression = cassandra.LZ4
	if u := os.Getenv("CASSANDRA_USERNAME"); u != "" {
		c.Auth = &cassandra.PasswordAuthenticator{Username: u, Password: os.Getenv("CASSANDRA_PASSWORD")}
	}
	if ca := os.Getenv("CASSANDRA_TLS_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		c.TLS = &tls.Config{RootCAs: pool, ServerName: os.Getenv("CASSANDRA_TLS_SERVER_NAME")}
	}
	return c, nil
}

func run(ctx context.Context) error {
	c, err := cluster()
	if err != nil {
		return err
	}
	session, err := c.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	for _, h := range c.Hosts() {
		i := h.Info()
		fmt.Printf("connected: %s, Cassandra %s, %s/%s\n", h.Addr(), i.ReleaseVersion, i.DC, i.Rack)
	}

	rs, err := session.Execute(ctx, `CREATE KEYSPACE IF NOT EXISTS quickstart
		WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`)
	if err != nil {
		return err
	}
	fmt.Printf("keyspace ready (schema agreed: %v)\n", rs.SchemaAgreed())
	if err := session.SetKeyspace(ctx, "quickstart"); err != nil {
		return err
	}
	if _, err := session.Execute(ctx, `CREATE TABLE IF NOT EXISTS users (
		id uuid PRIMARY KEY, name text, email text, created timestamp)`); err != nil {
		return err
	}

	// Prepared statements are parsed once by the server; values are checked
	// against the column types before anything is sent.
	ins, err := session.Prepare(ctx, "INSERT INTO users (id, name, email, created) VALUES (?, ?, ?, ?)")
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	names := []string{"ann", "bob", "cy", "dee"}
	b := cassandra.NewBatch(cassandra.UnloggedBatch)
	for _, n := range names[1:] {
		b.Add(ins.Bind(uuid.New(), n, n+"@example.com", now))
	}
	if _, err := session.ExecuteStatement(ctx, ins.Bind(uuid.New(), names[0], names[0]+"@example.com", now).Idempotent(true)); err != nil {
		return err
	}
	if _, err := session.ExecuteStatement(ctx, b); err != nil {
		return err
	}
	fmt.Printf("wrote %d users\n", len(names))

	// Read back, two rows per page: the ResultSet fetches pages as needed.
	rs, err = session.ExecuteStatement(ctx, cassandra.NewStatement("SELECT id, name, email, created FROM users").PageSize(2))
	if err != nil {
		return err
	}
	users, err := cassandra.ScanAll[user](rs)
	if err != nil {
		return err
	}
	for _, u := range users {
		fmt.Printf("  %s  %-4s %s  %s\n", u.ID, u.Name, u.Email, u.Created.Format(time.RFC3339))
	}

	// A lightweight transaction: applied only if the row does not exist.
	rs, err = session.Execute(ctx, "INSERT INTO users (id, name) VALUES (?, ?) IF NOT EXISTS", users[0].ID, "again")
	if err != nil {
		return err
	}
	applied, err := rs.WasApplied()
	if err != nil {
		return err
	}
	fmt.Printf("insert of an existing id applied: %v\n", applied)
	return nil
}
