/* SPDX-License-Identifier: MIT */
/* The watchdog: its rules on synthetic samples (every branch of
 * watch_judge_early/final), then the thread on real threads of this process:
 * one spinning in the kernel is a livelock and recovers when its "fault" is
 * removed, one asleep is a hang, one asleep while its io-wq worker (a thread
 * named as io_uring names them) spins is the worker's livelock, one spinning
 * in user space and one that finishes late get no verdict of stuck. No
 * timing is asserted beyond the verdicts themselves. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "spin.h"
#include "watchdog.h"

/* ---- synthetic samples ---- */

/* The tests give a period's times as they would be in a period of
 * REF_PERIOD_MS ("48 ms in the kernel": 96 % of it); step() scales them to
 * WATCH_PERIOD_MS, so each test says the same whatever the period is. */
#define REF_PERIOD_MS	50

struct fake {
	struct watch_judge j;
	uint64_t t_ms, runs, events, io;
	uint64_t kernel_us, user_us, wait_us;
	unsigned waiting;	/* ms of each reference period spent waiting for a CPU */
	bool has_runs;
	/* an io-wq worker of the thread, from the sample worker_from on
	 * (0: none): each reference period it spends w_kernel_ms on a CPU in
	 * the kernel, is put on one w_runs times and is seen in state w_state */
	unsigned worker_from;
	char w_state;
	unsigned w_kernel_ms, w_runs;
	uint64_t w_kernel_total_us, w_runs_total;
};

#define WORKER_TID	4242
#define WORKER_NAME	"iou-wrk-100"


static void fake_init(struct fake *f, bool events_known)
{
	memset(f, 0, sizeof(*f));
	f->has_runs = true;
	watch_judge_init(&f->j, events_known);
}

/* The thread's sample at t_ms (without its workers). */
static struct watch_sample fake_sample(const struct fake *f, char state)
{
	struct watch_sample s = { 0 };

	s.t = (struct task_sample){ .state = state, .kernel_ns = f->kernel_us * 1000u,
				    .user_ns = f->user_us * 1000u, .at_ns = f->t_ms * 1000000u,
				    .has_runs = f->has_runs, .runs = f->runs,
				    .cpu_ns = f->has_runs ? (f->kernel_us + f->user_us) * 1000u : 0,
				    .wait_ns = f->has_runs ? f->wait_us * 1000u : 0 };
	s.loop_events = f->events;
	s.io_in_flight = f->io;
	return s;
}

/* ms pass: the thread spends kernel_us and user_us of them on a CPU, is put
 * on a CPU runs more times and retries events times. */
static void pass(struct fake *f, unsigned ms, char state, uint64_t kernel_us, uint64_t user_us,
		 unsigned runs, unsigned events)
{
	struct watch_sample s;

	f->t_ms += ms;
	f->kernel_us += kernel_us;
	f->user_us += user_us;
	f->runs += runs;
	f->events += events;
	f->wait_us += (uint64_t)f->waiting * ms * 1000u / REF_PERIOD_MS;
	s = fake_sample(f, state);
	if (f->worker_from && f->j.n + 1 >= f->worker_from) {
		f->w_kernel_total_us += (uint64_t)f->w_kernel_ms * ms * 1000u / REF_PERIOD_MS;
		f->w_runs_total += f->w_runs;
		s.n_workers = 1;
		s.workers[0].tid = WORKER_TID;
		s.workers[0].t = (struct task_sample){ .state = f->w_state, .comm = WORKER_NAME,
						       .kernel_ns = f->w_kernel_total_us * 1000u,
						       .at_ns = f->t_ms * 1000000u, .has_runs = true,
						       .runs = f->w_runs_total,
						       .cpu_ns = f->w_kernel_total_us * 1000u };
	}
	watch_judge_feed(&f->j, &s);
}

/* ms pass (not a period): times as they are */
static void step_by(struct fake *f, unsigned ms, char state, unsigned kernel_ms, unsigned user_ms,
		    unsigned runs, unsigned events)
{
	pass(f, ms, state, kernel_ms * 1000u, user_ms * 1000u, runs, events);
}

/* One period passes: times of a reference period, scaled to it. */
static void step(struct fake *f, char state, unsigned kernel_ms, unsigned user_ms, unsigned runs,
		 unsigned events)
{
	pass(f, WATCH_PERIOD_MS, state, (uint64_t)kernel_ms * WATCH_PERIOD_MS * 1000u / REF_PERIOD_MS,
	     (uint64_t)user_ms * WATCH_PERIOD_MS * 1000u / REF_PERIOD_MS, runs, events);
}

/* The watchdog's first sample, taken as it finds the call right when the
 * call began (t 0): the thread in state, no retries counted yet. */
static void fake_found(struct fake *f, char state)
{
	struct watch_sample s = fake_sample(f, state);

	s.loop_events = 0;
	watch_judge_feed(&f->j, &s);
}

/* From the first sample on, the thread's io-wq worker does this each period. */
static void fake_worker(struct fake *f, char state, unsigned kernel_ms, unsigned runs)
{
	f->worker_from = f->worker_from ? f->worker_from : 1;
	f->w_state = state;
	f->w_kernel_ms = kernel_ms;
	f->w_runs = runs;
}

/* Steps until the early verdict, up to max_ms: the verdict and when. */
static enum watch_verdict run_early(struct fake *f, char state, unsigned kernel_ms, unsigned user_ms,
				    unsigned runs, unsigned events, unsigned max_ms, uint64_t *at)
{
	enum watch_verdict v = WATCH_NONE;

	while (f->t_ms < max_ms && v == WATCH_NONE) {
		step(f, state, kernel_ms, user_ms, runs, events);
		v = watch_judge_early(&f->j);
	}
	*at = f->t_ms;
	return v;
}

