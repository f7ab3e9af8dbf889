/* SPDX-License-Identifier: MIT */
/*
 * A plan's cases run in one lane, or in several side by side (matrix
 * --jobs): which case runs when, which is not run because an earlier one
 * left its group or its filesystem stuck, and the results handed back in
 * plan order.
 *
 * A lane takes whole groups (plan_same_group) from a counter the lanes
 * share and runs their cases one after another in its own worker
 * (case.h), so a group's rule stays in one lane: after a case that did not
 * return, the rest of its group is a skip. A case that leaves a task stuck
 * after SIGKILL, or during which the kernel died, marks its filesystem (or,
 * without one, its call) for every lane: later cases there are skips, since
 * the task may hold the filesystem's locks.
 *
 * Groups are taken so that at most one lane runs cases on a filesystem at
 * a time (calls without one run side by side): a case that leaves a task
 * stuck, or kills the kernel, then stops that filesystem before another
 * lane touches it, and cases do not race for one filesystem's locks.
 *
 * One lane runs in the calling process. More are child processes forked
 * after the tracer was opened, each counting its calls in its own slot
 * (trace.h), each sending its results through its own socket. A result
 * that comes early waits in the calling process until the cases before it
 * are in (a group per lane at most), so every format sees plan order; a
 * stop signal or a failed emit ends each lane after its current case, and
 * every result that came in is still emitted.
 */
#ifndef MTEPROBE_LANES_H
#define MTEPROBE_LANES_H

#include <stdbool.h>
#include <stddef.h>

#include "case.h"
#include "plan.h"
#include "trace_events.h"

#define LANES_MAX	TRACE_SLOTS

struct lanes_run {
	const struct plan *plan;
	const bool *done;	/* cases whose rows are written already (resume): not
				 * run; NULL: none */
	unsigned jobs;		/* lanes, 1..LANES_MAX */
	/* Why s is not run, decided before the run (its directory unusable,
	 * asymm mode unavailable), or NULL. */
	const char *(*skip)(void *arg, const struct case_spec *s);
	/* Case i's result, in plan order: 0, or non-zero to end the run
	 * (writing failed). */
	int (*emit)(void *arg, size_t i, const struct case_result *r);
	void *arg;
};

struct lanes_end {
	struct case_stats stats;	/* summed over the lanes */
	unsigned stuck;			/* tasks left running after SIGKILL */
	int err;			/* -errno: a case could not start (no worker,
					 * no lane); 0 */
	int emit_err;			/* what emit returned when it ended the run */
	int lane_died;			/* a lane ended without its end message:
					 * -signal that killed it, or 1; the others
					 * then end after their case */
};

/* Run p's cases as r says. 0 when every case ran, was skipped or was
 * stopped by a signal (case_stop_signal says which), else -1 with
 * end->err, end->emit_err or end->lane_died set. */
int lanes_run(const struct lanes_run *r, struct lanes_end *end);

#endif
