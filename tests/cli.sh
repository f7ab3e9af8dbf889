#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command line's conventions: help, version with build features, usage
# errors that point to --help with status 2, write errors that fail the exit,
# and selftest's documented status on this CPU.
# Usage: cli.sh MTEPROBE [WRAPPER...]   (WRAPPER: qemu-aarch64 for a cross build)
# shellcheck source=cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
out=$dir/out

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
	m --help >/dev/full 2>"$out"
	st=$?
	if [ "$st" -eq 0 ] || ! grep -q 'write error' "$out"; then
		fail "--help >/dev/full: status $st"
	fi
fi

# selftest: 0 with MTE, 3 without; the page checks pass either way
m selftest >"$out" 2>&1
st=$?
if grep -q '^pass cpu-mte' "$out"; then want=0; else want=3; fi
if [ "$st" -ne "$want" ] || ! grep -q '^pass probe-page' "$out" || grep -q '^FAIL' "$out"; then
	fail "selftest status $st (want $want):"; sed 's/^/    /' "$out"
fi
if [ "$want" -eq 3 ] && ! grep -q 'this CPU has no MTE' "$out"; then
	fail "selftest without MTE must say so"
fi

[ "$fails" -eq 0 ]