static void synthetic(void)
{
	struct fake f;
	uint64_t at;
	enum watch_verdict v;

	/* spinning in the kernel: a livelock once the window is covered */
	fake_init(&f, false);
	v = run_early(&f, 'R', 50, 0, 1, 0, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == WATCH_PERIOD_MS + WATCH_LIVELOCK_MS, "kernel spin: %d at %llu ms", v,
	      (unsigned long long)at);
	CHECK(strstr(f.j.why, "100% in the kernel") && strstr(f.j.why, "not counted"),
	      "why: %s", f.j.why);

	/* with retries counted, CPU alone is no early verdict... */
	fake_init(&f, true);
	v = run_early(&f, 'R', 50, 0, 1, 0, 3000, &at);
	CHECK(v == WATCH_NONE, "kernel spin without retries: no early verdict, got %d", v);
	/* ...but still burning at the time limit is */
	v = watch_judge_final(&f.j);
	CHECK(v == WATCH_LIVELOCK && strstr(f.j.why, "0 kernel retries"), "final: %d %s", v, f.j.why);

	/* retries counted and coming in every period: judged on the retry
	 * window (one period), the second sample */
	fake_init(&f, true);
	v = run_early(&f, 'R', 48, 0, 2, 700, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == 2 * WATCH_PERIOD_MS &&
	      strstr(f.j.why, "700 kernel retries, some in every period"),
	      "kernel spin with retries: %d at %llu: %s", v, (unsigned long long)at, f.j.why);
	/* retries in bursts, a period without any between them, on a busy
	 * machine: the thread waits for a CPU 30 ms of every 50, so the retry
	 * window reaches back over two periods, not retried throughout: the
	 * 300 ms rule, on 300 ms of the thread's own time */
	fake_init(&f, true);
	f.waiting = 30;
	for (v = WATCH_NONE; f.t_ms < 3000 && v == WATCH_NONE; v = watch_judge_early(&f.j))
		step(&f, 'R', 18, 0, 2, f.t_ms / WATCH_PERIOD_MS % 2 ? 700 : 0);
	CHECK(v == WATCH_LIVELOCK && f.t_ms == WATCH_PERIOD_MS + WATCH_LIVELOCK_MS * 50 / 20 &&
	      !strstr(f.j.why, "every period"),
	      "bursts of retries: %d at %llu: %s", v, (unsigned long long)f.t_ms, f.j.why);
	/* a call that retries while it makes progress, as gfs2's direct write
	 * on 6.1 does (24 retries all told in uring-write direct of 8 KiB with
	 * the fault at 2048: it returns short), burning kernel CPU for longer
	 * than the retry window: no verdict on retries */
	fake_init(&f, true);
	fake_found(&f, 'R');
	step(&f, 'R', 48, 0, 2, 24);
	CHECK(watch_judge_early(&f.j) == WATCH_NONE, "24 retries: no livelock: %s", f.j.why);
	step(&f, 'R', 48, 0, 2, 0);
	CHECK(watch_judge_early(&f.j) == WATCH_NONE, "24 retries, then none: no livelock: %s", f.j.why);
	/* a live-lock that retries slowly (20 a period: 6.1's gfs2 readv on a
	 * busy host makes 3 a millisecond): the retry window reaches back
	 * until it holds WATCH_RETRY_EVENTS, retried in every period of it */
	fake_init(&f, true);
	fake_found(&f, 'R');
	v = run_early(&f, 'R', 48, 0, 2, 20, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == (WATCH_RETRY_EVENTS / 20 + 1) * WATCH_PERIOD_MS &&
	      strstr(f.j.why, "some in every period"),
	      "slow retries: %d at %llu: %s", v, (unsigned long long)at, f.j.why);
	/* a retry now and then (fewer than WATCH_RETRY_EVENTS): the 300 ms rule */
	fake_init(&f, true);
	v = run_early(&f, 'R', 48, 0, 2, 1, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == WATCH_PERIOD_MS + WATCH_LIVELOCK_MS,
	      "few retries: %d at %llu: %s", v, (unsigned long long)at, f.j.why);
	/* retries, but the thread sleeps or runs in user space: no livelock */
	fake_init(&f, true);
	v = run_early(&f, 'S', 2, 0, 10, 700, 3000, &at);
	CHECK(v == WATCH_NONE, "retries while asleep: %d %s", v, f.j.why);
	fake_init(&f, true);
	v = run_early(&f, 'R', 10, 38, 2, 700, 3000, &at);
	CHECK(v == WATCH_NONE, "retries in a user-space loop: %d %s", v, f.j.why);
	/* a period without retries delays the verdict on retries until a
	 * window without it, the next period's */
	fake_init(&f, true);
	step(&f, 'R', 48, 0, 2, 700);
	step(&f, 'R', 48, 0, 2, 0);
	v = run_early(&f, 'R', 48, 0, 2, 700, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == 3 * WATCH_PERIOD_MS, "a period without retries: %d at %llu: %s",
	      v, (unsigned long long)at, f.j.why);

	/* a call that copies a lot: kernel CPU, under half of it */
	fake_init(&f, false);
	v = run_early(&f, 'R', 20, 0, 1, 0, 3000, &at);
	CHECK(v == WATCH_NONE, "40%% kernel is no livelock: %d", v);

	/* a busy machine: the thread waits for a CPU 35 ms of every 50. In
	 * the kernel whenever it runs, it is live-locked, judged on 300 ms of
	 * its own time (later than on an idle machine, on the same evidence) */
	fake_init(&f, false);
	f.waiting = 35;
	v = run_early(&f, 'R', 15, 0, 3, 0, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == WATCH_PERIOD_MS + WATCH_LIVELOCK_MS * 50 / 15,
	      "kernel spin waiting for a CPU: %d at %llu ms", v, (unsigned long long)at);
	CHECK(strstr(f.j.why, "100% in the kernel, for 300 ms (and 700 ms waiting for a CPU)"),
	      "why: %s", f.j.why);
	/* the same wait, the thread's own time in user space or split */
	fake_init(&f, false);
	f.waiting = 35;
	v = run_early(&f, 'R', 0, 15, 3, 0, 3000, &at);
	CHECK(v == WATCH_NONE && watch_judge_final(&f.j) == WATCH_SLOW,
	      "user spin waiting for a CPU: no livelock: %d %s", v, f.j.why);
	fake_init(&f, false);
	f.waiting = 35;
	v = run_early(&f, 'R', 6, 9, 3, 0, 3000, &at);
	CHECK(v == WATCH_NONE, "40%% kernel waiting for a CPU is no livelock: %d %s", v, f.j.why);
	/* without schedstat the wait is not known: wall time, as before */
	fake_init(&f, false);
	f.waiting = 35;
	f.has_runs = false;
	v = run_early(&f, 'R', 15, 0, 0, 0, 3000, &at);
	CHECK(v == WATCH_NONE, "no schedstat: 30%% of wall time in the kernel: %d", v);

	/* a thread caught switched out now and then still spins (over more
	 * periods than its window, 300 ms at 90 % of each) */
	fake_init(&f, false);
	for (int i = 0; i < WATCH_LIVELOCK_MS * 3 / 2 / WATCH_PERIOD_MS + 2; i++)
		step(&f, i % 3 == 2 ? 'S' : 'R', 45, 0, 3, 0);
	CHECK(watch_judge_early(&f.j) == WATCH_LIVELOCK, "2 of 3 samples running: %s", f.j.why);
	fake_init(&f, false);
	for (int i = 0; i < WATCH_LIVELOCK_MS * 3 / 2 / WATCH_PERIOD_MS + 2; i++)
		step(&f, i % 2 ? 'S' : 'R', 45, 0, 3, 0);
	CHECK(watch_judge_early(&f.j) == WATCH_NONE, "half the samples asleep: no livelock");

	/* spinning in user space: never stuck in the kernel */
	fake_init(&f, false);
	v = run_early(&f, 'R', 1, 49, 1, 0, 3000, &at);
	CHECK(v == WATCH_NONE, "user spin: no early verdict");
	v = watch_judge_final(&f.j);
	CHECK(v == WATCH_SLOW && strstr(f.j.why, "still running"), "user spin final: %d %s", v, f.j.why);

	/* asleep, never woken: a hang at the limit, never early */
	fake_init(&f, false);
	v = run_early(&f, 'D', 0, 0, 0, 0, 3000, &at);
	CHECK(v == WATCH_NONE, "a sleeper has no early verdict");
	v = watch_judge_final(&f.j);
	CHECK(v == WATCH_HANG && strstr(f.j.why, "state D"), "sleeper final: %d %s", v, f.j.why);

	/* asleep but woken (I/O completing): progress, no hang */
	fake_init(&f, false);
	run_early(&f, 'S', 0, 0, 0, 0, 2000, &at);
	step(&f, 'S', 0, 0, 1, 0);
	v = watch_judge_final(&f.j);
	CHECK(v == WATCH_SLOW && strstr(f.j.why, "woken"), "woken sleeper: %d %s", v, f.j.why);

	/* asleep, never woken, while disk requests are in flight throughout:
	 * slow I/O; in flight only now and then (a journal commit): a hang */
	fake_init(&f, false);
	f.io = 3;
	run_early(&f, 'D', 0, 0, 0, 0, 2000, &at);
	v = watch_judge_final(&f.j);
	CHECK(v == WATCH_SLOW && strstr(f.j.why, "slow I/O"), "slow disk: %d %s", v, f.j.why);
	f.io = 0;
	step(&f, 'D', 0, 0, 0, 0);
	f.io = 3;
	step(&f, 'D', 0, 0, 0, 0);
	CHECK(watch_judge_final(&f.j) == WATCH_HANG, "a disk idle once in the window: hang, %s",
	      f.j.why);

	/* the disks cannot be watched (/proc/diskstats unreadable): no hang */
	fake_init(&f, false);
	f.io = WATCH_IO_UNKNOWN;
	run_early(&f, 'D', 0, 0, 0, 0, 2000, &at);
	v = watch_judge_final(&f.j);
	CHECK(v == WATCH_SLOW && strstr(f.j.why, "diskstats"), "disks unknown: %d %s", v, f.j.why);

	/* without schedstat, CPU time tells a woken sleeper */
	fake_init(&f, false);
	f.has_runs = false;
	run_early(&f, 'S', 0, 0, 0, 0, 2000, &at);
	CHECK(watch_judge_final(&f.j) == WATCH_HANG, "no schedstat, no CPU: hang");
	step(&f, 'S', 10, 0, 0, 0);
	CHECK(watch_judge_final(&f.j) == WATCH_SLOW, "no schedstat, CPU charged: progress");

	/* slept, then spun: the last window decides */
	fake_init(&f, false);
	run_early(&f, 'S', 0, 0, 0, 0, 1000, &at);
	v = run_early(&f, 'R', 50, 0, 1, 0, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at > 1000 && at <= 1000 + WATCH_LIVELOCK_MS, "sleep then spin: %d at %llu", v,
	      (unsigned long long)at);

	/* one sample: nothing to judge */
	fake_init(&f, false);
	step(&f, 'R', 50, 0, 1, 0);
	CHECK(watch_judge_early(&f.j) == WATCH_NONE && watch_judge_final(&f.j) == WATCH_SLOW,
	      "one sample");

	/* more samples than the ring keeps */
	fake_init(&f, false);
	run_early(&f, 'S', 0, 0, 0, 0, WATCH_RING * 3 * WATCH_PERIOD_MS, &at);
	CHECK(watch_judge_final(&f.j) == WATCH_HANG, "a long sleep: hang, %s", f.j.why);
}

