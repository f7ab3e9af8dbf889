/* SPDX-License-Identifier: MIT */
#include "results.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvread.h"
#include "driver.h"
#include "fs.h"
#include "layout.h"
#include "mte.h"
#include "util.h"

/* A report cannot place a row without these (schema 1 has them all). */
static const enum report_column required[] = {
	COL_FS, COL_SYSCALL, COL_IO, COL_MODE, COL_FAULT, COL_LEN, COL_FAULT_AT, COL_BUF_OFF, COL_RESULT,
};

const struct row_class_info row_classes[RCLASS_COUNT] = {
	[RCLASS_LIVELOCK]	= { "livelock", 'L', "1;97;41", "#b2182b", true },
	[RCLASS_HANG]		= { "hang", 'H', "1;97;45", "#762a83", true },
	[RCLASS_SIGNAL]		= { "signal", 'S', "1;35", "#c51b7d", true },
	[RCLASS_DATA_WRONG]	= { "data wrong", 'D', "1;31", "#d6604d", true },
	[RCLASS_BYPASS]		= { "bypass", 'B', "1;33", "#f4a582", false },
	[RCLASS_OVERSHOOT]	= { "overshoot", 'O', "33", "#fdb863", false },
	[RCLASS_TIMEOUT]	= { "timeout", 'T', "35", "#de77ae", false },
	[RCLASS_INEXACT]	= { "inexact short", 'i', "33", "#fee08b", false },
	[RCLASS_EFAULT]		= { "EFAULT", 'E', "36", "#92c5de", false },
	[RCLASS_ERRNO]		= { "other error", 'X', "36", "#d1e5f0", false },
	[RCLASS_SHORT]		= { "short (no fault in range)", 'r', "32", "#d9f0d3", false },
	[RCLASS_EXACT]		= { "exact short", 's', "32", "#5aae61", false },
	[RCLASS_FULL]		= { "full", 'F', "", "#a6dba0", false },
	[RCLASS_SKIP]		= { "skip", '-', "2", "#e0e0e0", false },
	[RCLASS_OTHER]		= { "unknown result", '?', "2", "#bababa", false },
};

const char *const finding_titles[FIND_COUNT] = {
	[FIND_STUCK] = "Livelocks and hangs",
	[FIND_DATA_WRONG] = "Wrong data (data_ok=0)",
	[FIND_OVERSHOOT] = "Overshoot (bytes changed past what was reported)",
	[FIND_BYPASS] = "Bypass (bytes reported at or past a checked fault)",
	[FIND_INEXACT] = "Inexact short (delta != 0)",
	[FIND_SIGNAL] = "Signal",
};

static void set_err(char *err, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf_utf8(err, size, fmt, ap);
	va_end(ap);
}

static char *dup_or_empty(const char *s)
{
	static char empty[] = "";

	return s && *s ? strdup(s) : empty;
}

static void row_free(struct result_row *r)
{
	for (int c = 0; c < COL_COUNT; c++)
		if (*r->v[c])
			free((char *)r->v[c]);
}

/* Append the reader's current record as a row: 0 or -ENOMEM. */
static int add_row(struct result_set *set, const struct csv_reader *rd, const int *col)
{
	struct result_row *r = array_grow(set->row, set->nrow, &set->cap, sizeof(*r), 256);

	if (!r)
		return -ENOMEM;
	set->row = r;
	r = &set->row[set->nrow];
	r->line = rd->line;
	for (int c = 0; c < COL_COUNT; c++) {
		/* a CSV older than the column: what it meant then */
		r->v[c] = dup_or_empty(col[c] >= 0 ? csv_field(rd, col[c]) : report_column_absent(c));
		if (!r->v[c]) {
			r->v[c] = "";
			row_free(r);
			return -ENOMEM;
		}
	}
	set->nrow++;
	return 0;
}

static void first_row_facts(struct result_set *set)
{
	const struct result_row *r = &set->row[0];
	long schema;

	snprintf(set->kernel, sizeof(set->kernel), "%s", r->v[COL_KERNEL]);
	snprintf(set->arch, sizeof(set->arch), "%s", r->v[COL_ARCH]);
	set->schema = row_num(r, COL_SCHEMA, &schema) && schema > 0 && schema < INT_MAX ? (int)schema : 0;
}

