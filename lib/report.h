/* SPDX-License-Identifier: MIT */
/*
 * Reporting a case: CSV (schema 2, documented in mteprobe-csv(5)), JSON (one
 * object per case, same names and values) and a one-line verdict. The column
 * list lives once, in report.c.
 */
#ifndef MTEPROBE_REPORT_H
#define MTEPROBE_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

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
/*
 * A CSV output that never ends in a torn row: each line is formatted whole in
 * memory and appended with one write. When a write fails (a full disk, a file
 * size limit, an I/O error) a file of ours ("own": a regular file that mteprobe
 * writes) is cut back to the end of its last whole line; on anything else (a pipe,
 * a terminal, a file the shell opened) the torn line stays. Functions return 0 or
 * -errno.
 */
struct csv_out {
	int fd;
	const char *name;	/* for messages: the path, or "standard output" */
	bool own;		/* a torn line may be cut off */
	off_t end;		/* own: where the last whole line ends */
};

/* Creates or truncates path (0644), ready for the header. */
int csv_out_open(struct csv_out *o, const char *path);
/* An open fd: lines are appended at its end; own as above. */
void csv_out_attach(struct csv_out *o, int fd, const char *name, bool own);
int csv_out_header(struct csv_out *o);
int csv_out_row(struct csv_out *o, const struct report_ctx *ctx, const struct case_spec *s,
		const struct case_result *r);
/* Closes what csv_out_open opened (never standard output or error). */
int csv_out_close(struct csv_out *o);

void report_json(FILE *f, const struct report_ctx *ctx, const struct case_spec *s,
		 const struct case_result *r);
void report_verdict(FILE *f, const struct case_spec *s, const struct case_result *r);

#endif
