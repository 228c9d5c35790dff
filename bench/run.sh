#!/usr/bin/env bash
# Builds the benchmark clients and the simulated node, then runs the harness
# (cmd/benchrun), which writes results/latest.jsonl and BENCHMARKS.md.
# QUICK=1 runs the few-minute version. Extra arguments go to benchrun
# (go run ./cmd/benchrun -h lists them).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p bin results
go build -o bin/cqlbench ./cmd/cqlbench
go build -o bin/cannedsrv ./cmd/cannedsrv
go build -o bin/benchrun ./cmd/benchrun
args=()
if [ "${QUICK:-}" = 1 ]; then
	args+=(-quick)
fi
if ! command -v cargo >/dev/null 2>&1; then
	echo "cargo not found: install Rust to benchmark scylla-rust-driver" >results/cargo.log.tmp
	args+=(-rust "")
elif ! (cd rust && cargo build --release) >results/cargo.log.tmp 2>&1; then
	echo "run.sh: the Rust client did not build (bench/results/cargo.log.tmp); its rows carry the error" >&2
	args+=(-rust "")
fi
exec bin/benchrun "${args[@]}" "$@"
