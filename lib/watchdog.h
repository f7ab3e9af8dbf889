/* SPDX-License-Identifier: MIT */
/*
 * The case watchdog: a thread in the case's own process that watches the
 * thread making the call and says, before the call returns, whether it is
 * live-locked (burning kernel CPU in a fault-in/retry loop) or hung (asleep
 * without progress). On a verdict it removes the fault (a thread of the
 * process may retag its own memory while the kernel spins), so the call can
 * finish: if it does, the fault was the cause.
 *
 * How it decides is documented once, in man/mteprobe.1 (WATCHDOG), and the
 * rules are a pure function of the samples (watch_judge_*), unit-tested on
 * synthetic samples and on real threads (tests/watchdog.c):
 *  - a sample of the thread (taskstat.h) and, when tracing is on, of the
 *    kernel's retry events (trace.h) as soon as the watchdog finds the call
 *    (within a period of its start), then every WATCH_PERIOD_MS; nothing at
 *    the start itself: reading a thread's files there costs every case a
 *    cold path through the kernel (0.15-0.25 ms under TCG), more than
 *    most calls take;
 *  - early livelock: over the last WATCH_LIVELOCK_MS the thread was on a
 *    CPU, at least WATCH_KERNEL_SHARE of the time in the kernel, hardly any
 *    in user space, and (with tracing) the kernel kept retrying; time spent
 *    waiting for a CPU (busy machine) is not counted in the window. When a
 *    thread that burned kernel CPU all along will have the window covered
 *    before the next sample, one more is taken then (watch_judge_lacks_ns);
 *  - sooner with tracing: the same over only WATCH_RETRY_MS (half a period;
 *    further back until the window holds WATCH_RETRY_EVENTS retries), when
 *    the kernel retried between every two samples of it (on a busy machine
 *    it reaches back over several) (a call making progress does not fault
 *    on, or fault in, the same address again and again);
 *  - at the time limit: still burning kernel CPU is a livelock; asleep
 *    without being woken for the last WATCH_HANG_MS is a hang; anything else
 *    is a call still making progress: a plain timeout, no verdict;
 *  - io_uring hands blocking work to io-wq workers (io_uring/io-wq.c
 *    io_wq_worker, io_wqe_worker before 6.1; threads of the process named
 *    "iou-wrk-<tid of the submitter>" since 5.12, and on Debian's 5.10,
 *    which has 5.15's io_uring): the caller then sleeps in io_uring_enter
 *    while a worker runs the call (io_worker_handle_work). The same rules
 *    are applied to each worker of the caller: a worker that spins is the
 *    livelock (judge.spinner names it), a worker that runs or is woken is
 *    progress, and a caller asleep with its workers asleep is a hang.
 *    (Before 5.12, and in 5.10 stable before 5.10.162, fs/io-wq.c
 *    io_wqe_worker ran in kernel threads, "io_wqe_worker-N/M", of no
 *    process: not watched. Debian's 5.10.223 has the io_uring/ of 5.15.)
 */
#ifndef MTEPROBE_WATCHDOG_H
#define MTEPROBE_WATCHDOG_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "outcome.h"
#include "taskstat.h"

#define WATCH_PERIOD_MS		25
#define WATCH_LIVELOCK_MS	300
#define WATCH_HANG_MS		1000
#define WATCH_KERNEL_SHARE	0.5	/* of the window, on a CPU in the kernel */
#define WATCH_USER_SHARE	0.1	/* at most, in user space */
#define WATCH_LOOP_EVENTS	2	/* retries in the window, when they are counted */
/* The window of the verdict on retries: half a sample period, so that a
 * thread that gets half a CPU or more (the main job runs three lanes on two)
 * is judged at the first sample. A live-locked call retries hundreds of times
 * in it, a call that makes progress does not retry the same address */
#define WATCH_RETRY_MS		12
/* Retries in it, at least (and some in every period). A live-locked call
 * makes 3 to 100 a millisecond of its own time (6.1's gfs2 readv on a busy
 * host, 6.1's gfs2 reads), 124 to thousands in the window (1,841 verdicts on
 * 5.10, 6.1 and 6.12); a call that makes progress while it retries stops by
 * itself after a few dozen: gfs2's direct write on 6.1 faults in and copies
 * on until it reaches the fault, 24 retries (tag-check faults and fault-ins
 * of one address) for 8 KiB with the fault at 2048, in up to 40 ms, which
 * 16 would have judged a livelock on a busy host */
#define WATCH_RETRY_EVENTS	64
/* samples kept: more than the hang window, and than the livelock window of
 * a thread that gets a twentieth of a CPU (6.4 s on a busy machine) */
