# SPDX-License-Identifier: MIT
# Shared by the scratch-*.sh tests (sourced): a temp tree, failures, the
# listing of a directory, waiting for a stalled call (tests/stall.c).
top=$(mktemp -d) || exit 1
trap 'rm -rf "$top"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# Under a sanitizer the shim comes before the runtime in the library list.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

# What a directory holds, recursively: names, types, modes, link targets and
# file contents (never sizes of directories, which ext4 does not shrink).
snap() {
	(cd "$1" && find . \( -type d -printf '%p d %m\n' \) -o \
		\( -type f -printf '%p f %m ' -exec sh -c 'md5sum <"$1"' sh {} \; \) -o \
		-printf '%p %y %m %l\n' | LC_ALL=C sort)
}

# Wait until the stalled call has started (the shim wrote its pid to FILE),
# or PID is gone: no fixed sleep decides anything.
wait_for_stall() {	# FILE PID
	while [ ! -s "$1" ]; do
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
}

# Wait until process PID has exited (gone, or a zombie: its files are
# closed); false if it is still there after a minute (then it never will).
wait_gone() {	# PID
	n=0
	while [ -e "/proc/$1" ] && [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]; do
		n=$((n + 1))
		[ $n -lt 1200 ] || return 1
		sleep 0.05
	done
}

# mteprobe with the stall shim: pwrite never returns and says so in FILE;
# stop signals at their default (a background job starts with SIGINT and
# SIGQUIT ignored, and mteprobe keeps what it finds ignored). stalled_bg
# runs it in the background, its pid in $pid.
stalled() {	# FILE ARGS...
	mark=$1; shift
	rm -f "$mark"
	env --default-signal MTEPROBE_TEST_STALL="$mark" LD_PRELOAD="$stall" "$bin" "$@"
}
stalled_bg() {	# FILE ARGS...
	mark=$1; shift
	rm -f "$mark"
	env --default-signal MTEPROBE_TEST_STALL="$mark" LD_PRELOAD="$stall" "$bin" "$@" &
	pid=$!
}
