package ormconn_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/google/uuid"

	"github.com/cqlgo/cassandra"
	"github.com/cqlgo/cassandra/ormconn"
)

// User is a row of shop.users.
type User struct {
	ID   uuid.UUID `cql:"id"`
	Name string    `cql:"name"`
}

// UserRepo keeps users in the connection it is given by name; it holds no
// session, so it can be built before anything connects.
type UserRepo struct {
	Conns *ormconn.Registry
	Conn  string // "" is the default connection
}

// Get returns the user with the given id, or cassandra.ErrNotFound.
func (r *UserRepo) Get(ctx context.Context, id uuid.UUID) (User, error) {
	s, err := r.Conns.Get(ctx, r.Conn)
	if err != nil {
		return User{}, err
	}
	rs, err := s.Execute(ctx, "SELECT id, name FROM users WHERE id = ?", id)
	if err != nil {
		return User{}, err
	}
	return cassandra.ScanOne[User](rs)
}

// Save writes u at the connection's consistency.
func (r *UserRepo) Save(ctx context.Context, u User) error {
	c, err := r.Conns.Lookup(r.Conn)
	if err != nil {
		return err
	}
	s, err := c.Session(ctx)
	if err != nil {
		return err
	}
	_, err = s.ExecuteStatement(ctx, c.NewStatement("INSERT INTO users (id, name) VALUES (?, ?)", u.ID, u.Name))
	return err
}

// A repository built on a registry: Setup registers a lazy default
// connection, and the first repository call connects it.
func Example() {
	ctx := context.Background()
	conns := ormconn.NewRegistry()
	err := conns.Setup(ctx, []string{"127.0.0.1"}, "shop", ormconn.Options{
		Lazy:         true,
		RetryConnect: true,
		Consistency:  cassandra.LocalQuorum,
		Configure: func(c *cassandra.Cluster) {
			c.Auth = &cassandra.PasswordAuthenticator{Username: "app", Password: "secret"}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer conns.CloseAll(ctx)

	users := &UserRepo{Conns: conns}
	ann := User{ID: uuid.New(), Name: "ann"}
	if err := users.Save(ctx, ann); err != nil {
		log.Fatal(err)
	}
	got, err := users.Get(ctx, ann.ID)
	if errors.Is(err, cassandra.ErrNotFound) {
		log.Fatal("ann was not saved")
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Name)
}

// Several named connections, one of them a session the application made
// itself: the registry never closes that one.
func ExampleRegistry_RegisterSession() {
	ctx := context.Background()
	cluster := cassandra.NewCluster("10.0.0.1")
	defer cluster.Close(ctx)
	analytics, err := cluster.Connect(ctx)
	if err != nil {
		log.Fatal(err)
	}

	var conns ormconn.Registry // the zero value is ready
	defer conns.CloseAll(ctx)
	if err := conns.Register(ctx, "orders", cassandra.NewCluster("10.0.0.2"), ormconn.Options{Keyspace: "orders", Default: true}); err != nil {
		log.Fatal(err)
	}
	if err := conns.RegisterSession(ctx, "analytics", analytics, ormconn.Options{Keyspace: "reports", Consistency: cassandra.One}); err != nil {
		log.Fatal(err)
	}
	if _, err := conns.Get(ctx, "nope"); err != nil {
		var unknown *ormconn.UnknownConnectionError
		fmt.Println(errors.As(err, &unknown)) // true
	}
	// Unregister leaves the analytics session open; the deferred CloseAll
	// closes the orders cluster, which the registry owns.
	_ = conns.Unregister(ctx, "analytics")
}
