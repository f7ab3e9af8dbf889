#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What run and matrix make of their input: an empty list or item is a usage
# error (never "everything"), numbers are decimal (010 is ten), an item given
# twice is named, an unknown --fs is called unknown, a matrix that plans no
# case says which options left nothing, --io direct is followed by drivers
# without files, and the statuses are the documented ones (-o that cannot be
# opened: 1; run whose case was skipped: 3 without MTE, else 4).
# Usage: cli-input.sh MTEPROBE [WRAPPER...]
# shellcheck source=cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"

# A small matrix; each check adds one list (lists given twice add up), so a
# list read as "everything" runs a few cases and exits 0 instead of 2.
small="matrix --dir $dir --syscalls read --io buffered --modes none --faults none --at first --offsets 0 -o $dir/s.csv"
for opt in --syscalls --fs --io --modes --faults --at --offsets; do
	expect_stderr 2 "^mteprobe: $opt is empty: give at least one item" -- $small $opt ''
done
expect_stderr 2 "^mteprobe: --dir is empty: give a directory" -- matrix --dir '' --syscalls read
expect_stderr 2 "^mteprobe: --dir is empty: give a directory" -- run --syscall read --dir ''
expect_stderr 2 "^mteprobe: --no-watchdog and --late-verdict exclude each other" -- \
	run --syscall read --dir "$dir" --no-watchdog --late-verdict
expect_stderr 2 "^mteprobe: -o is empty: give a file" -- $small -o ''
expect_stderr 2 "^mteprobe: --resume is empty: give a file" -- matrix --syscalls read --resume ''
expect_stderr 2 "--syscalls 'write,,pread' has an empty item" -- $small --syscalls write,,pread
expect_stderr 2 "--fs 'tmpfs,,ext4' has an empty item" -- matrix --syscalls read --fs tmpfs,,ext4
expect_stderr 2 "--io 'direct,' has an empty item" -- $small --io direct,
expect_stderr 2 "--modes ',sync' has an empty item" -- $small --modes ,sync
expect_stderr 2 "--faults 'page,,none' has an empty item" -- $small --faults page,,none
expect_stderr 2 "--at 'mid,,last' has an empty item" -- $small --at mid,,last
expect_stderr 2 "--offsets '8,,16' has an empty item" -- $small --offsets 8,,16

# an item given twice is named as such, in one list or across two
expect_stderr 2 "bad --syscalls item 'write': given twice" -- $small --syscalls write,write
expect_stderr 2 "bad --syscalls item 'read': given twice" -- $small --syscalls read
expect_stderr 2 "bad --io item 'buffered': given twice" -- matrix --dir "$dir" --syscalls read --io buffered,buffered,buffered
expect_stderr 2 "bad --at item '0': given twice" -- $small --at 0
expect_stderr 2 "bad --fs item 'ext4': given twice" -- matrix --syscalls read --fs ext4,xfs,ext4

# numbers are decimal: 065 is 65 (too many iovecs), not octal 53; 09 is nine
expect_stderr 2 "bad --iovecs '065'" -- $small --iovecs 065
expect_stderr 2 "bad --iovecs '065'" -- run --syscall read --dir "$dir" --iovecs 065
expect_stderr 2 "bad --len '0x'" -- run --syscall read --dir "$dir" --len 0x
expect_stderr 2 "bad --len ' 8'" -- run --syscall read --dir "$dir" --len ' 8'
expect_stderr 2 "bad --len '\+8'" -- run --syscall read --dir "$dir" --len +8
m run --syscall pipe-read --fault none --timeout 09 >/dev/null 2>"$dir/err"
[ $? != 2 ] || fail "--timeout 09 refused: $(cat "$dir/err")"

# an unknown filesystem is called unknown, with or without --dir
expect_stderr 2 "unknown --fs 'bogus'" -- run --syscall read --dir "$dir" --fs bogus
expect_stderr 2 "unknown --fs 'bogus'" -- run --syscall read --fs bogus
grep -q "pick a directory on bogus" "$dir/err" && fail "run --fs bogus: $(cat "$dir/err")"

# a matrix that plans nothing is a usage error naming what left nothing
expect_stderr 2 "nothing to run: no call of --syscalls runs on --fs ext4" -- \
	matrix --syscalls btrfs-tree-search --fs ext4 --faults none --modes none
expect_stderr 2 "nothing to run: no call of --syscalls that runs there has an --io direct path" -- \
	matrix --syscalls pipe-read,vmsplice --io direct --faults none --modes none
expect_stderr 2 "nothing to run: --io direct takes the --offsets that are multiples of 512" -- \
	matrix --dir "$dir" --syscalls read --io direct --offsets 7 --faults none --modes none

# Under user-mode emulation run and matrix refuse (status 4) before running
if m run --syscall pipe-read --fault page >/dev/null 2>&1; [ $? = 4 ]; then
	skip_or_fail "user-mode emulation: real-case checks skipped"
fi

