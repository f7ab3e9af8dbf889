#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# matrix --jobs (lib/lanes.h): cases side by side give the same rows, in the
# plan's order, as one lane; a call stuck in one lane is killed at its time
# limit while the other lanes go on; a stop signal sent to matrix alone ends
# every lane, keeps the rows written and leaves no process and no file; a lane
# killed from outside ends the run with status 4 and the rows kept; a bad
# --jobs is a usage error.
# Usage: lanes.sh MTEPROBE STALL_SO
set -u
bin=$1 stall=$2
. "$(dirname "$0")/scratch-lib.sh"
# shellcheck source=../scripts/lib/csv.sh
. "$(dirname "$0")/../scripts/lib/csv.sh"
compare=$(dirname "$0")/../scripts/engine-compare

d=$top/d
mkdir "$d"
echo user >"$d/keep"
before=$(snap "$d")
subset="--dir $d --syscalls read,write,pread,readv,writev,getdents64,pipe-read,pipe-write,sendmsg,recvmsg --faults page,none --modes none,sync --backings private,self"
for j in 1 3; do
	# shellcheck disable=SC2086
	"$bin" matrix $subset --jobs $j --stats -o "$top/j$j.csv" >"$top/j$j.out" 2>"$top/j$j.err" ||
		fail "matrix --jobs $j: status $?: $(cat "$top/j$j.err")"
done
"$compare" --csv "$top/j1.csv" "$top/j3.csv" >"$top/cmp" || fail "--jobs 1 and 3 differ: $(cat "$top/cmp")"
keys() { csv_awk '{ print case_key() }' "$1"; }
[ "$(keys "$top/j1.csv")" = "$(keys "$top/j3.csv")" ] || fail "--jobs 3 rows not in the plan's order"
[ "$(keys "$top/j1.csv" | wc -l)" -gt 100 ] || fail "too few rows: $(cat "$top/j1.out")"
# three lanes, three workers at least (one each; more after killed cases)
workers=$(sed -n 's/.* worker start [0-9.]* (\([0-9]*\) workers,.*/\1/p' "$top/j3.out")
[ "${workers:-0}" -ge 3 ] || fail "--jobs 3: ${workers:-no} workers: $(cat "$top/j3.out")"
[ "$(snap "$d")" = "$before" ] || fail "files left after --jobs 3: $(cd "$d" && find . | head -5)"

# a call that never returns in one lane: killed at its time limit; the other
# lane runs the rest meanwhile (one pwrite only: the shim stalls every
# pwrite, also those that fill a read's file)
stalled "$top/mark" matrix --dir "$d" --syscalls pwrite,write,pipe-write,sendmsg --faults none --modes none \
	--backings private --io buffered --timeout 2 --no-watchdog --jobs 2 -o "$top/k.csv" \
	>"$top/out" 2>"$top/err" || fail "matrix --jobs 2 with a stuck call: status $?: $(cat "$top/err")"
row() { csv_awk -v s="$1" -v f="$2" 'col("syscall") == s && col("fault") == f { print col("result") ";" col("note") }' "$top/k.csv"; }
case $(row pwrite none) in timeout\;*"no result within 2000 ms; killed"*) ;; *) fail "the stuck pwrite: $(row pwrite none)" ;; esac
case $(row write none) in full\;*) ;; *) fail "write beside the stuck case: $(row write none)" ;; esac
case $(row sendmsg none) in full\;*) ;; *) fail "sendmsg beside the stuck case: $(row sendmsg none)" ;; esac
grep -q "stuck tasks left running 0" "$top/out" || fail "stuck tasks: $(cat "$top/out")"
if [ -s "$top/mark" ] && [ -e "/proc/$(cat "$top/mark")" ]; then
	fail "the killed worker $(cat "$top/mark") is still there"
fi
[ "$(snap "$d")" = "$before" ] || fail "files left after the stuck case: $(cd "$d" && find . | head -5)"

