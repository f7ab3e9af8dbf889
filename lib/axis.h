/* SPDX-License-Identifier: MIT */
/*
 * The case axes, declared once (the shape of fio's options.c): each way a
 * case varies - the call, the filesystem, the I/O path, the fault, the mode,
 * the buffer's length, where the fault sits, where the buffer starts, its
 * iovecs, what backs it, its time limit - with its values, the matrix's default set, its
 * case_spec field, its CSV column, its run and matrix options and their
 * help. From the table come the options of run, trace, repro and matrix
 * (cmd/case-options.c: getopt entries, --help lines, value errors), the
 * matrix plan and its groups (plan.h), and the key that names a case in
 * CSVs: matrix --resume, --expect, KTAP test names, diff (report.h).
 *
 * How to add a value to an enumerated axis: one entry in the table the
 * values live in - fault kinds in fault_kind.c, modes in mte.c, filesystems
 * in fs.c, I/O paths in drivers/common.c, calls in drivers/registry.c -
 * with its help and, where the axis has one, whether the default matrix
 * takes it. Nothing here changes; document it in mteprobe(1).
 *
 * How to add an axis: its case_spec field and what it does (the
 * implementation); an AXIS_ id below, placed where its loop goes in the
 * plan (outer axes first); one entry in axes[] (axis.c) with its values
 * (value_name/count for names, or parse/min/max for numbers: a parse of
 * its own takes names such as granule, page, 4p, 1M), defaults, options
 * and help; matrix_one when the matrix takes one value only. An axis that
 * names a case has a CSV column of its name: append it to report.h (a new
 * schema) and mteprobe-csv(5), give it a KTAP place, and its rows, the
 * case key (resume, --expect, diff) and KTAP names have it. A value that
 * some cases cannot take is either left out of the plan (fits: no O_DIRECT
 * for pipes) or planned and reported as a skip with the reason
 * (unsupported: per case, so per driver too, stress-ng style).
 */
#ifndef MTEPROBE_AXIS_H
#define MTEPROBE_AXIS_H

#include <stdbool.h>
#include <stddef.h>

struct case_spec;
struct case_result;

#define LEN_MAX		(1024 * 1024)	/* --len, --fault-at */
#define IOVECS_MAX	64
#define TIMEOUT_MAX_S	3600
#define MATRIX_TIMEOUT_S_DEFAULT	3	/* 60 times the slowest real call in the TCG guest */
#define AXIS_LIST_MAX	64	/* values of one axis in a matrix */

/* In the order of the plan's loops, outer first. */
enum axis_id {
	AXIS_SYSCALL,
	AXIS_FS,
	AXIS_IO,
	AXIS_FAULT,
	AXIS_MODE,
	AXIS_BACKING,
	AXIS_LEN,
	AXIS_STATE,
	AXIS_FAULT_AT,
	AXIS_BUF_OFF,
	AXIS_IOVECS,
	AXIS_TIMEOUT,
	AXIS_COUNT
};

/* The values a matrix takes along each axis, in the order given. Values
 * are an enumerated axis's numbers (a driver's index in drivers[]) or a
 * numeric axis's numbers. An empty list: each case's fallback. */
struct axis_list {
	size_t n;
	size_t v[AXIS_LIST_MAX];
	bool given;		/* on the command line, not the default */
};
struct axis_set {
	struct axis_list a[AXIS_COUNT];
};

/* How a value is stored in struct case_spec. */
enum axis_field {
	AXIS_FIELD_ENUM,	/* an enum (int) */
	AXIS_FIELD_SIZE,	/* size_t */
	AXIS_FIELD_UINT,	/* unsigned, value * scale */
	AXIS_FIELD_DRIVER,	/* const struct driver *, the value its index */
};

struct axis {
	const char *name;	/* also its CSV column's, when it has one */
	int ktap;		/* its place in a KTAP test name (1, 2, ...); 0: not there */
	size_t offset;		/* offsetof(struct case_spec, ...) */
	enum axis_field field;
	unsigned scale;		/* AXIS_FIELD_UINT: the field holds value * scale */

	/* Enumerated: the values 0 .. count() - 1 are called value_name(v)
	 * (value_name names others too, for the CSV: the fs "none"). */
	size_t (*count)(void);
	const char *(*value_name)(size_t v);
	const char *(*value_help)(size_t v);	/* NULL: none */
	bool (*value_default)(size_t v);	/* in the default matrix; NULL: all */
	bool zero_last;		/* value 0 (no fault, no check) is listed last */
	const char *see;	/* too many to list: where they are listed instead */

