/* SPDX-License-Identifier: MIT */
/* mteprobe report's outputs besides the terminal: the HTML page. */
#ifndef MTEPROBE_REPORT_HTML_H
#define MTEPROBE_REPORT_HTML_H

#include <stdio.h>

#include "compare.h"
#include "grid.h"

/* What a report shows: the runs, their grids, and each run compared with
 * the one before it (cmp[i] is sets[i] against sets[i + 1]). */
struct report_data {
	struct result_set *sets;
	size_t nset;
	struct grids grids;
	struct comparison *cmp;	/* nset - 1 of them */
};

/* The whole report as one self-contained HTML page. */
void report_html(FILE *f, const struct report_data *d);

#endif
