#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Unprivileged runs (an adb shell on a phone, an ordinary user): every command
# as a uid of its own without capabilities (setpriv, no account needed), in a
# directory that uid owns. selftest, run, matrix, report, diff and repro exit
# as they do for root; run and matrix say once on stderr that fault_ins are
# not counted and why, write their rows, and give the same results as root
# (an empty fault_ins), and skip rows for a filesystem whose directory the user
# cannot write in, said once; trace fails in one line naming the fix, status 4. With
# /proc/diskstats unreadable (bind-mounted over, in a mount namespace of its
# own) a call that sleeps forever (the stall.c shim) is a timeout, not a hang,
# and run says once why. Needs root to switch users: skips (77) otherwise.
# Usage: unpriv.sh MTEPROBE STALL_SHIM
set -u
src_bin=$1 src_stall=$2
# shellcheck source=../scripts/lib/csv.sh
. "$(dirname "$0")/../scripts/lib/csv.sh"
[ "$(id -u)" = 0 ] || { echo "skip: not root, so cannot switch to an unprivileged user"; exit 77; }
command -v setpriv >/dev/null || { echo "skip: no setpriv (util-linux) to switch users"; exit 77; }
# shellcheck source=scratch-lib.sh
. "$(dirname "$0")/scratch-lib.sh"
chmod 755 "$top"

