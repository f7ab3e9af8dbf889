/* SPDX-License-Identifier: MIT */
#include "lanes.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scratch.h"
#include "util.h"

#define MARKS_MAX	64
/* The calling process looks at its lanes at least this often: a lane that
 * ended is seen even while a worker it left stuck holds its socket open */
#define LANE_POLL_MS	100

/* A case that left a task stuck, or during which the kernel died. */
struct stuck_mark {
	const struct driver *drv;
	enum fs_type fs;
	const char *dir;	/* its working directory (NULL: none) */
	pid_t pid;
	bool oops;	/* the kernel died in it: pid is gone, its locks may not be */
	int whole;	/* set last (release) */
};

/* What the lanes share (MAP_SHARED: lanes are forks of one process). The
 * groups are taken under the lock, at most one lane on a filesystem at a
 * time: a case on it that leaves a task stuck or kills the kernel then
 * stops that filesystem for the others before they touch it again (a task
 * the kernel killed in gfs2 on 5.10 keeps a spinlock every later unlink
 * there spins on), and cases on one filesystem do not race for its locks
 * and its journal. Calls without a filesystem run side by side. */
struct shared {
	pthread_mutex_t lock;
	pthread_cond_t freed;	/* a filesystem was let go */
	size_t first_free;	/* every group before it is taken */
	unsigned busy[FS_COUNT];	/* lanes on each filesystem */
	int end;	/* set: every lane ends after its current case */
	unsigned nmarks;
	struct stuck_mark marks[MARKS_MAX];
	unsigned char taken[];	/* per group */
};

struct lanes {
	const struct lanes_run *run;
	size_t *group;	/* group g: cases group[g] to group[g + 1] - 1 */
	size_t ngroups;
	struct shared *sh;
	size_t sh_size;
	unsigned marks_seen;	/* this lane's: marks whose directories it keeps */
};

/* A lane's message: case index's result, or (index LANE_END) its end. */
#define LANE_END	SIZE_MAX
struct lane_msg {
	size_t index;
	union {
		struct case_result r;
		struct {
			struct case_stats stats;
			unsigned stuck;
			int err;
		} end;
	};
};

static void mark(struct shared *sh, const struct case_spec *s, const struct case_result *r)
{
	unsigned k = __atomic_fetch_add(&sh->nmarks, 1, __ATOMIC_ACQ_REL);

	if (k >= MARKS_MAX)
		return;
	sh->marks[k] = (struct stuck_mark){ s->drv, s->fs, s->dir, r->pid, r->oops, 0 };
	__atomic_store_n(&sh->marks[k].whole, 1, __ATOMIC_RELEASE);
}

static const struct stuck_mark *mark_get(const struct shared *sh, unsigned k)
{
	return k < MARKS_MAX && __atomic_load_n(&sh->marks[k].whole, __ATOMIC_ACQUIRE)
		? &sh->marks[k] : NULL;
}

/* The scratch directory in dir stays, with the task pid stuck there. */
static void keep_dir(const char *dir, pid_t pid)
{
	char why[256];
	struct scratch *sc = scratch_for(dir, why, sizeof(why));

	if (sc)
		scratch_keep(sc, pid);
}

/* A marked directory is left alone by every lane: a worker of this lane
 * that used it earlier does not remove its files there when it ends
 * (scratch.h), since that would wait on the locks the stuck task holds. */
static void keep_marked(struct lanes *L)
{
	unsigned n = __atomic_load_n(&L->sh->nmarks, __ATOMIC_ACQUIRE);
	const struct stuck_mark *m;

	for (; L->marks_seen < n && (m = mark_get(L->sh, L->marks_seen)); L->marks_seen++)
		if (m->dir)
			keep_dir(m->dir, m->pid);
}

/* Why s is not run after an earlier case marked its filesystem (without
 * one, its call), or NULL. */