/* The windows from the call's start: the watchdog's first sample when it
 * finds the call as it begins (fake_found), then samples every period and,
 * when a window is covered between two of them, one at that time
 * (watch_judge_lacks_ns). */
static void from_start(void)
{
	const uint64_t ms = 1000000u;
	struct fake f;
	uint64_t at;
	char want[64];
	enum watch_verdict v;

	/* spinning in the kernel: a livelock once 300 ms of it are seen,
	 * counted from the first sample, at the start */
	fake_init(&f, false);
	fake_found(&f, 'R');
	v = run_early(&f, 'R', 50, 0, 1, 0, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == WATCH_LIVELOCK_MS && strstr(f.j.why, "for 300 ms"),
	      "kernel spin from the start: %d at %llu ms: %s", v, (unsigned long long)at, f.j.why);

	/* the boundary: 299 ms of it are not a livelock, and lack 1 ms;
	 * 300 ms are, and lack nothing more */
	fake_init(&f, false);
	fake_found(&f, 'R');
	CHECK(watch_judge_lacks_ns(&f.j) == 0, "the start alone: nothing to wait for");
	step(&f, 'R', 50, 0, 1, 0);
	CHECK(watch_judge_lacks_ns(&f.j) == (WATCH_LIVELOCK_MS - WATCH_PERIOD_MS) * ms,
	      "after one period: lacks %llu ns",
	      (unsigned long long)watch_judge_lacks_ns(&f.j));
	v = run_early(&f, 'R', 50, 0, 1, 0, WATCH_LIVELOCK_MS - WATCH_PERIOD_MS, &at);
	step_by(&f, WATCH_PERIOD_MS - 1, 'R', WATCH_PERIOD_MS - 1, 0, 1, 0);
	v = watch_judge_early(&f.j);
	CHECK(v == WATCH_NONE && watch_judge_lacks_ns(&f.j) == 1 * ms,
	      "299 ms in the kernel: %d, lacks %llu ns", v, (unsigned long long)watch_judge_lacks_ns(&f.j));
	step_by(&f, 1, 'R', 1, 0, 0, 0);
	v = watch_judge_early(&f.j);
	CHECK(v == WATCH_LIVELOCK && watch_judge_lacks_ns(&f.j) == 0, "300 ms in the kernel: %d %s", v, f.j.why);

	/* waiting for a CPU 35 ms of every 50 (70 %): the window still needs
	 * 300 ms of the thread's own time, whatever the start gives */
	fake_init(&f, false);
	f.waiting = 35;
	fake_found(&f, 'R');
	step(&f, 'R', 15, 0, 3, 0);
	CHECK(watch_judge_lacks_ns(&f.j) == WATCH_LIVELOCK_MS * ms - 15 * WATCH_PERIOD_MS * ms / REF_PERIOD_MS,
	      "waiting: lacks %llu ns",
	      (unsigned long long)watch_judge_lacks_ns(&f.j));
	v = run_early(&f, 'R', 15, 0, 3, 0, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == WATCH_LIVELOCK_MS * 50 / 15 && strstr(f.j.why, "for 300 ms"),
	      "kernel spin from the start, waiting for a CPU: %d at %llu ms: %s", v, (unsigned long long)at,
	      f.j.why);

	/* nothing to wait for when the thread does not burn kernel CPU: a
	 * copy that makes progress (40%), a user-space spin, a sleep */
	fake_init(&f, false);
	fake_found(&f, 'R');
	v = run_early(&f, 'R', 20, 0, 1, 0, 3000, &at);
	CHECK(v == WATCH_NONE && watch_judge_lacks_ns(&f.j) == 0, "40%% kernel from the start: %d", v);
	fake_init(&f, false);
	fake_found(&f, 'R');
	step(&f, 'R', 1, 49, 1, 0);
	CHECK(watch_judge_lacks_ns(&f.j) == 0, "user spin: nothing to wait for");
	fake_init(&f, false);
	fake_found(&f, 'R');
	step(&f, 'D', 0, 0, 0, 0);
	CHECK(watch_judge_lacks_ns(&f.j) == 0, "sleep: nothing to wait for");

	/* retries from the start: judged on the retry window at the next
	 * sample, a period after the first */
	fake_init(&f, true);
	fake_found(&f, 'R');
	v = run_early(&f, 'R', 48, 0, 2, 700, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == WATCH_PERIOD_MS && strstr(f.j.why, "some in every period"),
	      "retries from the start: %d at %llu: %s", v, (unsigned long long)at, f.j.why);
	/* the same with more lanes than CPUs: the thread waits for a CPU a
	 * third of the period (17 ms of 50), and its own time still covers
	 * the retry window */
	fake_init(&f, true);
	fake_found(&f, 'R');
	f.waiting = 17;
	v = run_early(&f, 'R', 31, 0, 2, 700, 3000, &at);
	snprintf(want, sizeof(want), "(and %u ms waiting for a CPU)",
		 WATCH_PERIOD_MS - (WATCH_PERIOD_MS * (REF_PERIOD_MS - 17)) / REF_PERIOD_MS);
	CHECK(v == WATCH_LIVELOCK && at == WATCH_PERIOD_MS && strstr(f.j.why, want),
	      "retries from the start, waiting for a CPU: %d at %llu: %s (want %s)", v,
	      (unsigned long long)at, f.j.why, want);

	/* asleep from the start, never woken: a hang at a one-second limit,
	 * on the whole second */
	fake_init(&f, false);
	fake_found(&f, 'S');
	v = run_early(&f, 'S', 0, 0, 0, 0, WATCH_HANG_MS, &at);
	CHECK(v == WATCH_NONE, "a sleeper from the start has no early verdict");
	v = watch_judge_final(&f.j);
	snprintf(want, sizeof(want), "for %u ms", WATCH_HANG_MS);
	CHECK(v == WATCH_HANG && strstr(f.j.why, want), "sleeper from the start at 1 s: %d %s (want %s)", v,
	      f.j.why, want);
	/* the first sample alone: too few to judge */
	fake_init(&f, false);
	fake_found(&f, 'S');
	CHECK(watch_judge_final(&f.j) == WATCH_SLOW && strstr(f.j.why, "too few"), "one sample: %s",
	      f.j.why);
	/* found running, then asleep: the sample of it running is in the
	 * window, so still no hang at the limit */
	fake_init(&f, false);
	fake_found(&f, 'R');
	v = run_early(&f, 'S', 0, 0, 0, 0, WATCH_HANG_MS, &at);
	CHECK(v == WATCH_NONE && watch_judge_final(&f.j) == WATCH_SLOW && strstr(f.j.why, "still running"),
	      "found running, then asleep: %s", f.j.why);

	/* an io-wq worker from the first sample after the start: its window
	 * starts with it */
	fake_init(&f, false);
	fake_found(&f, 'R');
	fake_worker(&f, 'R', 50, 1);
	v = run_early(&f, 'S', 0, 0, 0, 0, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == WATCH_PERIOD_MS + WATCH_LIVELOCK_MS && f.j.spinner == WORKER_TID,
	      "worker from the start: %d at %llu: %s", v, (unsigned long long)at, f.j.why);
}

