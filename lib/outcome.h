/* SPDX-License-Identifier: MIT */
/*
 * Outcome classification: from what a call did (the raw result) and where
 * its fault was (the layout), what mteprobe reports. A pure function, so the
 * rules are unit-tested on synthetic inputs (tests/outcome.c) and documented
 * once, in man/mteprobe-csv.5.
 */
#ifndef MTEPROBE_OUTCOME_H
#define MTEPROBE_OUTCOME_H

#include <stdbool.h>
#include <stddef.h>

enum result {
	RESULT_FULL,		/* returned everything a fault-free call returns */
	RESULT_SHORT,		/* 0 <= ret < want */
	RESULT_EFAULT,
	RESULT_ERRNO,		/* any other error */
	RESULT_SIGNAL,		/* a signal killed the case or a tag-check fault was signalled */
	RESULT_SKIP,		/* not possible here (note says why) */
	RESULT_TIMEOUT,		/* did not finish within the time limit */
	RESULT_LIVELOCK,	/* the watchdog saw it burn kernel CPU in a loop */
	RESULT_HANG,		/* the watchdog saw it asleep without progress */
};
#define RESULT_COUNT	9

const char *result_name(enum result r);
int result_parse(const char *name);	/* -1 when unknown */

/* The watchdog's verdict on a call that had not returned (watchdog.h). */
enum watch_verdict {
	WATCH_NONE,
	WATCH_LIVELOCK,		/* burning kernel CPU in a retry loop */
	WATCH_HANG,		/* asleep, never woken */
	WATCH_SLOW,		/* at the time limit, still making progress */
};

/* What the case runner saw. */
struct raw_result {
	bool skipped;
	bool timed_out;
	enum watch_verdict watch;	/* livelock, hang: the result, whether or
					 * not the call returned once the fault
					 * was removed */
	bool recovered;		/* it did: ret is what it returned then */
	bool returned;		/* the call returned: ret is valid */
	long ret;		/* bytes, or -errno */
	int signo;		/* a signal that killed the case, or an async tag-check
				 * fault signalled after the call (0: none) */
	size_t want;		/* what a fault-free call returns (len for plain I/O) */
	size_t reach;		/* bytes of the buffer a full call touches (usually want) */
};

/* Where the fault was and whether the mode checks it. */
struct outcome_input {
	struct raw_result raw;
	bool fault_in_range;	/* a fault lies in [0, len) */
	size_t fault_off;	/* normalised fault offset (layout.h) */
	bool checked;		/* the access is checked: page faults always, MTE
				 * faults unless the mode is none */
	bool racing;		/* the fault came and went during the call (retag):
				 * a bypass cannot be told from a match */
	bool records;		/* the call returns whole records (getdents64) */
	size_t record_end;	/* records: what a byte-exact kernel returns, the end
				 * of the last record whose stored bytes (not its
				 * padding) lie before the fault */
};

struct outcome {
	enum result result;
	bool has_delta;
	long delta;		/* fault_off (records: record_end) - ret */
	int bypass;		/* 1, 0, or -1 when it does not apply */
};

void outcome_classify(const struct outcome_input *in, struct outcome *out);

#endif
