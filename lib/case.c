/* SPDX-License-Identifier: MIT */
#include "case.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"
#include "race.h"
#include "scratch.h"
#include "trace.h"
#include "util.h"
#include "watchdog.h"

/* What the child says: a skip; or the watchdog's verdict (from its thread,
 * while the call runs), after the call, after verifying. */
enum msg_stage {
	MSG_SKIP = 1,
	MSG_VERDICT,
	MSG_CALLED,
	MSG_DONE,
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
	unsigned long flips;	/* retag: the race's flips during the call */
	char note[200];
};

#define KILL_GRACE_MS	2000
/* After a verdict, how long the call gets to return once its fault is gone */
#define RECOVER_MS	500
/* How long past the time limit the parent waits for the watchdog's word */
#define VERDICT_GRACE_MS	(2 * WATCH_PERIOD_MS + 1000)
#define STUCK_MAX	64
/* The parent's poll is cut in slices this long: a stop signal that lands
 * just before it is seen soon */
#define POLL_SLICE_MS	100

static pid_t stuck[STUCK_MAX];
static unsigned nstuck;

static void reap_stuck(void)
{
	for (unsigned i = 0; i < nstuck;) {
		if (waitpid(stuck[i], NULL, WNOHANG) == stuck[i])
			stuck[i] = stuck[--nstuck];
		else
			i++;
	}
}

unsigned case_stuck_count(void)
{
	reap_stuck();
	return nstuck;
}

static unsigned limit_ms(const struct case_spec *s)
{
	return s->timeout_ms ? s->timeout_ms : CASE_TIMEOUT_MS_DEFAULT;
}

static bool uses_mte(const struct case_spec *s)
{
	return fault_kind_tagged(s->fault) || s->mode != MTE_MODE_NONE;
}

const char *case_precheck(const struct case_spec *s, char *why, size_t size)
{
	const struct driver *d = s->drv;

	if (d->build_unsupported) {
		snprintf(why, size, "unsupported: %s", d->build_unsupported);
		return why;
	}
	if (!(d->fs_mask & FS_BIT(s->fs))) {
		if (d->fs_mask == FS_BIT(FS_NONE))
			snprintf(why, size, "%s uses no filesystem", d->name);
		else if (d->fs_mask == FS_BIT(FS_BTRFS))
			snprintf(why, size, "%s runs on btrfs only", d->name);
		else
			snprintf(why, size, "%s does not run on %s", d->name, fs_name(s->fs));
		return why;
	}
	if (!(d->io_mask & IO_BIT(s->io))) {
		snprintf(why, size, "%s has no %s I/O path", d->name, io_path_name(s->io));
		return why;
	}
	if (d->fixed_len && s->len != d->fixed_len) {
		snprintf(why, size, "%s takes a %zu-byte buffer, not %zu", d->name, d->fixed_len,
			 s->len);
		return why;
	}
	if (uses_mte(s) && !(MTE_HAVE_INSNS && mte_cpu_has_mte())) {
		snprintf(why, size, "%s", CASE_NO_MTE_NOTE);
		return why;
	}
	return NULL;
}

/* ---- stop signals ---- */

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM,
				    SIGXCPU };
static const int write_signals[] = { SIGPIPE, SIGXFSZ };
static struct sigaction stop_saved[ARRAY_SIZE(stop_signals)];
static struct sigaction write_saved[ARRAY_SIZE(write_signals)];

volatile sig_atomic_t case_stop_signal;

static void on_stop(int sig)
{
	if (!case_stop_signal)
		case_stop_signal = sig;
}

void case_stop_catch(void)
{
	struct sigaction sa = { .sa_handler = on_stop }, ign = { .sa_handler = SIG_IGN };

	sigemptyset(&sa.sa_mask);
	sigemptyset(&ign.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++) {
		/* one ignored from the start stays ignored (nohup, a background
		 * job of a shell without job control) */
		sigaction(stop_signals[i], NULL, &stop_saved[i]);
		if (stop_saved[i].sa_handler != SIG_IGN)
			sigaction(stop_signals[i], &sa, NULL);
	}
	for (size_t i = 0; i < ARRAY_SIZE(write_signals); i++)
		sigaction(write_signals[i], &ign, &write_saved[i]);
}

