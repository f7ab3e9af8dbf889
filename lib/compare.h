/* SPDX-License-Identifier: MIT */
/*
 * Two runs compared case by case (mteprobe diff, and the kernels of a
 * report): cases matched by their input columns, each change classified as
 * a regression, an improvement or neutral. Pure functions over read rows,
 * unit-tested in tests/compare.c.
 */
#ifndef MTEPROBE_COMPARE_H
#define MTEPROBE_COMPARE_H

#include "results.h"

enum change_class {
	CHANGE_NONE,		/* the same outcome */
	CHANGE_NEUTRAL,		/* another outcome, neither better nor worse */
	CHANGE_IMPROVEMENT,
	CHANGE_REGRESSION,
	CHANGE_CLASS_COUNT
};
extern const char *const change_class_names[CHANGE_CLASS_COUNT];

/* Why a change is a regression (gained) or an improvement (lost): the
 * findings (FIND_BIT, results.h) and one more. */
#define CR_EFAULT	FIND_COUNT	/* a short that moved bytes became EFAULT */
#define CR_COUNT	(FIND_COUNT + 1)
#define CR_BIT(r)	(1u << (r))
/* "new livelock or hang", "livelock or hang gone", ... */
const char *change_reason(unsigned reason, bool gained);

/* Classify old -> new (the same case): the class, and the reasons gained
 * (*worse) and lost (*better). A side that was skipped or timed out tells
 * neither way: a change from or to it is neutral. */
enum change_class change_classify(const struct result_row *old, const struct result_row *new,
				  unsigned *worse, unsigned *better);

struct change {
	const struct result_row *old, *new;	/* NULL: the case is on one side only */
	enum change_class cls;
	unsigned worse, better;
};

struct comparison {
	struct change *c;	/* every change and one-sided case: the new file's
				 * order, then the cases only in the old one */
	size_t n;
	size_t matched;		/* cases in both */
	size_t count[CHANGE_CLASS_COUNT];	/* of the matched ones */
	size_t only_old, only_new;
};

/* Compare two sets: 0, or -ENOMEM. A key that several rows of one side
 * share is paired in file order. */
int compare_sets(const struct result_set *old, const struct result_set *new,
		 struct comparison *cmp);
void comparison_free(struct comparison *cmp);

/* A case that two rows of the sets hold (in one set or two): 1 with the
 * rows in *a and *b (their sets in *sa, *sb), 0 when every case is there
 * once, -ENOMEM. */
int sets_find_twice(const struct result_set *sets, size_t n, const struct result_row **a,
		    size_t *sa, const struct result_row **b, size_t *sb);

/* The case's key, the values of its input columns (case_key_columns) with
 * spaces between: "ext4 read buffered sync mte 8192 4096 0". */
void row_key_text(const struct result_row *r, char *buf, size_t size);

/* What the case did, in a few words, naming only what went wrong among
 * overshoot, data_ok and bypass: "short 4096 delta 0", "efault -14 EFAULT
 * overshoot 4096", "full 8192 delta -4096 BYPASS", "livelock 8192 recovered 1". */
void row_outcome_text(const struct result_row *r, char *buf, size_t size);

#endif