# the user's copies: the build tree may sit where the user cannot read
uid=$((60000 + $$ % 5000))
mkdir "$top/bin" "$top/work" "$top/root"
cp "$src_bin" "$top/bin/mteprobe" && cp "$src_stall" "$top/bin/stall.so" && chmod 755 "$top/bin"/*
chown "$uid:$uid" "$top/work"
bin=$top/bin/mteprobe w=$top/work
user() { setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all -- "$@"; }
m() { user "$bin" "$@"; }
user true || { echo "skip: setpriv cannot switch to uid $uid here"; exit 77; }
user sh -c "test -w '$w'" || { echo "skip: uid $uid cannot write in $w"; exit 77; }

# run ST NAME ARGS...: as the user, output in $w/NAME.{out,err}; sets st
run() {
	local name=$1
	shift
	m "$@" >"$w/$name.out" 2>"$w/$name.err" </dev/null
	st=$?
}
# once NAME TEXT: stderr of NAME has exactly one line holding TEXT
once() {
	local n
	n=$(grep -cF -- "$2" "$w/$1.err")
	[ "$n" = 1 ] || fail "$1: '$2' said $n times, want once: $(head -c 600 "$w/$1.err")"
}
libbpf=0
"$bin" --version | grep -q '+libbpf' && libbpf=1
off="fault_ins not counted: "
[ $libbpf = 1 ] && off="fault_ins not counted: BPF needs root"

# selftest: the same status and checks as root (asymm mode may skip: needs root)
"$bin" selftest >"$top/root/selftest.out" 2>&1
root_st=$?
run selftest selftest
[ "$st" = "$root_st" ] || fail "selftest: status $st as the user, $root_st as root: $(cat "$w/selftest.out")"
grep -q '^FAIL' "$w/selftest.out" && fail "selftest: a check fails as the user: $(grep '^FAIL' "$w/selftest.out")"

# run: a row, once the reason, and in a cross-checked case the same columns as root
run run run --syscall pread --dir "$w" --fault page --csv
[ "$st" = 4 ] && grep -q 'user-mode emulation' "$w/run.err" && { echo "skip: $(cat "$w/run.err")"; exit 77; }
[ "$st" = 0 ] || fail "run: status $st: $(cat "$w/run.err")"
rows=$(csv_awk '{ n++ } END { print n + 0 }' "$w/run.out")
[ "$rows" = 1 ] || fail "run: $rows rows, want 1: $(cat "$w/run.out")"
once run "$off"
[ "$(wc -l <"$w/run.err")" = 1 ] || fail "run: more on stderr than the reason: $(cat "$w/run.err")"

# trace: one line naming the fix, status 4, nothing measured
run trace trace --syscall pread --dir "$w" --fault page
[ "$st" = 4 ] || fail "trace: status $st, want 4"
[ "$(wc -l <"$w/trace.err")" = 1 ] || fail "trace: want one line on stderr: $(cat "$w/trace.err")"
grep -q '^mteprobe: trace: cannot count kernel events: .*; \(run as root\|rebuild\)' "$w/trace.err" ||
	fail "trace: the line does not name the fix: $(cat "$w/trace.err")"
[ -s "$w/trace.out" ] && fail "trace: wrote a result: $(cat "$w/trace.out")"

# matrix: rows written, the reason once, and the results root gets
# shellcheck disable=SC2054 # commas inside the lists
mx=(matrix --dir "$w" --syscalls read,write,pwritev2,uring-read,pipe-write,process_vm_readv
	--modes none --faults page,none)
run matrix "${mx[@]}" -o "$w/m.csv"
[ "$st" = 0 ] || fail "matrix: status $st: $(cat "$w/matrix.err")"
once matrix "$off"
grep -v -F "$off" "$w/matrix.err" | grep -q . && fail "matrix: other lines on stderr: $(cat "$w/matrix.err")"
csv_awk '
	{ rows++ }
	col("fault_ins") != "" { print "FAIL: matrix: fault_ins \"" col("fault_ins") "\" counted without privileges" }
	col("errno") == "EPERM" || col("errno") == "EACCES" { print "FAIL: matrix: an errno row: " $0 }
	col("result") == "skip" { print "FAIL: matrix: skipped: " col("syscall") ": " col("note") }
	END { if (rows < 10) print "FAIL: matrix: " rows + 0 " rows" }' "$w/m.csv" >"$w/m.bad" 2>&1
[ -s "$w/m.bad" ] && { cat "$w/m.bad"; fails=$((fails + 1)); }
"$bin" "${mx[@]}" -o "$top/root/m.csv" >/dev/null 2>&1 || fail "matrix as root: status $?"
cols="syscall fault fault_at buf_off result ret errno expect delta data_ok"
# shellcheck disable=SC2086 # the columns are words
if [ "$(csv_pairs "$w/m.csv" $cols)" != "$(csv_pairs "$top/root/m.csv" $cols)" ]; then
	fail "matrix: the user's results differ from root's:"
	# shellcheck disable=SC2086
	diff <(csv_pairs "$top/root/m.csv" $cols) <(csv_pairs "$w/m.csv" $cols) | head -n 10
fi

# a filesystem of MTEPROBE_FS_ROOT the user cannot write in: skip rows, said once
fs=$(csv_awk '{ print col("fs") }' "$w/run.out")
mkdir -p "$top/fsroot/$fs" && chmod 755 "$top/fsroot/$fs"
MTEPROBE_FS_ROOT=$top/fsroot m matrix --fs "$fs" --syscalls read --modes none --faults page \
	>"$w/fsroot.out" 2>"$w/fsroot.err" </dev/null
st=$?
[ "$st" = 0 ] || fail "matrix in a directory not the user's: status $st: $(cat "$w/fsroot.err")"
once fsroot "matrix: $fs not run: cannot make a scratch directory in $top/fsroot/$fs"
bad=$(csv_awk '{ n++ } col("result") != "skip" { print "a case ran: " $0 }
	END { if (!n) print "no rows" }' "$w/fsroot.out" 2>&1)
[ -z "$bad" ] || fail "matrix in a directory not the user's: $bad"

# report, diff and repro only read and write files
run report report "$w/m.csv"
if [ "$st" != 0 ] || [ ! -s "$w/report.out" ]; then fail "report: status $st: $(cat "$w/report.err")"; fi
run diff diff "$w/m.csv" "$w/m.csv"
[ "$st" = 0 ] || fail "diff: status $st: $(cat "$w/diff.err")"
run repro repro --syscall pread --dir "$w" --fault page -o "$w/repro.c"
if [ "$st" != 0 ] || ! grep -q pread "$w/repro.c" 2>/dev/null; then fail "repro: status $st: $(cat "$w/repro.err")"; fi

# /proc/diskstats unreadable: a call asleep for good is a timeout, said once
: >"$top/noread" && chmod 000 "$top/noread"
if unshare -m true 2>/dev/null; then
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m sh -c 'mount --bind "$1" /proc/diskstats && shift && exec "$@"' sh "$top/noread" \
		env MTEPROBE_TEST_STALL="$w/mark" LD_PRELOAD="$top/bin/stall.so" \
		setpriv --reuid="$uid" --regid="$uid" --clear-groups --inh-caps=-all -- \
		"$bin" run --syscall pwrite --dir "$w" --fault none --timeout 2 --csv \
		>"$w/nodisk.out" 2>"$w/nodisk.err" </dev/null
	st=$?
	result=$(csv_awk '{ print col("result") }' "$w/nodisk.out" 2>/dev/null)
	if [ "$st" != 0 ] || [ "$result" != timeout ]; then
		fail "diskstats unreadable: status $st, result '${result:-none}', want timeout: $(cat "$w/nodisk.err")"
	fi
	once nodisk "hang verdicts off: cannot read /proc/diskstats"
else
	echo "note: no mount namespace here (unshare -m): the unreadable /proc/diskstats is not tried"
fi

[ "$fails" = 0 ] || exit 1
echo "unprivileged (uid $uid): selftest, run, trace, matrix ($(csv_awk '{ n++ } END { print n + 0 }' "$w/m.csv") rows), report, diff, repro"