void case_stop_release(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		sigaction(stop_signals[i], &stop_saved[i], NULL);
	for (size_t i = 0; i < ARRAY_SIZE(write_signals); i++)
		sigaction(write_signals[i], &write_saved[i], NULL);
}

/* ---- asymmetric mode ---- */

static int saved_pref[256];
static int saved_ncpu;

const char *case_asymm_begin(char *why, size_t size)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int err = 0, cpu;

	if (!mte_cpu_has_mte3()) {
		snprintf(why, size, "asymm needs MTE3, which this CPU lacks");
		return why;
	}
	if (ncpu > (long)ARRAY_SIZE(saved_pref))
		ncpu = ARRAY_SIZE(saved_pref);
	for (cpu = 0; cpu < ncpu; cpu++) {
		saved_pref[cpu] = mte_preferred_get(cpu);
		if (saved_pref[cpu] == -ENOENT) {
			snprintf(why, size, "asymm needs cpuN/mte_tcf_preferred (Linux >= 5.14)");
			return why;
		}
	}
	saved_ncpu = (int)ncpu;
	for (cpu = 0; cpu < ncpu && !err; cpu++)
		err = mte_preferred_set(cpu, MTE_MODE_ASYMM);
	if (err) {
		case_asymm_end();
		snprintf(why, size, "cannot make cpu%d prefer asymm: %s%s", cpu - 1, strerror(-err),
			 err == -EACCES || err == -EPERM ? " (needs root)" :
			 err == -EINVAL ? " (Linux < 5.18)" : "");
		return why;
	}
	return NULL;
}

void case_asymm_end(void)
{
	for (int cpu = 0; cpu < saved_ncpu; cpu++)
		if (saved_pref[cpu] >= 0)
			mte_preferred_set(cpu, saved_pref[cpu]);
	saved_ncpu = 0;
}

/* ---- the child ---- */

static volatile sig_atomic_t async_code;
static struct sigaction probe_sa;

/* An asynchronous tag-check fault arrives after the access; note it and go
 * on. Anything else goes to the probes' handler (and from there to the
 * default action). */
static void on_segv(int sig, siginfo_t *si, void *uctx)
{
	if (si->si_code == SEGV_MTEAERR) {
		async_code = si->si_code;
		return;
	}
	if (probe_sa.sa_flags & SA_SIGINFO)
		probe_sa.sa_sigaction(sig, si, uctx);
	else {
		signal(sig, SIG_DFL);
	}
}

static void child_send(int fd, struct case_msg *m)
{
	if (write(fd, m, sizeof(*m)) != sizeof(*m))
		_exit(3);
}