static void default_label(struct result_set *set)
{
	const char *base = strrchr(set->path, '/');

	if (set->kernel[0])
		snprintf_utf8(set->label, sizeof(set->label), "%s", set->kernel);
	else
		snprintf_utf8(set->label, sizeof(set->label), "%s", base ? base + 1 : set->path);
}

static bool is_header(const struct csv_reader *rd)
{
	if (rd->nfield != rd->nheader)
		return false;
	for (size_t f = 0; f < rd->nfield; f++)
		if (strcmp(rd->field[f], rd->header[f]))
			return false;
	return true;
}

int results_parse(struct result_set *set, const char *path, const char *text, size_t len,
		  char *err, size_t errsize)
{
	struct csv_reader rd;
	int col[COL_COUNT], got;

	memset(set, 0, sizeof(*set));
	set->path = path;
	csv_init(&rd, text, len);
	got = csv_header(&rd);
	if (got == 0) {
		set_err(err, errsize, "%s is empty: give a CSV that mteprobe run or matrix wrote "
			"(mteprobe-csv(5))", path);
		goto fail;
	}
	for (int c = 0; got > 0 && c < COL_COUNT; c++) {
		col[c] = csv_column(&rd, report_columns[c]);
		set->has[c] = col[c] >= 0;
	}
	for (size_t i = 0; got > 0 && i < ARRAY_SIZE(required); i++) {
		if (!set->has[required[i]]) {
			set_err(err, errsize, "%s has no column '%s': give a CSV that mteprobe run "
				"or matrix wrote (mteprobe-csv(5))", path, report_columns[required[i]]);
			goto fail;
		}
	}
	while (got > 0 && (got = csv_next(&rd)) > 0) {
		if ((rd.nfield == 1 && !rd.field[0][0]) || is_header(&rd))
			continue;	/* an empty line, the header again (runs concatenated) */
		if (rd.nfield != rd.nheader) {
			if (!rd.terminated && rd.pos >= len) {
				set->torn = 1;	/* a run stopped in mid-row */
				break;
			}
			set_err(err, errsize, "%s:%zu: %zu fields where the header has %zu: "
				"a row of another file? give one CSV per run", path, rd.line,
				rd.nfield, rd.nheader);
			goto fail;
		}
		if (add_row(set, &rd, col)) {
			got = -ENOMEM;
			break;
		}
	}
	if (got == -EINVAL) {
		set_err(err, errsize, "%s:%zu: not CSV (a stray quote or a NUL byte): give a CSV "
			"that mteprobe run or matrix wrote", path, rd.line);
		goto fail;
	}
	if (got < 0) {
		set_err(err, errsize, "%s: %s", path, strerror(-got));
		goto fail;
	}
	csv_free(&rd);
	if (set->nrow)
		first_row_facts(set);
	default_label(set);
	return 0;
fail:
	csv_free(&rd);
	results_free(set);
	return -1;
}

int results_load(struct result_set *set, const char *path, char *err, size_t errsize)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0, cap = 0;
	int fd, ret;

	memset(set, 0, sizeof(*set));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, errsize, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		set_err(err, errsize, "%s is a directory: give the CSV file in it (matrix.csv)", path);
		close(fd);
		return -1;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 65536) {
			char *p = realloc(text, cap + (1 << 20));

			if (!p) {
				set_err(err, errsize, "%s: %s", path, strerror(ENOMEM));
				goto fail;
			}
			text = p;
			cap += 1 << 20;
		}
		n = read(fd, text + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_err(err, errsize, "cannot read %s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	ret = results_parse(set, path, text, len, err, errsize);
	free(text);
	return ret;
fail:
	close(fd);
	free(text);
	return -1;
}

void results_free(struct result_set *set)
{
	for (size_t i = 0; i < set->nrow; i++)
		row_free(&set->row[i]);
	free(set->row);
	set->row = NULL;
	set->nrow = set->cap = 0;
}

void results_unique_labels(struct result_set *sets, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool twice = false;

		for (size_t j = 0; j < n; j++)
			twice |= j != i && strcmp(sets[i].label, sets[j].label) == 0;
		if (twice) {
			const char *base = strrchr(sets[i].path, '/');
			char label[sizeof(sets[i].label)];

			snprintf_utf8(label, sizeof(label), "%s (%s)", sets[i].label,
				      base ? base + 1 : sets[i].path);
			memcpy(sets[i].label, label, sizeof(label));
		}
	}
}

