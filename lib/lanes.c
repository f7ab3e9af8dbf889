/* SPDX-License-Identifier: MIT */
#include "lanes.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
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
	pid_t pid;
	bool oops;	/* the kernel died in it: pid is gone, its locks may not be */
	int whole;	/* set last (release) */
};

/* What the lanes share (MAP_SHARED: lanes are forks of one process). */
struct shared {
	size_t next_group;
	int end;	/* set: every lane ends after its current case */
	unsigned nmarks;
	struct stuck_mark marks[MARKS_MAX];
};

struct lanes {
	const struct lanes_run *run;
	size_t *group;	/* group g: cases group[g] to group[g + 1] - 1 */
	size_t ngroups;
	struct shared *sh;
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
	sh->marks[k] = (struct stuck_mark){ s->drv, s->fs, r->pid, r->oops, 0 };
	__atomic_store_n(&sh->marks[k].whole, 1, __ATOMIC_RELEASE);
}

/* Why s is not run after an earlier case marked its filesystem (without
 * one, its call), or NULL. */
static const char *marked(const struct shared *sh, const struct case_spec *s, char *buf,
			  size_t size)
{
	unsigned n = __atomic_load_n(&sh->nmarks, __ATOMIC_ACQUIRE);

	for (unsigned k = 0; k < n && k < MARKS_MAX; k++) {
		const struct stuck_mark *m = &sh->marks[k];

		if (!__atomic_load_n(&m->whole, __ATOMIC_ACQUIRE) || m->fs != s->fs ||
		    (s->fs == FS_NONE && m->drv != s->drv))
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

/* Hands a result on: 0, or non-zero to end the lane. */
typedef int (*send_fn)(void *to, size_t i, const struct case_result *r);

/* Run groups until none is left or the run ends: 0, or case_run's -errno. */
static int lane_loop(struct lanes *L, send_fn send, void *to)
{
	const struct lanes_run *run = L->run;
	size_t g;

	while (!ending(L) &&
	       (g = __atomic_fetch_add(&L->sh->next_group, 1, __ATOMIC_RELAXED)) < L->ngroups) {
		const struct case_spec *unreturned = NULL;

		for (size_t i = L->group[g]; i < L->group[g + 1] && !ending(L); i++) {
			const struct case_spec *s = &run->plan->c[i];
			const char *skip = NULL;
			struct case_result r;
			char buf[256];
			int err;

			if (run->done && run->done[i])
				continue;	/* its row is written already */
			if (run->skip)
				skip = run->skip(run->arg, s);
			if (!skip)
				skip = marked(L->sh, s, buf, sizeof(buf));
			if (!skip && unreturned) {
				snprintf(buf, sizeof(buf), "not run: the case of this group with the "
					 "fault at %zu, buf_off %zu did not return", unreturned->fault_at,
					 unreturned->buf_off);
				skip = buf;
			}
			if (skip)
				case_skip(s, &r, skip);
			else if ((err = case_run(s, &r)))
				return err;
			if (r.stopped)
				return 0;	/* no result: not a row */
			if ((r.out.result == RESULT_TIMEOUT || r.out.result == RESULT_LIVELOCK ||
			     r.out.result == RESULT_HANG) && !r.raw.recovered)
				unreturned = s;
			if (r.unkillable || r.oops)
				mark(L->sh, s, &r);
			if (send(to, i, &r))
				return 0;
		}
	}
	return 0;
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

static int run_here(struct lanes *L, struct lanes_end *end)
{
	struct direct d = { L->run, 0 };

	end->err = lane_loop(L, send_direct, &d);
	end->emit_err = d.emit_err;
	case_worker_end();
	case_stats_get(&end->stats);
	end->stuck = case_stuck_count();
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
	case_worker_end();
	case_stats_get(&m.end.stats);
	m.end.stuck = case_stuck_count();
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

static void sum_stats(struct case_stats *sum, const struct case_stats *a)
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

/* Lane k's messages waiting on its socket (all of them). */
static void lane_read(struct lanes *L, int fd, struct order *o, struct lanes_end *end)
{
	struct lane_msg m;
	char why[256];

	while (recv(fd, &m, sizeof(m), MSG_DONTWAIT) == (ssize_t)sizeof(m)) {
		if (m.index == LANE_END) {
			sum_stats(&end->stats, &m.end.stats);
			end->stuck += m.end.stuck;
			if (m.end.err && !end->err)
				end->err = m.end.err;
			continue;
		}
		if (m.index >= L->run->plan->n)
			continue;
		/* its directory stays for the task stuck in it (in one lane, the
		 * worker's own process says so) */
		if ((m.r.unkillable || m.r.oops) && L->run->plan->c[m.index].dir)
			scratch_keep(scratch_for(L->run->plan->c[m.index].dir, why, sizeof(why)),
				     m.r.pid);
		if (order_add(o, m.index, &m.r) && !end->err)
			end->err = -ENOMEM;
	}
}

static int run_lanes(struct lanes *L, struct lanes_end *end)
{
	unsigned jobs = L->run->jobs, started = 0, alive;
	pid_t pid[LANES_MAX];
	struct pollfd pfd[LANES_MAX];
	struct order o = { .run = L->run };
	bool forwarded = false;

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
			lane_read(L, pfd[k].fd, &o, end);
			if (waitpid(pid[k], NULL, WNOHANG) != pid[k])
				continue;
			lane_read(L, pfd[k].fd, &o, end);	/* what it sent last */
			close(pfd[k].fd);
			pfd[k].fd = -1;	/* poll ignores it */
			alive--;
		}
		if (o.emit_err || end->err)
			__atomic_store_n(&L->sh->end, 1, __ATOMIC_RELEASE);
	}
	order_end(&o);
	end->emit_err = o.emit_err;
	return end->err || end->emit_err ? -1 : 0;
}

int lanes_run(const struct lanes_run *run, struct lanes_end *end)
{
	struct lanes L = { .run = run };
	const struct plan *p = run->plan;
	int ret;

	*end = (struct lanes_end){ 0 };
	L.group = malloc((p->n + 1) * sizeof(*L.group));
	L.sh = mmap(NULL, sizeof(*L.sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!L.group || L.sh == MAP_FAILED) {
		free(L.group);
		end->err = -ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < p->n; i++)
		if (i == 0 || !plan_same_group(&p->c[i], &p->c[i - 1]))
			L.group[L.ngroups++] = i;
	L.group[L.ngroups] = p->n;
	ret = run->jobs > 1 ? run_lanes(&L, end) : run_here(&L, end);
	munmap(L.sh, sizeof(*L.sh));
	free(L.group);
	return ret;
}
