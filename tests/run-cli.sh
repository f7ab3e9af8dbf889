#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mteprobe run and matrix from the outside: usage errors, exit statuses, the
# CSV header and one row per case, real page-fault cases in a temp dir.
# Usage: run-cli.sh MTEPROBE [WRAPPER...]
# shellcheck source=cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"

expect() {	# expect STATUS DESCRIPTION -- ARGS
	want=$1 what=$2; shift 3
	m "$@" >"$dir/out" 2>"$dir/err"; got=$?
	if [ "$got" != "$want" ]; then
		fail "$what: exit $got, wanted $want"; cat "$dir/err"
	fi
}
one_line() {	# the error is one line plus, for usage errors, the Try line
	n=$(wc -l <"$dir/err")
	[ "$n" -le 2 ] || fail "$1: $n lines on stderr"
}

expect 2 "unknown syscall" -- run --syscall nosuch --dir "$dir"; one_line "unknown syscall"
grep -q "mteprobe run --help" "$dir/err" || fail "no Try line"
expect 2 "no syscall" -- run --dir "$dir"
expect 2 "bad offset" -- run --syscall read --dir "$dir" --buf-off 99999
expect 2 "bad fault-at" -- run --syscall read --dir "$dir" --fault-at nowhere
expect 2 "bad mode" -- run --syscall read --dir "$dir" --mode fast
expect 2 "bad fault" -- run --syscall read --dir "$dir" --fault flip
grep -q "use mte, retag, page or none" "$dir/err" || fail "bad --fault does not list the kinds"
expect 2 "fs-less driver with --dir" -- run --syscall pipe-read --dir "$dir"
expect 2 "matrix bad list" -- matrix --syscalls read,nosuch --dir "$dir"
expect 0 "run --list" -- run --list
grep -q '^btrfs-tree-search ' "$dir/out" || fail "--list lacks btrfs-tree-search"

# Under user-mode emulation run and matrix refuse, with status 4
if m run --syscall read --dir "$dir" --fault page 2>"$dir/err" >/dev/null; [ $? = 4 ]; then
	grep -q "user-mode emulation" "$dir/err" || fail "status 4 without the reason"
	skip_or_fail "user-mode emulation: real-syscall checks skipped"
fi

expect 4 "missing dir" -- run --syscall read --dir "$dir/nosuch"; one_line "missing dir"
fstype=$(stat -f -c %T "$dir")
other=xfs; [ "$fstype" = xfs ] && other=ext4
expect 2 "--dir on another fs than --fs" -- run --syscall read --dir "$dir" --fs $other
MTEPROBE_FS_ROOT="$dir/none" expect 4 "--fs not mounted" -- run --syscall read --fs btrfs

# real cases with a PROT_NONE page
expect 0 "run --csv" -- run --syscall pread --dir "$dir" --fault page --fault-at next --csv
# the columns so far, in order (later schemas append)
head -1 "$dir/out" | grep -q '^schema,kernel,arch,fs,syscall,io,mode,fault,len,fault_at,buf_off,result,ret,errno,expect,delta,overshoot,data_ok,bypass,elapsed_us,note,recovered,fault_ins' ||
	fail "CSV header"
IFS=$'\t' read -r result exp < <(csv_col "$dir/out" result expect)
case $result in
short|efault) ;;
*) fail "pread over a PROT_NONE page: $(cat "$dir/out")" ;;
esac
[ "$exp" = "$(getconf PAGESIZE)" ] || fail "expect $exp"
# a retag race needs tags: without MTE (x86_64) a skip, saying so
if ! grep -q '^Features.*\bmte\b' /proc/cpuinfo 2>/dev/null; then
	expect 3 "run --fault retag without MTE" -- run --syscall write --dir "$dir" --fault retag --csv
	[ "$(csv_col "$dir/out" result)" = skip ] &&
		csv_col "$dir/out" note | grep -q "needs an MTE CPU or the VM" ||
		fail "retag without MTE is no skip: $(cat "$dir/out")"
fi
expect 0 "run --json" -- run --syscall write --dir "$dir" --fault none --json
grep -q '"result":"full"' "$dir/out" || fail "control write not full: $(cat "$dir/out")"

# matrix: a header and one row per case, summary on stderr
expect 0 "matrix" -- matrix --dir "$dir" --syscalls read,writev,pipe-write --faults page,none --modes none -o "$dir/m.csv"
rows=$(($(wc -l <"$dir/m.csv") - 1))
cases=$(sed -n 's/.* of \([0-9]*\) cases.*/\1/p' "$dir/out")
[ "$rows" -gt 0 ] && [ "$rows" = "$cases" ] || fail "$rows rows for $cases cases"
if csv_awk 'col("fault") == "page" && col("bypass") == "1"' "$dir/m.csv" | grep -q .; then
	fail "bypass of a PROT_NONE page"
fi

# SIGINT: rows so far kept, status 130 (a background job starts with SIGINT
# ignored, which mteprobe keeps: env gives it the default)
env --default-signal=INT $wrap "$bin" matrix --dir "$dir" --faults page,none --modes none --offsets 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 --at 0,100,200,300,400,500,600,700,800,900,1000,2000,3000,4000,5000,6000,7000 -o "$dir/i.csv" 2>/dev/null &
pid=$!
# the header is written after the handlers are in place: wait for it (a busy
# machine may take long), not for a fixed time
i=0
while [ $i -lt 600 ] && kill -0 $pid 2>/dev/null && ! grep -q '^schema,' "$dir/i.csv" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
kill -INT $pid 2>/dev/null
wait $pid; st=$?
if [ $st = 130 ]; then
	head -1 "$dir/i.csv" | grep -q '^schema,' || fail "interrupted CSV lost its header"
elif [ $st != 0 ]; then
	fail "interrupted matrix exit $st"
fi

finish "all run/matrix CLI checks passed"
