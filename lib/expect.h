/* SPDX-License-Identifier: MIT */
/*
 * Pass or fail per case (KTAP, --format ktap): the policy and the known
 * outcomes of --expect FILE. The judgement is a pure function of CSV values
 * (tests/expect.c); the rules are documented once, in mteprobe(1) (KTAP).
 *
 * FILE is CSV read by header name (extra columns ignored, so a matrix CSV
 * works too) with the columns fs, syscall, io, mode, fault, len, fault_at,
 * buf_off (the case) and result, bypass, data_ok (its known outcome); lines
 * starting with # are comments.
 */
#ifndef MTEPROBE_EXPECT_H
#define MTEPROBE_EXPECT_H

#include <stddef.h>

#include "report.h"

/* What a case did, as the CSV says it (report_values): empty when it does
 * not apply. */
struct expect_outcome {
	char result[16];
	char bypass[4];
	char data_ok[4];
};

struct expect_row {
	char key[REPORT_KEY_SIZE];	/* report_join_key */
	struct expect_outcome want;
	size_t line;
};

struct expect_set {
	struct expect_row *rows;	/* sorted by key */
	size_t n;
};

/*
 * Read FILE's text (name for messages) into *e: 0, or -EINVAL with one line
 * in why saying what is wrong, where, and how to fix it (not CSV, a column
 * missing, an unknown result, a bypass or data_ok other than 0, 1 or empty,
 * a row with fewer fields than the header, a case twice), or -ENOMEM.
 */
int expect_parse(struct expect_set *e, const char *name, const char *text, size_t len,
		 char *why, size_t size);
/* The same from the file at path (-errno when it cannot be read). */
int expect_load(struct expect_set *e, const char *path, char *why, size_t size);
void expect_free(struct expect_set *e);

/* The row of the case with this key, or NULL. */
const struct expect_row *expect_find(const struct expect_set *e, const char *key);

/* The policy: a case fails when its call did not end by itself with a result
 * (livelock, hang, timeout), a signal ended it, or the data came out wrong.
 * Why it fails, or NULL when it passes. */
const char *expect_policy_fails(const struct expect_outcome *got);

enum judgement {
	JUDGE_OK,
	JUDGE_NOT_OK,
	JUDGE_SKIP,	/* the case did not run */
	JUDGE_KNOWN,	/* ok: the policy fails it, but want expects exactly this */
	JUDGE_CHANGED,	/* not ok: the outcome differs from want */
};

/* A case's judgement: a skip stays a skip; with a known outcome (want, not
 * a skip) it is ok when result, bypass and data_ok are the same, else
 * changed; without one the policy decides. */
enum judgement expect_judge(const struct expect_outcome *got, const struct expect_outcome *want);

#endif