/* io_uring: the caller asleep in io_uring_enter while an io-wq worker runs
 * the call (io_uring/io-wq.c io_wq_worker -> io_worker_handle_work; on 5.10
 * io_wqe_worker). The worker's spin is the livelock, its sleep a hang. */
static void io_wq_workers(void)
{
	struct fake f;
	uint64_t at;
	enum watch_verdict v;

	/* the worker retries all the time: judged on the retry window, as
	 * the caller itself would be, and named */
	fake_init(&f, true);
	fake_worker(&f, 'R', 48, 2);
	v = run_early(&f, 'S', 0, 0, 0, 700, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == 2 * WATCH_PERIOD_MS && f.j.spinner == WORKER_TID &&
	      strstr(f.j.why, "io-wq worker " WORKER_NAME " (tid 4242) spins, the submitter asleep: "
		     "on a CPU, 96% in the kernel") && strstr(f.j.why, "some in every period"),
	      "spinning worker: %d at %llu, spinner %d: %s", v, (unsigned long long)at,
	      (int)f.j.spinner, f.j.why);
	/* without its worker the same caller is only asleep: a hang at the
	 * limit, which is what mteprobe said before it watched the workers */
	fake_init(&f, true);
	v = run_early(&f, 'S', 0, 0, 0, 700, 3000, &at);
	CHECK(v == WATCH_NONE && watch_judge_final(&f.j) == WATCH_HANG && f.j.spinner == 0,
	      "the caller alone: %d %s", v, f.j.why);

	/* retries not counted: the 300 ms rule on the worker's time */
	fake_init(&f, false);
	fake_worker(&f, 'R', 50, 1);
	v = run_early(&f, 'S', 0, 0, 0, 0, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == WATCH_PERIOD_MS + WATCH_LIVELOCK_MS &&
	      f.j.spinner == WORKER_TID && strstr(f.j.why, "retries not counted"),
	      "spinning worker, untraced: %d at %llu: %s", v, (unsigned long long)at, f.j.why);

	/* the worker started later (io-wq makes one when the work is
	 * queued): its window starts with it */
	fake_init(&f, false);
	f.worker_from = 5;
	fake_worker(&f, 'R', 50, 1);
	v = run_early(&f, 'S', 0, 0, 0, 0, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == 5 * WATCH_PERIOD_MS + WATCH_LIVELOCK_MS,
	      "a worker seen from the fifth sample: %d at %llu: %s", v, (unsigned long long)at, f.j.why);

	/* retries counted, none seen: CPU alone is no early verdict, still
	 * burning at the time limit is */
	fake_init(&f, true);
	fake_worker(&f, 'R', 50, 1);
	v = run_early(&f, 'S', 0, 0, 0, 0, 3000, &at);
	CHECK(v == WATCH_NONE, "worker spin without retries: no early verdict, got %d", v);
	v = watch_judge_final(&f.j);
	CHECK(v == WATCH_LIVELOCK && f.j.spinner == WORKER_TID && strstr(f.j.why, "io-wq worker"),
	      "worker spin at the limit: %d %s", v, f.j.why);

	/* the caller spins itself: its own verdict comes first */
	fake_init(&f, true);
	fake_worker(&f, 'R', 48, 2);
	v = run_early(&f, 'R', 48, 0, 2, 700, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && f.j.spinner == 0 && !strstr(f.j.why, "io-wq"),
	      "caller and worker spin: %d %s", v, f.j.why);
	/* ...and a caller in state R while its worker spins is named so */
	fake_init(&f, false);
	fake_worker(&f, 'R', 50, 1);
	v = run_early(&f, 'R', 5, 5, 1, 0, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && strstr(f.j.why, "the submitter in state R"), "%d %s", v, f.j.why);

	/* a worker copying a lot (40% in the kernel): no livelock, and no
	 * hang either: it runs, the call goes on */
	fake_init(&f, false);
	fake_worker(&f, 'R', 20, 1);
	v = run_early(&f, 'S', 0, 0, 0, 0, 3000, &at);
	CHECK(v == WATCH_NONE, "worker at 40%%: no early verdict");
	v = watch_judge_final(&f.j);
	CHECK(v == WATCH_SLOW && strstr(f.j.why, "io-wq worker " WORKER_NAME " (tid 4242) ran or was woken"),
	      "worker at 40%%, final: %d %s", v, f.j.why);

	/* caller and worker asleep, neither woken: a hang, and it says so */
	fake_init(&f, true);
	fake_worker(&f, 'D', 0, 0);
	v = run_early(&f, 'S', 0, 0, 0, 0, 3000, &at);
	CHECK(v == WATCH_NONE, "both asleep: no early verdict");
	v = watch_judge_final(&f.j);
	CHECK(v == WATCH_HANG && f.j.spinner == 0 && strstr(f.j.why, "and so were its io-wq workers"),
	      "both asleep: %d %s", v, f.j.why);
	/* the worker asleep but woken (waiting on a disk, or a lock passed
	 * around): progress, not a hang */
	fake_init(&f, true);
	fake_worker(&f, 'D', 0, 0);
	run_early(&f, 'S', 0, 0, 0, 0, 2000, &at);
	f.w_runs = 1;
	step(&f, 'S', 0, 0, 0, 0);
	v = watch_judge_final(&f.j);
	CHECK(v == WATCH_SLOW && strstr(f.j.why, "ran or was woken"), "worker woken: %d %s", v, f.j.why);
	/* a worker that appeared during the hang window (at 1.5 s of 2):
	 * progress */
	fake_init(&f, true);
	f.worker_from = 1500 / WATCH_PERIOD_MS;
	fake_worker(&f, 'S', 0, 0);
	run_early(&f, 'S', 0, 0, 0, 0, 2000, &at);
	v = watch_judge_final(&f.j);
	CHECK(v == WATCH_SLOW && strstr(f.j.why, "ran or was woken"), "new worker: %d %s", v, f.j.why);
}