static const char *marked(const struct shared *sh, const struct case_spec *s, char *buf,
			  size_t size)
{
	unsigned n = __atomic_load_n(&sh->nmarks, __ATOMIC_ACQUIRE);
	const struct stuck_mark *m;

	for (unsigned k = 0; k < n; k++) {
		if (!(m = mark_get(sh, k)) || m->fs != s->fs || (s->fs == FS_NONE && m->drv != s->drv))
			continue;
		if (m->oops)
			snprintf(buf, size, "not run: the kernel died (oops) in an earlier %s case "
				 "on %s, which may hold its locks", m->drv->name, fs_name(s->fs));
		else
			snprintf(buf, size, "not run: an earlier %s case on %s left pid %d running "
				 "after SIGKILL", m->drv->name, fs_name(s->fs), (int)m->pid);
		return buf;
	}
	return NULL;
}

static bool ending(const struct lanes *L)
{
	return case_stop_signal || __atomic_load_n(&L->sh->end, __ATOMIC_ACQUIRE);
}

static enum fs_type group_fs(const struct lanes *L, size_t g)
{
	return L->run->plan->c[L->group[g]].fs;
}

#define NO_GROUP	SIZE_MAX

/* The first group not taken whose filesystem no lane is on; waits while
 * every group left is on a busy one. NO_GROUP when none is left or the run
 * ends. */
static void shared_lock(struct shared *sh)
{
	if (pthread_mutex_lock(&sh->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&sh->lock);	/* its holder died: the counts stand */
}

static size_t group_take(struct lanes *L)
{
	struct shared *sh = L->sh;
	size_t got = NO_GROUP;

	shared_lock(sh);
	while (!ending(L) && sh->first_free < L->ngroups) {
		for (size_t g = sh->first_free; g < L->ngroups && got == NO_GROUP; g++) {
			enum fs_type fs = group_fs(L, g);

			if (!sh->taken[g] && (fs == FS_NONE || !sh->busy[fs]))
				got = g;
		}
		if (got != NO_GROUP) {
			sh->taken[got] = 1;
			sh->busy[group_fs(L, got)]++;
			while (sh->first_free < L->ngroups && sh->taken[sh->first_free])
				sh->first_free++;
			break;
		}
		/* timed: a stop signal is seen soon */
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += LANE_POLL_MS * 1000000l;
		if (until.tv_nsec >= 1000000000l) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000l;
		}
		if (pthread_cond_timedwait(&sh->freed, &sh->lock, &until) == EOWNERDEAD)
			pthread_mutex_consistent(&sh->lock);
	}
	pthread_mutex_unlock(&sh->lock);
	return got;
}

static void group_done(struct lanes *L, size_t g)
{
	shared_lock(L->sh);
	L->sh->busy[group_fs(L, g)]--;
	pthread_cond_broadcast(&L->sh->freed);
	pthread_mutex_unlock(&L->sh->lock);
}

/* Hands a result on: 0, or non-zero to end the lane. */
typedef int (*send_fn)(void *to, size_t i, const struct case_result *r);

/* The cases of group g: 0, 1 to end the lane, or case_run's -errno. */
static int group_run(struct lanes *L, size_t g, send_fn send, void *to)
{
	const struct lanes_run *run = L->run;
	const struct case_spec *unreturned = NULL;

	for (size_t i = L->group[g]; i < L->group[g + 1]; i++) {
		const struct case_spec *s = &run->plan->c[i];
		const char *skip = NULL;
		struct case_result r;
		char buf[256];
		int err;

		if (ending(L))
			return 1;
		if (run->done && run->done[i])
			continue;	/* its row is written already */
		keep_marked(L);
		if (run->skip)
			skip = run->skip(run->arg, s);
		if (!skip)
			skip = marked(L->sh, s, buf, sizeof(buf));
		if (!skip && unreturned) {
			snprintf(buf, sizeof(buf), "not run: the case of this group with the fault at "
				 "%zu, buf_off %zu did not return", unreturned->fault_at,
				 unreturned->buf_off);
			skip = buf;
		}
		if (skip)
			case_skip(s, &r, skip);
		else if ((err = case_run(s, &r)))
			return err;
		if (r.stopped)
			return 1;	/* no result: not a row */
		if ((r.out.result == RESULT_TIMEOUT || r.out.result == RESULT_LIVELOCK ||
		     r.out.result == RESULT_HANG) && !r.raw.recovered)
			unreturned = s;
		if (r.unkillable || r.oops) {
			mark(L->sh, s, &r);
			keep_marked(L);
		}
		if (send(to, i, &r))
			return 1;
	}
	return 0;
}

