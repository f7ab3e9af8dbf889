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
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include "axis.h"
#include "case_worker.h"
#include "scratch.h"
#include "trace.h"
#include "util.h"
#include "watchdog.h"

/* How long past the time limit the parent waits for the watchdog's word */
#define VERDICT_GRACE_MS	(2 * WATCH_PERIOD_MS + 1000)
#define STUCK_MAX	64
/* The parent's poll is cut in slices this long: a stop signal that lands
 * just before it is seen soon */
#define POLL_SLICE_MS	100

struct pid_list {
	pid_t pid[STUCK_MAX];
	unsigned n;
};
static struct pid_list stuck;	/* left running after SIGKILL */
static struct pid_list ending;	/* retired workers still exiting: nobody waits */

static bool pid_add(struct pid_list *l, pid_t pid)
{
	if (l->n == STUCK_MAX)
		return false;
	l->pid[l->n++] = pid;
	return true;
}

/* Reap those of l that are gone. */
static void reap_gone(struct pid_list *l)
{
	for (unsigned i = 0; i < l->n;) {
		if (waitpid(l->pid[i], NULL, WNOHANG) == l->pid[i])
			l->pid[i] = l->pid[--l->n];
		else
			i++;
	}
}

unsigned case_stuck_count(void)
{
	reap_gone(&stuck);
	return stuck.n;
}

static bool uses_mte(const struct case_spec *s)
{
	return fault_kind_tagged(s->fault) || s->mode != MTE_MODE_NONE;
}

static const char *const engine_names[CASE_ENGINE_COUNT] = {
	[CASE_ENGINE_WORKER] = "worker", [CASE_ENGINE_FORK] = "fork",
};

const char *case_engine_name(enum case_engine e)
{
	return enum_name(engine_names, CASE_ENGINE_COUNT, e);
}

int case_engine_parse(const char *name)
{
	return enum_parse(engine_names, CASE_ENGINE_COUNT, name);
}

const char *case_precheck(const struct case_spec *s, char *why, size_t size)
{
	if (axis_unsupported(s, why, size))
		return why;
	if (case_fits_driver(s, why, size))
		return why;
	if (driver_unavailable(s->drv)) {
		snprintf(why, size, "%s", driver_unavailable(s->drv));
		return why;
	}
	if (uses_mte(s) && !mte_usable()) {
		snprintf(why, size, "%s", CASE_NO_MTE_NOTE);
		return why;
	}
	return NULL;
}

