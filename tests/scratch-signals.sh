#!/bin/sh
# SPDX-License-Identifier: MIT
# Stop signals: run stopped by SIGINT while its call is stuck, matrix by
# SIGHUP in a stuck call and by SIGTERM or SIGQUIT between rows, each exits
# 130 at once with its summary, leaves no child and no file, and keeps the
# rows written.
# Usage: scratch-signals.sh MTEPROBE STALL_SO
set -u
bin=$1 stall=$2
. "$(dirname "$0")/scratch-lib.sh"

d=$top/d
mkdir "$d"
echo user >"$d/keep"
before=$(snap "$d")
clean() {	# WHAT: the directory as it was, the stalled child gone
	[ "$(snap "$d")" = "$before" ] || { fail "$1: files left: $(cd "$d" && find . | head -5)"; }
	if [ -s "$top/mark" ]; then
		child=$(cat "$top/mark")
		if [ -e "/proc/$child" ] && grep -q '^MTEPROBE_TEST_STALL=' "/proc/$child/environ" 2>/dev/null; then
			fail "$1: the stalled case $child is still there"
			kill -KILL "$child"
		fi
	fi
}

# run: SIGINT while the call is stuck (the case child ignores SIGINT)
stalled_bg "$top/mark" run --syscall pwrite --dir "$d" --fault none --timeout 3600 >"$top/out" 2>"$top/err"
wait_for_stall "$top/mark" $pid || fail "run: the call never started: $(cat "$top/err")"
kill -INT $pid
wait $pid; st=$?
[ $st = 130 ] || fail "run stopped by SIGINT: status $st"
grep -q 'stopped by SIGINT before the case gave its result; its files are removed' "$top/err" ||
	fail "run stopped by SIGINT says: $(cat "$top/err")"
clean "run stopped by SIGINT"

# matrix: SIGHUP while a call is stuck, after rows were written
stalled_bg "$top/mark" matrix --dir "$d" --syscalls write,pwrite --faults none --modes none \
	--backings private --io buffered --timeout 3600 -o "$top/m.csv" >"$top/out" 2>"$top/err"
wait_for_stall "$top/mark" $pid || fail "matrix: the call never started: $(cat "$top/err")"
kill -HUP $pid
wait $pid; st=$?
[ $st = 130 ] || fail "matrix stopped by SIGHUP: status $st"
grep -q '^matrix: 1 of 2 cases .*interrupted' "$top/out" || fail "matrix stopped by SIGHUP: summary $(cat "$top/out" "$top/err")"
[ "$(grep -c ',write,' "$top/m.csv")" = 1 ] && ! grep -q ',pwrite,' "$top/m.csv" ||
	fail "matrix stopped by SIGHUP: rows $(cat "$top/m.csv")"
clean "matrix stopped by SIGHUP"

# matrix: SIGTERM and SIGQUIT once the CSV has a row (no stall)
for sig in TERM QUIT; do
	rm -f "$top/mark" "$top/m.csv"
	env --default-signal "$bin" matrix --dir "$d" --syscalls write,read,getdents64 --faults page,none \
		--modes none --offsets 0,512,1024,1536,2048 --at 0,512,1024,1536,2048,2560,3072,3584,next \
		-o "$top/m.csv" >"$top/out" 2>"$top/err" &
	pid=$!
	while [ "$(wc -l 2>/dev/null <"$top/m.csv" || echo 0)" -lt 2 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.05
	done
	kill -$sig $pid
	wait $pid; st=$?
	# the whole matrix may have finished before the signal: then 0
	if [ $st = 130 ]; then
		grep -q '^matrix: [0-9]* of [0-9]* cases .*interrupted' "$top/out" ||
			fail "matrix stopped by SIG$sig: summary $(cat "$top/out" "$top/err")"
		rows=$(($(wc -l <"$top/m.csv") - 1))
		done=$(sed -n 's/^matrix: \([0-9]*\) of.*/\1/p' "$top/out")
		[ "$rows" = "$done" ] || fail "matrix stopped by SIG$sig: $rows rows for $done cases"
	elif [ $st != 0 ]; then
		fail "matrix stopped by SIG$sig: status $st: $(cat "$top/err")"
	fi
	clean "matrix stopped by SIG$sig"
done

[ $fails = 0 ] && echo "scratch signals: every check passed"
[ $fails = 0 ]