/* ---- recorded samples ----
 * Sequences recorded in the MTE VM (QEMU TCG on a 2-core host, others'
 * builds and tests running) with MTEPROBE_WATCH_DEBUG=1, one line per sample:
 * at_ms state kernel_ms user_ms runs cpu_ms wait_ms retries io. A new
 * recording is pasted from the "watchdog sample:" lines as they are. */

/* 5.10 btrfs-tree-search: search_ioctl retries copy_to_sk, which faults on
 * the granule (do_tag_check_fault; 5.10's fault-ins are inline) */
static const char tree_510_idle[] =
	"59 R 300 10 3 324 0 1440 0\n"
	"103 R 350 10 3 368 0 2796 0\n"
	"152 R 400 10 3 420 0 3965 0\n"
	"203 R 450 10 3 468 0 5455 0\n"
	"252 R 500 10 3 520 0 6901 0\n"
	"303 R 550 10 3 572 0 8380 0\n"
	"352 R 600 10 3 620 0 9797 0\n"
	"403 R 650 10 3 668 0 11280 0\n";
/* the same, the host busy: the watchdog woke late, then caught up */
static const char tree_510_busy[] =
	"300 R 1070 30 8 1146 38 329 0\n"
	"352 R 1120 30 8 1194 38 592 0\n"
	"357 R 1150 30 8 1194 38 671 0\n"
	"440 R 1230 30 8 1282 38 877 0\n"
	"461 R 1250 30 8 1297 38 1268 0\n"
	"505 R 1300 30 8 1344 38 1346 0\n"
	"550 R 1350 30 8 1398 38 1492 0\n"
	"627 R 1430 30 8 1473 38 1795 0\n";
static const char tree_510_late[] =
	"541 R 440 20 6 466 4 2636 0\n"
	"885 R 1050 40 6 1104 4 6551 0\n";
/* 6.1 gfs2 pread: gfs2_file_read_iter faults in (fault_in_safe_writeable)
 * and copies again, forever */
static const char gfs2_61_idle[] =
	"59 R 70 0 3 71 0 4012 0\n"
	"102 R 110 0 4 112 1 6827 0\n"
	"153 R 160 0 4 160 1 11061 0\n"
	"206 R 200 0 5 204 12 13342 0\n"
	"254 R 240 0 8 247 13 16009 0\n"
	"303 R 290 0 10 299 14 19207 0\n"
	"355 R 340 0 10 353 14 21285 0\n"
	"402 R 390 0 10 399 14 23994 0\n";
static const char gfs2_61_idle2[] =
	"67 R 80 0 7 80 6 2538 0\n"
	"102 R 110 0 9 115 7 4645 0\n"
	"152 R 160 0 9 167 7 6827 0\n"
	"203 R 210 0 9 215 7 8600 0\n"
	"251 R 260 0 9 267 7 10043 0\n"
	"324 R 330 0 9 339 7 11360 0\n"
	"355 R 360 0 9 367 7 13556 0\n"
	"402 R 410 0 10 414 7 15232 0\n";
static const char gfs2_61_busy[] =
	"255 R 290 0 10 307 7 4678 0\n"
	"270 R 310 0 10 323 7 7407 0\n"
	"288 R 330 0 10 343 7 7634 0\n"
	"298 R 340 0 11 351 8 7916 0\n"
	"310 R 350 0 12 362 8 8428 0\n"
	"317 R 360 0 12 370 8 8428 0\n"
	"352 R 400 0 12 407 8 11419 0\n"
	"458 R 400 0 12 407 8 16772 0\n"
	"470 R 400 0 12 407 8 16772 0\n"
	"503 R 550 0 12 559 8 18763 0\n"
	"561 R 600 0 12 607 8 21661 0\n";
/* the same without tracing (--no-trace): retries not counted */
static const char gfs2_61_untraced[] =
	"65 R 70 0 3 71 1 0 0\n"
	"106 R 110 0 4 110 2 0 0\n"
	"154 R 150 0 4 158 2 0 0\n"
	"203 R 200 0 5 209 2 0 0\n"
	"254 R 250 0 5 257 2 0 0\n"
	"303 R 300 0 6 309 3 0 0\n"
	"354 R 330 0 6 333 3 0 0\n"
	"403 R 330 0 6 333 3 0 0\n";
/* 6.1 ext4: a 1 MiB O_DIRECT write on a disk throttled to 512 KiB/s
 * (mte-vm --slow-disk), without and with an MTE fault: asleep for 2 s while
 * the disk works, and full */
static const char slow_disk_none[] =
	"61 D 20 30 6 60 1 0 29\n"
	"103 D 20 30 6 60 1 0 28\n"
	"153 D 20 30 6 60 1 0 28\n"
	"203 D 20 30 6 60 1 0 27\n"
	"253 D 20 30 6 60 1 0 26\n"
	"303 D 20 30 6 60 1 0 25\n"
	"354 D 20 30 6 60 1 0 24\n"
	"403 D 20 30 6 60 1 0 24\n"
	"548 D 20 30 6 60 1 0 23\n"
	"575 D 20 30 6 60 1 0 21\n"
	"577 D 20 30 6 60 1 0 21\n"
	"603 D 20 30 6 60 1 0 20\n"
	"653 D 20 30 6 60 1 0 20\n"
	"703 D 20 30 6 60 1 0 19\n"
	"752 D 20 30 6 60 1 0 18\n"
	"803 D 20 30 6 60 1 0 17\n"
	"852 D 20 30 6 60 1 0 16\n"
	"903 D 20 30 6 60 1 0 16\n"
	"952 D 20 30 6 60 1 0 15\n"
	"1003 D 20 30 6 60 1 0 14\n"
	"1056 D 20 30 6 60 1 0 13\n"
	"1103 D 20 30 6 60 1 0 12\n"
	"1152 D 20 30 6 60 1 0 12\n"
	"1203 D 20 30 6 60 1 0 11\n"
	"1252 D 20 30 6 60 1 0 10\n"
	"1303 D 20 30 6 60 1 0 9\n"
	"1352 D 20 30 6 60 1 0 8\n"
	"1404 D 20 30 6 60 1 0 8\n"
	"1453 D 20 30 6 60 1 0 7\n"
	"1504 D 20 30 6 60 1 0 6\n"
	"1556 D 20 30 6 60 1 0 5\n"
	"1603 D 20 30 6 60 1 0 4\n"
	"1652 D 20 30 6 60 1 0 4\n"
	"1704 D 20 30 6 60 1 0 3\n"
	"1752 D 20 30 6 60 1 0 2\n"
	"1804 D 20 30 6 60 1 0 1\n";
