/* SPDX-License-Identifier: MIT */
/*
 * mteprobe's CSV (mteprobe-csv(5)) read back for reports and diffs: every
 * row's fields by column name, so schema 1 files (no recovered, fault_ins)
 * and later schemas (columns appended) read alike. Then what a report says
 * of a case: its class (the worst thing it did, one per case, for the grid
 * cells) and its findings (every notable thing it did, for the lists).
 */
#ifndef MTEPROBE_RESULTS_H
#define MTEPROBE_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"	/* the columns: enum report_column, report_columns */


struct result_row {
	const char *v[COL_COUNT];	/* the fields; "" when empty or not in the file */
	size_t line;			/* where the row starts in its file, from 1 */
};

/* One CSV file: one run, normally of one kernel. */
struct result_set {
	const char *path;
	char label[48];		/* the kernel (uname -r of the first row), or the file name */
	char kernel[65], arch[65];
	int schema;		/* of the first row; 0 when the file has no rows */
	bool has[COL_COUNT];	/* the header has the column */
	struct result_row *row;
	size_t nrow, cap;
	size_t torn;		/* a torn last row was left out (1) or not (0) */
};

/* Parse CSV text into *set (path names it in messages): 0, or -1 with a
 * one-line reason in err (not CSV, a required column missing, a row whose
 * field count is not the header's). A last row cut short without a line
 * end (a run that was stopped) is left out and counted in torn. */
int results_parse(struct result_set *set, const char *path, const char *text, size_t len,
		  char *err, size_t errsize);
/* Read the file and parse it: 0, or -1 with the reason in err. */
int results_load(struct result_set *set, const char *path, char *err, size_t errsize);
void results_free(struct result_set *set);

/* Several sets with the same label (two runs of one kernel) get the file
 * name appended so each column of a report says which it is. */
void results_unique_labels(struct result_set *sets, size_t n);

/* A field as a number: true and *out when it holds one. */
bool row_num(const struct result_row *r, enum report_column c, long *out);

/*
 * A case's class: the worst thing it did, in this order (the grid shows it;
 * the enum's order is the order of severity).
 */
enum row_class {
	RCLASS_LIVELOCK,
	RCLASS_HANG,
	RCLASS_SIGNAL,
	RCLASS_DATA_WRONG,	/* data_ok 0 */
	RCLASS_BYPASS,		/* bypass 1 */
	RCLASS_OVERSHOOT,	/* overshoot > 0 */
	RCLASS_TIMEOUT,
	RCLASS_INEXACT,		/* short, delta != 0 */
	RCLASS_EFAULT,
	RCLASS_ERRNO,
	RCLASS_SHORT,		/* short, no fault in the buffer */
	RCLASS_EXACT,		/* short, delta 0 */
	RCLASS_FULL,
	RCLASS_SKIP,
	RCLASS_OTHER,		/* a result this mteprobe does not know */
	RCLASS_COUNT
};

struct row_class_info {
	const char *name;	/* "livelock", "exact short" */
	char code;		/* one letter in a grid cell */
	const char *ansi;	/* SGR colour on a terminal */
	const char *css;	/* a heat map colour */
	bool dark;		/* so dark that text on it is white */
};
extern const struct row_class_info row_classes[RCLASS_COUNT];

enum row_class row_classify(const struct result_row *r);

/* The findings a report lists, each a property a case may have (several). */
enum finding {
	FIND_STUCK,		/* livelock, hang */
	FIND_DATA_WRONG,	/* data_ok 0 */
	FIND_OVERSHOOT,		/* overshoot > 0 */
	FIND_BYPASS,		/* bypass 1 */
	FIND_INEXACT,		/* short with delta != 0 */
	FIND_SIGNAL,
	FIND_COUNT
};
#define FIND_BIT(f)	(1u << (f))
extern const char *const finding_titles[FIND_COUNT];

/* The FIND_BITs of the row. */
unsigned row_findings(const struct result_row *r);

/* The order of a value of an axis in reports: the tables' order (lib/fs.h,
 * lib/mte.h, ...), unknown names after them. */
int fs_order(const char *name);
int mode_order(const char *name);
int fault_order(const char *name);
int io_order(const char *name);

#endif
