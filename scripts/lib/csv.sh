# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Reading mteprobe's CSV (mteprobe-csv(5)) by column name, for the scripts and tests
# that check results. Source it, then:
#   csv_awk [-v VAR=VALUE]... PROGRAM [FILE...]
# runs the awk PROGRAM on every CSV row of the FILEs (or standard input). In PROGRAM,
# col("result") is the current row's field of that name, as text (quoted fields are
# unquoted; commas inside them do not split): compare it with strings, col("delta") ==
# "0"; num("delta") is the field as a number (empty is 0), for order. csv_n is the
# row's field count and csv_nf the header's. A line starting "schema," is a header
# and sets the names for the rows after it (so the output of several runs can be
# concatenated); lines before the first header are not CSV and are skipped. A column name the header lacks is an error (awk
# exits 2). Records spanning lines are not supported: mteprobe writes none.

csv_lib_awk='
function csv_split(line, out,    n, i, c, f, q, len) {
	if (index(line, "\"") == 0)
		return split(line, out, ",")
	n = 0; f = ""; q = 0; len = length(line)
	for (i = 1; i <= len; i++) {
		c = substr(line, i, 1)
		if (q) {
			if (c != "\"") f = f c
			else if (substr(line, i + 1, 1) == "\"") { f = f c; i++ }
			else q = 0
		} else if (c == "\"") q = 1
		else if (c == ",") { out[++n] = f; f = "" }
		else f = f c
	}
	out[++n] = f
	return n
}
function col(name) {
	if (!(name in csv_idx)) {
		printf "csv: no column \"%s\" in the header\n", name > "/dev/stderr"
		exit 2
	}
	return csv_f[csv_idx[name]]
}
function num(name) { return col(name) + 0 }
# a column older CSVs lack (state, backing): dflt there
function col_or(name, dflt) { return name in csv_idx && csv_f[csv_idx[name]] != "" ? csv_f[csv_idx[name]] : dflt }
# case_key(): the case of the row, its input columns joined (the key columns of
# lib/report.h); the axes older CSVs lack read as their defaults there
function case_key(   k, i, n, names) {
	n = split("fs syscall io mode fault len fault_at buf_off", names, " ")
	for (i = 1; i <= n; i++)
		k = k col_or(names[i], "") ","
	return k col_or("state", "fresh") "," col_or("backing", "private")
}
{ sub(/\r$/, "") }
/^schema,/ {
	split("", csv_idx)
	csv_nf = csv_split($0, csv_h)
	for (csv_i = 1; csv_i <= csv_nf; csv_i++) csv_idx[csv_h[csv_i]] = csv_i
	next
}
!csv_nf { next }
{ split("", csv_f); csv_n = csv_split($0, csv_f) }
'

csv_awk() {
	local vars=()
	while [ "${1:-}" = -v ]; do
		vars+=(-v "$2")
		shift 2
	done
	awk "${vars[@]}" "$csv_lib_awk
$1" "${@:2}"
}

# csv_col FILE NAME...: the named columns of every row of FILE, tab-separated.
csv_col() {
	csv_awk -v "names=${*:2}" '
	{
		k = split(names, want, " ")
		line = col(want[1])
		for (j = 2; j <= k; j++) line = line "\t" col(want[j])
		print line
	}' "$1"
}

# A reproducer of mteprobe repro ends with one line of key=value pairs named as the
# CSV's columns ("result=short ret=4096 errno= ..."). For comparing the two:
# csv_pairs FILE NAME...: "name=value ..." of each CSV row of FILE;
# repro_pairs FILE NAME...: the same from the reproducer's output in FILE.
csv_pairs() {
	csv_awk -v "names=${*:2}" '
	{
		k = split(names, want, " ")
		for (j = 1; j <= k; j++) printf "%s=%s%s", want[j], col(want[j]), j < k ? " " : "\n"
	}' "$1"
}

repro_pairs() {
	awk -v "names=${*:2}" '
	/^result=/ {
		for (i = 1; i <= NF; i++) { eq = index($i, "="); v[substr($i, 1, eq - 1)] = substr($i, eq + 1) }
		k = split(names, want, " ")
		for (j = 1; j <= k; j++) printf "%s=%s%s", want[j], v[want[j]], j < k ? " " : "\n"
	}' "$1"
}