const char *case_fits_driver(const struct case_spec *s, char *why, size_t size)
{
	const struct driver *d = s->drv;

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

void case_stop_ignore(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		signal(stop_signals[i], SIG_IGN);
	for (size_t i = 0; i < ARRAY_SIZE(write_signals); i++)
		signal(write_signals[i], SIG_IGN);
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
		if (err == -EACCES || err == -EPERM)
			snprintf(why, size, "every CPU must prefer asymm, and setting "
				 "cpu%d/mte_tcf_preferred needs root; run as root", cpu - 1);
		else
			snprintf(why, size, "cannot make cpu%d prefer asymm: %s%s", cpu - 1,
				 strerror(-err), err == -EINVAL ? " (Linux < 5.18)" : "");
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

/* ---- workers ---- */

static enum case_engine engine = CASE_ENGINE_WORKER;
static struct case_stats stats;
/* the worker waiting for a case (pid 0: none), and its number in the run
 * (its directories' name, scratch.h): lane + 1, then every lanes-th */
static pid_t worker_pid;
static int worker_sock = -1;
static unsigned worker_serial, lane, lanes = 1;
static struct case_board *board;	/* shared with the worker */

void case_engine_set(enum case_engine e)
{
	engine = e;
}

void case_lane_set(unsigned k, unsigned n)
{
	lane = k;
	lanes = n;
	trace_slot_set(k);
}

/* The worker's number: unique across the lanes. */
static unsigned worker_number(void)
{
	return (worker_serial - 1) * lanes + lane + 1;
}

void case_stats_get(struct case_stats *st)
{
	*st = stats;
}

void case_stats_add(struct case_stats *sum, const struct case_stats *a)
{
	sum->cases += a->cases;
	sum->workers += a->workers;
	sum->worker_start_us += a->worker_start_us;
	sum->files_us += a->files_us;
	sum->setup_us += a->setup_us;
	sum->call_us += a->call_us;
	sum->verify_us += a->verify_us;
	sum->teardown_us += a->teardown_us;
	sum->total_us += a->total_us;
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

static int worker_spawn(void)
{
	unsigned long t0 = monotonic_us();
	pid_t parent = getpid(), pid;
	struct case_board *b;
	int fd;

	watchdog_prepare();
	b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return -errno;
	pid = fork_with_socket(&fd);
	if (pid < 0) {
		munmap(b, sizeof(*b));
		return pid;
	}
	if (pid == 0)
		case_worker(fd, b, parent, engine == CASE_ENGINE_FORK);
	board = b;
	worker_pid = pid;
	worker_sock = fd;
	worker_serial++;
	stats.workers++;
	stats.worker_start_us += monotonic_us() - t0;
	return 0;
}

/* The worker is gone, or left running stuck in the kernel (stuck_pid):
 * forget it, and remove its directories unless it is stuck. */
static void worker_forget(pid_t stuck_pid)
{
	scratch_worker_end(worker_number(), stuck_pid);
	close(worker_sock);
	munmap(board, sizeof(*board));
	board = NULL;
	worker_sock = -1;
	worker_pid = 0;
}

/* The worker ended: reap it (its wait status in *status). */
static void worker_reap(int *status)
{
	while (waitpid(worker_pid, status, 0) < 0 && errno == EINTR)
		;
	worker_forget(0);
}

/* SIGKILL pid: true when it ended; if not, it is counted as stuck. */
static bool kill_or_stuck(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	if (reap_within(pid, &status, CASE_KILL_GRACE_MS))
		return true;
	pid_add(&stuck, pid);
	return false;
}

/* SIGKILL the worker: true when it ended; if not, it is left running
 * (stuck in the kernel) and counted. Either way a later case gets a fresh
 * one. Its directories stay when it is stuck, or with keep. */
static bool worker_kill(bool keep)
{
	bool gone = kill_or_stuck(worker_pid);

	worker_forget(gone && !keep ? 0 : worker_pid);
	return gone;
}

/* The worker retires after its case: the next case gets a fresh one now,
 * while this one exits (a process with io_uring's threads takes a while);
 * it is reaped later. */
static void worker_retire(void)
{
	int status;

	if (pid_add(&ending, worker_pid))
		worker_forget(0);
	else
		worker_reap(&status);
}

void case_worker_end(void)
{
	int status;

	if (worker_pid) {
		/* the end of its requests ends it */
		shutdown(worker_sock, SHUT_WR);
		if (reap_within(worker_pid, &status, CASE_KILL_GRACE_MS))
			worker_forget(0);
		else
			worker_kill(false);
	}
	/* the retired ones have had their time: gone, killed, or stuck */
	for (unsigned i = 0; i < ending.n; i++)
		if (!reap_within(ending.pid[i], &status, CASE_KILL_GRACE_MS))
			kill_or_stuck(ending.pid[i]);
	ending.n = 0;
}

/* Where the case's files go: the worker's directory in the scratch
 * directory sc (none for drivers without a filesystem). */
struct case_place {
	struct scratch *sc;
	const char *dir;	/* the worker's directory, for messages */
	int dirfd, scratch_fd;
};

/* The worker's directory in p->sc: 0, or -errno with note set. */
static int place_in(struct case_place *p, char *note, size_t size)
{
	int fd;

	if (!p->sc)
		return 0;
	fd = scratch_worker_dir(p->sc, worker_number(), &p->dir);
	if (fd < 0) {
		snprintf(note, size, "cannot make the worker's directory in %s: %s",
			 scratch_path(p->sc), strerror(-fd));
		return fd;
	}
	p->dirfd = fd;
	p->scratch_fd = scratch_fd(p->sc);
	return 0;
}

/* The case to the waiting worker, with its directory's fds, on a clean
 * board. 0 or -errno. */
static int send_request(const struct case_spec *s, const struct case_place *p)
{
	struct case_request req = { .spec = *s };
	int fds[2] = { p->dirfd, p->scratch_fd };
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} cm = { 0 };
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	memset(board, 0, sizeof(*board));	/* the worker waits: it writes nothing */
	if (p->dir) {
		snprintf(req.dir, sizeof(req.dir), "%s", p->dir);
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(fds));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), fds, sizeof(fds));
	}
	do
		n = sendmsg(worker_sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(req) ? 0 : n < 0 ? -errno : -EIO;
}

