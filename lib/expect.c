/* SPDX-License-Identifier: MIT */
#include "expect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvread.h"
#include "outcome.h"
#include "util.h"

static const char *const outcome_columns[] = { "result", "bypass", "data_ok" };
#define OUTCOME_COLUMNS	3

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct expect_row *)a)->key, ((const struct expect_row *)b)->key);
}

static bool flag_ok(const char *v)
{
	return !strcmp(v, "") || !strcmp(v, "0") || !strcmp(v, "1");
}

/* Checks and stores one record as *row: 0, or -EINVAL with why filled. */
static int take_row(const struct csv_reader *r, const int *col, const char *name,
		    struct expect_row *row, char *why, size_t size)
{
	const enum report_column *case_key;
	size_t nkey = case_key_columns(&case_key);
	const char *key[CASE_KEY_MAX], *v[OUTCOME_COLUMNS];

	if (r->nfield < r->nheader || !r->terminated) {
		snprintf(why, size, "%s line %zu has %zu of the header's %zu fields: give every "
			 "column, or remove the line", name, r->line, r->nfield, r->nheader);
		return -EINVAL;
	}
	for (size_t c = 0; c < nkey; c++)	/* a CSV older than a column: what it meant */
		key[c] = col[c] >= 0 ? csv_field(r, col[c]) : report_column_absent(case_key[c]);
	for (size_t c = 0; c < OUTCOME_COLUMNS; c++)
		v[c] = csv_field(r, col[nkey + c]);
	if (result_parse(v[0]) < 0) {
		snprintf(why, size, "%s line %zu: unknown result '%.20s': use full, short, efault, "
			 "errno, signal, skip, timeout, livelock or hang", name, r->line, v[0]);
		return -EINVAL;
	}
	for (size_t c = 1; c < OUTCOME_COLUMNS; c++)
		if (!flag_ok(v[c])) {
			snprintf(why, size, "%s line %zu: %s '%.20s': use 0, 1, or empty when it does "
				 "not apply", name, r->line, outcome_columns[c], v[c]);
			return -EINVAL;
		}
	if (report_join_key(row->key, key, nkey)) {
		snprintf(why, size, "%s line %zu: the case's columns are too long to be a case of "
			 "mteprobe: remove the line", name, r->line);
		return -EINVAL;
	}
	snprintf(row->want.result, sizeof(row->want.result), "%s", v[0]);
	snprintf(row->want.bypass, sizeof(row->want.bypass), "%s", v[1]);
	snprintf(row->want.data_ok, sizeof(row->want.data_ok), "%s", v[2]);
	row->line = r->line;
	return 0;
}

static bool blank(const struct csv_reader *r)
{
	return r->nfield == 1 && !*csv_field(r, 0);
}

/* The columns an --expect file needs: the case's, then its outcome's. */
static const char *needed(size_t c, size_t nkey, const enum report_column *case_key)
{
	return c < nkey ? report_columns[case_key[c]] : outcome_columns[c - nkey];
}