	/* Numeric: parse (decimal, 0x hex, k; and any names parse takes), min..max */
	int (*parse)(const char *s, size_t *v);
	size_t min;
	size_t (*max)(void);
	const char *unit;	/* "bytes": in messages */
	const char *names;	/* the names parse takes, for messages: "first, mid, last, next" */
	/* A value named relative to the case (fault_at's half: the middle of
	 * the buffer, whatever its length), as parse gives it, is above max():
	 * resolve makes it the case's number (the axes before it set). The
	 * plan takes a listed value that resolves to an earlier one's once. */
	size_t (*resolve)(const struct case_spec *s, size_t v);
	/* its CSV column's text, when not the value's name or number */
	void (*column)(const struct case_spec *s, const struct case_result *r, char *buf,
		       size_t size);

	/* The defaults, as an option would give them: the matrix's list
	 * (enumerated: value_default), run's value. NULL: fallback(). */
	const char *matrix_default, *run_default;
	/* The value when neither the command line nor a default gives one,
	 * from the rest of the case (the axes before it are set). */
	size_t (*fallback)(const struct case_spec *s);
	const char *fallback_help;	/* what fallback gives, for --help */

	/* Options: run's (one value; also trace's and repro's) and matrix's
	 * (a list, or one value when matrix_one). NULL: none. */
	const char *run_opt, *run_arg, *run_help;
	int run_short;
	const char *matrix_opt, *matrix_help;
	int matrix_short;
	bool matrix_one;

	/* Where the fault sits: cases that differ only along layout axes
	 * form a group (after one does not return, the rest are skipped), and
	 * giving a layout axis asks for the full product (plan.h). */
	bool layout;

	/* The plan (plan.h), for a case whose earlier axes are set: only
	 * returns true with the one value this case takes, whatever the list
	 * (a driver without files: fs none); fits says whether the value just
	 * set fits the case so far (false: not planned). NULL: every value of
	 * the list, each fits. */
	bool (*only)(const struct axis_set *set, const struct case_spec *s, size_t *v);
	bool (*fits)(const struct axis_set *set, const struct case_spec *s);
	/* Why the case cannot run with this axis's value (a skip row): NULL
	 * when it can. Uses why for the text. */
	const char *(*unsupported)(const struct case_spec *s, char *why, size_t size);
	/* A CSV written before the column existed means this value (its
	 * rows are still cases of today's): NULL, the column is required. */
	const char *absent;
};

extern const struct axis axes[AXIS_COUNT];
/* The axis called name (its AXIS_ id), or -1. */
int axis_find(const char *name);

/* Numbers on the command line: decimal (010 is ten) or 0x hex, with an
 * optional k or K suffix (KiB). 0, or -1 when bad. */
int parse_size(const char *s, size_t *out);
/* A size, or first, mid, last, next: the first granule, the middle of the
 * first page, its last granule, the first granule of the next page; or
 * half, end: the buffer's middle granule and its last, as POS_HALF and
 * POS_END until the case's length is known (position_resolve). */
int parse_position(const char *s, size_t *out);
#define POS_HALF	((size_t)-2)
#define POS_END		((size_t)-1)
size_t position_resolve(const struct case_spec *s, size_t v);
/* A length: a size (also M for MiB), granule, page or Np (N pages). */
int parse_length(const char *s, size_t *out);

static inline bool axis_enumerated(const struct axis *a)
{
	return a->value_name != NULL;
}
/* Enumerated axes: the values one can choose (count()). */
size_t axis_value_count(const struct axis *a);
/* The value called name, parsed and checked (enumerated: a choosable
 * name; numeric: parse, then min..max): 0 with *v set, or -1. */
int axis_parse(const struct axis *a, const char *name, size_t *v);
/* An enumerated axis's i-th value as listed (zero_last applied). */
size_t axis_listed(const struct axis *a, size_t i);
/* Where an enumerated axis lists the value called name (report grids):
 * 0, 1, ...; count() + 1 when no value has that name. */
int axis_rank(const struct axis *a, const char *name);
/* The matrix's default list (matrix_default, or the default values). */
void axis_default_list(const struct axis *a, struct axis_list *l);

/* The value in the case / put it there. */
size_t axis_get(const struct axis *a, const struct case_spec *s);
void axis_set(const struct axis *a, struct case_spec *s, size_t v);

/* The text of its CSV column for a case (and its result: fault_at is
 * where the fault landed; empty without a fault). */
void axis_column_text(const struct axis *a, const struct case_spec *s,
		      const struct case_result *r, char *buf, size_t size);
/* Does the axis have a CSV column (its name is a column's)? */
bool axis_has_column(const struct axis *a);

/* Why the case cannot run along any axis (unsupported), or NULL. */
const char *axis_unsupported(const struct case_spec *s, char *why, size_t size);

#endif