static const char slow_disk_mte[] =
	"105 R 100 150 7 250 7 0 0\n"
	"125 R 110 150 7 263 7 0 0\n"
	"222 D 170 170 7 348 7 0 32\n"
	"234 D 170 170 7 348 7 0 30\n"
	"256 D 170 170 7 348 7 0 29\n"
	"305 D 170 170 7 348 7 0 28\n"
	"367 D 170 170 7 348 7 0 28\n"
	"404 D 170 170 7 348 7 0 27\n"
	"454 D 170 170 7 348 7 0 26\n"
	"504 D 170 170 7 348 7 0 25\n"
	"554 D 170 170 7 348 7 0 24\n"
	"605 D 170 170 7 348 7 0 24\n"
	"654 D 170 170 7 348 7 0 23\n"
	"705 D 170 170 7 348 7 0 22\n"
	"754 D 170 170 7 348 7 0 21\n"
	"804 D 170 170 7 348 7 0 21\n"
	"853 D 170 170 7 348 7 0 20\n"
	"904 D 170 170 7 348 7 0 19\n"
	"957 D 170 170 7 348 7 0 18\n"
	"1004 D 170 170 7 348 7 0 17\n"
	"1057 D 170 170 7 348 7 0 16\n"
	"1105 D 170 170 7 348 7 0 16\n"
	"1153 D 170 170 7 348 7 0 15\n"
	"1205 D 170 170 7 348 7 0 14\n"
	"1254 D 170 170 7 348 7 0 13\n"
	"1305 D 170 170 7 348 7 0 12\n"
	"1353 D 170 170 7 348 7 0 12\n"
	"1405 D 170 170 7 348 7 0 11\n"
	"1454 D 170 170 7 348 7 0 10\n"
	"1505 D 170 170 7 348 7 0 9\n"
	"1554 D 170 170 7 348 7 0 8\n"
	"1605 D 170 170 7 348 7 0 8\n"
	"1655 D 170 170 7 348 7 0 7\n"
	"1705 D 170 170 7 348 7 0 6\n"
	"1758 D 170 170 7 348 7 0 5\n"
	"1805 D 170 170 7 348 7 0 4\n"
	"1857 D 170 170 7 348 7 0 4\n"
	"1905 D 170 170 7 348 7 0 3\n"
	"1954 D 170 170 7 348 7 0 2\n"
	"2004 D 170 170 7 348 7 0 1\n";

/* Recorded with the caller's own sample at the start of the call (the line
 * "s ...", its disks not read: io -1, WATCH_IO_UNKNOWN), which builds before
 * 2026-12 took: the first sample of a watchdog that finds the call at once. 6.1 gfs2
 * pread without tracing: the window from the start lacked 3 ms at the
 * sample of 303 ms (5 ms were spent waiting for a CPU), so one more came
 * at 309 ms, not at 353 */
static const char gfs2_61_untraced_start[] =
	"s 3 R 0 0 5 8 2 0 -1\n"
	"57 R 50 0 11 63 3 0 0\n"
	"103 R 100 0 13 110 3 0 0\n"
	"153 R 150 0 16 157 4 0 0\n"
	"203 R 200 0 21 204 5 0 0\n"
	"253 R 250 0 30 254 6 0 0\n"
	"303 R 300 0 34 305 7 0 0\n"
	"309 R 300 0 35 310 7 0 0\n";
/* the same with tracing: retries in both periods from the start */
static const char gfs2_61_start[] =
	"s 1 R 0 0 5 5 0 0 -1\n"
	"56 R 50 0 12 59 1 2326 0\n"
	"102 R 90 0 12 107 1 4660 0\n";
/* the slow disk's 1 MiB O_DIRECT write with an MTE fault, from the start:
 * 90 ms of kernel CPU (the copy, on TCG), then asleep while the disk works */
static const char slow_disk_mte_start[] =
	"s 35 R 80 20 4 105 7 0 -1\n"
	"65 R 100 30 4 138 7 0 0\n"
	"103 R 130 30 5 174 14 0 0\n"
	"153 D 170 30 5 208 14 0 30\n"
	"208 D 170 30 5 208 14 0 29\n"
	"260 D 170 30 5 208 14 0 28\n"
	"308 D 170 30 5 208 14 0 27\n"
	"405 D 170 30 5 208 14 0 26\n"
	"457 D 170 30 5 208 14 0 25\n"
	"509 D 170 30 5 208 14 0 24\n"
	"557 D 170 30 5 208 14 0 23\n"
	"608 D 170 30 5 208 14 0 22\n"
	"671 D 170 30 5 208 14 0 21\n"
	"718 D 170 30 5 208 14 0 21\n"
	"759 D 170 30 5 208 14 0 20\n"
	"809 D 170 30 5 208 14 0 19\n"
	"858 D 170 30 5 208 14 0 18\n"
	"909 D 170 30 5 208 14 0 17\n"
	"961 D 170 30 5 208 14 0 17\n"
	"1008 D 170 30 5 208 14 0 16\n"
	"1060 D 170 30 5 208 14 0 15\n"
	"1109 D 170 30 5 208 14 0 14\n"
	"1159 D 170 30 5 208 14 0 13\n"
	"1208 D 170 30 5 208 14 0 13\n"
	"1258 D 170 30 5 208 14 0 12\n"
	"1308 D 170 30 5 208 14 0 11\n"
	"1379 D 170 30 5 208 14 0 10\n"
	"1410 D 170 30 5 208 14 0 10\n"
	"1461 D 170 30 5 208 14 0 9\n"
	"1515 D 170 30 5 208 14 0 8\n"
	"1563 D 170 30 5 208 14 0 7\n"
	"1609 D 170 30 5 208 14 0 6\n"
	"1657 D 170 30 5 208 14 0 6\n"
	"1715 D 170 30 5 208 14 0 5\n"
	"1764 D 170 30 5 208 14 0 4\n"
	"1809 D 170 30 5 208 14 0 3\n"
	"1857 D 170 30 5 208 14 0 2\n"
	"1923 D 170 30 5 208 14 0 2\n"
	"1957 D 170 30 5 208 14 0 1\n";

/* 5.10 (Debian's, with 5.15's io_uring) xfs uring-write, a granule at 2048:
 * io_uring_enter hands the write to an io-wq worker (io_wqe_worker ->
 * io_worker_handle_work -> io_write), whose iomap_write_actor retries a
 * zero-length copy forever while the submitter sleeps; "w" lines are the
 * worker's, after its caller's: tid state kernel_ms user_ms runs cpu_ms
 * wait_ms. Before the workers were watched this was a hang at the limit. */
static const char uring_write_510[] =
	"53 S 0 0 3 8 0 897 0\n"
	"w 396 R 40 0 1 47 0\n"
	"103 S 0 0 3 8 0 1977 0\n"
	"w 396 R 90 0 1 99 0\n"
	"152 S 0 0 3 8 0 2993 0\n"
	"w 396 R 140 0 3 148 3\n";

/* Feed a recording to a judge as the watchdog would, with the time limit at
 * limit_ms: the verdict, and the sample it came at. */
static char replay_why[200];	/* the last replay's evidence */

static enum watch_verdict replay(const char *rec, bool events_known, unsigned limit_ms, unsigned *at)
{
	static struct watch_judge j;
	enum watch_verdict v = WATCH_NONE;

