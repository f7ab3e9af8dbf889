/* SPDX-License-Identifier: MIT */
/*
 * The worker process (case_worker.h): one case after another, each in
 * phases (set up -> call -> verify -> tear down) with one tear-down path
 * whatever phase it ended in, so the next case finds the process as the
 * first did.
 *
 * What a case changes in the process, and how it is put back:
 *  - the MTE mode (prctl, per thread): back to none in tear-down;
 *  - the buffer, the driver's files, fds, rings, memory: destroyed or
 *    closed by the driver's cleanup and layout_destroy (which removes the
 *    file a file-backed buffer maps; an anonymous buffer with no page left
 *    PROT_NONE is kept for the next case, which gets it zeroed and
 *    retagged, as a new mapping would be: testbuf_reuse);
 *  - the fault kind's thread (retag race): stopped and joined after the
 *    call, or by the watchdog's recovery;
 *  - the watchdog: disarmed after the call; its thread stays, idle;
 *  - the SIGSEGV handler: installed once, the same for every case.
 * What cannot be put back ends the worker, and the parent starts a fresh
 * one for the next case: a signal that killed it (a tag-check fault in its
 * own access, SIGBUS), a call that does not return (the parent kills it at
 * the time limit), a case still running when a stop signal came, and
 * threads the kernel made for the process (io_uring's io-wq workers, which
 * live until the process exits and copy later cases' buffers in the MTE
 * mode of the thread that made them; a driver that makes them runs each
 * case on a thread of its own, and they end with it): a case that leaves
 * more threads than the worker's own retires the worker after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "case_worker.h"
#include "probe.h"
#include "trace.h"
#include "util.h"

static volatile sig_atomic_t async_code;
static struct sigaction probe_sa;

/* An asynchronous tag-check fault arrives after the access; note it and go
 * on. Anything else goes to the probes' handler (and from there to the
 * default action: the worker dies, and that ends the case). */
static void on_segv(int sig, siginfo_t *si, void *uctx)
{
	if (si->si_code == SEGV_MTEAERR) {
		async_code = si->si_code;
		return;
	}
	if (probe_sa.sa_flags & SA_SIGINFO)
		probe_sa.sa_sigaction(sig, si, uctx);
	else
		signal(sig, SIG_DFL);
}

static int sock = -1;
static struct case_board *board;

static void send_msg(struct case_msg *m)
{
	if (send(sock, m, sizeof(*m), MSG_NOSIGNAL) != sizeof(*m))
		_exit(3);
}

/* On the board: the parent reads it when woken (IDLE), or when the worker
 * ended or hung before that. */
static void post(struct case_msg *slot, const struct case_msg *m)
{
	struct case_msg whole = *m;

	whole.stage = 0;	/* as the parent cleared it, until all is there */
	*slot = whole;
	__atomic_store_n(&slot->stage, m->stage, __ATOMIC_RELEASE);
}

/* One case, worker side. */
struct job {
	const struct case_spec *s;
	const struct driver *d;
	const struct fault_kind_ops *kind;
	bool mte;		/* this CPU has MTE */
	struct layout lay;
	struct drv_ctx c;
	bool mapped, prepared, mode_set, watching, kind_started;
	struct case_msg m;	/* CALLED, then DONE */
	char skip[200];		/* why the case is a skip ("": it is not) */
};

