#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mteprobe repro: the reproducer of a case, compiled and run, must say what
# `mteprobe run` of the same case says. Page faults (any CPU): every driver
# with a reproducer, faults at a page start, at the buffer start, with the
# buffer 100 bytes into its page, and none (io_uring: page starts and none); the reproducer's key=value line
# and run's CSV are compared by column name (result, ret, errno, expect,
# delta, data_ok, overshoot, bypass). Then the command's own promises: a
# driver without a reproducer is refused (exit 4), -o never touches a file
# or link that is there (exit 2), options that mean nothing for it are
# usage errors.
# A call that never returns (the stall.c shim makes pwrite sleep forever) is
# called stuck after -t seconds, its fault removed, and when it still does not
# return the reproducer exits 1 instead of wedging the shell.
# Usage: repro.sh MTEPROBE CC STALL_SO
set -u
bin=$1 cc=$2 stall=$3
# shellcheck source=../scripts/lib/csv.sh
. "$(dirname "$0")/../scripts/lib/csv.sh"
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir "$work/dir"
failed=0 compared=0 skipped=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

columns="result ret errno expect delta data_ok overshoot bypass"
syscalls=$("$bin" repro --list | awk 'NR > 1 { print $1 }')
n=0
for sc in read write pread pwrite readv writev preadv2 pwritev2 getdents64 uring-read uring-write \
	uring-readv uring-writev uring-read-fixed uring-write-fixed; do
	grep -qx "$sc" <<<"$syscalls" || { fail "$sc is not in repro --list"; continue; }
	for layout in "--fault page" "--fault page --fault-at first" "--fault page --buf-off 100" \
		"--fault none" "--fault page --io direct"; do
		[ "$sc" = getdents64 ] && [[ $layout == *direct* ]] && continue
		# io_uring: the ring and the request, not every layout again
		[[ $sc == uring-* ]] && [[ $layout == *first* || $layout == *100* ]] && continue
		n=$((n + 1))
		name="$sc $layout"
		# shellcheck disable=SC2086 # layout is words
		if ! "$bin" repro --syscall "$sc" --dir "$work/dir" $layout -o "$work/r$n.c" 2>"$work/err"; then
			fail "$name: repro: $(cat "$work/err")"
			continue
		fi
		if ! "$cc" -O0 -Wall -Wextra -Werror -pthread -o "$work/r$n" "$work/r$n.c" 2>"$work/err"; then
			fail "$name: the reproducer does not build: $(head -5 "$work/err")"
			continue
		fi
		"$work/r$n" "$work/dir" >"$work/r$n.out" 2>"$work/r$n.err"
		rst=$?
		# shellcheck disable=SC2086
		"$bin" run --syscall "$sc" --dir "$work/dir" $layout --no-trace --csv >"$work/run$n.csv" 2>"$work/err"
		st=$?
		if [ $st = 4 ] || [ $rst = 4 ]; then
			# a setup the filesystem refuses (O_DIRECT on tmpfs before 6.6): both must skip
			if [ $st = 4 ] && [ $rst = 4 ]; then
				skipped=$((skipped + 1))
			else
				fail "$name: run exits $st, the reproducer $rst: $(cat "$work/err" "$work/r$n.err")"
			fi
			continue
		fi
		[ $st = 0 ] || { fail "$name: run exits $st: $(cat "$work/err")"; continue; }
		[ $rst = 0 ] || { fail "$name: the reproducer exits $rst: $(cat "$work/r$n.err")"; continue; }
		# shellcheck disable=SC2086 # columns is words
		want=$(csv_pairs "$work/run$n.csv" $columns)
		# shellcheck disable=SC2086
		got=$(repro_pairs "$work/r$n.out" $columns)
		if [ -z "$got" ]; then
			fail "$name: no result line from the reproducer: $(cat "$work/r$n.out")"
		elif [ "$got" != "$want" ]; then
			fail "$name: the reproducer says '$got', run '$want'"
		else
			compared=$((compared + 1))
		fi
	done
done
[ -z "$(ls -A "$work/dir")" ] || fail "files left behind in the directory: $(ls -A "$work/dir")"

