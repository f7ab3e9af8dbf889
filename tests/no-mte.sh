#!/bin/sh
# SPDX-License-Identifier: MIT
# arm64 CPUs without MTE (Graviton2/3, Raspberry Pi 4 class): every command
# and option path of mteprobe, and the unit tests that touch buffers, run
# under user-mode qemu emulating such CPUs. No MTE instruction (nor any other
# instruction the CPU lacks) may run: a signal (SIGILL is status 132) fails,
# and so does a status other than the documented one.
# Usage: no-mte.sh MTEPROBE [UNIT_TEST...]   (arm64 binaries)
set -u
bin=$1; shift
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64) ||
	{ echo "skip: no qemu-aarch64-static (scripts/install-deps installs it)"; exit 77; }
# neoverse-v1: Graviton3 (v8.4, SVE, no MTE); cortex-a76: Graviton2 class
# (v8.2); cortex-a72: Raspberry Pi 4 (v8.0, no LSE atomics)
cpus="neoverse-v1 cortex-a76 cortex-a72"
fails=0
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
# qemu dumps core on a guest's fatal signal (dash and bash know -c)
# shellcheck disable=SC3045
ulimit -c 0 2>/dev/null

# Under emulation (an x86_64 kernel) run, matrix and trace refuse with 4; on
# an arm64 kernel they run for real, and a status below 128 is theirs to give.
emulated=0
[ "$(cat /proc/sys/kernel/arch 2>/dev/null)" = aarch64 ] || emulated=1

check() {	# check CPU WANT -- ARGS: WANT is a status, or "case" for run/matrix/trace
	cpu=$1 want=$2; shift 3
	"$qemu" -cpu "$cpu" "$bin" "$@" >"$dir/out" 2>&1 </dev/null
	got=$?
	if [ "$want" = case ]; then
		[ $emulated = 1 ] && want=4 || want=$got
	fi
	if [ "$got" -ge 128 ] || grep -q 'uncaught target signal' "$dir/out" || [ "$got" != "$want" ]; then
		echo "FAIL: -cpu $cpu: mteprobe $*: status $got (want $want):"
		sed 's/^/    /' "$dir/out" | head -n 20
		fails=$((fails + 1))
	fi
}

for cpu in $cpus; do
	if "$qemu" -cpu help 2>/dev/null | grep -qw "$cpu"; then :; else
		echo "note: this qemu has no -cpu $cpu: not tried"
		continue
	fi
	check "$cpu" 2 --
	check "$cpu" 0 -- --help
	check "$cpu" 0 -- -h
	check "$cpu" 0 -- --version
	check "$cpu" 0 -- -V
	check "$cpu" 2 -- --bogus
	check "$cpu" 2 -- frobnicate

	# selftest: says there is no MTE, exits 3, the page checks still run
	check "$cpu" 3 -- selftest
	if ! grep -q 'this CPU has no MTE' "$dir/out" || ! grep -q '^pass probe-page' "$dir/out" ||
	   grep -q '^FAIL' "$dir/out"; then
		echo "FAIL: -cpu $cpu: selftest without MTE:"; sed 's/^/    /' "$dir/out"
		fails=$((fails + 1))
	fi
	check "$cpu" 0 -- selftest --list
	check "$cpu" 0 -- selftest -l
	check "$cpu" 0 -- selftest --help
	check "$cpu" 2 -- selftest --bogus
	check "$cpu" 2 -- selftest extra

	# run and trace: help, list, usage errors, and every fault, mode, I/O
	# path and output up to the point where they refuse emulation
	for cmd in run trace; do
		check "$cpu" 0 -- $cmd --help
		check "$cpu" 0 -- $cmd --list
		check "$cpu" 0 -- $cmd -L
		check "$cpu" 2 -- $cmd --bogus
		check "$cpu" 2 -- $cmd --dir "$dir"
		check "$cpu" 2 -- $cmd --syscall nosuch --dir "$dir"
		check "$cpu" case -- $cmd --syscall read --dir "$dir"
		check "$cpu" case -- $cmd --syscall pipe-write --fault page
	done
	for opts in "--fault mte" "--fault retag" "--fault page" "--fault none" \
		    "--mode sync" "--mode async" "--mode asymm" "--mode none" \
		    "--io direct" "--csv" "--json" "--no-watchdog" "--no-trace" \
		    "--fault-at first --buf-off 7 --len 100" "--timeout 1"; do
		# shellcheck disable=SC2086 # opts is a list of words
		check "$cpu" case -- run --syscall pwrite --dir "$dir" $opts
	done
	check "$cpu" case -- run --syscall readv --dir "$dir" --iovecs 3 --fault page

	# matrix: help, usage errors, and runs up to the refusal
	check "$cpu" 0 -- matrix --help
	check "$cpu" 2 -- matrix --bogus
	check "$cpu" 2 -- matrix --syscalls nosuch --dir "$dir"
	check "$cpu" case -- matrix --dir "$dir" --syscalls read,pipe-write --faults page,none --modes none -o "$dir/m.csv"
	check "$cpu" case -- matrix --dir "$dir" --syscalls write --modes asymm,sync --faults mte,retag
	check "$cpu" case -- matrix --dir "$dir" --syscalls read --no-watchdog --no-trace

	# unit tests of buffers, layouts and probes: pass or skip, and no SIGILL
	# in the children some of them fork (probe_chain's die of SIGSEGV)
	for t in "$@"; do
		"$qemu" -cpu "$cpu" "$t" >"$dir/out" 2>&1 </dev/null
		st=$?
		if [ $st != 0 ] && [ $st != 77 ] || grep -q 'uncaught target signal 4 ' "$dir/out"; then
			echo "FAIL: -cpu $cpu: $(basename "$t"): status $st:"; sed 's/^/    /' "$dir/out" | head -n 20
			fails=$((fails + 1))
		fi
	done
done

[ $fails = 0 ] && echo "every command and unit test ran without MTE on: $cpus"
[ $fails = 0 ]
