#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/verdict-check without a VM: a stand-in mte-vm runs the guest's job on this
# machine, with a stand-in mteprobe whose re-runs return what each syscall says (read
# returns on its own: a false verdict; write and pread stay stuck; fsync is skipped; fstat
# prints nothing). Checks that the rows are read by column name (any order, quoted notes
# with commas), each kernel gets its own boot with the filesystems its rows need, every
# row is re-run with --late-verdict and the limit (and --no-trace when asked), and the
# findings and exit statuses are the documented ones.
# Usage: verdict-check.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

mkdir -p "$work/bin"
# mte-vm: logs its options, runs the job in --out
cat >"$work/mte-vm" <<EOF
#!/usr/bin/env bash
out= opts=
while [ \$# -gt 0 ]; do
	case \$1 in
	--out) out=\$2; shift 2 ;;
	--) shift; break ;;
	*) opts="\$opts \$1"; shift ;;
	esac
done
echo "mte-vm\$opts" >>"$work/boots.log"
mkdir -p "\$out" && cd "\$out" && PATH="$work/bin:\$PATH" "\$@"
EOF
# mteprobe: "run" prints a CSV whose columns are in another order than mteprobe's (the
# header starts with "schema", as every mteprobe CSV's does)
cat >"$work/bin/mteprobe" <<EOF
#!/bin/sh
echo "mteprobe \$*" >>"$work/calls.log"
if [ "\$1" = matrix ]; then
	cp "$work/matrix-in.csv" matrix.csv
	echo "matrix: 3 of 3 cases"
	exit 0
fi
sc= fs=none io= mode= fault= len= at= off=
while [ \$# -gt 0 ]; do
	case \$1 in
	--syscall) sc=\$2 ;; --fs) fs=\$2 ;; --io) io=\$2 ;; --mode) mode=\$2 ;; --fault) fault=\$2 ;;
	--len) len=\$2 ;; --fault-at) at=\$2 ;; --buf-off) off=\$2 ;;
	esac
	shift
done
case \$sc in
read) res=full ;;
fsync) res=skip ;;
fstat) exit 4 ;;
*) res=livelock ;;
esac
echo "schema,result,note,syscall,fs,io,mode,fault,len,fault_at,buf_off,elapsed_us,kernel"
echo "2,\$res,\"a note, with a comma\",\$sc,\$fs,\$io,\$mode,\$fault,\$len,\$at,\$off,1500000,x"
EOF
chmod +x "$work/mte-vm" "$work/bin/mteprobe"

header=schema,kernel,arch,fs,syscall,io,mode,fault,len,fault_at,buf_off,result,ret,errno,expect,delta,overshoot,data_ok,bypass,elapsed_us,note,recovered,fault_ins
row() {	# row KERNEL FS SYSCALL RESULT
	echo "2,$1,aarch64,$2,$3,buffered,sync,mte,8192,4096,0,$4,,,,,,,,900000,\"watchdog: $4 after 150 ms (x, y)\",1,100"
}

check() {	# check NAME STATUS PATTERN... -- ARGS: the exit status and every PATTERN in the output
	local name=$1 want=$2 got
	shift 2
	local patterns=()
	while [ "$1" != -- ]; do patterns+=("$1"); shift; done
	shift
	rm -f "$work/boots.log" "$work/calls.log"
	MTEPROBE_MTE_VM=$work/mte-vm "$top/scripts/verdict-check" --binary /bin/true "$@" >"$work/out" 2>&1
	got=$?
	[ "$got" = "$want" ] || fail "$name: exit $got, want $want"
	for p in "${patterns[@]}"; do
		grep -qE -- "$p" "$work/out" || fail "$name: no line matching '$p'"
	done
	[ $fails = 0 ] || { sed 's/^/    /' "$work/out"; return; }
}

# two kernels, one false verdict: the 6.1 read returned on its own
{
	echo "$header"
	row 5.10.0-32-arm64 btrfs btrfs-tree-search livelock
	row 5.10.0-32-arm64 xfs write livelock
	row 5.10.0-32-arm64 xfs write full
	row 6.1.0-50-arm64 gfs2 read livelock
	row 6.1.0-50-arm64 gfs2 pread hang
} >"$work/two.csv"
check "a false verdict" 1 \
	"^5\.10: 2 livelock/hang rows .*: 2 still stuck at the limit, 0 returned on its own" \
	"FALSE VERDICT: read gfs2 buffered sync mte len 8192 at 4096 off 0: livelock before, returned on its own now: full after 1500 ms" \
	"^6\.1: 2 livelock/hang rows .*: 1 still stuck at the limit, 1 returned on its own \(false verdicts\), 0 not checked" \
	"^total: 4 rows, 1 false verdicts, 0 not checked" -- "$work/two.csv"