static void child_skip(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void child_skip(int fd, const char *fmt, ...)
{
	struct case_msg m = { .stage = MSG_SKIP };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf_utf8(m.note, sizeof(m.note), fmt, ap);
	va_end(ap);
	child_send(fd, &m);
	_exit(0);
}

/* The watchdog's hooks: say the verdict, then take the fault away. */
static int verdict_fd;
static struct race race;	/* fault retag: the thread flipping the granule */

static void send_verdict(struct watchdog *w)
{
	struct case_msg m = { .stage = MSG_VERDICT, .watch = w->verdict,
			      .verdict_us = w->verdict_us };

	snprintf_utf8(m.note, sizeof(m.note), "%s", w->judge.why);
	child_send(verdict_fd, &m);
}

static void remove_fault(struct watchdog *w)
{
	race_stop(&race);	/* first: it would put the mismatch back */
	layout_remove(w->arg);
}

/* The kernel retrying: tag-check faults, and fault-ins of one address. */
static bool loop_events(uint64_t *n)
{
	struct trace_counts c;

	trace_read(&c);
	*n = c.n[TRACE_TAG_CHECK_FAULT] + c.fault_in_same_addr;
	return true;
}

/* Where the case's files go (none for drivers without a filesystem). */
struct case_place {
	const char *dir;	/* the case's directory, for messages */
	int dirfd, scratch_fd;
	pid_t parent;
};

static void __attribute__((noreturn)) child(const struct case_spec *s, int fd,
					    const struct case_place *p)
{
	const struct driver *d = s->drv;
	bool mte = MTE_HAVE_INSNS && mte_cpu_has_mte();
	struct layout lay;
	struct layout_spec ls = {
		.fault = s->fault, .len = s->len, .fault_at = s->fault_at,
		.buf_off = s->buf_off, .head = d->head,
		.tagged = mte && s->fault != FAULT_PAGE && uses_mte(s),
	};
	struct drv_ctx c = {
		.drv = d, .dir = p->dir, .dirfd = p->dirfd, .scratch_fd = p->scratch_fd,
		.fs = s->fs, .io = s->io, .iovecs = s->iovecs,
		.seq = s->seq, .lay = &lay, .seed = 0x9e3779b9u ^ s->seq, .fd = -1, .fd2 = -1,
	};
	struct case_msg m = { .stage = MSG_CALLED };
	struct watchdog wd;
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER };
	const char *why;
	unsigned long t0;
	int err;

	/* a terminal's signals reach the whole process group: the parent
	 * decides when the case ends, and a parent gone (SIGKILL) takes it along */
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		signal(stop_signals[i], SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);	/* RLIMIT_FSIZE: a setup write fails with EFBIG */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != p->parent)
		_exit(3);
	probe_init();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &probe_sa);

	err = layout_create(&lay, &ls);
	if (err)
		child_skip(fd, "cannot map a %s buffer: %s", ls.tagged ? "PROT_MTE" : "plain",
			   strerror(-err));
	c.want = c.reach = lay.len;
	layout_fill(&lay, c.seed, d->dir == DRV_KERNEL_WRITES);
	if (d->unsupported && (why = d->unsupported(&c)))
		child_skip(fd, "%s", why);
	err = d->prepare ? d->prepare(&c) : 0;
	if (err) {
		if (!c.note[0])
			snprintf(c.note, sizeof(c.note), "prepare: %s", strerror(-err));
		if (d->cleanup)
			d->cleanup(&c);
		child_skip(fd, "%s", c.note);
	}
	err = layout_apply(&lay);
	if (err) {
		if (d->cleanup)
			d->cleanup(&c);
		child_skip(fd, "cannot place the %s fault: %s", fault_kind_name(s->fault),
			   strerror(-err));
	}

	/* what a byte-exact kernel would do, probed in sync mode */
	if (mte)
		mte_set_mode(MTE_MODE_SYNC, MTE_TAGS_ALL);
	m.expect = (long)(d->dir == DRV_KERNEL_READS ? probe_read(lay.ptr, lay.len)
						     : probe_write(lay.ptr, lay.len));
	if ((size_t)m.expect > c.want)
		m.expect = (long)c.want;
	if (d->record_end)
		m.expect = (long)d->record_end(&c, (size_t)m.expect);
	if (mte) {
		err = mte_set_mode(s->mode, MTE_TAGS_ALL);
		if (err) {
			if (d->cleanup)
				d->cleanup(&c);
			child_skip(fd, "cannot set %s mode: %s", mte_mode_name(s->mode),
				   strerror(-err));
		}
	}

	if (!s->no_watchdog) {
		wd = (struct watchdog){ .pid = getpid(), .tid = gettid(), .limit_ms = limit_ms(s),
					.loop_events = trace_on() ? loop_events : NULL,
					.late = s->late_verdict,
					.on_verdict = send_verdict, .remove_fault = remove_fault,
					.arg = &lay };
		verdict_fd = fd;
		err = watchdog_start(&wd);
		if (err) {
			if (d->cleanup)
				d->cleanup(&c);
			child_skip(fd, "cannot start the watchdog: %s", strerror(-err));
		}
	}
	if (s->fault == FAULT_RETAG && (err = race_start(&race, &lay))) {
		if (d->cleanup)
			d->cleanup(&c);
		child_skip(fd, "cannot start the retag race: %s", strerror(-err));
	}
	trace_arm(gettid());
	t0 = monotonic_us();
	m.ret = d->call(&c);
	m.elapsed_us = monotonic_us() - t0;
	trace_disarm();
	m.flips = race_stop(&race);
	if (!s->no_watchdog) {
		m.watch_return = watchdog_stop(&wd);
		m.watch = wd.verdict;
		m.verdict_us = wd.verdict_us;
	}
	if (c.setup_failed) {
		/* not the kernel's answer to the buffer: no outcome */
		if (d->cleanup)
			d->cleanup(&c);
		child_skip(fd, "%s", c.note);
	}
	m.want = c.want;
	m.reach = c.reach;
	snprintf_utf8(m.note, sizeof(m.note), "%s", c.note);
	child_send(fd, &m);

	/* an asynchronous fault is signalled at the next kernel entries */
	getppid();
	getppid();
	if (mte)
		mte_set_mode(MTE_MODE_NONE, MTE_TAGS_ALL);
	m.stage = MSG_DONE;
	m.chk = (struct drv_check){ .data_ok = -1, .overshoot = -1 };
	if (d->verify)
		d->verify(&c, m.ret, &m.chk);
	m.sicode = async_code;
	snprintf_utf8(m.note, sizeof(m.note), "%s", c.note);
	child_send(fd, &m);
	if (d->cleanup)
		d->cleanup(&c);
	_exit(0);
}

