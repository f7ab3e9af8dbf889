#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# matrix -o FILE when FILE cannot grow: on a disk that fills up (ENOSPC; a 4 KiB tmpfs,
# mounting needs root) and past a file size limit (EFBIG; ulimit -f 4). Each time the
# CSV keeps every whole row and no torn one (each line has the header's field count
# and ends with a newline), the rows are the cases the summary counts, the exit
# status is 1 and the error names the file and the errno. The cases' own files go to
# another directory (--dir), page faults only, so it runs on any CPU.
# Usage: csv-full-disk.sh MTEPROBE [WRAPPER...]
set -u
bin=$1
shift
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=../scripts/lib/csv.sh
. "$here/../scripts/lib/csv.sh"

work=$(mktemp -d) || exit 1
cleanup() {
	if mountpoint -q "$work/small"; then umount "$work/small"; fi
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/small" "$work/cases"
fails=0 ran=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# matrix_until_full NAME ERRNO CSV [ulimit -f KiB]: 244 cases of about 100 bytes each,
# far more than 4 KiB.
matrix_until_full() {
	local name=$1 errno=$2 csv=$3 limit=${4:-unlimited} status=0 before=$fails rows done_cases torn
	(
		ulimit -f "$limit"
		exec "${wrapper[@]}" "$bin" matrix --faults page --syscalls write,read --io buffered \
			--offsets "$(seq -s, 0 60)" --dir "$work/cases" -o "$csv"
	) >"$work/out" 2>"$work/err" || status=$?
	if [ "$status" -eq 4 ] && grep -q 'user-mode emulation' "$work/err"; then
		echo "skip: $name: matrix refuses to run under user-mode emulation"
		return
	fi
	ran=$((ran + 1))
	[ "$status" -eq 1 ] || fail "$name: exit status $status, want 1"
	{ grep -qF -- "$csv" "$work/err" && grep -q "$errno" "$work/err"; } ||
		fail "$name: the error does not name $csv and $errno"
	[ "$(tail -c 1 "$csv" | od -An -c | tr -d ' ')" = '\n' ] || fail "$name: the file does not end with a newline"
	torn=$(csv_awk 'csv_n != csv_nf { print NR ": " csv_n " of " csv_nf " fields" }' "$csv")
	[ -z "$torn" ] || fail "$name: torn rows: $torn"
	rows=$(csv_awk '{ n++ } END { print n + 0 }' "$csv")
	done_cases=$(sed -n 's/^matrix: \([0-9]*\) of .*/\1/p' "$work/out")
	[ "$rows" -gt 0 ] || fail "$name: no row before the file stopped growing"
	[ "$rows" = "$done_cases" ] || fail "$name: $rows rows in the file, the summary counts ${done_cases:-none}"
	if [ $fails -gt "$before" ]; then
		echo "stderr:"; sed 's/^/  /' "$work/err"
		echo "stdout:"; sed 's/^/  /' "$work/out"
		echo "the file's end:"; tail -n 2 "$csv" | sed 's/^/  /'
	else
		echo "ok: $name: $rows whole rows kept, status 1: $(grep 'cannot write' "$work/err")"
	fi
}

wrapper=("$@")
matrix_until_full "file size limit" EFBIG "$work/limited.csv" 4
if [ "$(id -u)" -ne 0 ]; then
	echo "skip: full disk: mounting a small tmpfs needs root"
elif ! mount -t tmpfs -o size=4k tmpfs "$work/small"; then
	echo "skip: full disk: cannot mount a tmpfs here"
else
	matrix_until_full "full disk" ENOSPC "$work/small/matrix.csv"
fi
[ $fails -eq 0 ] || exit 1
[ $ran -gt 0 ] || exit 77
