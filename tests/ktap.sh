#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --format and --expect (KTAP in mteprobe(1)). Every KTAP output is checked by
# ktap-check.pl, perl's TAP::Parser on each level plus KTAP's nesting rules:
# - a page-fault matrix in KTAP: valid, one subtest per syscall, one test per
#   row of the same matrix in CSV (same names, same skips), all ok, status 0;
# - calls that never return (the stall shim): not ok with the reason, the
#   subtest not ok, status 1; the same run in CSV has status 0;
# - --expect: the run's own CSV makes every case ok (known outcomes are XFAIL);
#   a changed outcome is not ok with both outcomes named, a case missing
#   from FILE follows the policy; bad files are one-line usage errors;
# - a stop signal ends the KTAP with "Bail out!" and status 130; a file size
#   limit leaves whole lines only;
# - run: --format for every format, --csv and --json as aliases.
# Usage: ktap.sh MTEPROBE STALL_SHIM
set -u
bin=$1 stall=$2
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
# shellcheck source=scratch-lib.sh
. "$here/scratch-lib.sh"
# shellcheck source=../scripts/lib/csv.sh
. "$here/../scripts/lib/csv.sh"
if ! perl -MTAP::Parser -e 1 2>/dev/null; then
	echo "skip: perl's TAP::Parser is missing (Debian: perl)"
	exit 77
fi
if "$bin" run --syscall read --dir "$top" --fault none >/dev/null 2>&1; [ $? = 4 ]; then
	echo "skip: run and matrix refuse to measure here (user-mode emulation)"
	exit 77
fi

# valid FILE: ktap-check.pl accepts it; its listing in FILE.list
valid() {
	perl "$here/ktap-check.pl" "$1" >"$1.list" 2>"$1.err" ||
		fail "$1 is not valid KTAP: $(cat "$1.err")"
}
# status WANT WHAT CMD...: CMD exits WANT, its output in $top/out and $top/err
status() {
	local want=$1 what=$2 got
	shift 2
	"$@" >"$top/out" 2>"$top/err"
	got=$?
	[ "$got" = "$want" ] || fail "$what: exit $got, want $want: $(cat "$top/err")"
}
# usage PATTERN ARGS...: a usage error (2), one line naming the problem and the Try line
usage() {
	local pattern=$1
	shift
	status 2 "mteprobe $*" "$bin" "$@"
	{ grep -qE -- "$pattern" "$top/err" && [ "$(wc -l <"$top/err")" = 2 ] &&
		grep -q "^Try 'mteprobe" "$top/err"; } || fail "mteprobe $*: $(cat "$top/err")"
}

mkdir "$top/fs"
pages=(--dir "$top/fs" --syscalls "read,write,pread,readv,writev,pipe-read,pipe-write" --faults "page,none"
	--modes none --at "0,100,5000" --no-trace)

echo "# usage errors"
usage "unknown --format 'xml': use text, csv, json or ktap" matrix --format xml
usage "two output formats, csv and json" run --syscall read --dir "$top" --csv --format json
usage "two output formats, json and csv" run --syscall read --dir "$top" --json --csv
usage -- "--expect FILE judges cases in KTAP: add --format ktap" matrix --expect "$top/x"
usage -- "--resume appends CSV rows: drop --format ktap" matrix --format ktap --resume "$top/x"
usage -- "--expect: cannot read $top/none.csv" matrix --format ktap --expect "$top/none.csv"
usage -- "--expect: $top is not a regular file" run --syscall read --dir "$top" --format ktap --expect "$top"
printf 'fs,syscall,io\ntmpfs,read,buffered\n' >"$top/bad.csv"
usage -- "--expect: $top/bad.csv has no column 'mode'" matrix --format ktap --expect "$top/bad.csv"

echo "# a page-fault matrix: KTAP against CSV"
status 0 "matrix --format ktap" "$bin" matrix "${pages[@]}" --format ktap -o "$top/pages.ktap"
grep -q "; ktap: ok [1-9][0-9]*, not ok 0, skip 0" "$top/out" || fail "summary: $(cat "$top/out")"
valid "$top/pages.ktap"
status 0 "matrix --format csv" "$bin" matrix "${pages[@]}" -o "$top/pages.csv"
# every row is a test of its syscall's subtest, named by its input columns
csv_awk '{ name = "fs=" col("fs") " io=" col("io") " mode=" col("mode") " fault=" col("fault")
	if (col("fault_at") != "") name = name " fault_at=" col("fault_at")
	name = name " buf_off=" col("buf_off") " len=" col("len")
	# state=fresh and backing=private go unsaid: names stay those of runs before them
	if (col("state") != "fresh") name = name " state=" col("state")
	if (col("backing") != "private") name = name " backing=" col("backing")
	print col("syscall") "\t" (col("result") == "skip" ? "skip" : "ok") "\t" name }' \
	"$top/pages.csv" | sort >"$top/want"
