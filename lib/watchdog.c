/* SPDX-License-Identifier: MIT */
#include "watchdog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* ---- the judge ---- */

void watch_judge_init(struct watch_judge *j, bool events_known)
{
	j->n = 0;
	j->events_known = events_known;
	j->spinner = 0;
	j->why[0] = '\0';
}

void watch_judge_feed(struct watch_judge *j, const struct watch_sample *s)
{
	j->ring[j->n % WATCH_RING] = *s;
	j->n++;
}

/* The sample k steps before the newest. */
static const struct watch_sample *back(const struct watch_judge *j, unsigned k)
{
	return &j->ring[(j->n - 1 - k) % WATCH_RING];
}

/* The threads a verdict may be about: the caller (i 0, tid 0) and the io-wq
 * workers in the newest sample. */
static unsigned n_threads(const struct watch_judge *j)
{
	const struct watch_sample *now = back(j, 0);

	return 1 + (now->n_workers < WATCH_WORKERS ? now->n_workers : WATCH_WORKERS);
}

static pid_t thread_tid(const struct watch_judge *j, unsigned i)
{
	return i ? back(j, 0)->workers[i - 1].tid : 0;
}

/* Thread tid in the sample k steps before the newest: the caller (tid 0) or
 * one of its io-wq workers; NULL when that sample does not hold it. */
static const struct task_sample *thread_at(const struct watch_judge *j, unsigned k, pid_t tid)
{
	const struct watch_sample *s = back(j, k);

	if (!tid)
		return &s->t;
	for (unsigned i = 0; i < s->n_workers && i < WATCH_WORKERS; i++)
		if (s->workers[i].tid == tid)
			return &s->workers[i].t;
	return NULL;
}

/* How many samples back the window of the last span_ms of thread tid
 * starts; 0 when its samples do not cover it. With partial, its oldest
 * sample will do. Time the thread spent waiting for a CPU does not count:
 * on a busy machine the window reaches further back, so a verdict rests on
 * as much of the thread's own time as on an idle one. */
static unsigned window(const struct watch_judge *j, pid_t tid, unsigned span_ms, bool partial)
{
	unsigned kept = j->n < WATCH_RING ? j->n : WATCH_RING;
	const struct task_sample *now, *then;
	unsigned k;

	if (kept < 2 || !(now = thread_at(j, 0, tid)))
		return 0;
	for (k = 1; k < kept && (then = thread_at(j, k, tid)); k++)
		if (task_available_ns(then, now) >= (uint64_t)span_ms * 1000000u)
			return k;
	return partial ? k - 1 : 0;
}

/* The window's length, not counting the time spent waiting for a CPU. */
static unsigned span_ms(const struct watch_judge *j, pid_t tid, unsigned k)
{
	return (unsigned)(task_available_ns(thread_at(j, k, tid), thread_at(j, 0, tid)) / 1000000u);
}

static unsigned waited_ms(const struct watch_judge *j, pid_t tid, unsigned k)
{
	return (unsigned)((thread_at(j, 0, tid)->at_ns - thread_at(j, k, tid)->at_ns) / 1000000u) -
	       span_ms(j, tid, k);
}

/* Thread tid on a CPU in the kernel over the window of k samples? */
static bool burning(const struct watch_judge *j, pid_t tid, unsigned k, struct task_activity *a)
{
	unsigned running = 0;

	for (unsigned i = 0; i <= k; i++)
		running += thread_at(j, i, tid)->state == 'R';
	task_activity(thread_at(j, k, tid), thread_at(j, 0, tid), a);
	/* two of three samples: a thread spinning through cond_resched() or a
	 * short sleep may be caught asleep now and then */
	return running * 3 >= (k + 1) * 2 && a->kernel_share >= WATCH_KERNEL_SHARE &&
	       a->user_share <= WATCH_USER_SHARE;
}

static uint64_t retries(const struct watch_judge *j, unsigned k)
{
	return back(j, 0)->loop_events - back(j, k)->loop_events;
}

/* The kernel retried between every two samples of the window, and often. */
static bool retrying_throughout(const struct watch_judge *j, unsigned k)
{
	for (unsigned i = 0; i < k; i++)
		if (back(j, i)->loop_events <= back(j, i + 1)->loop_events)
			return false;
	return retries(j, k) >= WATCH_RETRY_EVENTS;
}

