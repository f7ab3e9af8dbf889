# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Shared by the scripts that run mteprobe in the MTE VM and print figures (bench-*,
# engine-compare, verdict-check, tests/vm/matrix-check). Source it from the top of the
# tree (the default binary's path is relative to it).

# The arm64 mteprobe they give mte-vm --binary: MTEPROBE_BINARY, or the cross build's.
arm64_binary=${MTEPROBE_BINARY:-build/aarch64/cmd/mteprobe}

# usage_error WHAT: "SCRIPT: WHAT; usage: USAGE" on stderr (SCRIPT the script's name,
# USAGE its $usage) and exit 64.
usage_error() {
	echo "${0##*/}: $*; usage: $usage" >&2
	exit 64
}

# need_binary WHO PATH STATUS: exits STATUS, saying how to build it, unless PATH is an
# executable.
need_binary() {
	[ -x "$2" ] && return 0
	echo "$1: no $2; build it: meson setup build/aarch64 --cross-file cross/aarch64-linux-gnu.ini && ninja -C build/aarch64" >&2
	exit "$3"
}

# "MEDIAN MIN MAX COUNT" of the numbers on stdin, one a line ("- - - 0" for none).
median_min_max() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (!NR) { print "- - - 0"; exit }
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR], NR
	}'
}

# target_met VALUE LIMIT: "met" when VALUE is at most LIMIT, else (or VALUE "-") "MISSED".
target_met() { awk -v v="$1" -v t="$2" 'BEGIN { print (v != "-" && v <= t) ? "met" : "MISSED" }'; }

# The lanes of mte-vm's main job (matrix --jobs), from its one place (mtevm/qemu.py).
main_job_lanes() { PYTHONPATH=scripts python3 -c 'from mtevm import qemu; print(qemu.GUEST_LANES)'; }

# The host's load averages over 1, 5 and 15 minutes.
host_load() { cut -d' ' -f1-3 /proc/loadavg; }

# The seconds of mteprobe matrix's summary line ("matrix: N of N cases in S s, ...") on
# stdin.
summary_seconds() { sed -n 's/.* cases in \([0-9.]*\) s.*/\1/p'; }