awk -F '\t' 'NF == 4 && $1 != "-" { print $1 "\t" $3 "\t" $4 }' "$top/pages.ktap.list" | sort >"$top/got"
{ [ -s "$top/want" ] && cmp -s "$top/want" "$top/got"; } ||
	fail "KTAP tests differ from the CSV rows: $(diff "$top/want" "$top/got" | head -5)"
subtests=$(awk -F '\t' 'NF == 4 && $1 == "-"' "$top/pages.ktap.list" | wc -l)
[ "$subtests" = 7 ] || fail "$subtests subtests, want one per syscall (7)"

echo "# calls that never return"
# without the watchdog a stalled call is always a timeout: whether the
# watchdog says hang before the 1 s limit depends on the machine's load, and
# --expect compares outcomes exactly
set -- matrix --dir "$top/fs" --syscalls write,pwrite --faults none,page --modes none --io buffered \
	--backings private --no-trace --no-watchdog --timeout 1
status 1 "stalled matrix --format ktap" stalled "$top/mark" "$@" --format ktap -o "$top/stall.ktap"
valid "$top/stall.ktap"
{ grep -q "^ok 1 write$" "$top/stall.ktap" && grep -q "^not ok 2 pwrite$" "$top/stall.ktap"; } ||
	fail "write ok, pwrite not ok: $(cat "$top/stall.ktap")"
{ grep -qE "^  # not ok: the call did not return by itself \((hang|livelock|timeout)\)" "$top/stall.ktap" &&
	grep -qE "^  not ok 1 fs=[a-z0-9]+ io=buffered mode=none fault=none buf_off=0 len=8192 # (hang|livelock|TIMEOUT)" \
		"$top/stall.ktap"; } || fail "no reason for the stalled pwrite: $(cat "$top/stall.ktap")"
status 0 "stalled matrix in CSV" stalled "$top/mark" "$@" -o "$top/stall.csv"
stuck=$(csv_awk 'col("syscall") == "pwrite" && col("fault") == "none" { print col("result") }' "$top/stall.csv")

echo "# --expect"
status 0 "--expect its own CSV" stalled "$top/mark" "$@" --format ktap --expect "$top/stall.csv" \
	-o "$top/known.ktap"
valid "$top/known.ktap"
{ grep -q "XFAIL $stuck, as expected" "$top/known.ktap" &&
	grep -q "^  # known outcome: expected result=$stuck bypass=- data_ok=- (--expect line [0-9]*), got result=$stuck" \
		"$top/known.ktap"; } || fail "no known outcome: $(cat "$top/known.ktap")"
grep -q "not ok" "$top/known.ktap" && fail "not ok with every outcome known: $(cat "$top/known.ktap")"
# write without a fault expected short (it is full), pwrite's stalled case
# known, its page-fault case missing: the policy fails it
{
	echo "# pinned by hand"
	echo "syscall,fs,io,mode,fault,len,fault_at,buf_off,bypass,data_ok,result,comment"
	csv_awk 'col("fault") == "none" {
		r = col("syscall") == "write" ? "short" : col("result")
		print col("syscall") "," col("fs") "," col("io") "," col("mode") "," col("fault") "," col("len") "," \
			col("fault_at") "," col("buf_off") "," col("bypass") "," col("data_ok") "," r ",\"a, b\"" }' \
		"$top/stall.csv"
} >"$top/changed.csv"
status 1 "--expect with a change" stalled "$top/mark" "$@" --format ktap --expect "$top/changed.csv" \
	-o "$top/changed.ktap"
valid "$top/changed.ktap"
grep -q "^  # changed: expected result=short bypass=- data_ok=1 (--expect line 3), got result=full bypass=- data_ok=1" \
	"$top/changed.ktap" || fail "no changed outcome: $(cat "$top/changed.ktap")"
awk -F '\t' '$1 == "write" && $3 == "not ok"' "$top/changed.ktap.list" | grep -q "fault=none" ||
	fail "the changed write case is not 'not ok'"