int expect_parse(struct expect_set *e, const char *name, const char *text, size_t len,
		 char *why, size_t size)
{
	const enum report_column *case_key;
	size_t cap = 0, nkey = case_key_columns(&case_key);
	int col[CASE_KEY_MAX + OUTCOME_COLUMNS], got, err = 0;
	char cols[256] = "";
	struct csv_reader r;
	struct expect_row *rows;

	for (size_t c = 0; c < nkey + OUTCOME_COLUMNS; c++)
		snprintf(cols + strlen(cols), sizeof(cols) - strlen(cols), "%s%s", c ? ", " : "",
			 needed(c, nkey, case_key));

	*e = (struct expect_set){ 0 };
	csv_init(&r, text, len);
	r.comments = true;
	got = csv_header(&r);
	if (got == 0) {
		snprintf(why, size, "%s is empty: give a CSV with the columns %s", name, cols);
		err = -EINVAL;
		goto out;
	}
	for (size_t c = 0; got > 0 && c < nkey + OUTCOME_COLUMNS; c++) {
		const char *want = needed(c, nkey, case_key);

		col[c] = csv_column(&r, want);
		if (col[c] < 0 && !(c < nkey && report_column_absent(case_key[c]))) {
			snprintf(why, size, "%s has no column '%s' in its header (line %zu): give a CSV "
				 "with the columns %s", name, want, r.line, cols);
			err = -EINVAL;
			goto out;
		}
	}
	while (got > 0 && (got = csv_next(&r)) == 1) {
		if (blank(&r))
			continue;
		rows = array_grow(e->rows, e->n, &cap, sizeof(*rows), 256);
		if (!rows) {
			err = -ENOMEM;
			goto out;
		}
		e->rows = rows;
		if ((err = take_row(&r, col, name, &e->rows[e->n], why, size)))
			goto out;
		e->n++;
	}
	if (got == -EINVAL) {
		snprintf(why, size, "%s is not CSV (line %zu): give a CSV file, comments on lines "
			 "starting with #", name, r.line);
		err = -EINVAL;
		goto out;
	}
	if (got < 0) {
		err = got;
		goto out;
	}
	if (e->n)
		qsort(e->rows, e->n, sizeof(*e->rows), by_key);
	for (size_t i = 1; i < e->n; i++)
		if (!strcmp(e->rows[i - 1].key, e->rows[i].key)) {
			size_t a = e->rows[i - 1].line, b = e->rows[i].line;

			snprintf(why, size, "%s lines %zu and %zu hold the same case: keep one",
				 name, a < b ? a : b, a < b ? b : a);
			err = -EINVAL;
			goto out;
		}
out:
	csv_free(&r);
	if (err)
		expect_free(e);
	return err;
}

int expect_load(struct expect_set *e, const char *path, char *why, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	struct stat st = { 0 };
	char *text = NULL;

	*e = (struct expect_set){ 0 };
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		close(fd);
		snprintf(why, size, "%s is not a regular file: give a CSV file", path);
		return err;
	}
	err = read_whole_file(fd, (size_t)st.st_size, &text);
	close(fd);
	if (!err)
		err = expect_parse(e, path, text, (size_t)st.st_size, why, size);
	free(text);
	return err;
}

void expect_free(struct expect_set *e)
{
	free(e->rows);
	*e = (struct expect_set){ 0 };
}

const struct expect_row *expect_find(const struct expect_set *e, const char *key)
{
	struct expect_row probe;

	if (!e || !e->n || strlen(key) >= sizeof(probe.key))
		return NULL;
	strcpy(probe.key, key);
	return bsearch(&probe, e->rows, e->n, sizeof(*e->rows), by_key);
}

const char *expect_policy_fails(const struct expect_outcome *got)
{
	static const char *const stuck[] = { "livelock", "hang", "timeout" };

	for (size_t i = 0; i < ARRAY_SIZE(stuck); i++)
		if (!strcmp(got->result, stuck[i]))
			return "the call did not return by itself";
	if (!strcmp(got->result, "signal"))
		return "a signal ended the case";
	if (!strcmp(got->data_ok, "0"))
		return "the data came out wrong";
	return NULL;
}

enum judgement expect_judge(const struct expect_outcome *got, const struct expect_outcome *want)
{
	bool fails = expect_policy_fails(got) != NULL;

	if (!strcmp(got->result, "skip"))
		return JUDGE_SKIP;
	if (!want || !strcmp(want->result, "skip"))
		return fails ? JUDGE_NOT_OK : JUDGE_OK;
	if (strcmp(got->result, want->result) || strcmp(got->bypass, want->bypass) ||
	    strcmp(got->data_ok, want->data_ok))
		return JUDGE_CHANGED;
	return fails ? JUDGE_KNOWN : JUDGE_OK;
}
