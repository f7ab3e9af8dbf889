/* SPDX-License-Identifier: MIT */
#include "outcome.h"

#include <errno.h>
#include <string.h>

#include "util.h"

static const char *const result_names[RESULT_COUNT] = {
	[RESULT_FULL] = "full", [RESULT_SHORT] = "short", [RESULT_EFAULT] = "efault",
	[RESULT_ERRNO] = "errno", [RESULT_SIGNAL] = "signal", [RESULT_SKIP] = "skip",
	[RESULT_TIMEOUT] = "timeout", [RESULT_LIVELOCK] = "livelock", [RESULT_HANG] = "hang",
};

const char *result_name(enum result r)
{
	return enum_name(result_names, RESULT_COUNT, r);
}

int result_parse(const char *name)
{
	return enum_parse(result_names, RESULT_COUNT, name);
}

void outcome_classify(const struct outcome_input *in, struct outcome *out)
{
	const struct raw_result *raw = &in->raw;
	/* the most a byte-exact kernel returns: up to the fault, or for records
	 * the whole records stored before it (a record's padding is never
	 * written, so it may lie past the fault) */
	size_t exact = in->records ? in->record_end : in->fault_off;
	size_t touched;

	*out = (struct outcome){ .bypass = -1 };
	if (raw->skipped) {
		out->result = RESULT_SKIP;
		return;
	}
	if (raw->watch == WATCH_LIVELOCK || raw->watch == WATCH_HANG) {
		/* a recovered call's count says nothing about the fault: it
		 * was removed */
		out->result = raw->watch == WATCH_LIVELOCK ? RESULT_LIVELOCK : RESULT_HANG;
		return;
	}
	if (raw->timed_out) {
		out->result = RESULT_TIMEOUT;
		return;
	}
	if (!raw->returned) {
		out->result = RESULT_SIGNAL;
		return;
	}
	if (raw->ret < 0) {
		out->result = raw->ret == -EFAULT ? RESULT_EFAULT : RESULT_ERRNO;
		out->bypass = in->fault_in_range && !in->racing ? 0 : -1;
		return;
	}
	if (raw->signo)
		out->result = RESULT_SIGNAL;	/* returned, then a fault was signalled */
	else if ((size_t)raw->ret >= raw->want)
		out->result = RESULT_FULL;
	else
		out->result = RESULT_SHORT;
	if (!in->fault_in_range)
		return;
	out->has_delta = true;
	out->delta = (long)exact - raw->ret;
	/* The range the kernel says it touched: a full call touched its reach,
	 * a short one its count. Past what it could do, unreported: a bypass. */
	touched = (size_t)raw->ret >= raw->want ? raw->reach : (size_t)raw->ret;
	if (!in->checked || in->racing)
		return;		/* mode none: no check to bypass; retag: the
				 * granule matched part of the time */
	if (raw->signo)
		out->bypass = 0;
	else
		out->bypass = touched > exact;
}
