// Package testenv tells integration tests which real Cassandra server they
// run against. The project's scripts (scripts/cassandra, make test) export
// the variables read here; when they are unset, integration tests skip with
// a line saying how to start a server, so unit tests never need one.
package testenv

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// Env describes the real server under test.
type Env struct {
	Hosts   []string // CASSANDRA_HOSTS, comma separated, host or host:port
	Version string   // CASSANDRA_VERSION: "5.0" or "2.1"
	Nodes   int      // CASSANDRA_NODES, default len(Hosts)

	// Auth is set when the server runs with PasswordAuthenticator
	// (CASSANDRA_USERNAME, CASSANDRA_PASSWORD).
	Username, Password string

	// TLS is set when the server requires client TLS: CASSANDRA_TLS_CA is a
	// PEM file with the CA that signed the server certificate, and
	// CASSANDRA_TLS_SERVER_NAME the name the certificate is issued for.
	TLSCAFile     string
	TLSServerName string

	// RunDir is CASSANDRA_RUN_DIR, where scripts/cassandra keeps its state,
	// and Script the path of scripts/cassandra, for tests that stop, start,
	// pause or resume nodes (CASSANDRA_SCRIPT).
	RunDir string
	Script string
}

const howTo = "set CASSANDRA_HOSTS (run `scripts/cassandra start --version 5.0 --nodes 1` and `eval $(scripts/cassandra env)`, or `make test`)"

// Lookup reads the environment; ok is false when no server is configured.
func Lookup() (Env, bool) {
	hosts := strings.TrimSpace(os.Getenv("CASSANDRA_HOSTS"))
	if hosts == "" {
		return Env{}, false
	}
	e := Env{
		Version:       os.Getenv("CASSANDRA_VERSION"),
		Username:      os.Getenv("CASSANDRA_USERNAME"),
		Password:      os.Getenv("CASSANDRA_PASSWORD"),
		TLSCAFile:     os.Getenv("CASSANDRA_TLS_CA"),
		TLSServerName: os.Getenv("CASSANDRA_TLS_SERVER_NAME"),
		RunDir:        os.Getenv("CASSANDRA_RUN_DIR"),
		Script:        os.Getenv("CASSANDRA_SCRIPT"),
	}
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			e.Hosts = append(e.Hosts, h)
		}
	}
	e.Nodes = len(e.Hosts)
	if n, err := strconv.Atoi(os.Getenv("CASSANDRA_NODES")); err == nil && n > 0 {
		e.Nodes = n
	}
	if e.Version == "" {
		e.Version = "5.0"
	}
	return e, true
}

// Require returns the server under test or skips t.
func Require(t testing.TB) Env {
	t.Helper()
	e, ok := Lookup()
	if !ok {
		t.Skip("no Cassandra server: " + howTo)
	}
	return e
}

// RequireNodes skips t unless the server under test has at least n nodes.
func RequireNodes(t testing.TB, n int) Env {
	t.Helper()
	e := Require(t)
	if e.Nodes < n {
		t.Skipf("needs %d nodes, server under test has %d", n, e.Nodes)
	}
	return e
}

// RequireVersion skips t unless the server under test is version v.
func RequireVersion(t testing.TB, v string) Env {
	t.Helper()
	e := Require(t)
	if e.Version != v {
		t.Skipf("needs Cassandra %s, server under test is %s", v, e.Version)
	}
	return e
}

// Plain reports whether the server runs without auth and TLS, the setup most
// integration tests want.
func (e Env) Plain() bool { return e.Username == "" && e.TLSCAFile == "" }
