/* SPDX-License-Identifier: MIT */
/* matrix --resume FILE: which cases of the plan FILE already holds, and
 * where its last whole row ends. */
#ifndef MTEPROBE_RESUME_H
#define MTEPROBE_RESUME_H

#include <stdbool.h>
#include <stddef.h>

#include "case.h"
#include "report.h"

struct resume_scan {
	size_t keep;		/* bytes of FILE to keep: through its last whole row */
	bool has_header;	/* FILE starts with the header (else it must be written) */
	size_t rows;		/* whole rows: cases not to run again */
	size_t torn;		/* torn last rows to cut off (0 or 1) */
};

/* Read FILE's text (name for messages): mark done[i] for each planned case
 * that a row of FILE holds (the same input columns; one row, one case) and
 * fill *res. EXIT_OK, or EXIT_USAGE after a one-line message when FILE is
 * not CSV, or holds another schema, kernel or matrix; EXIT_FAILED when out
 * of memory. */
int resume_scan(const char *name, const char *text, size_t len, const struct report_ctx *ctx,
		const struct case_spec *plan, size_t n, bool *done, struct resume_scan *res);

#endif
