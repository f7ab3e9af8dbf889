#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A --dir named with 60 two-byte characters, where no file can be created
# (chattr +i): every case is a skip whose note names the path, cut at a byte
# limit. Whatever mteprobe writes (CSV, JSON, the verdict, its errors) must be
# valid UTF-8. The two names (with and without a leading "a") put the cut on
# either byte of a character, whatever the temporary directory's length.
# Usage: utf8-notes.sh MTEPROBE [WRAPPER...]
# shellcheck source=cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
e=$(printf '\303\251%.0s' $(seq 60))
part=$(printf '\303\251%.0s' $(seq 10))	# what a cut name still shows
cleanup() {
	chattr -i "$dir/$e" "$dir/a$e" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
mkdir "$dir/$e" "$dir/a$e" "$dir/out" || exit 1
if ! chattr +i "$dir/$e" "$dir/a$e" 2>/dev/null; then
	echo "skip: chattr +i does not work here (needs root and a filesystem with the immutable flag)"
	exit 77
fi
seen=0 n=0

# mteprobe ARGS...: stdout and stderr must be valid UTF-8
check() {
	n=$((n + 1))
	m "$@" >"$dir/out/$n.out" 2>"$dir/out/$n.err"
	st=$?
	[ $st = 4 ] && grep -q "user-mode emulation" "$dir/out/$n.err" && { echo "skip: $(cat "$dir/out/$n.err")"; exit 77; }
	for f in "$dir/out/$n.out" "$dir/out/$n.err"; do
		if ! iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then
			fail "mteprobe $*: ${f##*.} is not UTF-8:"; cat "$f"
		fi
	done
	grep -q "$part" "$dir/out/$n.out" "$dir/out/$n.err" && seen=$((seen + 1))
}

for d in "$dir/$e" "$dir/a$e"; do
	check run --syscall read --dir "$d" --fault none --no-trace --csv
	check run --syscall write --dir "$d" --fault page --no-trace --json
	check run --syscall pwrite --dir "$d" --fault page --no-trace
	check matrix --syscalls read,getdents64 --dir "$d" --faults page,none --modes none --no-trace
done
# not vacuous: the long name made it into the output
[ $seen -gt 0 ] || fail "no output names the directory"
finish "$n runs with a multi-byte --dir: all output valid UTF-8"
