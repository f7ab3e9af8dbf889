#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# getdents64 returns whole records, 8-byte aligned, whose padding the kernel
# never writes. With a PROT_NONE page after buffer offsets 0..63 the page
# boundary falls on every byte of two records (header, name, NUL, padding):
# the kernel must return exactly the records stored before the page (delta 0,
# expect == ret), never a bypass, with the right data.
# Usage: getdents-records.sh MTEPROBE [WRAPPER...]
# shellcheck source=cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"

m matrix --dir "$dir" --syscalls getdents64 --faults page --modes none --at next \
	--offsets "$(seq -s, 0 63)" --no-trace -o "$dir/m.csv" >/dev/null 2>"$dir/err"
st=$?
if [ $st = 4 ]; then
	echo "skip: $(cat "$dir/err")"
	exit 77
fi
[ $st = 0 ] || { echo "FAIL: matrix exit $st: $(cat "$dir/err")"; exit 1; }

csv_awk '
col("syscall") != "getdents64" || col("fault") != "page" { next }
{ rows++ }
col("result") != "short" || col("bypass") != "0" || col("delta") != "0" || col("expect") != col("ret") ||
col("data_ok") != "1" || col("expect") + 0 > col("fault_at") + 7 {
	printf "FAIL: buf_off %s, page at %s: %s ret %s expect %s delta %s bypass %s data_ok %s (%s)\n",
	       col("buf_off"), col("fault_at"), col("result"), col("ret"), col("expect"), col("delta"), col("bypass"),
	       col("data_ok"), col("note")
	bad++
}
END {
	if (rows != 64) {
		printf "FAIL: %d getdents64 rows with a page fault, want 64\n", rows
		exit 1
	}
	if (bad)
		exit 1
	print "getdents64: 64 page boundaries, every result exact at a record boundary"
}' "$dir/m.csv"
