# SPDX-License-Identifier: MIT
# Sourced by the shell tests: CSV columns by header name, never by position.
# csv_col FILE NAME...: the named columns of every row, tab-separated
# (RFC 4180 quoting understood; a row is one line).
csv_col() {
	_file=$1; shift
	awk -v names="$*" '
	function split_csv(line, f,    n, i, c, q, cur) {
		n = 0; cur = ""; q = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (q) {
				if (c != "\"") cur = cur c
				else if (substr(line, i + 1, 1) == "\"") { cur = cur c; i++ }
				else q = 0
			} else if (c == "\"") q = 1
			else if (c == ",") { f[++n] = cur; cur = "" }
			else cur = cur c
		}
		f[++n] = cur
		return n
	}
	{ sub(/\r$/, "") }
	NR == 1 {
		n = split_csv($0, h)
		k = split(names, want, " ")
		for (j = 1; j <= k; j++) {
			col[j] = 0
			for (i = 1; i <= n; i++) if (h[i] == want[j]) col[j] = i
			if (!col[j]) { print "csv_col: no column " want[j] > "/dev/stderr"; exit 2 }
		}
		next
	}
	{
		split_csv($0, f)
		line = ""
		for (j = 1; j <= k; j++) line = line (j > 1 ? "\t" : "") f[col[j]]
		print line
	}' "$_file"
}