static bool asleep(char state)
{
	return state == 'S' || state == 'D';
}

/* Who the verdict is about, when it is not the caller: "io-wq worker
 * iou-wrk-123 (tid 130) spins, the submitter asleep: ". Its length. */
static size_t why_worker(struct watch_judge *j, pid_t tid, const char *what)
{
	const struct task_sample *worker = thread_at(j, 0, tid);
	char caller = back(j, 0)->t.state;
	int n;

	if (!tid)
		return 0;
	if (asleep(caller))
		n = snprintf(j->why, sizeof(j->why), "io-wq worker %s (tid %d) %s, the submitter asleep: ",
			     worker->comm, (int)tid, what);
	else
		n = snprintf(j->why, sizeof(j->why), "io-wq worker %s (tid %d) %s, the submitter "
			     "in state %c: ", worker->comm, (int)tid, what, caller);
	return n < 0 ? 0 : (size_t)n < sizeof(j->why) ? (size_t)n : sizeof(j->why) - 1;
}

static void why_burning(struct watch_judge *j, pid_t tid, unsigned k, const struct task_activity *a,
			bool throughout)
{
	size_t n = why_worker(j, tid, "spins");

	j->spinner = tid;
	n += (size_t)snprintf(j->why + n, sizeof(j->why) - n, "on a CPU, %.0f%% in the kernel, for %u ms",
			      a->kernel_share * 100, span_ms(j, tid, k));
	if (waited_ms(j, tid, k) && n < sizeof(j->why))
		n += (size_t)snprintf(j->why + n, sizeof(j->why) - n, " (and %u ms waiting for a CPU)",
				      waited_ms(j, tid, k));
	if (n < sizeof(j->why))
		snprintf(j->why + n, sizeof(j->why) - n,
			 !j->events_known ? ", retries not counted" :
			 throughout ? ", %llu kernel retries, some in every period" : ", %llu kernel retries",
			 (unsigned long long)retries(j, k));
}

/* The window of the verdict on retries: the last WATCH_RETRY_MS of thread
 * tid's own time, reaching further back until it holds WATCH_RETRY_EVENTS
 * retries (a live-lock that retries slowly); 0 when not covered. */
static unsigned retry_window(const struct watch_judge *j, pid_t tid)
{
	unsigned kept = j->n < WATCH_RING ? j->n : WATCH_RING;
	unsigned k = window(j, tid, WATCH_RETRY_MS, false);

	while (k && retries(j, k) < WATCH_RETRY_EVENTS && k + 1 < kept && thread_at(j, k + 1, tid))
		k++;
	return k;
}

/* Thread tid live-locked, judged while the call runs? */
static bool spins_early(struct watch_judge *j, pid_t tid)
{
	struct task_activity a;
	unsigned k;

	/* the kernel retrying all the time is the loop itself: no need to
	 * watch it burn CPU for long */
	k = j->events_known ? retry_window(j, tid) : 0;
	if (k && retrying_throughout(j, k) && burning(j, tid, k, &a)) {
		why_burning(j, tid, k, &a, true);
		return true;
	}
	k = window(j, tid, WATCH_LIVELOCK_MS, false);
	if (!k || !burning(j, tid, k, &a))
		return false;
	/* with the retries counted, CPU alone is not enough: a long copy
	 * that makes progress burns kernel CPU too */
	if (j->events_known && retries(j, k) < WATCH_LOOP_EVENTS)
		return false;
	why_burning(j, tid, k, &a, false);
	return true;
}

/* Thread tid still burning kernel CPU at the time limit? */
static bool spins_final(struct watch_judge *j, pid_t tid)
{
	unsigned k = window(j, tid, WATCH_LIVELOCK_MS, true);
	struct task_activity a;

	if (!k || !burning(j, tid, k, &a))
		return false;
	why_burning(j, tid, k, &a, false);
	return true;
}

/* The caller, or else one of its io-wq workers, spins by the rule given. */
static bool any_spins(struct watch_judge *j, bool (*spins)(struct watch_judge *, pid_t))
{
	for (unsigned i = 0; i < n_threads(j); i++)
		if (spins(j, thread_tid(j, i)))
			return true;
	return false;
}

