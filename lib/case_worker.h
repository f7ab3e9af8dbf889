/* SPDX-License-Identifier: MIT */
/*
 * Inside the case runner (case.h): the worker process that runs cases one
 * after another, what it says about each, and how that becomes a result.
 *
 * The parent (case.c) sends a worker a case_request (with the worker's
 * directory and the scratch directory as SCM_RIGHTS fds) over a
 * SOCK_SEQPACKET socket. The worker (case_worker.c) runs it in phases, set
 * up -> call -> verify -> tear down. What it learns it posts on its
 * case_board, memory shared with the parent: CALLED after the call, DONE
 * after verifying (or SKIP instead), so that the parent knows them even if
 * the worker dies or hangs later. Messages on the socket only wake the
 * parent: the watchdog's verdict while the call runs, and IDLE once torn
 * down: ready for the next case, or retiring (it ends; the parent starts
 * another for the next case). The parent gathers what it saw into a
 * case_report; case_result_build (a pure function, tests/case_result.c)
 * turns that into the case_result.
 */
#ifndef MTEPROBE_CASE_WORKER_H
#define MTEPROBE_CASE_WORKER_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "case.h"
#include "watchdog.h"

enum msg_stage {
	MSG_SKIP = 1,	/* board: no outcome, note says why */
	MSG_VERDICT,	/* socket: from the watchdog's thread, while the call runs */
	MSG_CALLED,	/* board: the call returned */
	MSG_DONE,	/* board: verified */
	MSG_IDLE,	/* socket: torn down, the worker takes the next case, or
			 * ends (retiring) */
};

/* Where a worker's time went (microseconds), for case_stats. */
struct case_phase_us {
	unsigned long start, setup, files, call, verify, teardown;	/* setup less files */
};

struct case_msg {
	int stage;
	long ret;
	long expect;
	size_t want, reach;
	unsigned long elapsed_us;
	int sicode;
	struct drv_check chk;
	enum watch_verdict watch;
	enum watch_return watch_return;
	unsigned long verdict_us;
	char note[200];
	char kind_note[64];	/* the fault kind's, after the call (retag: flips) */
	struct case_phase_us us;	/* IDLE: this case's phases */
	bool retiring;		/* IDLE: the worker ends now */
};

/* One per worker, shared with the parent (MAP_SHARED), cleared by the
 * parent before each case. Each slot is written once per case, its stage
 * last (release): a slot whose stage is set is whole. */
struct case_board {
	struct case_msg called;	/* stage MSG_CALLED */
	struct case_msg done;	/* stage MSG_DONE or MSG_SKIP */
};

struct case_request {
	struct case_spec spec;
	char dir[PATH_MAX];	/* the worker's directory, for messages; "" none */
};

static inline unsigned case_limit_ms(const struct case_spec *s)
{
	return s->timeout_ms ? s->timeout_ms : CASE_TIMEOUT_MS_DEFAULT;
}

/* The worker: runs the cases sent on sock until it is closed, or only one
 * with once (the fork-per-case engine), posting on board. parent is the pid
 * that made it. */
void case_worker(int sock, struct case_board *board, pid_t parent, bool once)
	__attribute__((noreturn));

/* In a worker: ignore the stop signals (a terminal's reach the whole process
 * group), SIGPIPE and SIGXFSZ (RLIMIT_FSIZE: a setup write fails with EFBIG). */
void case_stop_ignore(void);

/* What the parent saw of one case. */
struct case_report {
	int stage;		/* the last of SKIP, CALLED, DONE posted (0: none) */
	struct case_msg got;	/* that message */
	struct case_msg verdict;	/* the watchdog's (stage 0: none) */
	bool timed_out;		/* no result by the time limit, or a WATCH_SLOW verdict */
	int stopped;		/* a stop signal ended the wait before the result */
	int status;		/* the worker's wait status, when it ended before its
				 * result (no DONE or SKIP) */
	bool unkillable;	/* killed, it did not end within CASE_KILL_GRACE_MS */
	bool oops;		/* the kernel died while it ran (its log says so) */
	pid_t pid;		/* the worker */
	unsigned long waited_us;	/* from the request to the end of the wait */
	bool traced;
	struct trace_counts counts;	/* the call's kernel events, when traced */
};

#define CASE_KILL_GRACE_MS	2000
/* After a verdict, how long the call gets to return once its fault is gone */
#define CASE_RECOVER_MS		500

/* The result of case s from what was seen: pure. */
void case_result_build(const struct case_spec *s, const struct case_report *rep,
		       struct case_result *r);
/* A result before anything ran: the fault's place, nothing measured. */
void case_result_init(const struct case_spec *s, struct case_result *r);
/* Classify r (r->raw and the fault's place) into r->out. */
void case_result_classify(const struct case_spec *s, struct case_result *r);

#endif