# a call that never returns: stuck after 1 s, the fault removed, exit 1 after 2 s
# (the shim of a sanitizer build cannot go into a reproducer, built without)
if ldd "$stall" 2>/dev/null | grep -q 'libasan'; then
	echo "skip: a call that never returns: the stall shim needs ASan, the reproducer has none"
elif "$bin" repro --syscall pwrite --dir "$work/dir" --fault page -o "$work/stall.c" 2>"$work/err" &&
	"$cc" -O0 -pthread -o "$work/stall" "$work/stall.c" 2>>"$work/err"; then
	start=$SECONDS
	LD_PRELOAD=$stall MTEPROBE_TEST_STALL=$work/stall.pid timeout 60 "$work/stall" -t 1 "$work/dir" >"$work/stall.out" 2>&1
	st=$?
	if [ $st != 1 ] || ! grep -q '^stuck: the call is still running after 1 s' "$work/stall.out" ||
		! grep -q '^not recovered: .* so does '"$work/dir"'/mteprobe-repro\.' "$work/stall.out" ||
		[ "$(repro_pairs "$work/stall.out" result recovered)" != "result=stuck recovered=0" ]; then
		fail "a call that never returns: exit $st (want 1) after $((SECONDS - start)) s: $(cat "$work/stall.out")"
	fi
	# it said which directory it left: ours to remove
	rm -rf "$work"/dir/mteprobe-repro.*
else
	fail "the stalled pwrite's reproducer: $(cat "$work/err")"
fi

# a driver without a reproducer: refused in one line, exit 4
"$bin" repro --syscall pipe-read -o "$work/none.c" 2>"$work/err"
st=$?
if [ $st != 4 ] || [ "$(wc -l <"$work/err")" != 1 ] || ! grep -q 'repro: pipe-read has no reproducer yet' "$work/err"; then
	fail "pipe-read: exit $st, want 4 and one line 'repro: pipe-read has no reproducer yet': $(cat "$work/err")"
fi
[ ! -e "$work/none.c" ] || fail "pipe-read: a file was written for a refused driver"

# -o: a new file only; one that is there, or a link, stays as it was
echo mine >"$work/mine.c"
ln -s "$work/mine.c" "$work/link.c"
for target in mine.c link.c; do
	"$bin" repro --syscall read --dir "$work/dir" -o "$work/$target" 2>"$work/err"
	st=$?
	if [ $st != 2 ] || [ "$(cat "$work/mine.c")" != mine ] || ! grep -q "$target" "$work/err"; then
		fail "-o $target that is there: exit $st (want 2), the file now holds '$(head -c 40 "$work/mine.c")': $(cat "$work/err")"
	fi
done

# a case the driver cannot make is a usage error, as the option that asks for it
for opts in "--syscall btrfs-tree-search --fs btrfs --len 8192" "--syscall getdents64 --fs tmpfs --io direct" \
	"--syscall btrfs-tree-search --fs ext4"; do
	# shellcheck disable=SC2086 # opts is words
	"$bin" repro $opts >"$work/out" 2>"$work/err"
	st=$?
	if [ $st != 2 ] || [ -s "$work/out" ] || ! grep -q 'no such case' "$work/err"; then
		fail "repro $opts: exit $st, want 2, 'no such case' and no output: $(cat "$work/err")"
	fi
done
for opt in --csv --json --no-trace --no-watchdog; do
	"$bin" repro --syscall read --dir "$work/dir" "$opt" >"$work/out" 2>"$work/err"
	st=$?
	if [ $st != 2 ] || [ -s "$work/out" ]; then
		fail "repro $opt: exit $st, want 2 and no output"
	fi
done
"$bin" repro --syscall read --dir "$work/dir" --buf-off 16 >"$work/out" 2>"$work/err"
if ! grep -q '^#define CASE_BUF_OFF	16$' "$work/out"; then
	fail "repro --buf-off 16 does not make a buffer at offset 16: $(cat "$work/err")"
fi

echo "$compared cases compared, $skipped skipped by both, $failed failed"
[ $failed = 0 ] && [ $compared -ge 30 ]
