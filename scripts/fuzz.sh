#!/usr/bin/env bash
# scripts/fuzz.sh: runs every Go fuzz target of the repository, one at a
# time, for FUZZTIME each (default 30s), and fails if any of them finds a
# crasher (go test writes it to <package>/testdata/fuzz/<FuzzName>/, where it
# becomes a regular test case from then on).
#
#   scripts/fuzz.sh                        every target, 30s each
#   FUZZTIME=5m scripts/fuzz.sh            longer runs
#   FUZZTIME=10s scripts/fuzz.sh FuzzDecodeResult FuzzParseFrame
#
# Targets are found by their declarations (func FuzzXxx(f *testing.F)) in
# the *_test.go files of every package (frame/ and the root package today);
# naming some on the command line runs only those. No server is needed.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FUZZTIME=${FUZZTIME:-30s}
unset CASSANDRA_HOSTS

# "package-dir target" pairs, skipping run directories and Go's own caches.
targets=$(grep -rHo --include='*_test.go' --exclude-dir=.cassandra --exclude-dir=.git \
	--exclude-dir=testdata '^func Fuzz[A-Za-z0-9_]*' . |
	sed -E 's#^(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)$#\1 \2#' | sort -u)
if [ -z "$targets" ]; then
	echo "fuzz.sh: no fuzz targets found" >&2
	exit 1
fi

failed=()
ran=0
while read -r dir name; do
	if [ $# -gt 0 ]; then
		want=0
		for a in "$@"; do [ "$a" = "$name" ] && want=1; done
		[ $want = 1 ] || continue
	fi
	ran=$((ran + 1))
	echo "== $dir $name ($FUZZTIME)"
	if ! go test "$dir" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME"; then
		failed+=("$dir $name")
	fi
done <<<"$targets"

if [ $ran = 0 ]; then
	echo "fuzz.sh: no target named $*" >&2
	exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz.sh: ${#failed[@]} of $ran targets failed (crashers under <package>/testdata/fuzz/):" >&2
	printf '  %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "fuzz.sh: $ran targets, no crasher"
