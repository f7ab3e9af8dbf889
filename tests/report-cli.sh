#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mteprobe report and diff on the command line: exit statuses (diff: 0 no
# regression, 1 regressions, 2 usage or a bad file), the terminal report
# (grid, findings, kernels side by side, width, colour only on a terminal
# without NO_COLOR), --json, --expect-out (header, rows, no symlink followed).
# Usage: report-cli.sh MTEPROBE FIXTURES_DIR [WRAPPER...]
fixtures=$2
set -- "$1" "${@:3}"
# shellcheck source=cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
out=$dir/out
old=$fixtures/old-schema1.csv new=$fixtures/new-schema2.csv
k510=$fixtures/matrix-5.10.csv k61=$fixtures/matrix-6.1.csv

# usage and bad input: one line naming the problem, status 2
expect 0 '^Usage: mteprobe report' -- report --help
expect 0 '^Usage: mteprobe diff' -- diff --help
expect 2 "no CSV file given.*|Try 'mteprobe report --help'" -- report
expect 2 "Try 'mteprobe report --help'" -- report --bogus "$new"
expect 2 "bad --width 'x'" -- report --width x "$new"
expect 2 "cannot open $dir/none.csv: No such file" -- report "$dir/none.csv"
expect 2 "is a directory" -- report "$fixtures"
printf 'a,b\n1,2\n' >"$dir/other.csv"
expect 2 "other.csv has no column 'fs'" -- report "$dir/other.csv"
expect 2 "too few files: give two CSV files" -- diff "$old"
expect 2 "too many files" -- diff "$old" "$new" "$new"
expect 2 "cannot open" -- diff "$old" "$dir/none.csv"
expect 2 "Try 'mteprobe diff --help'" -- diff --bogus "$old" "$new"

# diff: regressions exit 1, none exit 0, every case listed
expect 1 '^regression  gfs2 read buffered sync mte len 8192 fault_at 2048 buf_off 0: short 2048 delta 0 -> livelock 8192 recovered 1; new livelock or hang$' -- diff "$old" "$new"
expect 1 '13 cases in both: 5 regressions, 3 improvements, 2 neutral, 3 unchanged; 1 only in the old, 1 only in the new' -- diff "$old" "$new"
expect 1 '^only-old    ext4 read buffered sync mte len 8192 fault_at 2048 buf_off 7' -- diff "$old" "$new"
expect 1 '^only-new    xfs read buffered sync mte' -- diff "$old" "$new"
expect 1 ': 4 regressions, 4 improvements, 2 neutral' -- diff "$new" "$old"
expect 0 ' 0 regressions, 0 improvements, 0 neutral, 270 unchanged' -- diff "$k61" "$k61"
expect 1 '270 cases in both: 8 regressions' -- diff "$k510" "$k61"
m diff --json "$old" "$new" >"$out" 2>&1
st=$?
if [ "$st" -ne 1 ] || ! python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
assert (s["regression"], s["improvement"], s["neutral"], s["unchanged"], s["only_old"], s["only_new"]) == (5, 3, 2, 3, 1, 1), s
c = [c for c in d["changes"] if c["new"] and c["new"]["fs"] == "gfs2"][0]
assert c["class"] == "regression" and c["reasons"] == ["new livelock or hang"], c
assert c["new"]["recovered"] == 1 and c["new"]["fault_ins"] == 22040 and c["old"]["fault_ins"] is None, c
assert "(on a CPU, 100% in the kernel," in c["new"]["note"], c
' "$out"; then
	fail "diff --json: status $st"; head -c 2000 "$out"
fi

