/* SPDX-License-Identifier: MIT */
/* From what the parent saw of a case to its result (case_result_build), on
 * synthetic reports: every way a case ends, in either engine. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "case_worker.h"
#include "check.h"

static struct case_spec spec(enum fault_kind fault)
{
	return (struct case_spec){ .drv = driver_find("read"), .fs = FS_EXT4, .io = IO_BUFFERED,
				   .mode = MTE_MODE_SYNC, .fault = fault, .len = 8192,
				   .fault_at = 4096, .timeout_ms = 10000 };
}

/* The worker's messages for a call that returned ret and was verified. */
static struct case_report done(long ret)
{
	return (struct case_report){
		.stage = MSG_DONE,
		.got = { .stage = MSG_DONE, .ret = ret, .expect = 4096, .want = 8192, .reach = 8192,
			 .elapsed_us = 1234, .chk = { .data_ok = 1, .overshoot = 0 } },
		.waited_us = 99999, .pid = 42,
	};
}

static bool has(const struct case_result *r, const char *text)
{
	return strstr(r->note, text) != NULL;
}

static struct case_report verdict(enum watch_verdict v)
{
	struct case_report rep = { .waited_us = 10500000, .pid = 42 };

	rep.verdict = (struct case_msg){ .stage = MSG_VERDICT, .watch = v, .verdict_us = 412000 };
	snprintf(rep.verdict.note, sizeof(rep.verdict.note), "on a CPU, 99%% in the kernel");
	rep.timed_out = true;
	return rep;
}

int main(void)
{
	struct case_spec s = spec(FAULT_MTE);
	struct case_report rep;
	struct case_result r;

	CHECK(s.drv, "the read driver");

	/* verified: what the call returned, its data, its time */
	rep = done(4096);
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_SHORT && r.out.delta == 0 && r.out.bypass == 0 &&
	      r.has_expect && r.expect == 4096 && r.chk.data_ok == 1 && r.elapsed_us == 1234 &&
	      !r.errname[0] && !r.note[0] && !r.traced, "exact short: %s %s",
	      result_name(r.out.result), r.note);
	rep = done(-EFAULT);
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_EFAULT && !strcmp(r.errname, "EFAULT"), "EFAULT: %s",
	      r.errname);
	rep = done(-4095);
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_ERRNO && !strcmp(r.errname, "E4095"), "unnamed errno: %s",
	      r.errname);

	/* an asynchronous tag-check fault after the call */
	rep = done(8192);
	rep.got.sicode = SEGV_MTEAERR;
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_SIGNAL && r.raw.signo == SIGSEGV && r.sicode == SEGV_MTEAERR &&
	      !strcmp(r.errname, "SIGSEGV") && has(&r, "asynchronous tag-check fault) after the "
						   "call returned 8192"), "async: %s", r.note);

	/* the driver's note first, then the fault kind's */
	s = spec(FAULT_RETAG);
	rep = done(8192);
	snprintf(rep.got.note, sizeof(rep.got.note), "fault in iovec 1 of 4");
	snprintf(rep.got.kind_note, sizeof(rep.got.kind_note), "retag race: 17 flips during the call");
	case_result_build(&s, &rep, &r);
	CHECK(!strcmp(r.note, "fault in iovec 1 of 4; retag race: 17 flips during the call") &&
	      r.out.result == RESULT_FULL && r.out.bypass == -1, "retag: %s, bypass %d", r.note,
	      r.out.bypass);
	s = spec(FAULT_MTE);

	/* skipped by the worker: its note, no trace counts */
	rep = (struct case_report){ .stage = MSG_SKIP, .got = { .stage = MSG_SKIP },
				    .traced = true, .counts = { .n = { 5 } } };
	snprintf(rep.got.note, sizeof(rep.got.note), "prepare: No space left on device");
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_SKIP && !strcmp(r.note, "prepare: No space left on device") &&
	      !r.traced, "skip: %s", r.note);

	/* the worker died: after the call, before it, or without a signal */
	rep = (struct case_report){ .stage = MSG_CALLED, .got = { .stage = MSG_CALLED, .ret = 100 },
				    .status = SIGBUS, .waited_us = 7 };
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_SIGNAL && r.raw.signo == SIGBUS && r.raw.returned &&
	      !strcmp(r.errname, "SIGBUS") && has(&r, "killed by SIGBUS after the call returned 100"),
	      "killed after: %s", r.note);
	rep = (struct case_report){ .status = SIGSEGV, .waited_us = 7 };
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_SIGNAL && !r.raw.returned && r.elapsed_us == 7 &&
	      has(&r, "killed by SIGSEGV before the call returned"), "killed before: %s", r.note);
	rep = (struct case_report){ .status = 3 << 8 };
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_SKIP && has(&r, "internal error: the case exited (status 3)"),
	      "exit 3: %s", r.note);

	/* stuck: the verdict, its fate, the kernel's events */
	rep = verdict(WATCH_LIVELOCK);
	rep.traced = true;
	rep.counts.n[TRACE_TAG_CHECK_FAULT] = 40000;
	rep.counts.n[TRACE_FAULT_IN_WRITEABLE] = 2;
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_LIVELOCK && !r.raw.recovered && r.verdict_us == 412000 &&
	      r.fault_ins == 40002 && r.elapsed_us == 10500000 &&
	      has(&r, "watchdog: livelock after 412 ms (on a CPU, 99% in the kernel)") &&
	      has(&r, "kernel events: ") && has(&r, "not recovered") &&
	      has(&r, "no result within 10000 ms; killed"), "livelock: %s", r.note);
	rep = verdict(WATCH_HANG);
	rep.unkillable = true;
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_HANG && r.unkillable && r.pid == 42 &&
	      has(&r, "SIGKILL did not end it in 2000 ms: pid 42 left running"), "unkillable: %s",
	      r.note);
	rep = verdict(WATCH_SLOW);
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_TIMEOUT && has(&r, "watchdog at the time limit: on a CPU"),
	      "slow: %s", r.note);
	rep = (struct case_report){ .stage = MSG_CALLED, .got = { .stage = MSG_CALLED, .ret = 5 },
				    .timed_out = true };
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_TIMEOUT && has(&r, "the call had returned 5") && !r.unkillable &&
	      !r.pid, "verify late: %s", r.note);

	/* recovered once the fault was gone, or returned before that */
	rep = done(8192);
	rep.verdict = verdict(WATCH_LIVELOCK).verdict;
	rep.got.watch = WATCH_LIVELOCK;
	rep.got.watch_return = WATCH_RECOVERED;
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_LIVELOCK && r.raw.recovered && r.raw.ret == 8192 &&
	      has(&r, "recovered: with the fault removed the call returned 8192"), "recovered: %s",
	      r.note);
	rep.got.watch_return = WATCH_RETURNED_ALONE;
	rep.got.verdict_us = 412000;
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_FULL && !r.raw.recovered &&
	      has(&r, "judged it at 412 ms (on a CPU, 99% in the kernel), but it returned on its own"),
	      "returned alone: %s", r.note);

	/* a stop signal before the result: a skip, not a row */
	rep = verdict(WATCH_LIVELOCK);
	rep.timed_out = false;
	rep.stopped = SIGINT;
	case_result_build(&s, &rep, &r);
	CHECK(r.out.result == RESULT_SKIP && r.stopped == SIGINT &&
	      !strcmp(r.note, "stopped by SIGINT before the case gave its result"), "stopped: %s",
	      r.note);
	return 0;
}