#define WATCH_RING		256

/* io-wq workers of the caller sampled at once, at most (one per request
 * in flight: a case has one) */
#define WATCH_WORKERS		4

struct watch_worker {
	pid_t tid;
	struct task_sample t;
};

/* One sample of the watched thread, and of its io-wq workers. */
struct watch_sample {
	struct task_sample t;
	unsigned n_workers;
	struct watch_worker workers[WATCH_WORKERS];
	uint64_t loop_events;	/* tag-check faults + fault-ins at one address,
				 * by the thread and its workers */
	uint64_t io_in_flight;	/* disk requests in flight (/proc/diskstats) */
};
/* io_in_flight when /proc/diskstats cannot be read (a security module, a
 * /proc without it): a sleeping call might be waiting on a disk, so it is
 * never judged a hang. */
#define WATCH_IO_UNKNOWN	UINT64_MAX

/* The judge: pure, fed samples in time order. */
struct watch_judge {
	struct watch_sample ring[WATCH_RING];
	unsigned n;		/* samples fed */
	bool events_known;	/* loop_events are counted (tracing on) */
	pid_t spinner;		/* a livelock's thread: 0 the caller, or an io-wq worker's tid */
	char why[200];		/* the evidence behind the last verdict */
};

void watch_judge_init(struct watch_judge *j, bool events_known);
void watch_judge_feed(struct watch_judge *j, const struct watch_sample *s);
/* While the call runs: WATCH_LIVELOCK or WATCH_NONE. */
enum watch_verdict watch_judge_early(struct watch_judge *j);
/* At the time limit: WATCH_LIVELOCK, WATCH_HANG or WATCH_SLOW. */
enum watch_verdict watch_judge_final(struct watch_judge *j);
/* How much more of its own time (ns) a thread that burned kernel CPU over
 * all its samples needs before its early livelock window is covered: when
 * to sample next, rather than a period later. 0: no such thread. */
uint64_t watch_judge_lacks_ns(const struct watch_judge *j);

/* The watchdog thread: opened once, then around one call after another. */
struct watchdog {
	/* zero before watchdog_open; set by the caller before each watchdog_start */
	pid_t pid, tid;		/* the thread making the call */
	unsigned limit_ms;	/* the case's time limit */
	bool late;		/* no early verdict: judge only at the limit */
	/* NULL, or false: not counted; else the kernel's retries since the
	 * call started (0 at its start) */
	bool (*loop_events)(uint64_t *n);
	/* told of a verdict before the fault is removed (the report must get
	 * out even when removing it blocks) */
	void (*on_verdict)(struct watchdog *w);
	void (*remove_fault)(struct watchdog *w);
	void *arg;

	/* results */
	enum watch_verdict verdict;
	unsigned long verdict_us;	/* from the start of the call */
	struct watch_judge judge;	/* judge.why: the evidence */

	/* private */
	bool open;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake, idle;
	bool armed;		/* a call is watched */
	bool busy;		/* the thread samples or delivers a verdict */
	bool quit;
	unsigned calls, taken;	/* calls armed, and the last the thread took */
	_Atomic int phase;
	unsigned long start_us;
	bool debug;		/* MTEPROBE_WATCH_DEBUG: print every sample */
	struct task_files caller;	/* the watched thread's, kept open */
};

/* Once, in the process that forks the cases: makes their watchdogs (and
 * retag races) cheaper to start. */
void watchdog_prepare(void);
/* NULL when the watchdog can judge hangs here; else why not, in why. */
const char *watchdog_no_hangs(char *why, size_t size);

/* Start the thread, idle until watchdog_start; one thread serves every call
 * until watchdog_close (a thread costs milliseconds under TCG). It inherits
 * the calling thread's MTE mode: open it in mode none. 0 or -errno. */
int watchdog_open(struct watchdog *w);
/* Start watching w->tid (opening first when it is not open), right before
 * the call: the thread finds it within a period (no wake-up, no thread
 * switch per call) and samples it at once. 0 or -errno. */
int watchdog_start(struct watchdog *w);

/* After the call returned: stop the watchdog. What the return means. */
enum watch_return {
	WATCH_RETURNED,		/* before any verdict: the watchdog had nothing to say */
	WATCH_RETURNED_ALONE,	/* after a verdict, before the fault was removed */
	WATCH_RECOVERED,	/* after the fault was removed */
};
enum watch_return watchdog_stop(struct watchdog *w);
/* End the thread (after watchdog_stop). */
void watchdog_close(struct watchdog *w);

#endif
