/* SPDX-License-Identifier: MIT */
#include "compare.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *const change_class_names[CHANGE_CLASS_COUNT] = {
	[CHANGE_NONE] = "unchanged",
	[CHANGE_NEUTRAL] = "neutral",
	[CHANGE_IMPROVEMENT] = "improvement",
	[CHANGE_REGRESSION] = "regression",
};

const char *change_reason(unsigned reason, bool gained)
{
	static const char *const text[CR_COUNT][2] = {
		[FIND_STUCK] = { "livelock or hang gone", "new livelock or hang" },
		[FIND_DATA_WRONG] = { "data right again", "data wrong" },
		[FIND_OVERSHOOT] = { "overshoot gone", "new overshoot" },
		[FIND_BYPASS] = { "bypass gone", "new bypass" },
		[FIND_INEXACT] = { "inexact short became exact", "exact short became inexact" },
		[FIND_SIGNAL] = { "signal gone", "new signal" },
		[CR_EFAULT] = { "EFAULT became a short with bytes moved",
				"short became EFAULT, nothing transferred" },
	};

	return reason < CR_COUNT ? text[reason][gained] : "?";
}

static bool is(const struct result_row *r, enum report_column c, const char *value)
{
	return strcmp(r->v[c], value) == 0;
}

static bool unknown(const struct result_row *r)
{
	return is(r, COL_RESULT, "skip") || is(r, COL_RESULT, "timeout");
}

static bool short_with_bytes(const struct result_row *r)
{
	long ret;

	return is(r, COL_RESULT, "short") && row_num(r, COL_RET, &ret) && ret > 0;
}

static bool exact_short(const struct result_row *r)
{
	long delta;

	return is(r, COL_RESULT, "short") && row_num(r, COL_DELTA, &delta) && delta == 0;
}

/* The fields that say what the kernel did (not how long it took, nor the
 * note or counts, which vary from run to run). */
static const enum report_column outcome_cols[] = {
	COL_RESULT, COL_RET, COL_ERRNO, COL_DELTA, COL_OVERSHOOT, COL_DATA_OK, COL_BYPASS,
};

enum change_class change_classify(const struct result_row *old, const struct result_row *new,
				  unsigned *worse, unsigned *better)
{
	/* an exact short becoming inexact is the inexact short that counts */
	const unsigned by_finding = ((1u << FIND_COUNT) - 1) & ~FIND_BIT(FIND_INEXACT);
	unsigned fo, fn;

	/* a case that did not run on one side (a mode or filesystem that
	 * kernel lacks) or ran without a verdict tells neither way */
	*worse = *better = 0;
	if (unknown(old) || unknown(new))
		goto neutral;
	fo = row_findings(old);
	fn = row_findings(new);
	*worse = fn & ~fo & by_finding;
	*better = fo & ~fn & by_finding;
	if (exact_short(old) && (fn & FIND_BIT(FIND_INEXACT)))
		*worse |= CR_BIT(FIND_INEXACT);
	if ((fo & FIND_BIT(FIND_INEXACT)) && exact_short(new))
		*better |= CR_BIT(FIND_INEXACT);
	if (short_with_bytes(old) && is(new, COL_RESULT, "efault"))
		*worse |= CR_BIT(CR_EFAULT);
	if (is(old, COL_RESULT, "efault") && short_with_bytes(new))
		*better |= CR_BIT(CR_EFAULT);
	if (*worse)
		return CHANGE_REGRESSION;
	if (*better)
		return CHANGE_IMPROVEMENT;
neutral:
	for (size_t i = 0; i < ARRAY_SIZE(outcome_cols); i++)
		if (strcmp(old->v[outcome_cols[i]], new->v[outcome_cols[i]]))
			return CHANGE_NEUTRAL;
	return CHANGE_NONE;
}

#define KEY_SEP	'\x1f'	/* in no value mteprobe writes */

struct keyed {
	char *key;
	size_t idx;
};

