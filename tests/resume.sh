#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# matrix --resume FILE: a matrix stopped by SIGINT (at whatever point the
# signal lands), with a torn row appended as a crash would leave it, then
# resumed, holds exactly the cases of one uninterrupted run, each once; a
# finished FILE runs nothing; a FILE of another matrix, schema or kernel,
# or damaged before its last row, is a usage error.
# Usage: resume.sh MTEPROBE [WRAPPER...]
# shellcheck source=cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"

keys() {	# the input columns of every row, sorted: the cases a file holds
	csv_col "$1" fs syscall io mode fault len fault_at buf_off | sort
}

expect 2 "--resume FILE writes to FILE: drop -o" -- matrix --resume "$dir/x.csv" -o "$dir/y.csv"
if m matrix --dir "$dir" --syscalls read --faults none --modes none --resume "$dir/e.csv" >/dev/null 2>&1; [ $? = 4 ]; then
	skip_or_fail "user-mode emulation: resume checks skipped"
fi
rm -f "$dir/e.csv"

mkdir "$dir/fs"
set -- matrix --dir "$dir/fs" --syscalls read,write,pread,pwrite,readv,writev,pipe-read,pipe-write --faults page,none --modes none \
	--offsets 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 --at 0,100,2000,5000 --no-trace
expect 0 "" -- "$@" -o "$dir/full.csv"
keys "$dir/full.csv" >"$dir/full.keys"
total=$(wc -l <"$dir/full.keys")
[ "$total" -gt 100 ] || fail "only $total cases in the reference run"

# stopped by SIGINT: before, during or after its first rows, the union holds
m "$@" --resume "$dir/r.csv" >/dev/null 2>&1 &
pid=$!
sleep 0.2
kill -INT $pid 2>/dev/null
wait $pid
st=$?
[ $st = 0 ] || [ $st = 130 ] || fail "interrupted matrix: exit $st"
[ -f "$dir/r.csv" ] || : >"$dir/r.csv"
before=$(($(wc -l <"$dir/r.csv") - 1))
[ $before -ge 0 ] || before=0
# a torn row, as a crash while writing leaves it: part of a row, no newline
tail -n 1 "$dir/full.csv" | head -c 40 >>"$dir/r.csv"
expect 0 "resumed: $before cases already in $dir/r.csv, 1 torn row repaired" -- "$@" --resume "$dir/r.csv"
keys "$dir/r.csv" >"$dir/r.keys"
cmp -s "$dir/full.keys" "$dir/r.keys" ||
	fail "resumed file: $(wc -l <"$dir/r.keys") cases, $(diff "$dir/full.keys" "$dir/r.keys" | grep -c '^[<>]') differ from one run's $total"
[ "$(head -n 1 "$dir/r.csv")" = "$(head -n 1 "$dir/full.csv")" ] || fail "resumed file lost its header"
[ "$(grep -c '^schema,' "$dir/r.csv")" = 1 ] || fail "resumed file has the header twice"

# finished: nothing runs, nothing is added
cp "$dir/r.csv" "$dir/before.csv"
expect 0 "matrix: 0 of 0 cases.*resumed: $total cases already in $dir/r.csv, 0 torn rows repaired" -- "$@" --resume "$dir/r.csv"
cmp -s "$dir/r.csv" "$dir/before.csv" || fail "a finished file changed on resume"

# one writer at a time: a file locked by another is left alone (status 1)
if command -v flock >/dev/null; then
	flock "$dir/r.csv" $wrap "$bin" "$@" --resume "$dir/r.csv" >"$dir/out" 2>&1
	st=$?
	{ [ $st = 1 ] && grep -q "another mteprobe is writing it" "$dir/out"; } ||
		fail "resume of a locked file: exit $st: $(cat "$dir/out")"
	cmp -s "$dir/r.csv" "$dir/before.csv" || fail "a locked file changed on resume"
fi

# a torn row with a newline but not all fields (a full disk) is cut too
head -n 5 "$dir/full.csv" >"$dir/t.csv"
printf '2,%s\n' "$(uname -r)" >>"$dir/t.csv"
expect 0 "resumed: 4 cases already in $dir/t.csv, 1 torn row repaired" -- "$@" --resume "$dir/t.csv"
keys "$dir/t.csv" >"$dir/t.keys"
cmp -s "$dir/full.keys" "$dir/t.keys" || fail "resumed t.csv differs from one run"

# another matrix, another schema, another kernel, a damaged middle: usage errors
cp "$dir/before.csv" "$dir/o.csv"
expect 2 "o.csv line [0-9]+ .* is no case of this matrix" -- matrix --dir "$dir/fs" --syscalls read \
	--faults page,none --modes none --no-trace --resume "$dir/o.csv"
cmp -s "$dir/o.csv" "$dir/before.csv" || fail "a refused file was changed"
head -n 1 "$dir/full.csv" | cut -d, -f1-21 >"$dir/s1.csv"
sed -n 2p "$dir/full.csv" | sed 's/^3,/1,/' | cut -d, -f1-21 >>"$dir/s1.csv"
expect 2 "s1.csv holds CSV schema 1, this mteprobe writes schema 3" -- "$@" --resume "$dir/s1.csv"
{ head -n 1 "$dir/full.csv"; sed -n 2p "$dir/full.csv" | sed 's/^3,[^,]*,/3,1.2.3-other,/'; } >"$dir/k.csv"
expect 2 "k.csv line 2 is from kernel 1.2.3-other" -- "$@" --resume "$dir/k.csv"
{ head -n 2 "$dir/full.csv"; echo '2,short'; sed -n 3p "$dir/full.csv"; } >"$dir/d.csv"
expect 2 "d.csv line 3 has 2 of 25 fields and is not the last" -- "$@" --resume "$dir/d.csv"
{ head -n 2 "$dir/full.csv"; sed -n 2p "$dir/full.csv"; } >"$dir/2.csv"
expect 2 "2.csv line 3 .* is no case of this matrix, or a case given twice" -- "$@" --resume "$dir/2.csv"
printf 'name,value\nx,1\n' >"$dir/n.csv"
expect 2 "n.csv has not the columns of CSV schema 3" -- "$@" --resume "$dir/n.csv"

finish "all resume checks passed"
