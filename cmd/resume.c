/* SPDX-License-Identifier: MIT */
#include "resume.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csvread.h"

struct planned {
	char key[REPORT_KEY_SIZE];
	size_t idx;
};

static int by_key(const void *a, const void *b)
{
	const struct planned *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* The key of the row the case would write: fault_at is the normalised
 * fault offset that a skip result carries too. */
static void plan_key(const struct report_ctx *ctx, const struct case_spec *s, char *key)
{
	static char v[REPORT_COLUMNS_MAX][REPORT_VAL_SIZE];
	struct case_result r;

	case_skip(s, &r, "");
	report_values(ctx, s, &r, v);
	report_case_key(key, v);
}

/* The header line this mteprobe writes, without its line end. */
static void header_line(char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t c = 0; c < report_column_count; c++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", c ? "," : "",
			 report_columns[c]);
}

static bool header_is_ours(const struct csv_reader *r)
{
	if (r->nheader != report_column_count)
		return false;
	for (size_t c = 0; c < r->nheader; c++)
		if (strcmp(r->header[c], report_columns[c]))
			return false;
	return true;
}

/* A schema field that says this mteprobe's schema */
static bool our_schema(const char *v)
{
	char want[16];

	snprintf(want, sizeof(want), "%d", REPORT_SCHEMA);
	return v && !strcmp(v, want);
}

static int not_ours(const char *name, struct csv_reader *r)
{
	int schema = csv_column(r, "schema");
	const char *v = NULL;

	if (schema >= 0 && csv_next(r) == 1)
		v = csv_field(r, schema);
	if (v && *v && !our_schema(v))
		return usage_error("matrix", "%s holds CSV schema %.20s, this mteprobe writes schema %d "
				   "(mteprobe-csv(5)): resume it with the mteprobe that wrote it, or "
				   "start a new file with -o", name, v, REPORT_SCHEMA);
	return usage_error("matrix", "%s has not the columns of CSV schema %d (mteprobe-csv(5)): "
			   "give a file that mteprobe matrix wrote, or start a new one with -o",
			   name, REPORT_SCHEMA);
}

/* What the reader's error (-EINVAL: not CSV, else out of memory) means. */
static int read_error(const char *name, const struct csv_reader *r, int err)
{
	if (err == -EINVAL)
		return usage_error("matrix", "%s is not CSV (line %zu): give a file that mteprobe "
				   "matrix wrote", name, r->line);
	warnx_("matrix: out of memory reading %s", name);
	return EXIT_FAILED;
}

int resume_scan(const char *name, const char *text, size_t len, const struct report_ctx *ctx,
		const struct case_spec *plan, size_t n, bool *done, struct resume_scan *res)
{
	struct csv_reader r;
	struct planned *keys = NULL, probe;
	const enum report_column *case_key;
	size_t nkey = case_key_columns(&case_key);
	int col[CASE_KEY_MAX], schema, kernel, arch, got, status = EXIT_OK;
	char ours[1024];

	*res = (struct resume_scan){ 0 };
	csv_init(&r, text, len);
	got = csv_header(&r);
	if (got == 0)
		goto out;	/* an empty file: started afresh */
	if (got < 0) {
		status = read_error(name, &r, got);
		goto out;
	}
	header_line(ours, sizeof(ours));
	if (!r.terminated) {
		/* torn inside the header: nothing of value, start again */
		if (len <= strlen(ours) && !memcmp(text, ours, len))
			goto out;
		status = not_ours(name, &r);
		goto out;
	}
	if (!header_is_ours(&r)) {
		status = not_ours(name, &r);
		goto out;
	}
	res->has_header = true;
	res->keep = r.end;
	for (size_t c = 0; c < nkey; c++)
		col[c] = csv_column(&r, report_columns[case_key[c]]);
	schema = csv_column(&r, "schema");
	kernel = csv_column(&r, "kernel");
	arch = csv_column(&r, "arch");

	keys = malloc((n ? n : 1) * sizeof(*keys));
	if (!keys) {
		status = read_error(name, &r, -ENOMEM);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		plan_key(ctx, &plan[i], keys[i].key);
		keys[i].idx = i;
	}
	qsort(keys, n, sizeof(*keys), by_key);

	while ((got = csv_next(&r)) == 1) {
		const char *v[CASE_KEY_MAX];
		struct planned *k;
		size_t lo = 0, hi = n;

		if (r.nfield > r.nheader) {
			status = usage_error("matrix", "%s line %zu has %zu fields, the header %zu: "
					     "give a file that mteprobe matrix wrote", name, r.line,
					     r.nfield, r.nheader);
			goto out;
		}
		if (!r.terminated || r.nfield < r.nheader) {
			if (r.end == len) {
				res->torn = 1;	/* cut short by a crash or a full disk */
				break;
			}
			status = usage_error("matrix", "%s line %zu has %zu of %zu fields and is not the "
					     "last: give a file that mteprobe matrix wrote", name,
					     r.line, r.nfield, r.nheader);
			goto out;
		}
		if (!our_schema(csv_field(&r, schema))) {
			status = not_ours(name, &r);
			goto out;
		}
		if (strcmp(csv_field(&r, kernel), ctx->kernel) || strcmp(csv_field(&r, arch), ctx->arch)) {
			status = usage_error("matrix", "%s line %zu is from kernel %.64s (%.16s), this is "
					     "%s (%s): resume on that kernel, or start a new file with -o",
					     name, r.line, csv_field(&r, kernel), csv_field(&r, arch),
					     ctx->kernel, ctx->arch);
			goto out;
		}
		for (size_t c = 0; c < nkey; c++)
			v[c] = csv_field(&r, col[c]);
		/* the first planned case with this key that no row took yet */
		k = NULL;
		if (report_join_key(probe.key, v, nkey) == 0) {
			probe.idx = 0;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (by_key(&keys[mid], &probe) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (; lo < n && !strcmp(keys[lo].key, probe.key) && !k; lo++)
				if (!done[keys[lo].idx])
					k = &keys[lo];
		}
		if (!k) {
			char what[360] = "";

			for (size_t c = 0; c < nkey; c++)
				snprintf(what + strlen(what), sizeof(what) - strlen(what), "%s%s %.40s",
					 c ? ", " : "", report_columns[case_key[c]], v[c]);
			status = usage_error("matrix", "%s line %zu (%s) is no case of this matrix%s: "
					     "resume with the options the file was started with", name,
					     r.line, what,
					     lo > 0 && lo <= n && !strcmp(keys[lo - 1].key, probe.key)
					     ? ", or a case given twice" : "");
			goto out;
		}
		done[k->idx] = true;
		res->rows++;
		res->keep = r.end;
	}
	if (got < 0)
		status = read_error(name, &r, got);
out:
	free(keys);
	csv_free(&r);
	return status;
}
