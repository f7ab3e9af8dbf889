# SPDX-License-Identifier: MIT
# Read mteprobe CSV (mteprobe-csv(5)) by column name, never by position:
# prepend it to a program (mawk has no -e):
#   awk "$(cat tests/csv.awk)"'
#   v("result") == "skip" { print v("note") }' FILE
# The header line names the columns and is not passed on; in every other line
# v(NAME) is the field under that name, split as RFC 4180 says (a quoted field
# may hold commas and doubled quotes). An unknown name ends awk with status 2.
function csv_split(line,    i, c, f, q, n) {
	n = 0; f = ""; q = 0
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (q) {
			if (c != "\"")
				f = f c
			else if (substr(line, i + 1, 1) == "\"") {
				f = f c; i++
			} else
				q = 0
		} else if (c == "\"")
			q = 1
		else if (c == ",") {
			csv_f[++n] = f; f = ""
		} else
			f = f c
	}
	csv_f[++n] = f
	return n
}
function v(name) {
	if (!(name in csv_col)) {
		print "csv.awk: no column '" name "' in the header" > "/dev/stderr"
		exit 2
	}
	return csv_f[csv_col[name]]
}
{ sub(/\r$/, ""); csv_n = csv_split($0) }
FNR == 1 {
	delete csv_col
	for (csv_i = 1; csv_i <= csv_n; csv_i++)
		csv_col[csv_f[csv_i]] = csv_i
	next
}
