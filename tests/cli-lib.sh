# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Sourced by the CLI tests, whose arguments are MTEPROBE [WRAPPER...]: bin and
# wrap from them, m (runs mteprobe, under the wrapper in a cross build), a
# private $dir removed at exit, fail (one "FAIL: ..." line, counted), expect
# (a status and a line of output), finish (the verdict), and the CSV helpers
# (scripts/lib/csv.sh).
set -u
bin=$1; shift
wrap="$*"
fails=0
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
# shellcheck source=../scripts/lib/csv.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/csv.sh"

m() { $wrap "$bin" "$@"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect STATUS PATTERN -- ARGS: mteprobe ARGS exits STATUS, and a line of its
# output (stdout and stderr, in $dir/out) matches the extended regex PATTERN
# ("": any output). expect_stderr: the same with PATTERN on stderr alone
# ($dir/err).
expect() { expect_in out "$@"; }
expect_stderr() { expect_in err "$@"; }
expect_in() {
	local stream=$1 want=$2 pattern=$3 got what=output
	shift 4
	if [ "$stream" = out ]; then
		m "$@" >"$dir/out" 2>&1; got=$?
	else
		m "$@" >"$dir/out" 2>"$dir/err"; got=$?
		what=stderr
	fi
	if [ "$got" != "$want" ] || { [ -n "$pattern" ] && ! grep -qE -- "$pattern" "$dir/$stream"; }; then
		fail "mteprobe $*: exit $got (want $want), $what:"
		sed 's/^/    /' "$dir/$stream" | head -n 40
	fi
}
# finish WHAT: exit 0 with "WHAT" when nothing failed, else 1
finish() {
	[ "$fails" = 0 ] || exit 1
	echo "$*"
	exit 0
}
# skip_or_fail WHY: a test that cannot go on skips (77) unless something failed
skip_or_fail() {
	echo "skip: $*"
	[ "$fails" = 0 ] && exit 77
	exit 1
}