enum watch_verdict watch_judge_early(struct watch_judge *j)
{
	return j->n && any_spins(j, spins_early) ? WATCH_LIVELOCK : WATCH_NONE;
}

uint64_t watch_judge_lacks_ns(const struct watch_judge *j)
{
	const uint64_t span = (uint64_t)WATCH_LIVELOCK_MS * 1000000u;
	uint64_t lacks = 0;

	for (unsigned i = 0; j->n && i < n_threads(j); i++) {
		pid_t tid = thread_tid(j, i);
		unsigned k = window(j, tid, WATCH_LIVELOCK_MS, true);
		struct task_activity a;
		uint64_t have;

		if (!k || !burning(j, tid, k, &a))
			continue;
		have = task_available_ns(thread_at(j, k, tid), thread_at(j, 0, tid));
		if (have < span && (!lacks || span - have < lacks))
			lacks = span - have;
	}
	return lacks;
}

/* Put on a CPU again between two samples (schedstat), or at least charged
 * CPU time. */
static bool woken(const struct task_sample *old, const struct task_sample *now)
{
	return old->has_runs && now->has_runs ? now->runs != old->runs
		: now->kernel_ns + now->user_ns != old->kernel_ns + old->user_ns;
}

/* An io-wq worker of the caller that started, ran or was woken over the
 * last k samples: the call's work goes on while the caller sleeps. Its
 * tid, or 0. */
static pid_t worker_progress(const struct watch_judge *j, unsigned k)
{
	const struct watch_sample *now = back(j, 0);

	for (unsigned w = 0; w < now->n_workers && w < WATCH_WORKERS; w++) {
		pid_t tid = now->workers[w].tid;
		const struct task_sample *t;
		unsigned i;

		for (i = 0; i <= k && (t = thread_at(j, i, tid)); i++)
			if (!asleep(t->state))
				return tid;
		if (i <= k || woken(thread_at(j, k, tid), thread_at(j, 0, tid)))
			return tid;
	}
	return 0;
}

enum watch_verdict watch_judge_final(struct watch_judge *j)
{
	unsigned k = window(j, 0, WATCH_LIVELOCK_MS, true);
	unsigned hang = window(j, 0, WATCH_HANG_MS, true);
	const struct watch_sample *old, *now;
	struct task_activity a;
	unsigned i;
	pid_t worker;

	if (!k || !hang) {
		snprintf(j->why, sizeof(j->why), "too few samples to judge");
		return WATCH_SLOW;
	}
	if (any_spins(j, spins_final))
		return WATCH_LIVELOCK;
	now = back(j, 0);
	task_activity(thread_at(j, k, 0), &now->t, &a);
	k = hang;
	old = back(j, k);
	for (i = 0; i <= k; i++)
		if (!asleep(back(j, i)->t.state)) {
			snprintf(j->why, sizeof(j->why), "still running at the time limit (state %c, "
				 "%.0f%% in the kernel, %.0f%% in user space)", now->t.state,
				 a.kernel_share * 100, a.user_share * 100);
			return WATCH_SLOW;
		}
	if (woken(&old->t, &now->t)) {
		snprintf(j->why, sizeof(j->why), "asleep (state %c) but woken in the last %u ms: "
			 "still making progress", now->t.state, span_ms(j, 0, k));
		return WATCH_SLOW;
	}
	if ((worker = worker_progress(j, k))) {
		size_t n = why_worker(j, worker, "ran or was woken");

		snprintf(j->why + n, sizeof(j->why) - n, "in the last %u ms: still making progress",
			 span_ms(j, 0, k));
		return WATCH_SLOW;
	}
	if (now->io_in_flight == WATCH_IO_UNKNOWN) {
		snprintf(j->why, sizeof(j->why), "asleep (state %c) for %u ms, maybe on a disk: "
			 "/proc/diskstats cannot be read", now->t.state, span_ms(j, 0, k));
		return WATCH_SLOW;
	}
	/* one long wait for a slow disk (a large O_DIRECT write waits once
	 * for all its bios) looks like a hang, but the disk is busy all the
	 * time; a periodic journal commit is not */
	for (i = 0; i <= k && back(j, i)->io_in_flight; i++)
		;
	if (i > k) {
		snprintf(j->why, sizeof(j->why), "asleep (state %c) for %u ms while disk requests "
			 "were in flight throughout: waiting on slow I/O", now->t.state, span_ms(j, 0, k));
		return WATCH_SLOW;
	}
	snprintf(j->why, sizeof(j->why), "asleep (state %c) for %u ms without being woken%s",
		 now->t.state, span_ms(j, 0, k),
		 now->n_workers ? ", and so were its io-wq workers" : "");
	return WATCH_HANG;
}