grep -q -- "--kernel 5.10 --fs btrfs,xfs " "$work/boots.log" || fail "5.10 boot: $(cat "$work/boots.log")"
grep -q -- "--kernel 6.1 --fs gfs2 " "$work/boots.log" || fail "6.1 boot: $(cat "$work/boots.log")"
[ "$(grep -c -- '--late-verdict --timeout 20 --csv' "$work/calls.log")" = 4 ] ||
	fail "4 re-runs with --late-verdict --timeout 20: $(cat "$work/calls.log")"
grep -q -- "--syscall write --io buffered --mode sync --fault mte --len 8192 --buf-off 0 --backing private --state fresh --fs xfs --fault-at 4096" \
	"$work/calls.log" || fail "the re-run's options: $(cat "$work/calls.log")"

# every call stuck: 0; columns in another order, two CSVs of one kernel, --limit and --jobs
{
	echo "schema,note,result,syscall,fs,kernel,io,mode,fault,len,fault_at,buf_off"
	echo "2,\"x, y\",livelock,write,ext4,6.12.12+bpo-arm64,direct,asymm,mte,4096,,16"
} >"$work/shuffled.csv"
{
	echo "$header"
	row 6.12.12+bpo-arm64 none pwrite hang
} >"$work/more.csv"
check "all stuck" 0 "^6\.12: 2 livelock/hang rows re-run with no verdict for 7 s: 2 still stuck" -- \
	--limit 7 --jobs 2 "$work/shuffled.csv" "$work/more.csv"
grep -q -- "--kernel 6.12 --fs ext4 " "$work/boots.log" || fail "6.12 boot: $(cat "$work/boots.log")"
grep -q -- "--syscall write --io direct --mode asymm --fault mte --len 4096 --buf-off 16 --backing private --state fresh --fs ext4 --late-verdict" \
	"$work/calls.log" || fail "shuffled columns, empty fault_at: $(cat "$work/calls.log")"
grep -q -- "--syscall pwrite .* --buf-off 0 --backing private --state fresh --fault-at 4096 --late-verdict --timeout 7" "$work/calls.log" ||
	fail "no --fs for fs none: $(cat "$work/calls.log")"

# a re-run skipped, one without a row: not checked, 3
{
	echo "$header"
	row 6.1.0-50-arm64 ext4 fsync livelock
	row 6.1.0-50-arm64 ext4 fstat hang
} >"$work/unchecked.csv"
check "not checked" 3 "not checked: fsync .*re-run skipped: a note, with a comma" \
	"not checked: fstat .*\(hang\): no re-run row" "2 not checked" -- "$work/unchecked.csv"

# nothing to check
{ echo "$header"; row 6.1.0-50-arm64 ext4 read full; } >"$work/none.csv"
check "nothing to check" 0 "no livelock or hang row" "^total: 0 rows" -- "$work/none.csv"

# --matrix: the matrix made in the guest is the one checked
grep -v 5.10.0 "$work/two.csv" >"$work/matrix-in.csv"
check "--matrix" 1 "^6\.1: 2 livelock/hang rows" "FALSE VERDICT: read" -- --matrix --kernels 6.1
grep -q "^mteprobe matrix -o matrix.csv" "$work/calls.log" || fail "--matrix ran no matrix: $(cat "$work/calls.log")"
! grep -q -- "--no-trace" "$work/calls.log" || fail "--no-trace without the option: $(cat "$work/calls.log")"
# --no-trace: the matrix and every re-run without tracing
check "--matrix --no-trace" 1 "^6\.1: 2 livelock/hang rows" -- --matrix --kernels 6.1 --no-trace
grep -q "^mteprobe matrix --no-trace -o matrix.csv" "$work/calls.log" ||
	fail "--no-trace: the matrix ran traced: $(cat "$work/calls.log")"
[ "$(grep -c -- '--late-verdict --timeout 20 --no-trace --csv' "$work/calls.log")" = 2 ] ||
	fail "--no-trace: 2 re-runs without tracing: $(cat "$work/calls.log")"

# usage errors
check "no CSV" 64 "no CSV given" --
check "--matrix and a CSV" 64 "drop the CSV files" -- --matrix "$work/two.csv"
check "bad --limit" 64 "--limit needs a number of seconds" -- --limit 0 "$work/two.csv"
check "unreadable CSV" 64 "cannot read '$work/nosuch.csv'" -- "$work/nosuch.csv"

[ $fails = 0 ]