	watch_judge_init(&j, events_known);
	*at = 0;
	for (const char *line = rec; *line && v == WATCH_NONE; line = strchr(line, '\n') + 1) {
		unsigned long long ms, kernel, user, runs, cpu, wait, retries, io;
		struct watch_sample s;
		char state;
		int tid;

		bool start = strncmp(line, "s ", 2) == 0;

		CHECK(sscanf(line + (start ? 2 : 0), "%llu %c %llu %llu %llu %llu %llu %llu %llu", &ms, &state,
			     &kernel, &user, &runs, &cpu, &wait, &retries, &io) == 9,
		      "recorded line: %.40s", line);
		s = (struct watch_sample){
			.t = { .state = state, .kernel_ns = kernel * 1000000u, .user_ns = user * 1000000u,
			       .has_runs = true, .runs = runs, .cpu_ns = cpu * 1000000u,
			       .wait_ns = wait * 1000000u, .at_ns = ms * 1000000u },
			.loop_events = retries, .io_in_flight = io,
		};
		/* its io-wq workers, sampled at the same time */
		while (strncmp(strchr(line, '\n') + 1, "w ", 2) == 0 && s.n_workers < WATCH_WORKERS) {
			struct watch_worker *w = &s.workers[s.n_workers++];

			line = strchr(line, '\n') + 1;
			CHECK(sscanf(line, "w %d %c %llu %llu %llu %llu %llu", &tid, &state, &kernel, &user,
				     &runs, &cpu, &wait) == 7, "recorded worker line: %.40s", line);
			w->tid = tid;
			w->t = (struct task_sample){ .state = state, .comm = "iou-wrk-394",
						     .kernel_ns = kernel * 1000000u, .user_ns = user * 1000000u,
						     .has_runs = true, .runs = runs, .cpu_ns = cpu * 1000000u,
						     .wait_ns = wait * 1000000u, .at_ns = ms * 1000000u };
		}
		watch_judge_feed(&j, &s);
		*at = (unsigned)ms;
		v = watch_judge_early(&j);
		if (v == WATCH_NONE && ms >= limit_ms)
			v = watch_judge_final(&j);
	}
	fprintf(stderr, "replay: verdict %d at %u ms: %s\n", v, *at, j.why);
	snprintf(replay_why, sizeof(replay_why), "%s", j.why);
	return v;
}

static void recorded(void)
{
	enum watch_verdict v;
	unsigned at;

	/* with the retries counted, a live-lock is judged on the second sample
	 * of an idle machine (these recordings have no start sample; the
	 * rules without retries took 400 ms) */
	v = replay(tree_510_idle, true, 10000, &at);
	CHECK(v == WATCH_LIVELOCK && at == 103, "5.10 tree search: livelock at %u ms", at);
	v = replay(gfs2_61_idle, true, 10000, &at);
	CHECK(v == WATCH_LIVELOCK && at == 102, "6.1 gfs2 pread: livelock at %u ms", at);
	v = replay(gfs2_61_idle2, true, 10000, &at);
	CHECK(v == WATCH_LIVELOCK && at == 102, "6.1 gfs2 pread: livelock at %u ms", at);
	/* a busy host: samples late or bunched, a verdict all the same, and
	 * no later than without counting retries */
	v = replay(tree_510_busy, true, 10000, &at);
	CHECK(v == WATCH_LIVELOCK && at <= 440, "5.10 tree search, busy: livelock at %u ms", at);
	v = replay(tree_510_late, true, 10000, &at);
	CHECK(v == WATCH_LIVELOCK && at == 885, "5.10 tree search, late samples: livelock at %u ms", at);
	v = replay(gfs2_61_busy, true, 10000, &at);
	CHECK(v == WATCH_LIVELOCK && at <= 561, "6.1 gfs2 pread, busy: livelock at %u ms", at);
	/* without tracing: the 300 ms rule, as before */
	v = replay(gfs2_61_untraced, false, 10000, &at);
	CHECK(v == WATCH_LIVELOCK && at == 403, "6.1 gfs2 pread untraced: livelock at %u ms", at);
	/* from the start: 300 ms of the thread's own time after it, and the
	 * retry window a period after it; the slow write is still no verdict */
	v = replay(gfs2_61_untraced_start, false, 10000, &at);
	CHECK(v == WATCH_LIVELOCK && at == 309 && strstr(replay_why, "for 302 ms (and 4 ms waiting"),
	      "6.1 gfs2 pread untraced, from the start: livelock at %u ms: %s", at, replay_why);
	v = replay(gfs2_61_start, true, 10000, &at);
	CHECK(v == WATCH_LIVELOCK && at == 56, "6.1 gfs2 pread, from the start: livelock at %u ms", at);
	v = replay(slow_disk_mte_start, false, 1500, &at);
	CHECK(v == WATCH_SLOW && at >= 1500 && strstr(replay_why, "slow I/O"),
	      "slow disk, mte fault, from the start: %d at %u ms: %s", v, at, replay_why);
	/* an io-wq worker live-locked while its submitter sleeps: judged on
	 * the retry window, the second sample, and named */
	v = replay(uring_write_510, true, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == 103 && strstr(replay_why, "io-wq worker iou-wrk-394 (tid 396) spins"),
	      "5.10 xfs uring-write: livelock of the worker at %u ms: %s", at, replay_why);
	/* a slow disk: never early, and at the time limit (1.5 s here) a
	 * wait on slow I/O, not a hang */
	v = replay(slow_disk_none, true, 1500, &at);
	CHECK(v == WATCH_SLOW && at >= 1500, "slow disk, no fault: %d at %u ms", v, at);
	v = replay(slow_disk_mte, true, 1500, &at);
	CHECK(v == WATCH_SLOW && at >= 1500, "slow disk, mte fault: %d at %u ms", v, at);
}

/* ---- real threads ---- */

static atomic_int calls;
static bool late;		/* watch_thread: judge only at the time limit */
static unsigned long verdict_ms;	/* watch_thread: when the verdict came */

static void *finish_late(void *arg)
{
	struct timespec t = { 0, 600 * 1000 * 1000 };

	(void)arg;
	spin_tid = (int)syscall(SYS_gettid);
	nanosleep(&t, NULL);
	return NULL;
}

/* io_uring's way: the caller sleeps while its io-wq worker, a thread named
 * for it ("iou-wrk-<tid>"), spins in the kernel. */
static atomic_int worker_tid;

static atomic_bool worker_sleeps;	/* the worker sleeps instead of spinning */
static int worker_wake[2];

static void *io_wq_worker(void *arg)
{
	char name[16], c;

	task_io_wq_name((pid_t)(intptr_t)arg, name, sizeof(name));
	pthread_setname_np(pthread_self(), name);
	worker_tid = (int)syscall(SYS_gettid);
	if (!worker_sleeps)
		spin_in_kernel(&spin_stop);
	else
		while (read(worker_wake[0], &c, 1) < 0 && errno == EINTR)
			;
	return NULL;
}

static void *sleep_while_worker_works(void *arg)
{
	pthread_t t;

	(void)arg;
	worker_tid = 0;
	if (pthread_create(&t, NULL, io_wq_worker, (void *)(intptr_t)syscall(SYS_gettid)))
		abort();
	while (!worker_tid)
		sched_yield();
	sleep_on_pipe(NULL);
	if (worker_sleeps && write(worker_wake[1], "", 1) != 1)
		abort();
	pthread_join(t, NULL);
	return NULL;
}

static void on_verdict(struct watchdog *w)
{
	(void)w;
	calls++;
}

/* The "fault" of these threads: removing it lets them return. */
static void remove_fault(struct watchdog *w)
{
	(void)w;
	spin_stop = 1;
	if (write(spin_wake[1], "", 1) != 1)
		abort();
}

/* A kernel that retries all the time: more retries at every sample. */
static bool retrying(uint64_t *n)
{
	static uint64_t retries;

	*n = retries += 100;
	return true;
}

/* One watchdog thread for every call, as in a case worker. */
static struct watchdog wd;

/* The watched thread starts its watchdog, as a case's caller does. */
static void *(*watched_fn)(void *);

static void *start_watching(void *arg)
{
	wd.tid = (pid_t)syscall(SYS_gettid);
	CHECK(watchdog_start(&wd) == 0, "watchdog_start");
	return watched_fn(arg);
}

