#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The MTE half of a reproducer, under qemu-aarch64 (which checks the tags
# of the program's own loads, never of syscalls): built with CC -static, the
# reproducer of an MTE case must find its mismatching granule where the case
# puts it (its "fault:" line and expect), and on a CPU without MTE it must
# refuse with exit 3.
# Usage: repro-tags.sh CC QEMU MTEPROBE
set -u
cc=$1 qemu=$2 bin=$3
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
# a CPU without MTE that this qemu knows: neoverse-v1 (Graviton3) from QEMU 8.1 on,
# neoverse-n1 (Graviton2) in bookworm's 7.2
nomte=''
for cpu in neoverse-v1 neoverse-n1 cortex-a76; do
	if "$qemu" -cpu help | awk '{ print $1 }' | grep -qx "$cpu"; then
		nomte=$cpu
		break
	fi
done
[ -n "$nomte" ] || { echo "FAIL: $qemu knows none of neoverse-v1, neoverse-n1, cortex-a76"; exit 1; }

# options, then the first byte that faults (the granule's start, from the buffer)
while read -r want opts; do
	# shellcheck disable=SC2086 # opts is words
	if ! "$qemu" "$bin" repro --syscall pread --dir "$work" $opts -o "$work/r.c" 2>"$work/err"; then
		fail "$opts: repro: $(cat "$work/err")"
		continue
	fi
	if ! "$cc" -static -O2 -Wall -Wextra -Werror -pthread -o "$work/r" "$work/r.c" 2>"$work/err"; then
		fail "$opts: does not build with $cc -static: $(head -5 "$work/err")"
		rm -f "$work/r.c"
		continue
	fi
	"$qemu" -cpu max "$work/r" "$work" >"$work/out" 2>&1
	st=$?
	if [ $st != 0 ] || ! grep -qx "fault: the first byte that faults is $want of 8192" "$work/out" ||
		! grep -q "^expect: $want " "$work/out"; then
		fail "$opts: exit $st, want the fault and expect at $want: $(cat "$work/out")"
	fi
	"$qemu" -cpu "$nomte" "$work/r" "$work" >"$work/out" 2>&1
	st=$?
	if [ $st != 3 ] || ! grep -q 'needs an arm64 CPU with MTE' "$work/out"; then
		fail "$opts: on a CPU without MTE ($nomte): exit $st, want 3: $(cat "$work/out")"
	fi
	rm -f "$work/r.c" "$work/r"
done <<'CASES'
4096 --fault mte
91 --fault mte --buf-off 5 --fault-at 100
0 --fault mte --fault-at first --mode async
4080 --fault retag --fault-at last --buf-off 16
CASES
[ -z "$(find "$work" -name 'mteprobe-repro.*')" ] || fail "a reproducer left its directory behind"
echo "$failed failed"
[ $failed = 0 ]
