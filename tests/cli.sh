#!/bin/sh
# SPDX-License-Identifier: MIT
# The command line's conventions: help, version with build features, usage
# errors that point to --help with status 2, write errors that fail the exit,
# and selftest's documented status on this CPU.
# Usage: cli.sh MTEPROBE [WRAPPER]   (WRAPPER: qemu-aarch64 for a cross build)
set -u
bin=$1
wrap=${2:-}
fails=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run() { $wrap "$bin" "$@"; }

expect() {	# expect STATUS PATTERN -- ARGS: status and a line of combined output
	want=$1 pattern=$2
	shift 3
	run "$@" >"$out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ] || ! grep -qE -- "$pattern" "$out"; then
		echo "FAIL: mteprobe $*: status $got (want $want), output:"; sed 's/^/    /' "$out"
		fails=$((fails + 1))
	fi
}

expect 0 '^Usage: mteprobe' -- --help
expect 0 '^  selftest ' -- --help
expect 0 'features: [+-]mte-asm [+-]liburing [+-]libbpf' -- --version
expect 2 "Try 'mteprobe --help'" -- frobnicate
expect 2 "unknown command 'frobnicate'" -- frobnicate
expect 2 "Try 'mteprobe --help'" --
expect 2 "unknown option '--bogus'" -- --bogus
expect 2 "Try 'mteprobe selftest --help'" -- selftest --bogus
expect 0 '^probe-page$' -- selftest --list

# a write error on stdout fails the exit
if [ -w /dev/full ]; then
	run --help >/dev/full 2>"$out"
	st=$?
	if [ "$st" -eq 0 ] || ! grep -q 'write error' "$out"; then
		echo "FAIL: --help >/dev/full: status $st"; fails=$((fails + 1))
	fi
fi

# selftest: 0 with MTE, 3 without; the page checks pass either way
run selftest >"$out" 2>&1
st=$?
if grep -q '^pass cpu-mte' "$out"; then want=0; else want=3; fi
if [ "$st" -ne "$want" ] || ! grep -q '^pass probe-page' "$out" || grep -q '^FAIL' "$out"; then
	echo "FAIL: selftest status $st (want $want):"; sed 's/^/    /' "$out"
	fails=$((fails + 1))
fi
if [ "$want" -eq 3 ] && ! grep -q 'this CPU has no MTE' "$out"; then
	echo "FAIL: selftest without MTE must say so"; fails=$((fails + 1))
fi

[ "$fails" -eq 0 ]
