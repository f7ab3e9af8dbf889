/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "util.h"

const char *const report_columns[COL_COUNT] = {
	"schema", "kernel", "arch", "fs", "syscall", "io", "mode", "fault",
	"len", "fault_at", "buf_off", "result", "ret", "errno", "expect",
	"delta", "overshoot", "data_ok", "bypass", "elapsed_us", "note",
	"recovered", "fault_ins",	/* schema 2 */
	"state",			/* schema 2, later */
	"backing",			/* schema 3 */
};
const size_t report_column_count = COL_COUNT;
_Static_assert(COL_COUNT <= REPORT_COLUMNS_MAX, "REPORT_COLUMNS_MAX is too small");

size_t case_key_columns(const enum report_column **cols)
{
	static enum report_column key[CASE_KEY_MAX];
	static size_t n;
	static bool found;

	for (int c = 0; !found && c < COL_COUNT; c++)
		if (axis_find(report_columns[c]) >= 0)
			key[n++] = (enum report_column)c;
	found = true;
	*cols = key;
	return n;
}

/* numeric columns: JSON numbers (or null when empty) */
static const bool numeric[COL_COUNT] = {
	[COL_SCHEMA] = true, [COL_LEN] = true, [COL_FAULT_AT] = true, [COL_BUF_OFF] = true,
	[COL_RET] = true, [COL_EXPECT] = true, [COL_DELTA] = true, [COL_OVERSHOOT] = true,
	[COL_DATA_OK] = true, [COL_BYPASS] = true, [COL_ELAPSED_US] = true,
	[COL_RECOVERED] = true, [COL_FAULT_INS] = true,
};

int report_column(const char *name)
{
	for (int c = 0; c < COL_COUNT; c++)
		if (!strcmp(report_columns[c], name))
			return c;
	return -1;
}

const char *report_column_absent(size_t col)
{
	int a = col < COL_COUNT ? axis_find(report_columns[col]) : -1;

	return a < 0 ? NULL : axes[a].absent;
}

bool report_column_usual(size_t col, const char *v)
{
	const char *absent = report_column_absent(col);

	return absent && v && !strcmp(v, absent);
}

bool report_column_numeric(size_t col)
{
	return col < COL_COUNT && numeric[col];
}

void report_init(struct report_ctx *ctx)
{
	struct utsname u;

	memset(ctx, 0, sizeof(*ctx));
	if (uname(&u) == 0) {
		snprintf(ctx->kernel, sizeof(ctx->kernel), "%s", u.release);
		snprintf(ctx->arch, sizeof(ctx->arch), "%s", u.machine);
	}
}

void report_values(const struct report_ctx *ctx, const struct case_spec *s,
		   const struct case_result *r, char v[REPORT_COLUMNS_MAX][REPORT_VAL_SIZE])
{
	bool ran = r->raw.returned;

	for (int c = 0; c < COL_COUNT; c++)
		v[c][0] = '\0';
	snprintf(v[COL_SCHEMA], REPORT_VAL_SIZE, "%d", REPORT_SCHEMA);
	snprintf(v[COL_KERNEL], REPORT_VAL_SIZE, "%s", ctx ? ctx->kernel : "");
	snprintf(v[COL_ARCH], REPORT_VAL_SIZE, "%s", ctx ? ctx->arch : "");
	for (int a = 0; a < AXIS_COUNT; a++) {
		int c = report_column(axes[a].name);

		if (c >= 0)
			axis_column_text(&axes[a], s, r, v[c], REPORT_VAL_SIZE);
	}
	snprintf(v[COL_RESULT], REPORT_VAL_SIZE, "%s", result_name(r->out.result));
	if (ran)
		snprintf(v[COL_RET], REPORT_VAL_SIZE, "%ld", r->raw.ret);
	snprintf(v[COL_ERRNO], REPORT_VAL_SIZE, "%s", r->errname);
	if (r->has_expect)
		snprintf(v[COL_EXPECT], REPORT_VAL_SIZE, "%ld", r->expect);
	if (r->out.has_delta)
		snprintf(v[COL_DELTA], REPORT_VAL_SIZE, "%ld", r->out.delta);
	if (r->chk.overshoot >= 0)
		snprintf(v[COL_OVERSHOOT], REPORT_VAL_SIZE, "%ld", r->chk.overshoot);
	if (r->chk.data_ok >= 0)
		snprintf(v[COL_DATA_OK], REPORT_VAL_SIZE, "%d", r->chk.data_ok);
	if (r->out.bypass >= 0)
		snprintf(v[COL_BYPASS], REPORT_VAL_SIZE, "%d", r->out.bypass);
	if (r->out.result != RESULT_SKIP)
		snprintf(v[COL_ELAPSED_US], REPORT_VAL_SIZE, "%lu", r->elapsed_us);
	snprintf_utf8(v[COL_NOTE], REPORT_VAL_SIZE, "%s", r->note);
	if (r->out.result == RESULT_LIVELOCK || r->out.result == RESULT_HANG)
		snprintf(v[COL_RECOVERED], REPORT_VAL_SIZE, "%d", r->raw.recovered);
	if (r->traced)
		snprintf(v[COL_FAULT_INS], REPORT_VAL_SIZE, "%llu", (unsigned long long)r->fault_ins);
	/* a note may hold a path cut anywhere, or one that is not UTF-8 */
	for (int c = 0; c < COL_COUNT; c++)
		if (!numeric[c])
			utf8_sanitize(v[c]);
}

int report_join_key(char key[REPORT_KEY_SIZE], const char *const v[], size_t n)
{
	size_t used = 0;

	for (size_t c = 0; c < n; c++) {
		size_t n = strlen(v[c]);

		if (memchr(v[c], REPORT_KEY_SEP, n) || used + n + 2 > REPORT_KEY_SIZE)
			return -1;
		memcpy(key + used, v[c], n);
		used += n;
		key[used++] = REPORT_KEY_SEP;
	}
	key[used] = '\0';
	return 0;
}

void report_case_key(char key[REPORT_KEY_SIZE], const char v[REPORT_COLUMNS_MAX][REPORT_VAL_SIZE])
{
	const enum report_column *col;
	size_t n = case_key_columns(&col);
	const char *kv[CASE_KEY_MAX];

	for (size_t c = 0; c < n; c++)
		kv[c] = v[col[c]];
	if (report_join_key(key, kv, n))
		key[0] = '\0';
}
