package main

import (
	"errors"
	"strings"
	"testing"
)

func TestIdleNodeSaysWhichNodeWasDialed(t *testing.T) {
	const sim = "against an in-process simulated node (its side counted too)"
	tests := []struct {
		hosts     string
		authOrTLS bool
		want      string
	}{
		{"", false, sim},
		{"127.0.0.2", false, "against the real node at 127.0.0.2:9042"},
		{" 127.0.0.1:9043, 127.0.0.2", false, "against the real node at 127.0.0.1:9043"},
		{"127.0.0.1:9042", true, sim + ": CASSANDRA_HOSTS names a node with authentication or TLS, which the benchmark does not dial"},
	}
	for _, tt := range tests {
		if got := idleNode(tt.hosts, tt.authOrTLS); got != tt.want {
			t.Errorf("idleNode(%q, %v) = %q, want %q", tt.hosts, tt.authOrTLS, got, tt.want)
		}
	}
}

func TestTestFailureQuotesTheFailingBenchmark(t *testing.T) {
	stdout := "goos: linux\nBenchmarkPreparedSelect-2 \t 20000\t 35954 ns/op\n--- FAIL: BenchmarkPreparedExec-2\n    bench_request_test.go:231: connection refused\nFAIL\nexit status 1\nFAIL\tgithub.com/cqlgo/cassandra\t0.5s\n"
	got := testFailure([]byte(stdout), nil, errors.New("exit status 1"))
	if want := "exit status 1: --- FAIL: BenchmarkPreparedExec-2 | bench_request_test.go:231: connection refused"; got != want {
		t.Errorf("benchmark failure: %q, want %q", got, want)
	}
	build := "# github.com/cqlgo/cassandra\n./session.go:10:2: undefined: x\n"
	got = testFailure([]byte("FAIL\tgithub.com/cqlgo/cassandra [build failed]\n"), []byte(build), errors.New("exit status 1"))
	if !strings.Contains(got, "./session.go:10:2: undefined: x") {
		t.Errorf("build failure: %q", got)
	}
}

func TestShellJoinQuotesPatterns(t *testing.T) {
	got := shellJoin([]string{"test", "-run", "^$", "-bench", "^(A|B)$", "-count", "3", "."})
	if want := `test -run '^$' -bench '^(A|B)$' -count 3 .`; got != want {
		t.Errorf("%s, want %s", got, want)
	}
}
