#!/bin/sh
# SPDX-License-Identifier: MIT
# Stale scratch directories. A matrix killed by SIGKILL while its case is
# stuck leaves its scratch directory (the case dies with it); the next run in
# the same directory removes it, and those of another boot or of a pid now
# someone else's, one line each on stderr, without following the symlinks
# inside. Never removed: the directory of a live process, one a live process
# holds locked, one owned by another user, a symlink or a file named like one
# (nor what the symlink points to).
# Usage: scratch-stale.sh MTEPROBE STALL_SO
set -u
bin=$1 stall=$2
. "$(dirname "$0")/scratch-lib.sh"

d=$top/d t=$top/target
mkdir "$d" "$t"
echo user >"$d/keep"
echo mine >"$t/file"
target=$(snap "$t")
boot=$(tr -d '-' </proc/sys/kernel/random/boot_id | cut -c1-16)
starttime() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }
name() { echo "mteprobe-scratch.$1.$2.$3.$4"; }	# PID START BOOT XXXXXX

# a matrix killed by SIGKILL in the middle of a case
stalled_bg "$top/mark" matrix --dir "$d" --syscalls pwrite --faults none --modes none --io buffered \
	--timeout 3600 -o "$top/m.csv" >/dev/null 2>"$top/err"
wait_for_stall "$top/mark" $pid || fail "matrix: the call never started: $(cat "$top/err")"
child=$(cat "$top/mark")
kill -KILL $pid
wait $pid
wait_gone "$child" || { fail "the case $child outlived its matrix"; kill -KILL "$child"; }
killed=$(cd "$d" && ls -d mteprobe-scratch.* 2>/dev/null)
[ -n "$killed" ] || echo "note: the killed matrix left no scratch directory"

# what must stay
sleep 600 &
live=$!
nobody=2147483646	# no such pid: its owner is gone
keep_live=$(name $live "$(starttime $live)" "$boot" live01)
keep_locked=$(name $nobody 1 "$boot" lockd1)
keep_other=$(name $nobody 2 "$boot" other1)
keep_link=$(name $nobody 3 "$boot" symln1)
keep_file=$(name $nobody 4 "$boot" file01)
keep_badname=$(name 0$nobody 5 "$boot" badnm1)
mkdir "$d/$keep_live" "$d/$keep_locked" "$d/$keep_other" "$d/$keep_badname"
ln -s "$t" "$d/$keep_link"
echo user >"$d/$keep_file"
exec 9<"$d/$keep_locked" && flock -n 9 || fail "cannot lock $keep_locked"
if [ "$(id -u)" = 0 ]; then chown nobody "$d/$keep_other"; else keep_other=; fi
# what must go: another boot's, and one whose pid is now another process's
other_boot=0000000000000000; [ "$boot" = $other_boot ] && other_boot=1111111111111111
gone_boot=$(name $$ "$(starttime $$)" $other_boot boot01)
gone_reused=$(name $$ 1 "$boot" reuse1)
for g in "$gone_boot" "$gone_reused"; do
	mkdir -p "$d/$g/0" && echo x >"$d/$g/0/data" && ln -s "$t" "$d/$g/0/link" && ln -s "$t/file" "$d/$g/f"
done
planted=$(snap "$d")

"$bin" run --syscall write --dir "$d" --fault none >"$top/out" 2>"$top/err" || fail "run: status $?: $(cat "$top/err")"
exec 9<&-
kill $live
for g in $killed "$gone_boot" "$gone_reused"; do
	[ "$(grep -c "^mteprobe: removed $d/$g, the scratch directory of process [0-9]*, which is gone\$" "$top/err")" = 1 ] ||
		fail "$g not removed, or not said so: $(cat "$top/err")"
	planted=$(echo "$planted" | grep -v "^\./$g[ /]")
done
[ "$(grep -c 'scratch directory of process' "$top/err")" = $(($(echo $killed | wc -w) + 2)) ] ||
	fail "more said than removed: $(cat "$top/err")"
[ "$(snap "$d")" = "$planted" ] || { fail "the directory does not hold what it should"; snap "$d" | diff - "$(echo "$planted" >"$top/p"; echo "$top/p")"; }
[ "$(snap "$t")" = "$target" ] || fail "a symlink's target changed"
for k in "$keep_live" "$keep_locked" "$keep_other" "$keep_link" "$keep_file" "$keep_badname"; do
	[ -z "$k" ] || [ -e "$d/$k" ] || [ -L "$d/$k" ] || fail "$k was removed"
done
[ -L "$d/$keep_link" ] || fail "the symlink $keep_link is no longer one"
# and the killed matrix's directory is gone, not just emptied
[ -z "$killed" ] || [ ! -e "$d/$killed" ] || fail "$killed is still there"
[ -n "$(cd "$d" && ls | grep -v '^mteprobe-scratch\.' | grep -vx keep)" ] && fail "left: $(ls "$d")"

[ $fails = 0 ] && echo "scratch stale: every check passed"
[ $fails = 0 ]
