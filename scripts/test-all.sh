#!/usr/bin/env bash
# scripts/test-all.sh: what `make test` runs. Format and vet checks, unit
# tests with -race and no server, then the whole test suite against each real
# server setup in turn: start, test, stop. Servers are stopped on exit even
# when a step fails; the exit status is non-zero if any step failed.
#
# SETUPS="5.0x1 2.1" scripts/test-all.sh runs a subset of:
#   5.0x1 5.0x3 2.1 5.0x1-auth 5.0x1-tls
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd)
CASS="$REPO/scripts/cassandra"
SETUPS=${SETUPS:-"5.0x1 5.0x3 2.1 5.0x1-auth 5.0x1-tls"}
GO_TEST_TIMEOUT=${GO_TEST_TIMEOUT:-15m}
export CASSANDRA_RUN_DIR=${CASSANDRA_RUN_DIR:-$REPO/.cassandra/run}

# Integration variables from the caller's shell must not leak into the unit
# tests; each setup exports its own.
unset CASSANDRA_HOSTS CASSANDRA_VERSION CASSANDRA_NODES CASSANDRA_USERNAME CASSANDRA_IP_PREFIX CASSANDRA_JMX_OFFSET \
	CASSANDRA_PASSWORD CASSANDRA_TLS_CA CASSANDRA_TLS_SERVER_NAME CASSANDRA_SCRIPT

SUMMARY=()
FAILED=0
T0=$SECONDS

cleanup() { "$CASS" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# step NAME CMD...: runs CMD, records its result and duration.
step() {
	local name=$1 t=$SECONDS rc
	shift
	echo
	echo "==== $name"
	"$@"
	rc=$?
	local status=ok
	if [ $rc != 0 ]; then
		status="FAIL (exit $rc)"
		FAILED=1
	fi
	SUMMARY+=("$(printf '%-28s %-14s %4ss' "$name" "$status" $((SECONDS - t)))")
	return $rc
}

check_gofmt() {
	local bad
	bad=$(gofmt -l $(git ls-files -co --exclude-standard '*.go'))
	if [ -n "$bad" ]; then
		echo "gofmt needed on:"
		echo "$bad"
		return 1
	fi
}

run_suite() (
	eval "$("$CASS" env)"
	exec go test -count=1 -p 1 -timeout "$GO_TEST_TIMEOUT" ./...
)

# The driver's own integration tests again with protocol v4 forced, on the
# 5.0 single node (which negotiates v5 by itself).
run_suite_v4() (
	eval "$("$CASS" env)"
	export CASSANDRA_PROTOCOL=4
	exec go test -count=1 -p 1 -timeout "$GO_TEST_TIMEOUT" -run Integration .
)

integration() {
	local setup=$1 args=()
	case $setup in
	5.0x1) args=(--version 5.0 --nodes 1) ;;
	5.0x3) args=(--version 5.0 --nodes 3) ;;
	2.1) args=(--version 2.1) ;;
	5.0x1-auth) args=(--version 5.0 --nodes 1 --auth) ;;
	5.0x1-tls) args=(--version 5.0 --nodes 1 --tls) ;;
	*)
		echo "unknown setup $setup"
		return 2
		;;
	esac
	step "start $setup" "$CASS" start "${args[@]}" || {
		"$CASS" stop
		return 1
	}
	step "test $setup" run_suite
	if [ "$setup" = 5.0x1 ]; then
		step "test $setup forced v4" run_suite_v4
	fi
	step "stop $setup" "$CASS" stop
}

if "$CASS" status 2>/dev/null | grep -q ' running'; then
	echo "stopping the run already up in $CASSANDRA_RUN_DIR: the setups below need its ports"
	"$CASS" stop
fi

# The Python driver is the interop witness of the integration tests; its
# venv is cached, so only the first run downloads it.
if CASSANDRA_PYTHON=$(scripts/python-witness.sh); then
	export CASSANDRA_PYTHON
else
	echo "python witness unavailable: the interop tests will say why"
fi

# The modules beside the root (adapters, benchmarks): vet and unit tests.
other_modules() {
	local d rc=0
	for d in contrib/otel contrib/prometheus bench; do
		[ -f "$d/go.mod" ] || continue
		echo "-- $d"
		(cd "$d" && go vet ./... && env -u CASSANDRA_HOSTS go test -race -count=1 ./...) || rc=1
	done
	return $rc
}

step gofmt check_gofmt
step "go vet" go vet ./...
step "unit tests (-race)" go test -race -count=1 ./...
step "other modules" other_modules
for s in $SETUPS; do
	t=$SECONDS
	integration "$s"
	SUMMARY+=("$(printf '%-28s %-14s %4ss' "  setup $s total" "" $((SECONDS - t)))")
done

echo
echo "==== summary"
printf '%s\n' "${SUMMARY[@]}"
printf '%-28s %-14s %4ss\n' "total" "$([ $FAILED = 0 ] && echo ok || echo FAILED)" $((SECONDS - T0))
exit $FAILED
