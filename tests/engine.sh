#!/bin/sh
# SPDX-License-Identifier: MIT
# The case engines: a worker runs case after case and gives the same rows as a
# process per case (--engine fork, compared by scripts/engine-compare, which lets
# a row differ only when its case run alone answers two ways); a case
# that has to be killed ends its worker, a fresh one runs the next case, and no
# process is left behind; a bad --engine is a usage error.
# Usage: engine.sh MTEPROBE STALL_SO
set -u
bin=$1 stall=$2
. "$(dirname "$0")/scratch-lib.sh"
compare=$(dirname "$0")/../scripts/engine-compare

d=$top/d
mkdir "$d"
subset="--dir $d --syscalls read,write,pread,readv,writev,getdents64,pipe-read,pipe-write,sendmsg,recvmsg --faults page,none --modes none,sync --backings private,self"
for e in fork worker; do
	# shellcheck disable=SC2086
	"$bin" matrix $subset --engine $e --stats -o "$top/$e.csv" >"$top/$e.out" 2>"$top/$e.err" ||
		fail "matrix --engine $e: status $?: $(cat "$top/$e.err")"
done
"$compare" --csv "$top/fork.csv" "$top/worker.csv" >"$top/cmp" || fail "the engines differ: $(cat "$top/cmp")"
ran=$(sed -n 's/^matrix: phases, ms per case over \([0-9]*\) cases run.*/\1/p' "$top/worker.out")
[ "${ran:-0}" -gt 10 ] || fail "worker: too few cases ran: $(cat "$top/worker.out")"
grep -q "over $ran cases run: worker start [0-9.]* (1 workers," "$top/worker.out" ||
	fail "worker: not one worker for $ran cases: $(cat "$top/worker.out")"
grep -q "over $ran cases run: worker start [0-9.]* ($ran workers," "$top/fork.out" ||
	fail "fork: not a process per case: $(cat "$top/fork.out")"

# io_uring makes io-wq workers, threads of the calling thread that would
# copy later cases' buffers in its MTE mode: each of these cases runs on a
# thread of its own, they end with it, and one worker runs them all, with
# the rows of a process per case (before: a fresh worker after most). A
# worker with CAP_IPC_LOCK tries to register each kind of fixed buffer once
# and keeps the answer: the same rows as a fresh try per case, for buffers
# that can be registered (private) and those that may not (a mapping of a file)
u="--dir $d --syscalls uring-read,uring-write,uring-readv,uring-writev,uring-read-fixed,uring-write-fixed"
u="$u --faults page,none --modes none --backings private,other --stats"
for e in fork worker; do
	# shellcheck disable=SC2086
	"$bin" matrix $u --engine $e -o "$top/u-$e.csv" >"$top/u-$e.out" 2>"$top/u-$e.err" ||
		fail "io_uring matrix --engine $e: status $?: $(cat "$top/u-$e.err")"
done
"$compare" --csv "$top/u-fork.csv" "$top/u-worker.csv" >"$top/cmp" || fail "io_uring: the engines differ: $(cat "$top/cmp")"
ran=$(sed -n 's/^matrix: phases, ms per case over \([0-9]*\) cases run.*/\1/p' "$top/u-worker.out")
if [ "${ran:-0}" -eq 0 ]; then
	echo "io_uring: no case ran here ($(grep -m1 -o 'io_uring[^,]*' "$top/u-worker.csv" || echo unknown)): one worker not checked"
elif ! grep -q "over $ran cases run: worker start [0-9.]* (1 workers," "$top/u-worker.out"; then
	fail "io_uring: not one worker for $ran cases: $(cat "$top/u-worker.out")"
fi

# a call that never returns: its worker is killed at the time limit, the next
# case runs in a fresh one
stalled "$top/mark" matrix --dir "$d" --syscalls pwrite,write --faults none --modes none \
	--backings private --io buffered --timeout 1 --no-watchdog --stats -o "$top/k.csv" >"$top/out" 2>"$top/err" ||
	fail "matrix with a stuck call: status $?: $(cat "$top/err")"
row() { grep ",$1,buffered," "$top/k.csv" | head -1; }
case $(row pwrite) in *,timeout,*"no result within 1000 ms; killed"*) ;; *) fail "the stuck pwrite: $(row pwrite)" ;; esac
case $(row write) in *,full,*) ;; *) fail "write after the stuck case: $(row write)" ;; esac
grep -q "over 2 cases run: worker start [0-9.]* (2 workers," "$top/out" ||
	fail "not a fresh worker after the killed one: $(cat "$top/out")"
if [ -s "$top/mark" ] && [ -e "/proc/$(cat "$top/mark")" ]; then
	fail "the killed worker $(cat "$top/mark") is still there"
fi
[ -z "$(ls -A "$d")" ] || fail "files left: $(ls -A "$d")"

"$bin" matrix --dir "$d" --engine spawn >/dev/null 2>"$top/err"; st=$?
if [ $st != 2 ] || ! grep -q "bad --engine 'spawn': use worker or fork" "$top/err"; then
	fail "bad --engine: status $st: $(cat "$top/err")"
fi

# A row that differs counts, unless the case run alone answered two ways
# (engine-compare --alone: the kernel's own race, not the engine's): the first
# row's ret changed in a copy of the worker's CSV; alone, the case once gave
# each value (unstable, status 0: three runs with the fork engine's row, a
# process of its own too) or only the fork engine's (status 1).
ret_to() { # CSV VALUE: the CSV with its first row's ret set to VALUE, by name
	awk -F, -v v="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ret") c = i }
		NR == 2 { $c = v } { print }' OFS=, "$1"
}
first=$(sed -n 2p "$top/fork.csv")
case $first in *'"'*) fail "the first row of fork.csv quotes a field: $first" ;; esac
ret_to "$top/fork.csv" 123457 >"$top/changed.csv"
{ sed -n 1,2p "$top/fork.csv"; sed -n 1,2p "$top/changed.csv"; } >"$top/alone2.csv"
{ sed -n 1,2p "$top/fork.csv"; sed -n 1,2p "$top/fork.csv"; } >"$top/alone1.csv"
"$compare" --csv "$top/fork.csv" "$top/changed.csv" --alone "$top/alone2.csv" >"$top/cmp2"; st=$?
[ $st = 0 ] && grep -q '^unstable in the kernel: .*3 runs gave' "$top/cmp2" &&
	grep -q 'ret "123457"' "$top/cmp2" || fail "a case that answered two ways alone: status $st: $(cat "$top/cmp2")"
"$compare" --csv "$top/fork.csv" "$top/changed.csv" --alone "$top/alone1.csv" >"$top/cmp1"; st=$?
[ $st = 1 ] && grep -q '^a difference of the engines: ' "$top/cmp1" ||
	fail "a case that answered one way alone: status $st: $(cat "$top/cmp1")"

[ $fails = 0 ] || exit 1
echo "ok: engines"
