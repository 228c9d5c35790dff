# Entry points. `make demo` first, `make test` before every push (and in CI).
.PHONY: demo test test-unit test-integration cassandra-stop

VERSION ?= 5.0
NODES ?= 1

# Starts one Cassandra 5.0 node unless one answers at CASSANDRA_HOSTS, then
# runs the quickstart against it. The node keeps running: `make cassandra-stop`.
demo:
	@if [ -n "$$CASSANDRA_HOSTS" ] && go run ./internal/cmd/cqlping $${CASSANDRA_USERNAME:+-user $$CASSANDRA_USERNAME -pass $$CASSANDRA_PASSWORD} $${CASSANDRA_TLS_CA:+-ca $$CASSANDRA_TLS_CA -servername $$CASSANDRA_TLS_SERVER_NAME} $$(echo $$CASSANDRA_HOSTS | tr , ' ' | cut -d' ' -f1) >/dev/null 2>&1; then \
		echo "using the server at $$CASSANDRA_HOSTS"; \
		go run ./examples/quickstart; \
	else \
		scripts/cassandra status 2>/dev/null | grep -q ' running$$' || scripts/cassandra start --version 5.0 --nodes 1 || exit 1; \
		eval "$$(scripts/cassandra env)" && go run ./examples/quickstart; \
	fi

# Format and vet checks, unit tests with -race, then the suite against every
# real server setup (5.0 x1, 5.0 x3, 2.1, 5.0 with auth, 5.0 with TLS).
test:
	scripts/test-all.sh

# Unit tests only: no server, no integration variables.
test-unit:
	env -u CASSANDRA_HOSTS go test -race -count=1 ./...

# The suite against one setup: make test-integration VERSION=5.0 NODES=3
test-integration:
	scripts/cassandra start --version $(VERSION) --nodes $(NODES) $(if $(AUTH),--auth) $(if $(TLS),--tls)
	eval "$$(scripts/cassandra env)" && go test -count=1 -p 1 -timeout 15m ./...; rc=$$?; scripts/cassandra stop; exit $$rc

cassandra-stop:
	scripts/cassandra stop

# Ten minutes at full load against a real node with a node restart in the
# middle (internal/faults/soak_integration_test.go); not part of make test.
.PHONY: soak
soak:
	scripts/soak.sh

# Benchmarks against gocql, the Apache v2 driver, scylla-rust-driver and the
# wire limit (bench/README.md): bench/results/latest.jsonl, bench/BENCHMARKS.md.
# QUICK=1 runs a few-minute version.
.PHONY: bench
bench:
	QUICK=$(QUICK) bench/run.sh