/* ---- the thread ---- */

enum phase {
	PHASE_RUNNING,		/* the call has not returned, no verdict */
	PHASE_RETURNED,
	PHASE_JUDGED,		/* a verdict, the fault still in place */
	PHASE_REMOVING,		/* removing the fault, or removed */
};

/* Requests in flight on every block device (field 12 of diskstats). The
 * file is kept open and read anew at each sample (a seq_file read from
 * offset 0), into a buffer off the watchdog's small stack: one watchdog
 * thread a process. A machine with more devices than it holds (about 600)
 * gives WATCH_IO_UNKNOWN: no hang verdicts, never a wrong one. */
static uint64_t disk_requests_in_flight(void)
{
	static int fd = -1;
	static char text[65536];
	size_t len = 0;
	uint64_t sum = 0;
	ssize_t n = 0;

	if (fd < 0)
		fd = open("/proc/diskstats", O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && len < sizeof(text) - 1 &&
	       (n = pread(fd, text + len, sizeof(text) - 1 - len, (off_t)len)) > 0)
		len += (size_t)n;
	if (fd < 0 || n < 0 || len == sizeof(text) - 1)
		return WATCH_IO_UNKNOWN;
	text[len] = '\0';
	for (char *line = text, *end; *line; line = *end ? end + 1 : end) {
		char *p = line;

		end = strchrnul(line, '\n');
		/* skip 11 fields: major, minor, name, then 8 counters */
		for (int f = 0; f < 11 && p < end; f++) {
			p += strspn(p, " ");
			p += strcspn(p, " \n");
		}
		if (p < end)
			sum += strtoull(p, NULL, 10);
	}
	return sum;
}

/* The io-wq workers of the caller: the threads of its process named for it
 * (task_io_wq_name). Threads made or gone meanwhile are missed, or are
 * found next time. */
static void sample_workers(struct watchdog *w, struct watch_sample *s)
{
	pid_t tids[32], self = gettid();
	char name[sizeof(s->t.comm)];
	/* the process's main thread, this one and the caller: no one else to
	 * look for (most calls: no io_uring) */
	int known = w->tid == w->pid ? 2 : 3, count = task_count(w->pid), n;

	s->n_workers = 0;
	if (count > 0 && count <= known)
		return;
	n = task_threads(w->pid, tids, ARRAY_SIZE(tids));
	task_io_wq_name(w->tid, name, sizeof(name));
	for (int i = 0; i < n && i < (int)ARRAY_SIZE(tids) && s->n_workers < WATCH_WORKERS; i++) {
		struct watch_worker *x = &s->workers[s->n_workers];

		if (tids[i] == w->tid || tids[i] == self)
			continue;
		if (task_sample(w->pid, tids[i], &x->t) == 0 && strcmp(x->t.comm, name) == 0) {
			x->tid = tids[i];
			s->n_workers++;
		}
	}
}

static bool take_sample(struct watchdog *w, struct watch_sample *s)
{
	s->io_in_flight = disk_requests_in_flight();
	s->loop_events = 0;
	if (w->judge.events_known && !w->loop_events(&s->loop_events))
		s->loop_events = 0;
	task_files_use(&w->caller, w->pid, w->tid);
	if (task_files_sample(&w->caller, &s->t))
		return false;
	sample_workers(w, s);
	return true;
}

/* One line per sample on standard error (MTEPROBE_WATCH_DEBUG): what
 * tests/watchdog.c replays as recorded sequences. */
