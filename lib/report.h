/* SPDX-License-Identifier: MIT */
/*
 * Reporting a case: CSV (schema 2, documented in mteprobe-csv(5)), JSON (one
 * object per case, same names and values) and a one-line verdict. The column
 * list lives once, in report.c.
 */
#ifndef MTEPROBE_REPORT_H
#define MTEPROBE_REPORT_H

#include <stdio.h>

#include "case.h"

#define REPORT_SCHEMA	2	/* 2: recovered, fault_ins appended */

struct report_ctx {
	char kernel[65];	/* uname -r */
	char arch[65];		/* uname -m */
};

void report_init(struct report_ctx *ctx);

/* Column names, in order, and how many. */
extern const char *const report_columns[];
extern const size_t report_column_count;

void report_csv_header(FILE *f);
void report_csv_row(FILE *f, const struct report_ctx *ctx, const struct case_spec *s,
		    const struct case_result *r);
void report_json(FILE *f, const struct report_ctx *ctx, const struct case_spec *s,
		 const struct case_result *r);
void report_verdict(FILE *f, const struct case_spec *s, const struct case_result *r);

#endif