/* ---- the parent ---- */

static void addnote(struct case_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void addnote(struct case_result *r, const char *fmt, ...)
{
	size_t n = strlen(r->note);
	va_list ap;

	if (n && n + 2 < sizeof(r->note)) {
		memcpy(r->note + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf_utf8(r->note + n, sizeof(r->note) - n, fmt, ap);
	va_end(ap);
}

static const char *errno_name(int err, char *buf, size_t size)
{
	const char *n = strerrorname_np(err);

	if (n)
		return n;
	snprintf(buf, size, "E%d", err);
	return buf;
}

static void signal_name(int sig, char *buf, size_t size)
{
	const char *n = sigabbrev_np(sig);

	if (n)
		snprintf(buf, size, "SIG%s", n);
	else
		snprintf(buf, size, "SIG%d", sig);
}

/* Wait for pid to go, up to ms; true when it was reaped. */
static bool reap_within(pid_t pid, int *status, unsigned ms)
{
	for (unsigned waited = 0;; waited += 10) {
		pid_t p = waitpid(pid, status, WNOHANG);

		if (p == pid)
			return true;
		if (p < 0 && errno != EINTR)
			return true;	/* not ours any more */
		if (waited >= ms)
			return false;
		usleep(10000);
	}
}

static void classify(const struct case_spec *s, struct case_result *r)
{
	struct outcome_input in = {
		.raw = r->raw,
		.fault_in_range = r->fault_in_range,
		.fault_off = r->fault_off,
		.checked = s->fault == FAULT_PAGE || s->mode != MTE_MODE_NONE,
		.racing = s->fault == FAULT_RETAG,
		.records = s->drv->record_end && r->has_expect,
		.record_end = r->has_expect ? (size_t)r->expect : 0,
	};

	outcome_classify(&in, &r->out);
}

static void init_result(const struct case_spec *s, struct case_result *r)
{
	memset(r, 0, sizeof(*r));
	r->chk = (struct drv_check){ .data_ok = -1, .overshoot = -1 };
	r->fault_off = s->fault == FAULT_NONE ? s->len
		: layout_fault_offset(s->fault, s->buf_off, s->fault_at, page_size());
	if (r->fault_off > s->len)
		r->fault_off = s->len;
	r->fault_in_range = s->fault != FAULT_NONE && r->fault_off < s->len;
}

void case_skip(const struct case_spec *s, struct case_result *r, const char *why)
{
	init_result(s, r);
	r->raw.skipped = true;
	snprintf_utf8(r->note, sizeof(r->note), "%s", why);
	classify(s, r);
}

/* What the tracer counted for the call (the child armed it for its thread;
 * a stuck child's counts are read while it is still stuck). */
static void read_trace(struct case_result *r)
{
	if (!trace_on())
		return;
	trace_read(&r->counts);
	r->traced = true;
	r->fault_ins = trace_fault_ins(&r->counts);
}

/* Which events, when the call was stuck: what it kept doing. */
static void note_events(struct case_result *r)
{
	char events[160];

	trace_format(&r->counts, events, sizeof(events));
	if (r->traced && events[0])
		addnote(r, "kernel events: %s", events);
}

/* The call was stuck: what the watchdog said, and what became of it. */
static void note_verdict(struct case_result *r, const struct case_msg *v, bool returned,
			 long ret)
{
	const char *what = v->watch == WATCH_LIVELOCK ? "livelock" :
			   v->watch == WATCH_HANG ? "hang" : "no verdict";

	r->verdict_us = v->verdict_us;
	if (v->watch == WATCH_SLOW) {
		addnote(r, "watchdog at the time limit: %s", v->note);
		return;
	}
	addnote(r, "watchdog: %s after %lu ms (%s)", what, v->verdict_us / 1000, v->note);
	note_events(r);
	if (returned)
		addnote(r, "recovered: with the fault removed the call returned %ld", ret);
	else
		addnote(r, "not recovered: no return within %u ms of removing the fault", RECOVER_MS);
}

/* The case in a child, with its files in p: its result, or the reason
 * there is none. 0, or -errno when no child could be made. */
static int supervise(const struct case_spec *s, struct case_result *r,
		     const struct case_place *p)
{
	struct case_msg m, got = { 0 }, verdict = { 0 };
	unsigned long t0, deadline;
	int fd, status = 0, stage = 0;
	bool stopping = false;
	char buf[24];
	pid_t pid;

	if (!s->no_watchdog)
		watchdog_prepare();
	trace_arm(0);		/* zero: a case that never arms counts nothing */
	pid = fork_with_pipe(&fd);
	if (pid < 0)
		return pid;
	if (pid == 0)
		child(s, fd, p);

	t0 = monotonic_us();
	deadline = t0 + (limit_ms(s) + (s->no_watchdog ? 0 : VERDICT_GRACE_MS)) * 1000ul;
	for (;;) {
		unsigned long now = monotonic_us(), wait_ms;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int pr;

		if (case_stop_signal && !stopping) {
			stopping = true;
			if (deadline > now + CASE_STOP_GRACE_MS * 1000ul)
				deadline = now + CASE_STOP_GRACE_MS * 1000ul;
		}
		if (now >= deadline) {
			if (stopping)
				r->stopped = case_stop_signal;
			else
				r->raw.timed_out = true;
			break;
		}
		wait_ms = (deadline - now + 999) / 1000;
		pr = poll(&pfd, 1, (int)(wait_ms < POLL_SLICE_MS ? wait_ms : POLL_SLICE_MS));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			continue;	/* the loop's clock decides */
		n = read(fd, &m, sizeof(m));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(m))
			break;		/* EOF: the child is gone */
		if (m.stage == MSG_VERDICT) {
			verdict = m;
			if (m.watch == WATCH_SLOW) {
				r->raw.timed_out = true;
				break;
			}
			deadline = monotonic_us() + RECOVER_MS * 1000ul;
			continue;
		}
		stage = m.stage;
		got = m;
		if (stage == MSG_SKIP || stage == MSG_DONE)
			break;
	}
	close(fd);
	if (stage != MSG_SKIP)
		read_trace(r);

	if (r->stopped) {
		kill(pid, SIGKILL);
		if (!reap_within(pid, &status, KILL_GRACE_MS)) {
			r->unkillable = true;
			r->pid = pid;
			if (nstuck < STUCK_MAX)
				stuck[nstuck++] = pid;
		}
		r->elapsed_us = monotonic_us() - t0;
		signal_name(r->stopped, buf, sizeof(buf));
		memset(&r->raw, 0, sizeof(r->raw));
		r->raw.skipped = true;
		snprintf(r->note, sizeof(r->note), "stopped by %s before the case gave its result",
			 buf);
		classify(s, r);
		return 0;
	}
	if (r->raw.timed_out) {
		if (stage < MSG_CALLED && verdict.stage) {
			r->raw.watch = verdict.watch;
			note_verdict(r, &verdict, false, 0);
		} else {
			note_events(r);
		}
		kill(pid, SIGKILL);
		r->elapsed_us = monotonic_us() - t0;
		if (!reap_within(pid, &status, KILL_GRACE_MS)) {
			r->unkillable = true;
			r->pid = pid;
			if (nstuck < STUCK_MAX)
				stuck[nstuck++] = pid;
			addnote(r, "no result within %u ms; SIGKILL did not end it in %u ms: pid %d "
				"left running", limit_ms(s), KILL_GRACE_MS, (int)pid);
		} else {
			addnote(r, "no result within %u ms; killed", limit_ms(s));
		}
		if (stage == MSG_CALLED)
			addnote(r, "the call had returned %ld", got.ret);
		classify(s, r);
		return 0;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	if (stage == MSG_SKIP) {
		r->raw.skipped = true;
		addnote(r, "%s", got.note);
		classify(s, r);
		return 0;
	}
	if (stage >= MSG_CALLED) {
		r->raw.returned = true;
		r->raw.ret = got.ret;
		r->raw.want = got.want;
		r->raw.reach = got.reach;
		r->has_expect = true;
		r->expect = got.expect;
		r->elapsed_us = got.elapsed_us;
		if (got.note[0])
			addnote(r, "%s", got.note);
		if (s->fault == FAULT_RETAG)
			addnote(r, "retag race: %lu flips during the call", got.flips);
		if (got.ret < 0)
			snprintf(r->errname, sizeof(r->errname), "%s",
				 errno_name((int)-got.ret, buf, sizeof(buf)));
		if (got.watch_return == WATCH_RECOVERED) {
			r->raw.watch = got.watch;
			r->raw.recovered = true;
			note_verdict(r, &verdict, true, got.ret);
		} else if (got.watch_return == WATCH_RETURNED_ALONE) {
			addnote(r, "the watchdog judged it at %lu ms (%s), but it returned on its own "
				"before the fault was removed", got.verdict_us / 1000, verdict.note);
		}
	} else {
		r->elapsed_us = monotonic_us() - t0;
	}
	if (stage == MSG_DONE) {
		r->chk = got.chk;
		if (got.sicode) {
			r->raw.signo = SIGSEGV;
			r->sicode = got.sicode;
			snprintf(r->errname, sizeof(r->errname), "SIGSEGV");
			addnote(r, "SIGSEGV si_code %d (SEGV_MTEAERR: asynchronous tag-check fault) "
				"after the call returned %ld", got.sicode, got.ret);
		}
	} else if (WIFSIGNALED(status)) {
		r->raw.signo = WTERMSIG(status);
		signal_name(r->raw.signo, r->errname, sizeof(r->errname));
		if (stage == MSG_CALLED)
			addnote(r, "killed by %s after the call returned %ld", r->errname, got.ret);
		else
			addnote(r, "killed by %s before the call returned", r->errname);
	} else {
		/* not a kernel outcome: mteprobe itself failed in the child */
		r->raw.skipped = true;
		addnote(r, "internal error: the case exited (status %d) without a result",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	classify(s, r);
	return 0;
}

int case_run(const struct case_spec *s, struct case_result *r)
{
	struct case_place p = { .dirfd = -1, .scratch_fd = -1, .parent = getpid() };
	struct scratch *sc = NULL;
	char dir[PATH_MAX];
	const char *why;
	int err = 0;

	init_result(s, r);
	reap_stuck();

	why = case_precheck(s, r->note, sizeof(r->note));
	if (!why && s->dir) {
		sc = scratch_for(s->dir, r->note, sizeof(r->note));
		if (sc && (err = scratch_case_open(sc, s->seq, dir, sizeof(dir))) < 0)
			snprintf(r->note, sizeof(r->note), "cannot make the case's directory in %s: %s",
				 scratch_path(sc), strerror(-err));
		why = !sc || err < 0 ? r->note : NULL;
	}
	if (why) {
		r->raw.skipped = true;
		classify(s, r);
		return 0;
	}
	if (sc) {
		p.dir = dir;
		p.dirfd = err;
		p.scratch_fd = scratch_fd(sc);
	}
	err = supervise(s, r, &p);
	if (sc) {
		close(p.dirfd);
		/* a child stuck in the kernel may hold its files' locks: removing
		 * them would block us too (unlink takes the inode lock) */
		if (r->unkillable)
			scratch_keep(sc, r->pid);
		else
			scratch_case_remove(sc, s->seq);
	}
	return err;
}