/* Watch fn's thread with limit_ms; the verdict, and what its end meant.
 * loop_events: how retries are counted (NULL: they are not). */
static enum watch_verdict watch_thread(void *(*fn)(void *), unsigned limit_ms,
				       bool (*loop_events)(uint64_t *n), enum watch_return *ret,
				       char *why, size_t size)
{
	static pthread_t first;
	bool joined = false;
	pthread_t t;
	char c;

	spin_stop = 0;
	spin_tid = 0;
	calls = 0;
	while (read(spin_wake[0], &c, 1) == 1)	/* drain: the pipe is non-blocking here */
		;
	CHECK(fcntl(spin_wake[0], F_SETFL, 0) == 0, "blocking pipe");
	wd.pid = getpid();
	wd.limit_ms = limit_ms;
	wd.on_verdict = on_verdict;
	wd.remove_fault = remove_fault;
	wd.loop_events = loop_events;
	wd.late = late;
	watched_fn = fn;
	CHECK(pthread_create(&t, NULL, start_watching, NULL) == 0, "pthread_create");
	while (!spin_tid)
		sched_yield();
	if (!first)
		first = wd.thread;
	CHECK(pthread_equal(first, wd.thread), "one watchdog thread watches call after call");
	/* a verdict removes the "fault" and the thread returns; without one
	 * (a loaded machine, a user-space spinner) it is told to, after the
	 * limit, so the test never waits forever */
	for (unsigned waited = 0; !joined && waited < limit_ms + 1000; waited += 50) {
		joined = pthread_tryjoin_np(t, NULL) == 0;
		if (!joined)
			usleep(50 * 1000);
	}
	spin_stop = 1;
	if (write(spin_wake[1], "", 1) != 1)
		abort();
	if (!joined)
		pthread_join(t, NULL);
	*ret = watchdog_stop(&wd);
	CHECK(calls == (wd.verdict != WATCH_NONE), "one verdict told: %d", (int)calls);
	snprintf(why, size, "%s", wd.judge.why);
	verdict_ms = wd.verdict_us / 1000;
	CHECK(fcntl(spin_wake[0], F_SETFL, O_NONBLOCK) == 0, "non-blocking pipe");
	return wd.verdict;
}

static void real_threads(void)
{
	enum watch_return ret;
	enum watch_verdict v;
	char why[200];
	int tries;

	CHECK(pipe(spin_wake) == 0 && fcntl(spin_wake[0], F_SETFL, O_NONBLOCK) == 0, "pipe");

	/* a loaded machine may give the spinner under half a CPU for a while:
	 * three tries */
	for (tries = 0; tries < 3; tries++) {
		v = watch_thread(spin_kernel, 5000, NULL, &ret, why, sizeof(why));
		fprintf(stderr, "kernel spinner: verdict %d, return %d: %s\n", v, ret, why);
		if (v == WATCH_LIVELOCK)
			break;
	}
	CHECK(v == WATCH_LIVELOCK && ret == WATCH_RECOVERED,
	      "a thread spinning in the kernel is a livelock, recovered: %d %d", v, ret);

	/* the same with retries counted: judged on the retry window */
	for (tries = 0; tries < 3; tries++) {
		v = watch_thread(spin_kernel, 5000, retrying, &ret, why, sizeof(why));
		fprintf(stderr, "kernel spinner retrying: verdict %d, return %d: %s\n", v, ret, why);
		if (v == WATCH_LIVELOCK && strstr(why, "some in every period"))
			break;
	}
	CHECK(v == WATCH_LIVELOCK && ret == WATCH_RECOVERED && strstr(why, "some in every period"),
	      "a thread spinning in the kernel and retrying is a livelock on retries: %d %d %s", v, ret, why);

	/* asleep while its io-wq worker spins: the worker is the livelock */
	for (tries = 0; tries < 3; tries++) {
		v = watch_thread(sleep_while_worker_works, 5000, retrying, &ret, why, sizeof(why));
		fprintf(stderr, "io-wq worker spinner: verdict %d, return %d: %s\n", v, ret, why);
		if (v == WATCH_LIVELOCK)
			break;
	}
	CHECK(v == WATCH_LIVELOCK && ret == WATCH_RECOVERED && wd.judge.spinner == worker_tid &&
	      strstr(why, "io-wq worker iou-wrk-") && strstr(why, "spins, the submitter asleep"),
	      "a caller asleep while its io-wq worker spins: a livelock of the worker: %d %d %s", v, ret, why);

	/* asleep while its io-wq worker sleeps too: a hang (or, when this
	 * machine's disks were busy meanwhile, a wait on slow I/O) */
	CHECK(pipe(worker_wake) == 0, "pipe");
	worker_sleeps = true;
	v = watch_thread(sleep_while_worker_works, 1500, NULL, &ret, why, sizeof(why));
	worker_sleeps = false;
	fprintf(stderr, "io-wq worker asleep: verdict %d, return %d: %s\n", v, ret, why);
	CHECK((v == WATCH_HANG && ret == WATCH_RECOVERED && strstr(why, "and so were its io-wq workers")) ||
	      (v == WATCH_SLOW && strstr(why, "slow I/O") && ret == WATCH_RETURNED_ALONE),
	      "a caller asleep with its io-wq worker asleep is a hang: %d %d %s", v, ret, why);

	/* judged only at the time limit (--late-verdict): retrying all the
	 * time, a livelock no sooner than the limit */
	late = true;
	v = watch_thread(spin_kernel, 1000, retrying, &ret, why, sizeof(why));
	late = false;
	fprintf(stderr, "kernel spinner, late verdict: verdict %d at %lu ms: %s\n", v, verdict_ms, why);
	CHECK(v == WATCH_LIVELOCK && ret == WATCH_RECOVERED && verdict_ms >= 1000,
	      "late verdict: a livelock at the limit: %d %d at %lu ms", v, ret, verdict_ms);

	/* retries, but a thread spinning in user space: no livelock */
	v = watch_thread(spin_user, 1000, retrying, &ret, why, sizeof(why));
	CHECK(v == WATCH_SLOW && ret == WATCH_RETURNED_ALONE,
	      "a user-space spinner is not stuck in the kernel, retries or not: %d %d", v, ret);

	/* a hang, unless this machine's disks were busy meanwhile (then it
	 * is taken for a wait on slow I/O: the synthetic cases test both) */
	v = watch_thread(sleep_on_pipe, 1500, NULL, &ret, why, sizeof(why));
	fprintf(stderr, "sleeper: verdict %d, return %d: %s\n", v, ret, why);
	CHECK((v == WATCH_HANG && ret == WATCH_RECOVERED) ||
	      (v == WATCH_SLOW && strstr(why, "slow I/O") && ret == WATCH_RETURNED_ALONE),
	      "a sleeper is a hang at the limit: %d %d", v, ret);

	v = watch_thread(spin_user, 1000, NULL, &ret, why, sizeof(why));
	fprintf(stderr, "user spinner: verdict %d, return %d: %s\n", v, ret, why);
	CHECK(v == WATCH_SLOW && ret == WATCH_RETURNED_ALONE,
	      "a user-space spinner is not stuck in the kernel: %d %d", v, ret);

	v = watch_thread(finish_late, 3000, NULL, &ret, why, sizeof(why));
	CHECK(v == WATCH_NONE && ret == WATCH_RETURNED, "a call finishing late gets no verdict: %d %d",
	      v, ret);
	watchdog_close(&wd);
}

int main(void)
{
	synthetic();
	from_start();
	io_wq_workers();
	recorded();
	real_threads();
	return 0;
}