bool row_num(const struct result_row *r, enum report_column c, long *out)
{
	const char *s = r->v[c];
	char *end;
	long v;

	if (!*s)
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool is(const struct result_row *r, enum report_column c, const char *value)
{
	return strcmp(r->v[c], value) == 0;
}

/* A short result whose delta says it stopped somewhere else than the fault. */
static bool inexact_short(const struct result_row *r)
{
	long delta;

	return is(r, COL_RESULT, "short") && row_num(r, COL_DELTA, &delta) && delta != 0;
}

unsigned row_findings(const struct result_row *r)
{
	unsigned f = 0;
	long overshoot;

	if (is(r, COL_RESULT, "livelock") || is(r, COL_RESULT, "hang"))
		f |= FIND_BIT(FIND_STUCK);
	if (is(r, COL_DATA_OK, "0"))
		f |= FIND_BIT(FIND_DATA_WRONG);
	if (row_num(r, COL_OVERSHOOT, &overshoot) && overshoot > 0)
		f |= FIND_BIT(FIND_OVERSHOOT);
	if (is(r, COL_BYPASS, "1"))
		f |= FIND_BIT(FIND_BYPASS);
	if (inexact_short(r))
		f |= FIND_BIT(FIND_INEXACT);
	if (is(r, COL_RESULT, "signal"))
		f |= FIND_BIT(FIND_SIGNAL);
	return f;
}

enum row_class row_classify(const struct result_row *r)
{
	static const struct { const char *result; enum row_class cls; } plain[] = {
		{ "livelock", RCLASS_LIVELOCK }, { "hang", RCLASS_HANG },
		{ "signal", RCLASS_SIGNAL }, { "timeout", RCLASS_TIMEOUT },
		{ "skip", RCLASS_SKIP },
	};
	unsigned f = row_findings(r);
	long delta;

	for (size_t i = 0; i < ARRAY_SIZE(plain); i++)
		if (is(r, COL_RESULT, plain[i].result))
			return plain[i].cls;
	if (f & FIND_BIT(FIND_DATA_WRONG))
		return RCLASS_DATA_WRONG;
	if (f & FIND_BIT(FIND_BYPASS))
		return RCLASS_BYPASS;
	if (f & FIND_BIT(FIND_OVERSHOOT))
		return RCLASS_OVERSHOOT;
	if (f & FIND_BIT(FIND_INEXACT))
		return RCLASS_INEXACT;
	if (is(r, COL_RESULT, "efault"))
		return RCLASS_EFAULT;
	if (is(r, COL_RESULT, "errno"))
		return RCLASS_ERRNO;
	if (is(r, COL_RESULT, "short"))
		return row_num(r, COL_DELTA, &delta) ? RCLASS_EXACT : RCLASS_SHORT;
	if (is(r, COL_RESULT, "full"))
		return RCLASS_FULL;
	return RCLASS_OTHER;
}

/* Known names first, in their table's order; unknown ones after them. */
static int order(int known, size_t count)
{
	return known >= 0 ? known : (int)count;
}

int fs_order(const char *name)
{
	return order(fs_parse(name), FS_COUNT);
}

/* checking modes first, the unchecked one last: as --help lists them */
int mode_order(const char *name)
{
	return axis_rank(&axes[AXIS_MODE], name);
}

/* faults first, the control last */
int fault_order(const char *name)
{
	return axis_rank(&axes[AXIS_FAULT], name);
}

int io_order(const char *name)
{
	return order(io_path_parse(name), IO_PATH_COUNT);
}