/* Run groups until none is left or the run ends: 0, or case_run's -errno. */
static int lane_loop(struct lanes *L, send_fn send, void *to)
{
	size_t g;
	int ret = 0;

	while (!ret && (g = group_take(L)) != NO_GROUP) {
		ret = group_run(L, g, send, to);
		group_done(L, g);
	}
	return ret < 0 ? ret : 0;
}

/* ---- one lane, in this process ---- */

struct direct {
	const struct lanes_run *run;
	int emit_err;
};

static int send_direct(void *to, size_t i, const struct case_result *r)
{
	struct direct *d = to;

	d->emit_err = d->run->emit(d->run->arg, i, r);
	return d->emit_err;
}

/* A lane's last word, when its cases are done: its worker ended, where its
 * time went, the tasks it left stuck. */
static void lane_finish(struct case_stats *stats, unsigned *stuck)
{
	case_worker_end();
	case_stats_get(stats);
	*stuck = case_stuck_count();
}

static int run_here(struct lanes *L, struct lanes_end *end)
{
	struct direct d = { L->run, 0 };

	end->err = lane_loop(L, send_direct, &d);
	end->emit_err = d.emit_err;
	lane_finish(&end->stats, &end->stuck);
	return end->err || end->emit_err ? -1 : 0;
}

/* ---- lanes in child processes ---- */

static int send_socket(void *to, size_t i, const struct case_result *r)
{
	struct lane_msg m = { .index = i, .r = *r };

	return send(*(int *)to, &m, sizeof(m), MSG_NOSIGNAL) == (ssize_t)sizeof(m) ? 0 : -1;
}

static __attribute__((noreturn)) void lane_child(struct lanes *L, unsigned k, int fd)
{
	struct lane_msg m = { .index = LANE_END };

	case_lane_set(k, L->run->jobs);
	m.end.err = lane_loop(L, send_socket, &fd);
	if (m.end.err)
		__atomic_store_n(&L->sh->end, 1, __ATOMIC_RELEASE);
	lane_finish(&m.end.stats, &m.end.stuck);
	send(fd, &m, sizeof(m), MSG_NOSIGNAL);
	_exit(0);	/* not exit: the parent's stdio buffers are not ours to flush */
}

/* Results that came before those ahead of them in the plan. */
struct held {
	size_t index;
	struct case_result r;
};

struct order {
	const struct lanes_run *run;
	size_t next;		/* the next case to emit */
	struct held *held;
	size_t n, cap;
	int emit_err;
};

static void emit(struct order *o, size_t i, const struct case_result *r)
{
	if (!o->emit_err)
		o->emit_err = o->run->emit(o->run->arg, i, r);
}

/* Emit the held results that are next in plan order. */
static void order_flush(struct order *o)
{
	for (size_t k = 0; k < o->n;) {
		while (o->next < o->run->plan->n && o->run->done && o->run->done[o->next])
			o->next++;
		if (o->held[k].index != o->next) {
			k++;
			continue;
		}
		emit(o, o->next++, &o->held[k].r);
		o->held[k] = o->held[--o->n];
		k = 0;
	}
}

static int order_add(struct order *o, size_t i, const struct case_result *r)
{
	struct held *h = array_grow(o->held, o->n, &o->cap, sizeof(*h), 16);

	if (!h)
		return -ENOMEM;
	o->held = h;
	o->held[o->n++] = (struct held){ i, *r };
	order_flush(o);
	return 0;
}