static void print_sample(const struct watchdog *w, const struct watch_sample *s)
{
	fprintf(stderr, "watchdog sample: at_ms %llu state %c kernel_ms %llu user_ms %llu runs %llu "
		"cpu_ms %llu wait_ms %llu retries %llu io %llu\n",
		(unsigned long long)(s->t.at_ns / 1000000u - w->start_us / 1000u), s->t.state,
		(unsigned long long)(s->t.kernel_ns / 1000000u), (unsigned long long)(s->t.user_ns / 1000000u),
		(unsigned long long)s->t.runs, (unsigned long long)(s->t.cpu_ns / 1000000u),
		(unsigned long long)(s->t.wait_ns / 1000000u), (unsigned long long)s->loop_events,
		(unsigned long long)s->io_in_flight);
	for (unsigned i = 0; i < s->n_workers; i++) {
		const struct task_sample *t = &s->workers[i].t;

		fprintf(stderr, "watchdog sample:   io-wq worker %s tid %d state %c kernel_ms %llu "
			"user_ms %llu runs %llu cpu_ms %llu wait_ms %llu\n", t->comm, (int)s->workers[i].tid,
			t->state, (unsigned long long)(t->kernel_ns / 1000000u),
			(unsigned long long)(t->user_ns / 1000000u), (unsigned long long)t->runs,
			(unsigned long long)(t->cpu_ns / 1000000u), (unsigned long long)(t->wait_ns / 1000000u));
	}
}

static void deliver(struct watchdog *w, enum watch_verdict v)
{
	int running = PHASE_RUNNING;

	if (!atomic_compare_exchange_strong(&w->phase, &running, PHASE_JUDGED))
		return;		/* it returned meanwhile */
	w->verdict = v;
	w->verdict_us = monotonic_us() - w->start_us;
	if (w->on_verdict)
		w->on_verdict(w);
	if (v != WATCH_SLOW && w->remove_fault) {
		atomic_store(&w->phase, PHASE_REMOVING);
		w->remove_fault(w);
	}
}

/* A thread that burned kernel CPU all along has its early livelock window
 * covered before the next sample on the grid: sample it then, once, rather
 * than up to a period later. A little slack for the thread switches around
 * that sample. */
static uint64_t sample_when_covered(const struct watchdog *w, const struct watch_sample *s, uint64_t next)
{
	const uint64_t slack = 2 * 1000000u;
	uint64_t lacks = watch_judge_lacks_ns(&w->judge);

	return lacks && s->t.at_ns + lacks + slack < next ? s->t.at_ns + lacks + slack : next;
}

/* Is the call the thread took still watched? (Stopped, or another armed
 * since: its schedule is not this one's.) */
static bool current(const struct watchdog *w)
{
	return w->armed && w->taken == w->calls;
}

/* Watch one call: sample until it returns (disarmed) or a verdict is
 * delivered. Called and returns with w->lock held. */
static void watch_call(struct watchdog *w)
{
	const uint64_t period = WATCH_PERIOD_MS * 1000000u;
	uint64_t next = (uint64_t)w->start_us * 1000u + period;	/* on the grid */
	uint64_t limit = next - period + (uint64_t)w->limit_ms * 1000000u;
	uint64_t due = 0;	/* the next sample: the first at once, then on the grid or between */

	for (;;) {
		struct watch_sample s;
		enum watch_verdict v;
		struct timespec at;
		bool on_grid = due == next;

		at.tv_sec = (time_t)(due / 1000000000u);
		at.tv_nsec = (long)(due % 1000000000u);
		while (current(w) && pthread_cond_timedwait(&w->wake, &w->lock, &at) != ETIMEDOUT)
			;
		if (!current(w))
			return;
		/* watchdog_stop waits while the thread samples or delivers,
		 * never while it sleeps */
		w->busy = true;
		pthread_mutex_unlock(&w->lock);

		v = WATCH_NONE;
		if (take_sample(w, &s)) {
			/* woken late (a busy machine): the next sample a whole
			 * period after this one, not a burst of samples catching
			 * up, whose periods would be too short to see retries in each */
			if (on_grid && s.t.at_ns > next + period / 2)
				next = s.t.at_ns;
			if (on_grid)
				next += period;
			/* the first, taken when the thread found the call (up to
			 * a period after it began): the next at least half a
			 * period later, to cover the retry window */
			if (!w->judge.n && next < s.t.at_ns + period / 2)
				next = s.t.at_ns + period / 2;
			due = next;
			watch_judge_feed(&w->judge, &s);
			if (w->debug)
				print_sample(w, &s);
			v = w->late ? WATCH_NONE : watch_judge_early(&w->judge);
			if (v == WATCH_NONE && s.t.at_ns >= limit)
				v = watch_judge_final(&w->judge);
			if (v != WATCH_NONE)
				deliver(w, v);
			else if (!w->late && on_grid)
				due = sample_when_covered(w, &s, next);
		}
		pthread_mutex_lock(&w->lock);
		w->busy = false;
		pthread_cond_broadcast(&w->idle);
		if (v != WATCH_NONE)
			return;
	}
}