# SIGTERM to matrix alone while a lane's call is stuck: every lane ends
rm -f "$top/k.csv"
stalled_bg "$top/mark" matrix --dir "$d" --syscalls write,pwrite,pipe-write --faults none --modes none \
	--backings private --io buffered --timeout 3600 --jobs 2 -o "$top/k.csv" >"$top/out" 2>"$top/err"
wait_for_stall "$top/mark" "$pid" || fail "matrix --jobs 2: the call never started: $(cat "$top/err")"
kill -TERM "$pid"
wait "$pid"; st=$?
[ $st = 130 ] || fail "matrix --jobs 2 stopped by SIGTERM: status $st: $(cat "$top/err")"
grep -q '^matrix: [0-9]* of 3 cases .*interrupted' "$top/out" || fail "summary: $(cat "$top/out" "$top/err")"
done=$(sed -n 's/^matrix: \([0-9]*\) of.*/\1/p' "$top/out")
rows=$(csv_awk '{ n++ } END { print n + 0 }' "$top/k.csv")
[ "$rows" = "$done" ] || fail "stopped: $rows rows for ${done:-?} cases"
csv_awk 'col("syscall") == "pwrite" { bad = 1 } END { exit bad }' "$top/k.csv" || fail "a row for the stopped pwrite"
stuck=$(cat "$top/mark" 2>/dev/null)
[ -z "$stuck" ] || wait_gone "$stuck" || fail "the stalled worker $stuck is still there"
left=$(grep -lz "^MTEPROBE_TEST_STALL=$top/mark\$" /proc/[0-9]*/environ 2>/dev/null | head -3)
[ -z "$left" ] || fail "processes left: $left"
[ "$(snap "$d")" = "$before" ] || fail "files left after SIGTERM: $(cd "$d" && find . | head -5)"

# a lane killed from outside (SIGKILL) while its call is stuck: matrix says
# so, ends the other lanes, keeps the rows that came in, exits 4
rm -f "$top/k.csv"
stalled_bg "$top/mark" matrix --dir "$d" --syscalls write,pwrite,pipe-write --faults none --modes none \
	--backings private --io buffered --timeout 3600 --jobs 2 -o "$top/k.csv" >"$top/out" 2>"$top/err"
wait_for_stall "$top/mark" "$pid" || fail "matrix --jobs 2: the call never started: $(cat "$top/err")"
lane=$(awk '{ print $4 }' "/proc/$(cat "$top/mark")/stat")
[ "$lane" != "$pid" ] || fail "the stalled worker is matrix's own child: no lane"
kill -KILL "$lane"
wait "$pid"; st=$?
[ $st = 4 ] || fail "a lane killed: status $st: $(cat "$top/err")"
grep -q "matrix: a lane of cases ended without its results (KILL); the rows it sent are kept" "$top/err" ||
	fail "a lane killed says: $(cat "$top/err")"
done=$(sed -n 's/^matrix: \([0-9]*\) of.*/\1/p' "$top/out")
rows=$(csv_awk '{ n++ } END { print n + 0 }' "$top/k.csv")
[ "$rows" = "$done" ] || fail "a lane killed: $rows rows for ${done:-?} cases"
stuck=$(cat "$top/mark" 2>/dev/null)
[ -z "$stuck" ] || wait_gone "$stuck" || fail "the killed lane's worker $stuck is still there"
[ "$(snap "$d")" = "$before" ] || fail "files left after a lane was killed: $(cd "$d" && find . | head -5)"

for bad in 0 9 x -1 ''; do
	"$bin" matrix --dir "$d" --jobs "$bad" >/dev/null 2>"$top/err"; st=$?
	[ $st = 2 ] && grep -q "bad --jobs '$bad': give a number from 1 to 8" "$top/err" ||
		fail "--jobs '$bad': status $st: $(cat "$top/err")"
done

[ $fails = 0 ] || exit 1
echo "ok: lanes"