/* A worker ready for s, given s and its place: the waiting one, or a fresh
 * one (none waits, or the waiting one ended meanwhile: killed from
 * outside). 0, 1 when the worker's directory cannot be made (a skip, note
 * says why), or -errno. */
static int worker_take(const struct case_spec *s, struct case_place *p, char *note, size_t size)
{
	int err, status;

	if (worker_pid) {
		/* the worker's directory made anew, as for a worker of its own */
		if (p->sc && case_sized_by_dirtying(s))
			scratch_worker_end(worker_number(), 0);
		if (place_in(p, note, size))
			return 1;
		if (send_request(s, p) == 0)
			return 0;
		worker_reap(&status);
	}
	if ((err = worker_spawn()))
		return err;
	if (place_in(p, note, size))
		return 1;
	return send_request(s, p);
}

/* The kernel's events during the call (the worker armed the tracer for its
 * thread; a stuck one's are read while it is still stuck). */
static void read_trace(struct case_report *rep)
{
	if (!trace_on())
		return;
	trace_read(&rep->counts);
	rep->traced = true;
}

static void add_phases(const struct case_phase_us *us)
{
	stats.worker_start_us += us->start;
	stats.setup_us += us->setup;
	stats.files_us += us->files;
	stats.call_us += us->call;
	stats.verify_us += us->verify;
	stats.teardown_us += us->teardown;
}

/* What the worker posted on its board: the last of CALLED, DONE or SKIP. */
static int board_stage(void)
{
	return __atomic_load_n(&board->done.stage, __ATOMIC_ACQUIRE) ? board->done.stage
		: __atomic_load_n(&board->called.stage, __ATOMIC_ACQUIRE);
}

static void read_board(struct case_report *rep)
{
	rep->stage = board_stage();
	if (rep->stage)
		rep->got = rep->stage == MSG_CALLED ? board->called : board->done;
}

/* Did the kernel die (an oops or BUG) since the last look? Its log says so
 * for each one (/dev/kmsg, read from where this process last stopped: each
 * open file has its own place in it). Where the log cannot be read (not
 * root, dmesg_restrict), the taint flag D (TAINT_DIE, 1 << 7) newly set
 * says so, for the first oops of the boot only. */
static bool kernel_log_says_died(void)
{
	static int fd = -2;
	static bool tainted;
	char rec[2048];
	bool died = false, was;
	ssize_t n;

	if (fd == -2) {
		fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			lseek(fd, 0, SEEK_END);	/* what came before is not ours */
	}
	if (fd < 0) {
		was = tainted;
		tainted = read_small_file("/proc/sys/kernel/tainted", rec, sizeof(rec)) > 0 &&
			  (strtoul(rec, NULL, 10) & (1ul << 7));
		return tainted && !was;
	}
	/* one record per read; EPIPE: records lost to the ring's wrap, go on */
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = '\0';
		died |= strstr(rec, "Internal error: Oops") || strstr(rec, "kernel BUG at") ||
			strstr(rec, "Unable to handle kernel");
	}
	return died;
}

/* The case in a worker, with its files in p: what was seen of it. 0, 1
 * when it cannot run there (note says why), or -errno when no worker could
 * be made. */
static int supervise(const struct case_spec *s, struct case_report *rep,
		     struct case_place *p, char *note, size_t size)
{
	unsigned long t0, deadline, now;
	bool stopping = false, idle = false, ended = false, retiring = false;
	struct case_msg m;
	int err;

