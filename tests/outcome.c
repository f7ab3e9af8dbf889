/* SPDX-License-Identifier: MIT */
/* Outcome classification on synthetic results: every rule of
 * mteprobe-csv(5) "result", "delta" and "bypass". */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "check.h"
#include "outcome.h"

static struct outcome classify(struct raw_result raw, bool in_range, size_t fault_off, bool checked)
{
	struct outcome_input in = { .raw = raw, .fault_in_range = in_range, .fault_off = fault_off,
				    .checked = checked };
	struct outcome out;

	outcome_classify(&in, &out);
	return out;
}

static struct raw_result returned(long ret, size_t want)
{
	return (struct raw_result){ .returned = true, .ret = ret, .want = want, .reach = want };
}

int main(void)
{
	struct outcome o;

	/* control: no fault, everything */
	o = classify(returned(8192, 8192), false, 8192, true);
	CHECK(o.result == RESULT_FULL && !o.has_delta && o.bypass == -1, "control full");
	/* full over a fault: bypass */
	o = classify(returned(8192, 8192), true, 4096, true);
	CHECK(o.result == RESULT_FULL && o.bypass == 1 && o.has_delta && o.delta == -4096,
	      "full past a fault: bypass, delta %ld", o.delta);
	/* mode none: full, but nothing was checked, so no bypass */
	o = classify(returned(8192, 8192), true, 4096, false);
	CHECK(o.result == RESULT_FULL && o.bypass == -1, "mode none: bypass n/a, got %d", o.bypass);
	/* short, exact */
	o = classify(returned(4096, 8192), true, 4096, true);
	CHECK(o.result == RESULT_SHORT && o.delta == 0 && o.bypass == 0, "exact short");
	/* short, fewer than possible */
	o = classify(returned(4080, 8192), true, 4093, true);
	CHECK(o.result == RESULT_SHORT && o.delta == 13 && o.bypass == 0, "short by 13");
	/* short, past the fault */
	o = classify(returned(4112, 8192), true, 4096, true);
	CHECK(o.result == RESULT_SHORT && o.delta == -16 && o.bypass == 1, "short past the fault");
	/* zero bytes is a short count, not an error */
	o = classify(returned(0, 8192), true, 0, true);
	CHECK(o.result == RESULT_SHORT && o.delta == 0, "zero bytes");
	/* errors */
	o = classify(returned(-EFAULT, 8192), true, 100, true);
	CHECK(o.result == RESULT_EFAULT && !o.has_delta && o.bypass == 0, "EFAULT");
	o = classify(returned(-EINVAL, 8192), false, 8192, true);
	CHECK(o.result == RESULT_ERRNO && o.bypass == -1, "EINVAL without a fault");
	/* a call whose fault-free result is less than len (directory entries) */
	o = classify(returned(8176, 8176), false, 8192, true);
	CHECK(o.result == RESULT_FULL, "want below len");
	/* full ioctl whose results end before the fault: touched range excludes it */
	{
		struct raw_result r = returned(3000, 3000);

		o = classify(r, true, 3500, true);
		CHECK(o.result == RESULT_FULL && o.bypass == 0, "results end before the fault");
		r.reach = 4000;
		o = classify(r, true, 3500, true);
		CHECK(o.result == RESULT_FULL && o.bypass == 1, "reach past the fault");
	}
	/* records (getdents64): a byte-exact kernel returns the records whose
	 * stored bytes lie before the fault, whole: their padding, never
	 * written, may reach past it */
	{
		struct outcome_input in = { .raw = returned(4080, 8176), .fault_in_range = true,
					    .fault_off = 4079, .checked = true, .records = true,
					    .record_end = 4080 };

		outcome_classify(&in, &o);
		CHECK(o.result == RESULT_SHORT && o.delta == 0 && o.bypass == 0,
		      "record padded past the fault: delta %ld, bypass %d", o.delta, o.bypass);
		in.raw = returned(4048, 8176);
		outcome_classify(&in, &o);
		CHECK(o.result == RESULT_SHORT && o.delta == 32 && o.bypass == 0, "one record fewer");
		in.fault_off = 4072;
		in.record_end = 4048;
		in.raw = returned(4080, 8176);
		outcome_classify(&in, &o);
		CHECK(o.result == RESULT_SHORT && o.delta == -32 && o.bypass == 1,
		      "a record whose name crosses the fault: delta %ld, bypass %d", o.delta, o.bypass);
		in.fault_off = 8170;
		in.record_end = 8176;
		in.raw = returned(8176, 8176);
		outcome_classify(&in, &o);
		CHECK(o.result == RESULT_FULL && o.delta == 0 && o.bypass == 0,
		      "fault in the last record's padding: full, delta %ld, bypass %d", o.delta, o.bypass);
		in.raw = returned(-EFAULT, 8176);
		in.record_end = 0;
		outcome_classify(&in, &o);
		CHECK(o.result == RESULT_EFAULT && !o.has_delta && o.bypass == 0, "no whole record: EFAULT");
	}
	/* retag: the granule matched part of the time, so going past it is no
	 * bypass one can tell; how far the call got still shows */
	{
		struct outcome_input in = { .raw = returned(8192, 8192), .fault_in_range = true,
					    .fault_off = 4096, .checked = true, .racing = true };

		outcome_classify(&in, &o);
		CHECK(o.result == RESULT_FULL && o.bypass == -1 && o.has_delta && o.delta == -4096,
		      "retag full: bypass %d", o.bypass);
		in.raw = returned(4090, 8192);
		outcome_classify(&in, &o);
		CHECK(o.result == RESULT_SHORT && o.bypass == -1 && o.delta == 6, "retag short");
		in.raw = returned(-EFAULT, 8192);
		outcome_classify(&in, &o);
		CHECK(o.result == RESULT_EFAULT && o.bypass == -1, "retag EFAULT: bypass %d", o.bypass);
	}
	/* returned, then an async tag-check fault was signalled */
	{
		struct raw_result r = returned(8192, 8192);

		r.signo = SIGSEGV;
		o = classify(r, true, 4096, true);
		CHECK(o.result == RESULT_SIGNAL && o.bypass == 0 && o.delta == -4096,
		      "async fault after the call");
	}
	/* killed before returning */
	o = classify((struct raw_result){ .signo = SIGKILL, .want = 10 }, true, 0, true);
	CHECK(o.result == RESULT_SIGNAL && !o.has_delta && o.bypass == -1, "killed");
	o = classify((struct raw_result){ .timed_out = true }, true, 0, true);
	CHECK(o.result == RESULT_TIMEOUT, "timeout");
	/* the watchdog's verdicts win, recovered or not; a recovered call's
	 * count says nothing about the fault (it was removed) */
	o = classify((struct raw_result){ .timed_out = true, .watch = WATCH_HANG }, true, 0, true);
	CHECK(o.result == RESULT_HANG && o.bypass == -1, "hang");
	o = classify((struct raw_result){ .returned = true, .ret = 8192, .want = 8192, .reach = 8192,
					  .watch = WATCH_LIVELOCK, .recovered = true }, true, 2048, true);
	CHECK(o.result == RESULT_LIVELOCK && !o.has_delta && o.bypass == -1, "recovered livelock");
	o = classify((struct raw_result){ .timed_out = true, .watch = WATCH_SLOW }, true, 0, true);
	CHECK(o.result == RESULT_TIMEOUT, "still making progress at the limit: a timeout");
	o = classify((struct raw_result){ .skipped = true }, true, 0, true);
	CHECK(o.result == RESULT_SKIP && o.bypass == -1, "skip");

	for (int r = 0; r < RESULT_COUNT; r++)
		CHECK(result_parse(result_name(r)) == r, "name of result %d", r);
	return 0;
}
