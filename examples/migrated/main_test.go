package main

import (
	"context"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/internal/testenv"
)

// TestIntegrationMigratedProgram runs the migrated program against the
// server under test: every step checks what it read back, so a wrong
// mapping of a gocql call fails here.
func TestIntegrationMigratedProgram(t *testing.T) {
	testenv.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx); err != nil {
		t.Fatal(err)
	}
}