/* The thread: idle between calls, for as long as the watchdog is open. Idle,
 * it looks for a call once a period instead of being woken for each (a
 * thread switch per case): a look finds a call before its first sample is
 * due, a period after it started. */
static void *watch(void *arg)
{
	struct watchdog *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->quit && !(w->armed && w->taken != w->calls)) {
			uint64_t next = (uint64_t)monotonic_us() * 1000u + WATCH_PERIOD_MS * 1000000u;
			struct timespec at = { .tv_sec = (time_t)(next / 1000000000u),
					       .tv_nsec = (long)(next % 1000000000u) };

			pthread_cond_timedwait(&w->wake, &w->lock, &at);
		}
		if (w->quit)
			break;
		w->taken = w->calls;
		watch_call(w);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void *nothing(void *arg)
{
	return arg;
}

void watchdog_prepare(void)
{
	static bool done;
	pthread_t t[2];

	/* two stacks in the cache: the watchdog's and a retag race's (race.h) */
	if (done || thread_create(&t[0], HELPER_THREAD_STACK, nothing, NULL))
		return;
	if (thread_create(&t[1], HELPER_THREAD_STACK, nothing, NULL) == 0)
		pthread_join(t[1], NULL);
	pthread_join(t[0], NULL);
	done = true;
}

const char *watchdog_no_hangs(char *why, size_t size)
{
	FILE *f = fopen("/proc/diskstats", "re");

	if (f) {
		fclose(f);
		return NULL;
	}
	snprintf(why, size, "cannot read /proc/diskstats (%s): a call asleep at the time limit "
		 "may be waiting on a disk, so it is a timeout", strerror(errno));
	return why;
}

int watchdog_open(struct watchdog *w)
{
	pthread_condattr_t ca;
	int err;

	if (w->open)
		return 0;
	w->armed = w->quit = w->busy = false;
	w->calls = w->taken = 0;
	w->debug = getenv("MTEPROBE_WATCH_DEBUG") != NULL;
	w->caller = TASK_FILES_NONE;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&w->idle, NULL);
	err = thread_create(&w->thread, HELPER_THREAD_STACK, watch, w);
	if (err) {
		pthread_cond_destroy(&w->idle);
		pthread_cond_destroy(&w->wake);
		pthread_mutex_destroy(&w->lock);
		return -err;
	}
	w->open = true;
	return 0;
}

int watchdog_start(struct watchdog *w)
{
	int err = watchdog_open(w);

	if (err)
		return err;
	pthread_mutex_lock(&w->lock);
	w->verdict = WATCH_NONE;
	w->verdict_us = 0;
	atomic_store(&w->phase, PHASE_RUNNING);
	watch_judge_init(&w->judge, w->loop_events != NULL);
	w->start_us = monotonic_us();
	w->armed = true;
	w->calls++;
	/* no wake-up: the thread looks within a period (watch) */
	pthread_mutex_unlock(&w->lock);
	return 0;
}

enum watch_return watchdog_stop(struct watchdog *w)
{
	int phase = PHASE_RUNNING;
	enum watch_return r;

	if (atomic_compare_exchange_strong(&w->phase, &phase, PHASE_RETURNED))
		r = WATCH_RETURNED;
	else
		r = phase >= PHASE_REMOVING ? WATCH_RECOVERED : WATCH_RETURNED_ALONE;
	pthread_mutex_lock(&w->lock);
	w->armed = false;
	/* a sample being taken, or a verdict being delivered (the fault being
	 * removed), ends first; a sleeping thread goes idle when it wakes */
	while (w->busy)
		pthread_cond_wait(&w->idle, &w->lock);
	pthread_mutex_unlock(&w->lock);
	return r;
}

void watchdog_close(struct watchdog *w)
{
	if (!w->open)
		return;
	pthread_mutex_lock(&w->lock);
	w->quit = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	task_files_close(&w->caller);
	pthread_cond_destroy(&w->idle);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	w->open = false;
}
