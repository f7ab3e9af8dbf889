#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# File states and lengths on this machine's filesystem (page faults work on any
# CPU): every state of the file drivers is made and verified. A control moves
# the whole buffer with its data right in each state (reads see what the state
# left, zeros in a hole or a preallocated range; writes leave the rest of the
# file, and its size, as the state made it), and a buffered call stops exactly
# at a page fault, whatever the state and however long the buffer (a fault at
# half or end of 1 MiB). The values that make no case say why.
# Usage: states.sh MTEPROBE [WRAPPER...]
# shellcheck source=cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
mkdir "$dir/fs"
states=fresh,cached,uncached,dirty,hole,prealloc,extend

m matrix --dir "$dir/fs" --syscalls read,write,pread,pwrite,readv,pwritev2,uring-read,uring-write \
	--faults page,none --modes none --len 2p --states $states --backings private --no-trace \
	-o "$dir/m.csv" >"$dir/out" 2>&1
st=$?
[ $st = 4 ] && { echo "skip: $(cat "$dir/out")"; exit 77; }
[ $st = 0 ] || fail "matrix --states: status $st: $(cat "$dir/out")"

# every state of every call, extend for writes only
for sc in read write pread pwrite readv pwritev2; do
	for s in ${states//,/ }; do
		n=$(csv_awk -v sc="$sc" -v s="$s" 'col("syscall") == sc && col("state") == s &&
			col("io") == "buffered" && col("result") != "skip"' "$dir/m.csv" | wc -l)
		case $sc/$s in
		read*/extend|pread/extend) want=0 ;;
		*/fresh) want=3 ;;	# the fault in the first page too
		*) want=2 ;;		# the next page's fault, and the control
		esac
		[ "$n" = $want ] || fail "$sc $s buffered: $n rows run, want $want"
	done
done
# rows FILE: skips only where the filesystem or the build refuses; controls
# all of it and their data right; buffered page faults exact, their data right
rows() {
	local csv=$1
	# a skip only where the filesystem or the build refuses
	csv_awk 'col("result") == "skip" && col("note") !~ /^(unsupported|O_DIRECT refused|io_uring|cannot set up)/ {
		print col("syscall"), col("io"), col("state"), col("note") }' "$csv" >"$dir/bad"
	[ -s "$dir/bad" ] && fail "skips: $(head -3 "$dir/bad")"
	# controls: all of it, data right
	csv_awk 'col("fault") == "none" && col("result") != "skip" &&
		(col("result") != "full" || col("data_ok") != "1") {
		print col("syscall"), col("io"), col("state"), col("result"), col("data_ok") }' "$csv" >"$dir/bad"
	[ -s "$dir/bad" ] && fail "controls: $(head -3 "$dir/bad")"
	# buffered page faults: exact, data right (no case leaves data_ok unknown)
	csv_awk 'col("fault") == "page" && col("io") == "buffered" && col("result") != "skip" &&
		col("syscall") !~ /^uring/ &&
		((col("fault_at") != "0" && col("ret") != col("fault_at")) || col("data_ok") != "1") {
		print col("syscall"), col("state"), col("fault_at"), col("result"), col("ret"), col("data_ok") }' \
		"$csv" >"$dir/bad"
	[ -s "$dir/bad" ] && fail "buffered page faults: $(head -3 "$dir/bad")"
	csv_awk 'col("result") != "skip" && col("data_ok") == "" { print col("syscall"), col("state") }' \
		"$csv" >"$dir/bad"
	[ -s "$dir/bad" ] && fail "data_ok unknown: $(head -3 "$dir/bad")"
}
rows "$dir/m.csv"

# a buffer that maps the call's own file, in every state but extend (not planned:
# its mapping made the file longer already)
m matrix --dir "$dir/fs" --syscalls read,write,pread,pwrite --faults page,none --modes none \
	--len 2p --states $states --backings self --no-trace -o "$dir/self.csv" >"$dir/out" 2>&1 ||
	fail "matrix --backings self --states: status $?: $(cat "$dir/out")"
n=$(csv_awk 'col("backing") == "self" && col("io") == "buffered" && col("result") != "skip"' \
	"$dir/self.csv" | wc -l)
[ "$n" = $((4 * 3 + 4 * 5 * 2)) ] || fail "self-backed buffered rows run: $n"
rows "$dir/self.csv"

# lengths: a page fault in the middle and at the end of 1 MiB stops there
expect 0 "" -- matrix --dir "$dir/fs" --syscalls read,write --io buffered --faults page --modes none \
	--len granule,page,1M --at first,half,end --offsets 0 --states fresh,hole --backings private \
	--no-trace \
	-o "$dir/l.csv"
csv_awk 'col("len") == 1048576 && col("fault_at") > 0 && col("result") == "short" &&
	col("ret") == col("fault_at") && col("data_ok") == "1" { n++ } END { print n + 0 }' \
	"$dir/l.csv" >"$dir/n"
[ "$(cat "$dir/n")" = 8 ] ||
	fail "1 MiB, half and end: $(cat "$dir/n") exact shorts of 8: $(csv_col "$dir/l.csv" syscall len fault_at state result ret | head -20)"
expect 0 "^fs,syscall,io,mode,fault,len,fault_at,buf_off,state,backing$" -- \
	matrix --dir "$dir/fs" --syscalls read --io buffered --faults mte --modes sync --len granule,4p \
	--states fresh --backings private --list-plan
[ "$(cut -d, -f6,7 "$dir/out" | tail -n +2 | tr '\n' ' ')" = "16,0 16384,0 16384,8192 16384,16368 " ] ||
	fail "default layouts of granule and 4 pages (offset 0): $(cat "$dir/out")"

# the values that make no case say why
expect 4 "skipped: unsupported: --state extend is a write past the end of the file, and read reads" -- \
	run --syscall read --dir "$dir/fs" --state extend --fault none --mode none --no-trace
expect 4 "skipped: unsupported: --state hole: pipe-read makes no file of its own" -- \
	run --syscall pipe-read --state hole --fault none --mode none --no-trace
expect 2 "^mteprobe: bad --states item 'sparse': use fresh, cached, uncached, dirty, hole, prealloc or extend$" -- \
	matrix --dir "$dir/fs" --states sparse
expect 2 "^mteprobe: bad --len item '3M': give 1 to 1048576 bytes, or granule, page, Np \(N pages\), NM \(MiB\)$" -- \
	matrix --dir "$dir/fs" --len 3M
expect 4 "reproducers make fresh files only, not --state dirty" -- repro --syscall write --fs ext4 --state dirty

finish "file states and lengths: every state made, verified and right"