static int by_key(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

static char *join_key(const struct result_row *r)
{
	const enum report_column *case_key;
	size_t size = 1, n = case_key_columns(&case_key);
	char *key, *p;

	for (size_t k = 0; k < n; k++)
		size += strlen(r->v[case_key[k]]) + 1;
	key = malloc(size);
	if (!key)
		return NULL;
	p = key;
	for (size_t k = 0; k < n; k++) {
		size_t n = strlen(r->v[case_key[k]]);

		memcpy(p, r->v[case_key[k]], n);
		p += n;
		*p++ = KEY_SEP;
	}
	*p = '\0';
	return key;
}

void row_key_text(const struct result_row *r, char *buf, size_t size)
{
	const enum report_column *case_key;
	size_t used = 0, n = case_key_columns(&case_key);

	buf[0] = '\0';
	for (size_t k = 0; k < n && used < size; k++) {
		const char *v = r->v[case_key[k]];

		if (report_column_usual(case_key[k], v))
			continue;	/* state fresh, backing private: as every older CSV */
		/* numbers say what they are: "len 8192" */
		used += (size_t)snprintf(buf + used, size - used, "%s%s%s%s", k ? " " : "",
					 *v >= '0' && *v <= '9' ? report_columns[case_key[k]] : "",
					 *v >= '0' && *v <= '9' ? " " : "", *v ? v : "-");
	}
}

static void free_keys(struct keyed *k, size_t n)
{
	for (size_t i = 0; k && i < n; i++)
		free(k[i].key);
	free(k);
}

static struct keyed *sorted_keys(const struct result_set *s)
{
	struct keyed *k = calloc(s->nrow ? s->nrow : 1, sizeof(*k));

	if (!k)
		return NULL;
	for (size_t i = 0; i < s->nrow; i++) {
		k[i].idx = i;
		k[i].key = join_key(&s->row[i]);
		if (!k[i].key) {
			free_keys(k, i);
			return NULL;
		}
	}
	qsort(k, s->nrow, sizeof(*k), by_key);
	return k;
}

int compare_sets(const struct result_set *old, const struct result_set *new,
		 struct comparison *cmp)
{
	struct keyed *ko = sorted_keys(old), *kn = sorted_keys(new);
	size_t *pair = NULL;	/* new row index -> old row index + 1, or 0 */
	bool *old_used = NULL;
	int err = -ENOMEM;

	memset(cmp, 0, sizeof(*cmp));
	pair = calloc(new->nrow + 1, sizeof(*pair));
	old_used = calloc(old->nrow + 1, sizeof(*old_used));
	cmp->c = calloc(old->nrow + new->nrow + 1, sizeof(*cmp->c));
	if (!ko || !kn || !pair || !old_used || !cmp->c)
		goto out;
	for (size_t i = 0, j = 0; i < old->nrow && j < new->nrow;) {
		int c = strcmp(ko[i].key, kn[j].key);

		if (c == 0) {
			pair[kn[j].idx] = ko[i].idx + 1;
			old_used[ko[i].idx] = true;
			i++, j++;
		} else if (c < 0) {
			i++;
		} else {
			j++;
		}
	}
	for (size_t j = 0; j < new->nrow; j++) {
		struct change ch = { .new = &new->row[j] };

		if (pair[j]) {
			ch.old = &old->row[pair[j] - 1];
			ch.cls = change_classify(ch.old, ch.new, &ch.worse, &ch.better);
			cmp->matched++;
			cmp->count[ch.cls]++;
			if (ch.cls == CHANGE_NONE)
				continue;
		} else {
			cmp->only_new++;
		}
		cmp->c[cmp->n++] = ch;
	}
	for (size_t i = 0; i < old->nrow; i++) {
		if (old_used[i])
			continue;
		cmp->c[cmp->n++] = (struct change){ .old = &old->row[i] };
		cmp->only_old++;
	}
	err = 0;
out:
	free_keys(ko, old->nrow);
	free_keys(kn, new->nrow);
	free(pair);
	free(old_used);
	if (err)
		comparison_free(cmp);
	return err;
}

int sets_find_twice(const struct result_set *sets, size_t n, const struct result_row **a,
		    size_t *sa, const struct result_row **b, size_t *sb)
{
	struct keyed *k[16] = { 0 };
	size_t pos[16] = { 0 };
	int found = 0;

	if (n > ARRAY_SIZE(k))
		return -EINVAL;
	for (size_t s = 0; s < n; s++)
		if (!(k[s] = sorted_keys(&sets[s])))
			found = -ENOMEM;
	/* walk the sorted keys of every set together, smallest first */
	while (found == 0) {
		size_t min = n;

		for (size_t s = 0; s < n; s++) {
			if (pos[s] == sets[s].nrow)
				continue;
			if (min < n && !strcmp(k[s][pos[s]].key, k[min][pos[min]].key)) {
				*a = &sets[min].row[k[min][pos[min]].idx], *sa = min;
				*b = &sets[s].row[k[s][pos[s]].idx], *sb = s;
				found = 1;
				break;
			}
			if (min == n || strcmp(k[s][pos[s]].key, k[min][pos[min]].key) < 0)
				min = s;
		}
		if (found || min == n)
			break;
		if (pos[min] + 1 < sets[min].nrow &&
		    !strcmp(k[min][pos[min]].key, k[min][pos[min] + 1].key)) {
			*a = &sets[min].row[k[min][pos[min]].idx], *sa = min;
			*b = &sets[min].row[k[min][pos[min] + 1].idx], *sb = min;
			found = 1;
			break;
		}
		pos[min]++;
	}
	for (size_t s = 0; s < n; s++)
		free_keys(k[s], sets[s].nrow);
	return found;
}

void comparison_free(struct comparison *cmp)
{
	free(cmp->c);
	memset(cmp, 0, sizeof(*cmp));
}

void row_outcome_text(const struct result_row *r, char *buf, size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "%s", *r->v[COL_RESULT] ? r->v[COL_RESULT] : "-");
	long overshoot;

#define PART(cond, ...)								\
	do {									\
		if ((cond) && used < size)					\
			used += (size_t)snprintf(buf + used, size - used, __VA_ARGS__); \
	} while (0)
	PART(*r->v[COL_RET], " %s", r->v[COL_RET]);
	PART(*r->v[COL_ERRNO], " %s", r->v[COL_ERRNO]);
	PART(*r->v[COL_DELTA], " delta %s", r->v[COL_DELTA]);
	PART(row_num(r, COL_OVERSHOOT, &overshoot) && overshoot > 0, " overshoot %ld", overshoot);
	PART(!strcmp(r->v[COL_DATA_OK], "0"), " DATA WRONG");
	PART(!strcmp(r->v[COL_BYPASS], "1"), " BYPASS");
	PART(*r->v[COL_RECOVERED], " recovered %s", r->v[COL_RECOVERED]);
#undef PART
}
