#!/bin/sh
# SPDX-License-Identifier: MIT
# Every file mteprobe makes stays in its private scratch directory. In a
# world-writable --dir holding symlinks and files named as mteprobe used to
# name its files (mteprobe.PID.SEQ, .mteprobe-dents, mtep) and a symlink
# named like a stale scratch directory, run and matrix (getdents64 included,
# and cases killed at their time limit) follow nothing, touch nothing and
# leave the directory as it was; a --dir too long for the scratch names is
# refused with status 4 before anything is made.
# Usage: scratch-files.sh MTEPROBE STALL_SO
set -u
bin=$1 stall=$2
. "$(dirname "$0")/scratch-lib.sh"

d=$top/d v=$top/victims
mkdir -p "$d" "$v/dir" && chmod 0777 "$d"
echo precious >"$v/file"
echo mine >"$v/dir/keep"
ln -s "$v/dir" "$d/.mteprobe-dents"
echo user >"$d/mtep"
ln -s "$v/dir" "$d/mteprobe-scratch.2147483647.1.0123456789abcdef.AAAAAA"
victims=$(snap "$v")

# Run mteprobe with mteprobe.PID.SEQ planted for SEQ 0..N-1 and the pids its
# cases' children will likely have (the forked case made the name: the pids
# after the one exec keeps; each case forks and starts a thread), even ones
# symlinks to the victim, odd ones a user's file.
planted() {	# N ARGS...
	n=$1; shift
	sh -c 'n=$1 d=$2 v=$3; shift 3; seq=0
		while [ $seq -lt "$n" ]; do
			pid=$$; last=$(($$ + 8 + 4 * seq))
			while [ $pid -le $last ]; do
				if [ $((pid % 2)) = 0 ]; then ln -s "$v" "$d/mteprobe.$pid.$seq"
				else echo user >"$d/mteprobe.$pid.$seq"; fi
				pid=$((pid + 1))
			done
			seq=$((seq + 1))
		done
		exec "$@"' sh "$n" "$d" "$v/file" "$@"
}
# What must hold after each command: the victims untouched, the planted
# names as planted, nothing else new in d.
check() {	# WHAT
	[ "$(snap "$v")" = "$victims" ] || fail "$1: a file outside --dir changed (the victim file, or the directory .mteprobe-dents points to)"
	for f in "$d"/mteprobe.[0-9]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		if [ -L "$f" ]; then
			[ "$(readlink "$f")" = "$v/file" ] || fail "$1: $f changed"
		elif [ "$(cat "$f")" != user ]; then
			fail "$1: $f was overwritten"
		fi
	done
	rm -f "$d"/mteprobe.[0-9]*
	[ "$(snap "$d")" = "$before" ] || { fail "$1: --dir holds what it did not"; snap "$d" | diff /dev/stdin "$top/before"; }
}
snap "$d" >"$top/before"
before=$(cat "$top/before")

planted 1 "$bin" run --syscall pwrite --dir "$d" --fault none >"$top/out" 2>"$top/err" ||
	fail "run pwrite: status $?: $(cat "$top/err")"
check "run pwrite"
planted 1 "$bin" run --syscall getdents64 --dir "$d" --fault page >"$top/out" 2>"$top/err" ||
	fail "run getdents64: status $?: $(cat "$top/err")"
grep -q short "$top/out" || fail "run getdents64 gave no result: $(cat "$top/out" "$top/err")"
check "run getdents64"
planted 24 "$bin" matrix --dir "$d" --syscalls write,read,getdents64,readv --faults page,none \
	--modes none -o "$top/m.csv" 2>"$top/err" || fail "matrix: status $?: $(cat "$top/err")"
check "matrix"

# cases killed at their time limit (the shim's pwrite never returns)
stalled "$top/mark" run --syscall pwrite --dir "$d" --fault none --timeout 1 >"$top/out" 2>"$top/err"
grep -Eq 'hang|timeout' "$top/out" || fail "run with a stalled call: $(cat "$top/out" "$top/err")"
check "run killed at its time limit"
stalled "$top/mark" matrix --dir "$d" --syscalls pwrite,getdents64 --faults page,none --modes none --io buffered \
	--backings private \
	--timeout 1 -o "$top/m.csv" 2>"$top/err" || fail "stalled matrix: status $?"
[ "$(grep -Ec ',pwrite,.*,(hang|timeout),' "$top/m.csv")" = 2 ] ||
	fail "stalled matrix: not two pwrite cases killed: $(cat "$top/m.csv")"
check "matrix with cases killed at their time limit"

# a --dir too long for the scratch names: refused, nothing made
long=$top/l
while [ $((4090 - ${#long} - 1)) -gt 250 ]; do long=$long/$(printf '%0200d' 0); done
long=$long/$(printf "%0$((4090 - ${#long} - 1))d" 0)
mkdir -p "$long" && echo user >"$long/mtep"
[ ${#long} = 4090 ] || fail "the long path is ${#long} bytes"
lbefore=$(snap "$long")
for cmd in "run --syscall write --fault none" "matrix --syscalls write --faults none --modes none"; do
	$bin $cmd --dir "$long" >"$top/out" 2>"$top/err"; st=$?
	[ $st = 4 ] || fail "$cmd on a 4090-byte --dir: status $st"
	[ "$(wc -l <"$top/err")" = 1 ] && grep -q 'need it at most [0-9]* bytes.*shorter path' "$top/err" ||
		fail "$cmd on a 4090-byte --dir: $(cat "$top/err")"
	[ "$(snap "$long")" = "$lbefore" ] || fail "$cmd on a 4090-byte --dir changed it"
done

[ $fails = 0 ] && echo "scratch files: every check passed"
[ $fails = 0 ]
