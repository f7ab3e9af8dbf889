/* SPDX-License-Identifier: MIT */
/*
 * --format ktap: KTAP version 1 (the kernel's Documentation/dev-tools/ktap.rst).
 * One subtest per syscall, one test line per case named by its input columns,
 * ok or not ok as expect.h judges it; notes and reasons as diagnostic lines
 * before the test line. A run that ends early (a stop signal, a write error)
 * ends with "Bail out!" instead of its missing lines.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "format.h"
#include "util.h"

/* The plan's cases of one syscall: consecutive, as matrix plans them. */
struct ktap_group {
	const struct driver *drv;
	size_t n;
};

struct ktap_state {
	struct ktap_group *groups;
	size_t ngroups;
	size_t cur;		/* the open subtest's number; 0: none yet */
	const struct driver *drv;	/* its syscall */
	size_t planned, done;	/* its cases: planned, written */
	size_t failed, skipped;	/* of them */
};

static struct ktap_state *state(struct format_out *o)
{
	struct ktap_state *st = o->state;

	if (st)
		return st;
	st = o->state = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->groups = calloc(o->nplan ? o->nplan : 1, sizeof(*st->groups));
	if (!st->groups)
		return NULL;
	for (size_t i = 0; i < o->nplan; i++) {
		if (!st->ngroups || st->groups[st->ngroups - 1].drv != o->plan[i].drv)
			st->groups[st->ngroups++].drv = o->plan[i].drv;
		st->groups[st->ngroups - 1].n++;
	}
	return st;
}

static void ktap_free(struct format_out *o)
{
	struct ktap_state *st = o->state;

	if (st)
		free(st->groups);
	free(st);
}

static void ktap_header(struct format_out *o, FILE *f)
{
	struct ktap_state *st = state(o);

	fprintf(f, "KTAP version 1\n1..%zu\n", st ? st->ngroups : 0);
	fprintf(f, "# mteprobe %s on Linux %s (%s): one subtest per syscall, one test per case\n",
		MTEPROBE_VERSION, o->ctx.kernel, o->ctx.arch);
	if (o->expect)
		fprintf(f, "# known outcomes (--expect): %zu cases\n", o->expect->n);
}

/* The parent's line of the open subtest, once all its cases are written. */
static void close_group(struct ktap_state *st, FILE *f)
{
	if (st->skipped == st->done)
		fprintf(f, "ok %zu %s # SKIP every case skipped\n", st->cur, st->drv->name);
	else
		fprintf(f, "%s %zu %s\n", st->failed ? "not ok" : "ok", st->cur, st->drv->name);
}

static void open_group(struct ktap_state *st, FILE *f, const struct driver *drv)
{
	if (st->cur)
		close_group(st, f);
	st->cur++;
	st->drv = drv;
	st->planned = st->cur <= st->ngroups ? st->groups[st->cur - 1].n : 0;
	st->done = st->failed = st->skipped = 0;
	fprintf(f, "  KTAP version 1\n  # Subtest: %s\n  1..%zu\n", drv->name, st->planned);
}