# report: grid, findings; several files: the kernels side by side, the changes
expect 0 '^mode sync, fault mte: 108 cases, 8 at most a cell$' -- report "$k61"
expect 0 '^read buffered +2E 6s +2E 6s +8L *$' -- report --width 100 "$k61"
expect 0 '^Livelocks and hangs: 8 cases$' -- report "$k61"
expect 0 '^  gfs2 read buffered sync mte:$' -- report "$k61"
expect 0 '^    len 8192 fault_at 2048 buf_off 0: livelock 8192 recovered 1, fault_ins [0-9]+; watchdog: livelock after' -- report "$k61"
expect 0 '^mode none, fault none: 18 cases, 15 full, 3 skip$' -- report "$k61"
expect 0 '^Bypass .*: 70 cases$' -- report "$k61"
expect 0 '^  uring-read-fixed buffered sync mte on tmpfs ext4 gfs2: 24 cases' -- report "$k61"
expect 0 '^ +5\.10 6\.1 +5\.10 6\.1 +5\.10 6\.1 *$' -- report "$k510" "$k61"
expect 0 '^  read direct none page: 5\.10 on ext4 gfs2 \(2\); 6\.1 on ext4 \(1\), e\.g\.' -- report "$k510" "$k61"
expect 0 '^5\.10 -> 6\.1: 8 regressions, 16 improvements, 30 neutral, 216 unchanged; 0 only in 5\.10, 0 only in 6\.1$' -- report "$k510" "$k61"
expect 0 '^  regression  read buffered sync mte on gfs2 \(8 cases\)' -- report "$k510" "$k61"
expect 0 '^  uring-read-fixed buffered sync mte on tmpfs ext4 gfs2: 24/24 cases \(5\.10/6\.1\), delta -8192\.\.-4096, e\.g\. \[5\.10\] len 8192 fault_at 0' -- report "$k510" "$k61"
expect 0 'fault_ins 22040; watchdog: livelock after 403 ms \(on a CPU, 100% in the kernel, for 319 ms' -- report "$new"
# two runs of one kernel: told apart by file name
cp "$k61" "$dir/again.csv"
expect 0 '^B = .*again.csv: 270 cases' -- report "$k61" "$dir/again.csv"
# a run that wrote its header only
head -1 "$k61" >"$dir/empty.csv"
expect 0 'empty.csv: 0 cases, kernel \?' -- report "$dir/empty.csv"
expect 0 ' 0 cases in both: 0 regressions, .* 0 only in the old, 270 only in the new' -- diff "$dir/empty.csv" "$k61"
# a torn last row (a stopped run) is left out and said so
head -c 20000 "$k61" >"$dir/torn.csv"
expect 0 'a torn last row left out' -- report "$dir/torn.csv"

# the grids fit the width: every line from the first grid to the letters'
# end (at 40 columns, the grids' rows)
for w in 40 60 100; do
	m report --width "$w" "$k510" "$k61" >"$out" 2>&1
	long=$(sed -n '/^mode /,/^$/p;/^letters/,/^$/p' "$out" | awk -v w="$w" \
		'length($0) > w && (w > 40 || $0 !~ /^(mode|letters| )/)' | head -1)
	[ -z "$long" ] || fail "report --width $w: a line is longer: '$long'"
done

# colour: never when not a terminal, on one unless NO_COLOR is set
esc=$(printf '\033')
m report "$k61" >"$out" 2>&1
grep -q "$esc" "$out" && fail "report piped: colour codes in the output"
if command -v script >/dev/null 2>&1 && [ -z "$wrap" ]; then
	COLUMNS=100 script -qec "$bin report $k61" /dev/null >"$out" 2>&1
	grep -q "$esc\[1;97;41m8L" "$out" || fail "report on a terminal: no colour on the livelock cell"
	NO_COLOR=1 COLUMNS=100 script -qec "$bin report $k61" /dev/null >"$out" 2>&1
	grep -q "$esc" "$out" && fail "report on a terminal with NO_COLOR: colour codes"
fi

# --expect-out: the agreed header, one row per case, comments with #
m report --expect-out "$dir/expect.csv" "$k61" >/dev/null 2>&1 || fail "report --expect-out: status $?"
if [ "$(grep -v '^#' "$dir/expect.csv" | head -1)" != \
	"fs,syscall,io,mode,fault,len,fault_at,buf_off,state,backing,result,bypass,data_ok" ]; then
	fail "--expect-out header: $(head -3 "$dir/expect.csv")"
fi
[ "$(grep -vc '^#' "$dir/expect.csv")" -eq 271 ] || fail "--expect-out: $(grep -vc '^#' "$dir/expect.csv") lines, want 271"
grep -qx 'gfs2,read,buffered,sync,mte,8192,2048,0,fresh,private,livelock,,1' "$dir/expect.csv" ||
	fail "--expect-out: no row for the gfs2 livelock"
# each case once: two kernels' files are refused, files of other cases are not
expect 2 "^mteprobe: --expect-out: the case .* is in .*matrix-5.10.csv:[0-9]+ and .*matrix-6.1.csv:[0-9]+: .*give the CSV of one run" -- \
	report --expect-out "$dir/two.csv" "$k510" "$k61"
[ -e "$dir/two.csv" ] && fail "--expect-out refused, but wrote the file"
grep '^schema\|,gfs2,' "$k61" >"$dir/gfs2.csv"
grep '^schema\|,ext4,' "$k61" >"$dir/ext4.csv"
m report --expect-out "$dir/split.csv" "$dir/gfs2.csv" "$dir/ext4.csv" >/dev/null 2>&1 ||
	fail "--expect-out of two files of other cases: status $?"
# never through a symbolic link, nor over a file left as it was
echo keep >"$dir/target"
ln -s "$dir/target" "$dir/link.html"
expect 1 'link.html: .*symbolic link' -- report --html "$dir/link.html" "$k61"
[ "$(cat "$dir/target")" = keep ] || fail "report --html followed a symlink"
expect 1 "--html $dir/nodir/r.html: No such file or directory" -- report --html "$dir/nodir/r.html" "$k61"

[ "$fails" -eq 0 ]
