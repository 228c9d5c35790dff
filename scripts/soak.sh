#!/usr/bin/env bash
# scripts/soak.sh: ten minutes of full load (64 workers of an idempotent
# INSERT at QUORUM, or ONE with fewer than three nodes) against the server in
# CASSANDRA_HOSTS, with a restart of one node (scripts/cassandra stop-node /
# start-node) in the middle. Reports heap in use, goroutines and open
# connections at the start, the middle and the end, and allocations per
# request; fails on a leak or, with three nodes, on any failed request. Not
# part of make test or CI.
#
#   scripts/cassandra start --version 5.0 --nodes 3 && eval "$(scripts/cassandra env)"
#   scripts/soak.sh                       # 10 minutes
#   CQLGO_SOAK_SECONDS=120 scripts/soak.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ -z "${CASSANDRA_HOSTS:-}" ] || [ -z "${CASSANDRA_SCRIPT:-}" ]; then
	echo "soak: no server: start one and export its variables, e.g." >&2
	echo '  scripts/cassandra start --version 5.0 --nodes 3 && eval "$(scripts/cassandra env)"' >&2
	exit 2
fi
export CQLGO_SOAK=1
exec go test -count=1 -v -timeout "${SOAK_TIMEOUT:-40m}" -run '^TestIntegrationSoak$' ./internal/faults
