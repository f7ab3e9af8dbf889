#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# matrix -o FILE on a disk that fills up: the CSV keeps every whole row and no torn
# one (each line has the header's field count and ends with a newline), the rows are
# the cases the summary counts, the exit status is 1 and the error names the file and
# ENOSPC. FILE is on a 4 KiB tmpfs (mounting needs root); the cases' own files go to
# another directory (--dir), page faults only, so it runs on any CPU.
# Usage: csv-full-disk.sh MTEPROBE [WRAPPER...]
set -u
bin=$1
shift
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=../scripts/lib/csv.sh
. "$here/../scripts/lib/csv.sh"

[ "$(id -u)" -eq 0 ] || { echo "skip: mounting a small tmpfs needs root"; exit 77; }
work=$(mktemp -d) || exit 1
cleanup() {
	if mountpoint -q "$work/small"; then umount "$work/small"; fi
	rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/small" "$work/cases"
mount -t tmpfs -o size=4k tmpfs "$work/small" || { echo "skip: cannot mount a tmpfs here"; exit 77; }

csv=$work/small/matrix.csv
# 244 cases of about 100 bytes each: far more than 4 KiB
status=0
"$@" "$bin" matrix --faults page --syscalls write,read --io buffered --offsets "$(seq -s, 0 60)" \
	--dir "$work/cases" -o "$csv" >"$work/out" 2>"$work/err" || status=$?
if [ "$status" -eq 4 ] && grep -q 'user-mode emulation' "$work/err"; then
	echo "skip: matrix refuses to run under user-mode emulation"
	exit 77
fi

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
[ "$status" -eq 1 ] || fail "exit status $status, want 1"
grep -qF -- "$csv" "$work/err" && grep -q ENOSPC "$work/err" ||
	fail "the error does not name $csv and ENOSPC"
[ "$(tail -c 1 "$csv" | od -An -c | tr -d ' ')" = '\n' ] || fail "the file does not end with a newline"
torn=$(csv_awk 'csv_n != csv_nf { print NR ": " csv_n " of " csv_nf " fields" }' "$csv")
[ -z "$torn" ] || fail "torn rows: $torn"
rows=$(csv_awk '{ n++ } END { print n + 0 }' "$csv")
done_cases=$(sed -n 's/^matrix: \([0-9]*\) of .*/\1/p' "$work/out")
[ "$rows" -gt 0 ] || fail "no row before the disk filled"
[ "$rows" = "$done_cases" ] || fail "$rows rows in the file, the summary counts ${done_cases:-none}"
if [ $fails -gt 0 ]; then
	echo "stderr:"; sed 's/^/  /' "$work/err"
	echo "stdout:"; sed 's/^/  /' "$work/out"
	echo "the file's end:"; tail -n 2 "$csv" | sed 's/^/  /'
	exit 1
fi
echo "ok: $rows whole rows kept, status 1: $(grep "cannot write" "$work/err")"