/* A value for one diagnostic line: no line break. */
static const char *one_line(char *v)
{
	for (char *p = v; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return v;
}

static void outcome_text(FILE *f, const struct expect_outcome *x)
{
	fprintf(f, "result=%s bypass=%s data_ok=%s", x->result, *x->bypass ? x->bypass : "-",
		*x->data_ok ? x->data_ok : "-");
}

#define V(name)	(v[report_column(name)])

/* The test line's comment: the result, what the call returned, and what
 * was odd about it. */
static void what_happened(FILE *f, const struct expect_outcome *got,
			  char v[REPORT_COLUMNS_MAX][REPORT_VAL_SIZE])
{
	fprintf(f, " # %s", got->result);
	if (*V("ret") && *V("ret") != '-')
		fprintf(f, " %s", V("ret"));
	if (!strcmp(got->result, "errno") || !strcmp(got->result, "signal"))
		fprintf(f, " %s", V("errno"));
	if (*V("delta") && strcmp(V("delta"), "0"))
		fprintf(f, ", delta %s", V("delta"));
	if (!strcmp(got->bypass, "1"))
		fprintf(f, ", bypass");
	if (!strcmp(got->data_ok, "0"))
		fprintf(f, ", data wrong");
	fputc('\n', f);
}

static void ktap_result(struct format_out *o, FILE *f, const struct case_spec *s,
			const struct case_result *r)
{
	static char v[REPORT_COLUMNS_MAX][REPORT_VAL_SIZE];
	struct ktap_state *st = state(o);
	const struct expect_row *known;
	struct expect_outcome got;
	char key[REPORT_KEY_SIZE];
	enum judgement j;
	bool bad;

	if (!st)
		return;
	report_values(&o->ctx, s, r, v);
	report_case_key(key, v);
	snprintf(got.result, sizeof(got.result), "%s", V("result"));
	snprintf(got.bypass, sizeof(got.bypass), "%s", V("bypass"));
	snprintf(got.data_ok, sizeof(got.data_ok), "%s", V("data_ok"));
	known = expect_find(o->expect, key);
	j = expect_judge(&got, known ? &known->want : NULL);
	bad = j == JUDGE_NOT_OK || j == JUDGE_CHANGED;

	if (st->drv != s->drv)
		open_group(st, f, s->drv);
	if (*V("note") && j != JUDGE_SKIP)
		fprintf(f, "  # %s\n", one_line(V("note")));
	if (j == JUDGE_NOT_OK)
		fprintf(f, "  # not ok: %s (%s)\n", expect_policy_fails(&got), got.result);
	if (j == JUDGE_CHANGED || j == JUDGE_KNOWN) {
		fprintf(f, "  # %s: expected ", j == JUDGE_KNOWN ? "known outcome" : "changed");
		outcome_text(f, &known->want);
		fprintf(f, " (--expect line %zu), got ", known->line);
		outcome_text(f, &got);
		fputc('\n', f);
	}

	fprintf(f, "  %s %zu", bad ? "not ok" : "ok", ++st->done);
	/* the name: the case's axes in their KTAP order, name=value; not
	 * state=fresh or backing=private, so that names stay those of runs
	 * before the axis */
	for (int place = 1; place <= AXIS_COUNT; place++)
		for (int a = 0; a < AXIS_COUNT; a++)
			if (axes[a].ktap == place && *V(axes[a].name) &&
			    !report_column_usual((size_t)report_column(axes[a].name), V(axes[a].name)))
				fprintf(f, " %s=%s", axes[a].name, V(axes[a].name));
	if (j == JUDGE_SKIP)
		fprintf(f, " # SKIP %s\n", one_line(V("note")));
	else if (bad && !strcmp(got.result, "timeout"))
		fprintf(f, " # TIMEOUT %u s\n", s->timeout_ms / 1000);
	else if (j == JUDGE_KNOWN)
		fprintf(f, " # XFAIL %s, as expected\n", got.result);
	else
		what_happened(f, &got, v);

	st->failed += bad;
	st->skipped += j == JUDGE_SKIP;
	o->failed += bad;
	o->skipped += j == JUDGE_SKIP;
	o->passed += !bad && j != JUDGE_SKIP;
}

static void ktap_footer(struct format_out *o, FILE *f)
{
	struct ktap_state *st = state(o);

	/* a subtest cut short by a stop has no result: Bail out! says why */
	if (st && st->cur && st->done == st->planned)
		close_group(st, f);
	fprintf(f, "# Totals: pass:%lu fail:%lu skip:%lu\n", o->passed, o->failed, o->skipped);
	if (o->stopped)
		fprintf(f, "Bail out! %s\n", o->stopped);
}

const struct format_ops format_ktap = {
	.name = "ktap",
	.judges = true,
	.header = ktap_header,
	.result = ktap_result,
	.footer = ktap_footer,
	.free = ktap_free,
};