static void skip(struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void skip(struct job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf_utf8(j->skip, sizeof(j->skip), fmt, ap);
	va_end(ap);
}

/* ---- the watchdog: one thread for the worker's life ---- */

static struct watchdog wd;

static void send_verdict(struct watchdog *w)
{
	struct case_msg m = { .stage = MSG_VERDICT, .watch = w->verdict,
			      .verdict_us = w->verdict_us };

	snprintf_utf8(m.note, sizeof(m.note), "%s", w->judge.why);
	send_msg(&m);
}

/* Take the fault away while the call is stuck: first the kind's thread (a
 * race would put the mismatch back), then the fault. */
static void remove_fault(struct watchdog *w)
{
	struct layout *l = w->arg;

	if (fault_kind(l->spec.fault)->stop)
		fault_kind(l->spec.fault)->stop(l);
	layout_remove(l);
}

/* The kernel retrying: tag-check faults, and fault-ins of one address. */
static bool loop_events(uint64_t *n)
{
	struct trace_counts c;

	trace_read(&c);
	*n = c.n[TRACE_TAG_CHECK_FAULT] + c.fault_in_same_addr;
	return true;
}

/* ---- the phases ---- */

/* The buffer, the driver's files (their time in *files_us), the fault, the
 * expectation, the mode, the watchdog and the fault kind's thread: 0, or -1
 * with j->skip set. */
static int set_up(struct job *j, unsigned long *files_us)
{
	const struct case_spec *s = j->s;
	const struct driver *d = j->d;
	struct layout_spec ls = {
		.fault = s->fault, .len = s->len, .fault_at = s->fault_at,
		.buf_off = s->buf_off, .head = d->head,
		.tagged = j->mte && fault_kind_tagged_buffer(s->fault, s->mode),
		.backing = s->backing, .dirfd = j->c.dirfd,
	};
	unsigned long t;
	const char *why;
	int err;

	/* the watchdog's thread, made once, before any case's mode is set:
	 * it inherits the mode of the thread that makes it */
	if (!s->no_watchdog && (err = watchdog_open(&wd))) {
		skip(j, "cannot start the watchdog: %s", strerror(-err));
		return -1;
	}
	err = layout_create(&j->lay, &ls);
	if (err == -EINVAL && ls.tagged && backing_is_file(s->backing)) {
		/* VM_MTE_ALLOWED: arm64 sets it for anonymous and shmem mappings only */
		skip(j, "a mapping of a %s file refuses PROT_MTE (EINVAL): arm64 tags anonymous "
		     "and shmem memory only; page faults run", fs_name(s->fs));
		return -1;
	}
	if (err) {
		skip(j, "cannot map a %s %s buffer: %s", ls.tagged ? "PROT_MTE" : "plain",
		     backing_name(s->backing), strerror(-err));
		return -1;
	}
	j->mapped = true;
	j->c.want = j->c.reach = j->lay.len;
	layout_fill(&j->lay, j->c.seed, d->dir == DRV_KERNEL_WRITES);
	if (d->unsupported && (why = d->unsupported(&j->c))) {
		skip(j, "%s", why);
		return -1;
	}
	j->prepared = true;
	t = monotonic_us();
	err = d->prepare ? d->prepare(&j->c) : 0;
	*files_us = monotonic_us() - t;
	if (err) {
		if (!j->c.note[0])
			snprintf(j->c.note, sizeof(j->c.note), "prepare: %s", strerror(-err));
		skip(j, "%s", j->c.note);
		return -1;
	}
	err = layout_apply(&j->lay);
	if (err) {
		skip(j, "cannot place the %s fault: %s", j->kind->name, strerror(-err));
		return -1;
	}

	/* what a byte-exact kernel would do, probed in sync mode */
	if (j->mte) {
		j->mode_set = true;
		mte_set_mode(MTE_MODE_SYNC, MTE_TAGS_ALL);
	}
	j->m.expect = (long)(d->dir == DRV_KERNEL_READS ? probe_read(j->lay.ptr, j->lay.len)
							: probe_write(j->lay.ptr, j->lay.len));
	if ((size_t)j->m.expect > j->c.want)
		j->m.expect = (long)j->c.want;
	if (d->record_end)
		j->m.expect = (long)d->record_end(&j->c, (size_t)j->m.expect);
	/* the probes faulted the pages in: the call must find them out */
	if ((err = layout_drop_cache(&j->lay))) {
		skip(j, "cannot drop the buffer's pages from the page cache: %s", strerror(-err));
		return -1;
	}
	/* the case's mode (sync is set already) */
	if (j->mte && s->mode != MTE_MODE_SYNC && (err = mte_set_mode(s->mode, MTE_TAGS_ALL))) {
		skip(j, "cannot set %s mode: %s", mte_mode_name(s->mode), strerror(-err));
		return -1;
	}

	if (!s->no_watchdog) {
		wd.pid = getpid();
		wd.tid = gettid();
		wd.limit_ms = case_limit_ms(s);
		wd.loop_events = trace_on() ? loop_events : NULL;
		wd.late = s->late_verdict;
		wd.on_verdict = send_verdict;
		wd.remove_fault = remove_fault;
		wd.arg = &j->lay;
		if ((err = watchdog_start(&wd))) {
			skip(j, "cannot start the watchdog: %s", strerror(-err));
			return -1;
		}
		j->watching = true;
	}
	if (j->kind->start) {
		if ((err = j->kind->start(&j->lay))) {
			skip(j, "cannot start the %s: %s", j->kind->name, strerror(-err));
			return -1;
		}
		j->kind_started = true;
	}
	return 0;
}

/* The call, and what stops with it: the tracer, the fault kind's thread,
 * the watchdog. */
static void call(struct job *j)
{
	unsigned long t0;

	trace_arm(gettid());
	t0 = monotonic_us();
	j->m.ret = j->d->call(&j->c);
	j->m.elapsed_us = monotonic_us() - t0;
	trace_disarm();
	if (j->kind_started) {
		snprintf(j->m.kind_note, sizeof(j->m.kind_note), j->kind->stop_note,
			 j->kind->stop(&j->lay));
		j->kind_started = false;
	}
	if (j->watching) {
		j->m.watch_return = watchdog_stop(&wd);
		j->m.watch = wd.verdict;
		j->m.verdict_us = wd.verdict_us;
		j->watching = false;
	}
	if (j->c.setup_failed)
		skip(j, "%s", j->c.note);	/* not the kernel's answer to the buffer */
}

static void verify(struct job *j)
{
	/* an asynchronous fault is signalled at the next kernel entries */
	getppid();
	getppid();
	if (j->mode_set) {
		mte_set_mode(MTE_MODE_NONE, MTE_TAGS_ALL);
		j->mode_set = false;
	}
	j->m.stage = MSG_DONE;
	j->m.chk = (struct drv_check){ .data_ok = -1, .overshoot = -1 };
	if (j->d->verify)
		j->d->verify(&j->c, j->m.ret, &j->m.chk);
	j->m.sicode = async_code;
	snprintf_utf8(j->m.note, sizeof(j->m.note), "%s", j->c.note);
}

/* The one way out of a case, from whatever phase it reached. */
static void tear_down(struct job *j)
{
	if (j->kind_started)
		j->kind->stop(&j->lay);
	if (j->watching)
		watchdog_stop(&wd);
	if (j->mode_set)
		mte_set_mode(MTE_MODE_NONE, MTE_TAGS_ALL);
	if (j->prepared && j->d->cleanup)
		j->d->cleanup(&j->c);
	if (j->mapped)
		layout_destroy(&j->lay);
}

static void run(const struct case_spec *s, const char *dir, int dirfd, int scratch_fd,
		struct case_phase_us *us)
{
	struct job j = {
		.s = s, .d = s->drv, .kind = fault_kind(s->fault),
		.mte = mte_usable(),
		.c = {
			.drv = s->drv, .dir = dir[0] ? dir : NULL, .dirfd = dirfd,
			.scratch_fd = scratch_fd, .fs = s->fs, .io = s->io, .state = s->state,
			.iovecs = s->iovecs,
			.seq = s->seq, .lay = &j.lay, .seed = 0x9e3779b9u ^ s->seq, .fd = -1,
			.fd2 = -1,
		},
		.m = { .stage = MSG_CALLED },
	};
	unsigned long t = monotonic_us(), t1;

	async_code = 0;
	if (set_up(&j, &us->files) == 0) {
		t1 = monotonic_us();
		us->setup = t1 - t - us->files;
		call(&j);
		t = monotonic_us();
		us->call = t - t1;
		if (!j.skip[0]) {
			j.m.want = j.c.want;
			j.m.reach = j.c.reach;
			snprintf_utf8(j.m.note, sizeof(j.m.note), "%s", j.c.note);
			post(&board->called, &j.m);
			verify(&j);
			post(&board->done, &j.m);
			t1 = monotonic_us();
			us->verify = t1 - t;
			t = t1;
		}
	} else {
		t1 = monotonic_us();
		us->setup = t1 - t - us->files;
		t = t1;
	}
	if (j.skip[0]) {
		struct case_msg m = { .stage = MSG_SKIP };

		snprintf_utf8(m.note, sizeof(m.note), "%s", j.skip);
		post(&board->done, &m);
	}
	tear_down(&j);
	us->teardown = monotonic_us() - t;
}

/* A case on a thread of its own, for what the kernel keeps per thread and a
 * case's own process started without: threads the kernel made for the
 * calling thread (driver kernel_threads: io-wq) end when it exits, before
 * the join returns (do_exit cancels its io_uring work and waits for its
 * io-wq workers first), so the worker goes on as it was; and what the thread
 * dirtied before, by which btrfs and gfs2 size their work
 * (case_sized_by_dirtying: a new thread has dirtied nothing). */
static bool own_thread(const struct case_spec *s)
{
	return s->drv->kernel_threads || case_sized_by_dirtying(s);
}

struct run_args {
	const struct case_spec *s;
	const char *dir;
	int dirfd, scratch_fd;
	struct case_phase_us *us;
};

static void *run_thread(void *arg)
{
	struct run_args *a = arg;

	run(a->s, a->dir, a->dirfd, a->scratch_fd, a->us);
	return NULL;
}

static void run_case(const struct case_spec *s, const char *dir, int dirfd, int scratch_fd,
		     struct case_phase_us *us)
{
	struct run_args a = { s, dir, dirfd, scratch_fd, us };
	pthread_t t;

	/* no thread: in place (a kernel_threads case then retires the worker:
	 * threads left) */
	if (!own_thread(s) || thread_create(&t, CASE_THREAD_STACK, run_thread, &a) != 0)
		run(s, dir, dirfd, scratch_fd, us);
	else
		pthread_join(t, NULL);
}

/* Only the worker's own threads are left: itself and its watchdog's. A
 * joined thread (a retag race, a case's own thread and the io-wq workers
 * that ended with it) is counted until the kernel has released it, a
 * moment later: waited for up to OWN_THREADS_WAIT_MS. */
#define OWN_THREADS_WAIT_MS	20

static bool only_own_threads(void)
{
	unsigned long until = monotonic_us() + OWN_THREADS_WAIT_MS * 1000ul;

	for (int tries = 0; task_count(getpid()) != 1 + wd.open; tries++) {
		if (monotonic_us() >= until)
			return false;
		if (tries < 3)
			sched_yield();
		else
			usleep(1000);
	}
	return true;
}

/* The next request and its fds (-1 when none came): 1, 0 at the end (the
 * parent closed the socket), -1 on a broken request. */
static int receive(struct case_request *req, int *dirfd, int *scratch_fd)
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { req, sizeof(*req) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n;

	*dirfd = *scratch_fd = -1;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n != sizeof(*req))
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(2 * sizeof(int))) {
		int fds[2];

		memcpy(fds, CMSG_DATA(cm), sizeof(fds));
		*dirfd = fds[0];
		*scratch_fd = fds[1];
	}
	req->dir[sizeof(req->dir) - 1] = '\0';
	return 1;
}

void case_worker(int fd, struct case_board *b, pid_t parent, bool once)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_NODEFER };
	unsigned long t0 = monotonic_us();
	struct case_phase_us us = { 0 };
	struct case_request req;
	int dirfd, scratch_fd, got;

	sock = fd;
	board = b;
	/* the parent decides when a case ends, and a parent gone (SIGKILL)
	 * takes the worker along */
	case_stop_ignore();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(3);
	probe_init();
	testbuf_reuse(true);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &probe_sa);
	us.start = monotonic_us() - t0;

	while ((got = receive(&req, &dirfd, &scratch_fd)) == 1) {
		struct case_msg idle = { .stage = MSG_IDLE };

		run_case(&req.spec, req.dir, dirfd, scratch_fd, &us);
		if (dirfd >= 0)
			close(dirfd);
		if (scratch_fd >= 0)
			close(scratch_fd);
		idle.us = us;
		idle.retiring = once || !only_own_threads();
		send_msg(&idle);
		us = (struct case_phase_us){ 0 };
		if (idle.retiring)
			break;
	}
	_exit(got < 0 ? 3 : 0);
}
