/* SPDX-License-Identifier: MIT */
/*
 * What a case's output says, whatever the format: the columns of CSV schema 3
 * (documented in mteprobe-csv(5)) and each one's value for a case. The
 * formats (format.h) print these; the column list lives once, in report.c.
 */
#ifndef MTEPROBE_REPORT_H
#define MTEPROBE_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "axis.h"
#include "case.h"

/* 2: recovered, fault_ins appended (then state, in files written before
 * schema 3); 3: backing appended */
#define REPORT_SCHEMA	3

struct report_ctx {
	char kernel[65];	/* uname -r */
	char arch[65];		/* uname -m */
};

void report_init(struct report_ctx *ctx);

/* The columns, in order (later schemas append), and their names. */
enum report_column {
	COL_SCHEMA, COL_KERNEL, COL_ARCH, COL_FS, COL_SYSCALL, COL_IO, COL_MODE, COL_FAULT,
	COL_LEN, COL_FAULT_AT, COL_BUF_OFF, COL_RESULT, COL_RET, COL_ERRNO, COL_EXPECT,
	COL_DELTA, COL_OVERSHOOT, COL_DATA_OK, COL_BYPASS, COL_ELAPSED_US, COL_NOTE,
	COL_RECOVERED, COL_FAULT_INS, COL_STATE, COL_BACKING,
	COL_COUNT
};
extern const char *const report_columns[COL_COUNT];
extern const size_t report_column_count;
/* The column called name, or -1. */
int report_column(const char *name);
/* What a CSV without the column means (one written before it existed:
 * its axis's absent value, axis.h), or NULL when a CSV must have it. Readers
 * of CSVs (results.c, expect.c) put it in the missing column, so a file of
 * an older schema matches today's rows. */
const char *report_column_absent(size_t col);
/* Does v say no more than a CSV without the column would (state fresh,
 * backing private)? Names and key texts leave such values out, so that
 * they stay those of runs before the column. */
bool report_column_usual(size_t col, const char *v);
/* Its values are numbers (or empty): JSON writes them unquoted. */
bool report_column_numeric(size_t col);

/* One value per column, as CSV writes it: empty when it does not apply.
 * Text is valid UTF-8 (a note cut anywhere, a path in Latin-1). */
#define REPORT_VAL_SIZE		(CASE_NOTE_SIZE + 32)
#define REPORT_COLUMNS_MAX	32	/* room for report_column_count */
void report_values(const struct report_ctx *ctx, const struct case_spec *s,
		   const struct case_result *r, char v[REPORT_COLUMNS_MAX][REPORT_VAL_SIZE]);

/*
 * A case is known by its input columns: the columns of the case axes
 * (axis.h), in CSV order (fs, syscall, io, mode, fault, len, fault_at,
 * buf_off, state, backing); the rest is what the kernel did. A file of an
 * older schema lacks state or backing: its rows read as fresh and private
 * (report_column_absent). Its key is their values
 * joined with REPORT_KEY_SEP (in no such value): matrix --resume,
 * --expect, KTAP and diff match rows to cases by it.
 */
#define CASE_KEY_MAX		AXIS_COUNT
#define REPORT_KEY_SIZE		256
#define REPORT_KEY_SEP		'\x1f'
/* The input columns: returns how many, *cols pointing at them. */
size_t case_key_columns(const enum report_column **cols);
/* Join the values of the n input columns: 0, or -1 when a value holds the
 * separator or the key does not fit (no case has such a key). */
int report_join_key(char key[REPORT_KEY_SIZE], const char *const v[], size_t n);
/* The key of a case from its values (report_values). */
void report_case_key(char key[REPORT_KEY_SIZE], const char v[REPORT_COLUMNS_MAX][REPORT_VAL_SIZE]);

#endif