	kernel_log_says_died();	/* from now on */
	trace_arm(0);		/* zero: a case that never arms counts nothing */
	if ((err = worker_take(s, p, note, size)))
		return err;
	rep->pid = worker_pid;
	t0 = monotonic_us();
	deadline = t0 + (case_limit_ms(s) + (s->no_watchdog ? 0 : VERDICT_GRACE_MS)) * 1000ul;
	for (;;) {
		struct pollfd pfd = { .fd = worker_sock, .events = POLLIN };
		unsigned long wait_ms;
		ssize_t n;
		int pr;

		now = monotonic_us();
		if (case_stop_signal && !stopping) {
			stopping = true;
			if (deadline > now + CASE_STOP_GRACE_MS * 1000ul)
				deadline = now + CASE_STOP_GRACE_MS * 1000ul;
		}
		if (now >= deadline) {
			/* with its answer in, only the worker's tear-down is late */
			if (board_stage() == MSG_DONE || board_stage() == MSG_SKIP)
				;
			else if (stopping)
				rep->stopped = case_stop_signal;
			else
				rep->timed_out = true;
			break;
		}
		wait_ms = (deadline - now + 999) / 1000;
		pr = poll(&pfd, 1, (int)(wait_ms < POLL_SLICE_MS ? wait_ms : POLL_SLICE_MS));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			continue;	/* the loop's clock decides */
		n = recv(worker_sock, &m, sizeof(m), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(m)) {
			ended = true;	/* EOF: the worker is gone */
			break;
		}
		if (m.stage == MSG_VERDICT) {
			rep->verdict = m;
			if (m.watch == WATCH_SLOW) {
				rep->timed_out = true;
				break;
			}
			deadline = monotonic_us() + CASE_RECOVER_MS * 1000ul;
			continue;
		}
		if (m.stage == MSG_IDLE) {
			add_phases(&m.us);
			idle = true;
			retiring = m.retiring;
			break;
		}
	}
	rep->waited_us = monotonic_us() - t0;
	read_board(rep);
	if (rep->stage != MSG_SKIP)
		read_trace(rep);
	/* a task the kernel killed in an oops keeps the locks it held (gfs2 on
	 * 5.10: a BUG in the glock code with its spinlock held): the worker
	 * goes and its directory stays, since removing its files would wait on
	 * those locks; only a case that did not finish (a case of another lane
	 * that did was not it) */
	rep->oops = kernel_log_says_died() && rep->stage != MSG_DONE && rep->stage != MSG_SKIP;
	if (rep->oops)
		worker_kill(true);
	else if (ended)
		worker_reap(&rep->status);
	else if (retiring)
		worker_retire();
	else if (!idle)
		rep->unkillable = !worker_kill(false);
	return 0;
}

int case_run(const struct case_spec *s, struct case_result *r)
{
	struct case_place p = { .dirfd = -1, .scratch_fd = -1 };
	struct case_report rep = { 0 };
	unsigned long t0 = monotonic_us();
	const char *why;
	int err = 0;

	case_result_init(s, r);
	reap_gone(&stuck);
	reap_gone(&ending);

	why = case_precheck(s, r->note, sizeof(r->note));
	if (!why && s->dir) {
		p.sc = scratch_for(s->dir, r->note, sizeof(r->note));
		why = p.sc ? NULL : r->note;
	}
	if (!why) {
		stats.files_us += monotonic_us() - t0;
		err = supervise(s, &rep, &p, r->note, sizeof(r->note));
		if (err == 0)
			case_result_build(s, &rep, r);
		if (err == 0 && rep.oops) {
			size_t n = strlen(r->note);

			r->oops = true;
			snprintf(r->note + n, sizeof(r->note) - n, "%sthe kernel died (oops) during "
				 "the case: its locks may be held, %s is left alone", n ? "; " : "",
				 s->dir ? s->dir : "its filesystem");
		}
		stats.cases += err == 0;
		stats.total_us += monotonic_us() - t0;
	}
	if (why || err == 1) {
		r->raw.skipped = true;
		case_result_classify(s, r);
		return 0;
	}
	return err;
}
