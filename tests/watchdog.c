/* SPDX-License-Identifier: MIT */
/* The watchdog: its rules on synthetic samples (every branch of
 * watch_judge_early/final), then the thread on real threads of this process:
 * one spinning in the kernel is a livelock and recovers when its "fault" is
 * removed, one asleep is a hang, one spinning in user space and one that
 * finishes late get no verdict of stuck. No timing is asserted beyond the
 * verdicts themselves. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "spin.h"
#include "watchdog.h"

/* ---- synthetic samples ---- */

struct fake {
	struct watch_judge j;
	uint64_t t_ms, kernel_ms, user_ms, runs, events, io, wait_ms;
	unsigned waiting;	/* ms of each period spent waiting for a CPU */
	bool has_runs;
};

static void fake_init(struct fake *f, bool events_known)
{
	memset(f, 0, sizeof(*f));
	f->has_runs = true;
	watch_judge_init(&f->j, events_known);
}

/* One period passes: the thread spends kernel_ms and user_ms of it on a CPU,
 * is put on a CPU runs more times and retries events times. */
static void step(struct fake *f, char state, unsigned kernel_ms, unsigned user_ms, unsigned runs,
		 unsigned events)
{
	struct watch_sample s = { 0 };

	f->t_ms += WATCH_PERIOD_MS;
	f->kernel_ms += kernel_ms;
	f->user_ms += user_ms;
	f->runs += runs;
	f->events += events;
	f->wait_ms += f->waiting;
	s.t = (struct task_sample){ .state = state, .kernel_ns = f->kernel_ms * 1000000u,
				    .user_ns = f->user_ms * 1000000u, .at_ns = f->t_ms * 1000000u,
				    .has_runs = f->has_runs, .runs = f->runs,
				    .cpu_ns = f->has_runs ? (f->kernel_ms + f->user_ms) * 1000000u : 0,
				    .wait_ns = f->has_runs ? f->wait_ms * 1000000u : 0 };
	s.loop_events = f->events;
	s.io_in_flight = f->io;
	watch_judge_feed(&f->j, &s);
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

	/* retries counted and coming: early */
	fake_init(&f, true);
	v = run_early(&f, 'R', 48, 0, 2, 700, 3000, &at);
	CHECK(v == WATCH_LIVELOCK && at == WATCH_PERIOD_MS + WATCH_LIVELOCK_MS && strstr(f.j.why, "4200 kernel retries"),
	      "kernel spin with retries: %d at %llu: %s", v, (unsigned long long)at, f.j.why);

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

	/* a thread caught switched out now and then still spins */
	fake_init(&f, false);
	for (int i = 0; i < 8; i++)
		step(&f, i % 3 == 2 ? 'S' : 'R', 45, 0, 3, 0);
	CHECK(watch_judge_early(&f.j) == WATCH_LIVELOCK, "2 of 3 samples running: %s", f.j.why);
	fake_init(&f, false);
	for (int i = 0; i < 8; i++)
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

/* ---- real threads ---- */

static atomic_int stop, tid, calls;
static int wake[2];

static void *spin_kernel(void *arg)
{
	(void)arg;
	tid = (int)syscall(SYS_gettid);
	spin_in_kernel(&stop);
	return NULL;
}

static void *spin_user(void *arg)
{
	volatile unsigned long n = 0;

	(void)arg;
	tid = (int)syscall(SYS_gettid);
	while (!stop)
		n++;
	return NULL;
}

static void *sleep_on_pipe(void *arg)
{
	char c;

	(void)arg;
	tid = (int)syscall(SYS_gettid);
	while (read(wake[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void *finish_late(void *arg)
{
	struct timespec t = { 0, 600 * 1000 * 1000 };

	(void)arg;
	tid = (int)syscall(SYS_gettid);
	nanosleep(&t, NULL);
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
	stop = 1;
	if (write(wake[1], "", 1) != 1)
		abort();
}

/* One watchdog thread for every call, as in a case worker. */
static struct watchdog wd;

/* Watch fn's thread with limit_ms; the verdict, and what its end meant. */
static enum watch_verdict watch_thread(void *(*fn)(void *), unsigned limit_ms, enum watch_return *ret,
				       char *why, size_t size)
{
	static pthread_t first;
	bool joined = false;
	pthread_t t;
	char c;

	stop = 0;
	tid = 0;
	calls = 0;
	while (read(wake[0], &c, 1) == 1)	/* drain: the pipe is non-blocking here */
		;
	CHECK(fcntl(wake[0], F_SETFL, 0) == 0, "blocking pipe");
	CHECK(pthread_create(&t, NULL, fn, NULL) == 0, "pthread_create");
	while (!tid)
		sched_yield();
	wd.pid = getpid();
	wd.tid = tid;
	wd.limit_ms = limit_ms;
	wd.on_verdict = on_verdict;
	wd.remove_fault = remove_fault;
	CHECK(watchdog_start(&wd) == 0, "watchdog_start");
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
	stop = 1;
	if (write(wake[1], "", 1) != 1)
		abort();
	if (!joined)
		pthread_join(t, NULL);
	*ret = watchdog_stop(&wd);
	CHECK(calls == (wd.verdict != WATCH_NONE), "one verdict told: %d", (int)calls);
	snprintf(why, size, "%s", wd.judge.why);
	CHECK(fcntl(wake[0], F_SETFL, O_NONBLOCK) == 0, "non-blocking pipe");
	return wd.verdict;
}

static void real_threads(void)
{
	enum watch_return ret;
	enum watch_verdict v;
	char why[200];
	int tries;

	CHECK(pipe(wake) == 0 && fcntl(wake[0], F_SETFL, O_NONBLOCK) == 0, "pipe");

	/* a loaded machine may give the spinner under half a CPU for a while:
	 * three tries */
	for (tries = 0; tries < 3; tries++) {
		v = watch_thread(spin_kernel, 5000, &ret, why, sizeof(why));
		fprintf(stderr, "kernel spinner: verdict %d, return %d: %s\n", v, ret, why);
		if (v == WATCH_LIVELOCK)
			break;
	}
	CHECK(v == WATCH_LIVELOCK && ret == WATCH_RECOVERED,
	      "a thread spinning in the kernel is a livelock, recovered: %d %d", v, ret);

	/* a hang, unless this machine's disks were busy meanwhile (then it
	 * is taken for a wait on slow I/O: the synthetic cases test both) */
	v = watch_thread(sleep_on_pipe, 1500, &ret, why, sizeof(why));
	fprintf(stderr, "sleeper: verdict %d, return %d: %s\n", v, ret, why);
	CHECK((v == WATCH_HANG && ret == WATCH_RECOVERED) ||
	      (v == WATCH_SLOW && strstr(why, "slow I/O") && ret == WATCH_RETURNED_ALONE),
	      "a sleeper is a hang at the limit: %d %d", v, ret);

	v = watch_thread(spin_user, 1000, &ret, why, sizeof(why));
	fprintf(stderr, "user spinner: verdict %d, return %d: %s\n", v, ret, why);
	CHECK(v == WATCH_SLOW && ret == WATCH_RETURNED_ALONE,
	      "a user-space spinner is not stuck in the kernel: %d %d", v, ret);

	v = watch_thread(finish_late, 3000, &ret, why, sizeof(why));
	CHECK(v == WATCH_NONE && ret == WATCH_RETURNED, "a call finishing late gets no verdict: %d %d",
	      v, ret);
	watchdog_close(&wd);
}

int main(void)
{
	synthetic();
	real_threads();
	return 0;
}
