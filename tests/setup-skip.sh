#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A failure to set up is a skip, never a kernel outcome: io_uring cases run
# without a file descriptor for the ring (RLIMIT_NOFILE), without locked memory
# for the ring or the registered buffer (RLIMIT_MEMLOCK without CAP_IPC_LOCK)
# and, as a user of its own, without a process for an io-wq worker
# (RLIMIT_NPROC: the request is cancelled); a read whose file cannot be filled
# (RLIMIT_FSIZE). Every row, control cases included, is the call's outcome or
# a skip whose note names the step; never an errno or signal row.
# Usage: setup-skip.sh MTEPROBE [WRAPPER...]
# shellcheck source=cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
chmod 755 "$dir"
mkdir "$dir/files" && chmod 1777 "$dir/files"
: >"$dir/rows.csv"

# run LIMITS... -- SYSCALL FAULT [OPTIONS]: one case, its CSV row (if any) kept
run() {
	limits=
	while [ "$1" != -- ]; do limits="$limits $1"; shift; done
	shift
	sc=$1 fault=$2; shift 2
	$limits $wrap "$bin" run --syscall "$sc" --dir "$dir/files" --fault "$fault" --no-trace --csv "$@" \
		>"$dir/out" 2>"$dir/err"
	st=$?
	# a limit that stops mteprobe itself gives no row: nothing to check
	[ -s "$dir/rows.csv" ] || head -n 1 "$dir/out" >>"$dir/rows.csv"
	sed -n 2p "$dir/out" >>"$dir/rows.csv"
}

# without limits io_uring must run here, or there is nothing to test about
# it (status 4: user-mode emulation, nothing to test at all)
run -- uring-read none
[ $st = 4 ] && { echo "skip: $(cat "$dir/err")"; exit 77; }
uring=1
if ! csv_awk ' col("result") == "full" { ok = 1 } END { exit !ok }' "$dir/rows.csv"; then
	echo "io_uring does not run here, its checks are left out: $(tail -n 1 "$dir/rows.csv")"
	uring=0
fi

# no descriptor for the ring: somewhere between too few to start and enough
[ $uring = 1 ] && for n in 4 5 6 7 8 9 10 11 12; do
	for fault in none page; do
		run prlimit --nofile=$n -- uring-read $fault
	done
done

# no locked memory for the ring or the fixed buffer's pinned pages
nolock="prlimit --memlock=0"
[ "$(id -u)" = 0 ] && nolock="setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock $nolock"
[ $uring = 1 ] && for sc in uring-read uring-read-fixed uring-write-fixed; do
	for fault in none page; do
		run $nolock -- $sc $fault
	done
done

# no process for an io-wq worker: a uid of its own, allowed the case's two
# processes (the watchdog, a thread, is off); a buffered write that io_uring
# hands to io-wq is then cancelled
if [ $uring = 1 ] && [ "$(id -u)" = 0 ]; then
	uid=$((60000 + $$ % 5000))
	for sc in uring-write uring-writev; do
		run setpriv --reuid=$uid --regid=$uid --clear-groups prlimit --nproc=2 -- $sc none --no-watchdog
	done
fi

# the file to read cannot be filled (EFBIG; the CSV itself stays under the limit)
for sc in read uring-read; do
	run prlimit --fsize=4096 -- $sc none
done

csv_awk -v uring=$uring '
{ rows++ }
col("result") == "skip" && col("note") ~ /io_uring/ { skips++ }
col("result") == "skip" && col("note") ~ /cannot fill/ { fills++ }
col("result") == "errno" || col("result") == "signal" || (col("fault") == "none" && col("result") != "full" && col("result") != "skip") ||
(col("result") == "skip" && col("note") == "") {
	printf "FAIL: %s fault %s: %s %s %s (%s)\n", col("syscall"), col("fault"), col("result"), col("ret"),
	       col("errno"), col("note")
	bad++
}
END {
	if ((uring && !skips) || !fills) {
		print "FAIL: no case lacked what io_uring needs, or its file: the limits tested nothing"
		bad++
	}
	printf "%d rows under limits, %d skipped: io_uring %d, file fill %d\n", rows, skips + fills,
	       skips, fills
	exit bad > 0
}' "$dir/rows.csv"