# an -o that cannot be opened is an output error: 1, as --help and mteprobe(1) say
expect_stderr 1 "cannot write $dir/nosuch/m.csv" -- $small -o "$dir/nosuch/m.csv"
[ "$(wc -l <"$dir/err")" = 1 ] || fail "-o error is not one line: $(cat "$dir/err")"
m matrix --help | grep -q ' 1 an output$' || fail "matrix --help does not give status 1 for output errors"

# run whose only case was skipped: not 0, and one line saying why
expect_stderr 4 "^mteprobe: run: the case was skipped: pipe-read has no direct I/O path$" -- \
	run --syscall pipe-read --io direct --fault none --csv
[ "$(csv_col "$dir/out" io result)" = "$(printf 'direct\tskip')" ] || fail "run --io direct pipe-read: $(cat "$dir/out")"
if ! grep -q '^Features.*\bmte\b' /proc/cpuinfo 2>/dev/null; then
	expect_stderr 3 "^mteprobe: run: the case was skipped: needs an MTE CPU" -- run --syscall write --dir "$dir"
fi

# --late-verdict changes nothing for a call that returns
expect_stderr 0 "" -- run --syscall read --dir "$dir" --fault none --late-verdict --csv
[ "$(csv_col "$dir/out" result)" = full ] || fail "run --late-verdict: $(cat "$dir/out")"

# --len 010 is ten bytes
expect_stderr 0 "" -- run --syscall read --dir "$dir" --fault none --len 010 --csv
[ "$(csv_col "$dir/out" len)" = 10 ] || fail "--len 010: $(cat "$dir/out")"

# matrix --io direct: drivers without a file give no buffered rows
expect_stderr 0 "" -- matrix --dir "$dir" --io direct --syscalls pipe-read,read --faults none --modes none -o "$dir/d.csv"
csv_col "$dir/d.csv" syscall io >"$dir/cols"
[ -s "$dir/cols" ] || fail "matrix --io direct wrote no rows"
grep -qv "	direct$" "$dir/cols" && fail "matrix --io direct wrote other rows: $(cat "$dir/cols")"
grep -q "^pipe-read" "$dir/cols" && fail "matrix --io direct ran pipe-read: $(cat "$dir/cols")"
expect_stderr 0 "" -- matrix --io buffered --syscalls pipe-read --faults none --modes none -o "$dir/b.csv"
[ "$(csv_col "$dir/b.csv" syscall io)" = "$(printf 'pipe-read\tbuffered')" ] ||
	fail "matrix --io buffered pipe-read: $(cat "$dir/b.csv")"

# matrix --list-plan: the input columns of the cases the same options run, in
# their order (--at/--offsets: the full product), running none
plan="matrix --dir $dir --syscalls read,pipe-read --faults page,none,mte --modes none,async --at first,next --offsets 0,512,7"
expect 0 "" -- $plan --list-plan
[ "$(head -1 "$dir/out")" = "fs,syscall,io,mode,fault,len,fault_at,buf_off,state,backing" ] ||
	fail "--list-plan header: $(head -1 "$dir/out")"
tail -n +2 "$dir/out" >"$dir/planned"
[ "$(wc -l <"$dir/planned")" -gt 10 ] || fail "--list-plan: $(cat "$dir/out")"
expect 0 "" -- $plan -o "$dir/p.csv"
csv_col "$dir/p.csv" fs syscall io mode fault len fault_at buf_off state backing | tr '\t' , >"$dir/ran"
cmp -s "$dir/planned" "$dir/ran" ||
	fail "--list-plan is not what runs: $(diff "$dir/planned" "$dir/ran" | head -5)"

# --backing: the buffer maps the call's own file; the CSV says so; calls
# without a file of their own are a skip that says why, bad names an error
expect 0 "" -- run --dir "$dir" --syscall pwrite --fault page --backing self --no-trace --format csv
[ "$(csv_col "$dir/out" syscall backing result data_ok)" = "$(printf 'pwrite\tself\tshort\t1')" ] ||
	fail "run --backing self: $(cat "$dir/out")"
expect 4 "unsupported: getdents64 makes no file of its own to map" -- run --dir "$dir" --syscall getdents64 \
	--fault page --backing self --no-trace
expect 2 "^mteprobe: unknown --backing 'anon': use private, shared, memfd, self or other$" -- \
	run --syscall read --backing anon
expect 0 "" -- matrix --dir "$dir" --syscalls write,pipe-write --faults page --backings self,other --list-plan
[ "$(tail -n +2 "$dir/out" | cut -d, -f2,10 | sort -u | tr '\n' ' ')" = "write,other write,self " ] ||
	fail "--backings self,other planned $(cat "$dir/out")"

# a bad value names the option, the value and the values it takes
expect 2 "^mteprobe: bad --modes item 'fast': use sync, async, asymm or none$" -- $small --modes fast
expect 2 "^mteprobe: bad --timeout '0': give 1 to 3600 seconds$" -- $small --timeout 0
expect 2 "^mteprobe: bad --fault-at 'nowhere': give 0 to 1048575 bytes, or first, mid, last, next, half, end$" -- \
	run --syscall read --dir "$dir" --fault-at nowhere

finish "all input checks passed"