awk -F '\t' '$1 == "pwrite" && $3 == "not ok"' "$top/changed.ktap.list" | grep -q "fault=page fault_at=0 " ||
	fail "the pwrite case missing from FILE is not failed by the policy"
awk -F '\t' '$1 == "pwrite" && $3 == "ok"' "$top/changed.ktap.list" | grep -q "fault=none" ||
	fail "the known pwrite case is not ok"
head -n 3 "$top/changed.csv" >"$top/twice.csv"
sed -n 3p "$top/changed.csv" >>"$top/twice.csv"
usage -- "--expect: $top/twice.csv lines 3 and 4 hold the same case: keep one" matrix --format ktap --expect "$top/twice.csv"
sed 's/,short,/,fast,/' "$top/changed.csv" >"$top/unknown.csv"
usage -- "--expect: $top/unknown.csv line 3: unknown result 'fast'" matrix --format ktap --expect "$top/unknown.csv"

echo "# stopped, and a file that cannot grow"
stalled_bg "$top/mark" matrix --dir "$top/fs" --syscalls write,pwrite --faults none --modes none --io buffered \
	--no-trace --timeout 3600 --format ktap -o "$top/stopped.ktap" >"$top/out" 2>"$top/err"
wait_for_stall "$top/mark" "$pid" || fail "the stalled call never started: $(cat "$top/err")"
kill -INT "$pid"
wait "$pid"
st=$?
[ $st = 130 ] || fail "stopped matrix: exit $st, want 130"
valid "$top/stopped.ktap"
tail -n 1 "$top/stopped.ktap" | grep -q "^Bail out! stopped by INT$" || fail "no Bail out!: $(cat "$top/stopped.ktap")"
(ulimit -f 1; exec "$bin" matrix "${pages[@]}" --offsets "$(seq -s, 0 40)" --format ktap -o "$top/full.ktap") \
	>"$top/out" 2>"$top/err"
st=$?
{ [ $st = 1 ] && grep -q "EFBIG" "$top/err"; } || fail "past a file size limit: exit $st: $(cat "$top/err")"
[ "$(tail -c 1 "$top/full.ktap" | od -An -c | tr -d ' ')" = '\n' ] || fail "KTAP cut inside a line"
grep -vE '^( *)(KTAP version 1|1\.\.[0-9]+|(not )?ok [0-9]+ .*|# .*)$' "$top/full.ktap" | grep -q . &&
	fail "a torn line in KTAP: $(tail -n 2 "$top/full.ktap")"

echo "# run"
for f in text csv json ktap; do
	status 0 "run --format $f" "$bin" run --syscall read --dir "$top/fs" --fault page --no-trace --format $f
	cp "$top/out" "$top/run.$f"
done
valid "$top/run.ktap"
{ grep -q "^ok 1 read$" "$top/run.ktap" && grep -q "^  ok 1 .* # short 4096$" "$top/run.ktap"; } ||
	fail "run --format ktap: $(cat "$top/run.ktap")"
grep -q "^read on .*: short 4096" "$top/run.text" || fail "run --format text: $(cat "$top/run.text")"
# the aliases print what --format prints (but the call's time)
status 0 "run --csv" "$bin" run --syscall read --dir "$top/fs" --fault page --no-trace --csv
[ "$(csv_col "$top/out" fs syscall result ret note)" = "$(csv_col "$top/run.csv" fs syscall result ret note)" ] ||
	fail "--csv differs from --format csv: $(cat "$top/out" "$top/run.csv")"
status 0 "run --json" "$bin" run --syscall read --dir "$top/fs" --fault page --no-trace --json
[ "$(sed 's/"elapsed_us":[0-9]*//' "$top/out")" = "$(sed 's/"elapsed_us":[0-9]*//' "$top/run.json")" ] ||
	fail "--json differs from --format json: $(cat "$top/out" "$top/run.json")"
stalled "$top/mark" run --syscall pwrite --dir "$top/fs" --fault none --no-trace --timeout 1 --format ktap \
	>"$top/out" 2>"$top/err"
st=$?
cp "$top/out" "$top/run-stall.ktap"
[ $st = 1 ] || fail "run of a stalled call in KTAP: exit $st, want 1"
valid "$top/run-stall.ktap"

[ $fails = 0 ] || exit 1
echo "all KTAP checks passed"