static int by_index(const void *a, const void *b)
{
	const struct held *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* At the end: what is still held (cases before it never ran: stopped), in
 * plan order. */
static void order_end(struct order *o)
{
	qsort(o->held, o->n, sizeof(*o->held), by_index);
	for (size_t k = 0; k < o->n; k++)
		emit(o, o->held[k].index, &o->held[k].r);
	o->n = 0;
	free(o->held);
}

/* Lane k's messages waiting on its socket (all of them): true when its
 * end was among them. */
static bool lane_read(struct lanes *L, int fd, struct order *o, struct lanes_end *end)
{
	struct lane_msg m;
	bool ended = false;

	while (recv(fd, &m, sizeof(m), MSG_DONTWAIT) == (ssize_t)sizeof(m)) {
		if (m.index == LANE_END) {
			case_stats_add(&end->stats, &m.end.stats);
			end->stuck += m.end.stuck;
			if (m.end.err && !end->err)
				end->err = m.end.err;
			ended = true;
			continue;
		}
		if (m.index >= L->run->plan->n)
			continue;
		/* its directory stays for the task stuck in it (in one lane, the
		 * worker's own process says so) */
		if ((m.r.unkillable || m.r.oops) && L->run->plan->c[m.index].dir)
			keep_dir(L->run->plan->c[m.index].dir, m.r.pid);
		if (order_add(o, m.index, &m.r) && !end->err)
			end->err = -ENOMEM;
	}
	return ended;
}

static int run_lanes(struct lanes *L, struct lanes_end *end)
{
	unsigned jobs = L->run->jobs, started = 0, alive;
	pid_t pid[LANES_MAX];
	struct pollfd pfd[LANES_MAX];
	struct order o = { .run = L->run };
	bool forwarded = false, ended[LANES_MAX] = { false };
	int status;

	for (unsigned k = 0; k < jobs; k++) {
		int fd;

		pid[k] = fork_with_socket(&fd);
		if (pid[k] == 0)
			lane_child(L, k, fd);
		if (pid[k] < 0) {
			end->err = pid[k];
			__atomic_store_n(&L->sh->end, 1, __ATOMIC_RELEASE);
			break;
		}
		pfd[k] = (struct pollfd){ .fd = fd, .events = POLLIN };
		started++;
	}
	for (alive = started; alive;) {
		if (case_stop_signal && !forwarded) {
			/* a signal to this process only (kill PID): the lanes end too */
			for (unsigned k = 0; k < started; k++)
				if (pfd[k].fd >= 0)
					kill(pid[k], case_stop_signal);
			forwarded = true;
		}
		if (poll(pfd, started, LANE_POLL_MS) < 0 && errno != EINTR)
			usleep(LANE_POLL_MS * 1000);	/* no memory for poll: look again */
		for (unsigned k = 0; k < started; k++) {
			if (pfd[k].fd < 0)
				continue;
			ended[k] |= lane_read(L, pfd[k].fd, &o, end);
			if (waitpid(pid[k], &status, WNOHANG) != pid[k])
				continue;
			ended[k] |= lane_read(L, pfd[k].fd, &o, end);	/* what it sent last */
			if (!ended[k] && !end->lane_died)
				end->lane_died = WIFSIGNALED(status) ? -WTERMSIG(status) : 1;
			close(pfd[k].fd);
			pfd[k].fd = -1;	/* poll ignores it */
			alive--;
		}
		if (o.emit_err || end->err || end->lane_died)
			__atomic_store_n(&L->sh->end, 1, __ATOMIC_RELEASE);
	}
	order_end(&o);
	end->emit_err = o.emit_err;
	return end->err || end->emit_err || end->lane_died ? -1 : 0;
}

/* The shared part, its lock and condition usable across processes. */
static struct shared *shared_make(size_t ngroups, size_t *size)
{
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	struct shared *sh;

	*size = sizeof(*sh) + ngroups;
	sh = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return NULL;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	/* a lane killed holding it (SIGKILL from outside) does not block the rest */
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&sh->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	pthread_cond_init(&sh->freed, &ca);
	pthread_condattr_destroy(&ca);
	return sh;
}

int lanes_run(const struct lanes_run *run, struct lanes_end *end)
{
	struct lanes L = { .run = run };
	const struct plan *p = run->plan;
	int ret;

	*end = (struct lanes_end){ 0 };
	L.group = malloc((p->n + 1) * sizeof(*L.group));
	if (!L.group) {
		end->err = -ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < p->n; i++)
		if (i == 0 || !plan_same_group(&p->c[i], &p->c[i - 1]))
			L.group[L.ngroups++] = i;
	L.group[L.ngroups] = p->n;
	L.sh = shared_make(L.ngroups, &L.sh_size);
	if (!L.sh) {
		free(L.group);
		end->err = -ENOMEM;
		return -1;
	}
	ret = run->jobs > 1 ? run_lanes(&L, end) : run_here(&L, end);
	munmap(L.sh, L.sh_size);
	free(L.group);
	return ret;
}
