#!/usr/bin/env bash
# scripts/python-witness.sh: makes (once) a Python venv with the Python
# driver, the interop witness of interop_integration_test.go, and prints the
# path of its python on stdout. Everything else goes to stderr.
#
# The venv lives in $CASSANDRA_CACHE_DIR/pyvenv (.cassandra/cache/pyvenv by
# default; .cassandra/ is git-ignored). A second run only checks that the
# driver imports. The driver is installed without its C extensions
# (CASS_DRIVER_NO_CYTHON, CASS_DRIVER_NO_EXTENSIONS), so nothing is compiled.
#
# Knobs: PYTHON3 (the interpreter that makes the venv, default python3),
# PYTHON_WITNESS_REFRESH=1 (rebuild the venv).
#
# The Python driver is test tooling only: the driver itself is Go.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE_DIR=${CASSANDRA_CACHE_DIR:-$REPO/.cassandra/cache}
VENV=$CACHE_DIR/pyvenv
PIN=cassandra-driver==3.29.2
PY3=${PYTHON3:-python3}

log() { printf 'python-witness: %s\n' "$*" >&2; }
die() {
	printf 'python-witness: error: %s\n' "$*" >&2
	exit 1
}

ready() {
	[ -x "$VENV/bin/python" ] &&
		[ "$(cat "$VENV/.witness-pin" 2>/dev/null)" = "$PIN" ] &&
		"$VENV/bin/python" -c 'import cassandra.cluster' >/dev/null 2>&1
}

if [ "${PYTHON_WITNESS_REFRESH:-}" != 1 ] && ready; then
	echo "$VENV/bin/python"
	exit 0
fi

command -v "$PY3" >/dev/null || die "no $PY3: install Python 3 (Debian: apt-get install -y python3 python3-venv)"
"$PY3" -c 'import sys; sys.exit(sys.version_info < (3, 8))' ||
	die "$PY3 is older than 3.8"

# Concurrent runs (several test binaries) build the venv once: the lock is a
# directory, taken with mkdir, released on exit, broken when older than 10
# minutes (a killed run).
mkdir -p "$CACHE_DIR"
LOCK=$CACHE_DIR/pyvenv.lock
for i in $(seq 1 600); do
	if mkdir "$LOCK" 2>/dev/null; then
		break
	fi
	if [ -n "$(find "$LOCK" -maxdepth 0 -mmin +10 2>/dev/null)" ]; then
		log "breaking a stale lock $LOCK"
		rmdir "$LOCK" 2>/dev/null || true
		continue
	fi
	[ "$i" = 600 ] && die "timed out waiting for $LOCK"
	sleep 1
done
trap 'rmdir "$LOCK" 2>/dev/null || true' EXIT

if [ "${PYTHON_WITNESS_REFRESH:-}" != 1 ] && ready; then # built while we waited
	echo "$VENV/bin/python"
	exit 0
fi

t0=$SECONDS
log "creating $VENV with $("$PY3" --version 2>&1) and $PIN"
rm -rf "$VENV"
"$PY3" -m venv "$VENV" >&2 || die "python3 -m venv failed (Debian: apt-get install -y python3-venv)"
CASS_DRIVER_NO_CYTHON=1 CASS_DRIVER_NO_EXTENSIONS=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
	timeout 600 "$VENV/bin/pip" install -q --no-input "$PIN" >&2 ||
	die "pip install $PIN failed"
"$VENV/bin/python" -c 'import cassandra.cluster' >&2 || die "cassandra-driver does not import"
echo "$PIN" >"$VENV/.witness-pin"
log "ready in $((SECONDS - t0)) s"
echo "$VENV/bin/python"
