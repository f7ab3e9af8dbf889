/* SPDX-License-Identifier: MIT */
#include "race.h"

#include <sched.h>

#include "buffer.h"
#include "util.h"

enum race_state {
	RACE_IDLE,
	RACE_RUNNING,
	RACE_STOPPING,		/* one stopper is joining the thread */
	RACE_STOPPED,
};

/* A race needs two CPUs: keep the thread off the caller's, or the call and
 * the flips would take turns instead of overlapping. The thread moves
 * itself, so it is on its CPU before it counts a flip. */
static void leave_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || sched_getaffinity(0, sizeof(set), &set) != 0 || CPU_COUNT(&set) < 2)
		return;
	CPU_CLR(cpu, &set);
	if (CPU_COUNT(&set))
		sched_setaffinity(0, sizeof(set), &set);
}

static void *flip(void *arg)
{
	struct race *r = arg;
	struct testbuf *tb = &r->lay->tb;
	size_t at = layout_fault_byte(r->lay);
	unsigned long n = 0;

	leave_cpu(r->caller_cpu);
	/* counted per flip: a thread stalled between two shows as such */
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		testbuf_match(tb, at);
		atomic_store_explicit(&r->count, ++n, memory_order_relaxed);
		testbuf_mismatch(tb, at);
		atomic_store_explicit(&r->count, ++n, memory_order_relaxed);
	}
	return NULL;
}

int race_start(struct race *r, struct layout *l)
{
	int err;

	r->lay = l;
	r->flips = 0;
	atomic_store(&r->count, 0);
	atomic_store(&r->stop, false);
	atomic_store(&r->state, RACE_IDLE);
	r->caller_cpu = sched_getcpu();
	err = thread_create(&r->thread, HELPER_THREAD_STACK, flip, r);
	if (err)
		return -err;
	/* after the thread exists: a stopper that sees RUNNING may join it */
	atomic_store(&r->state, RACE_RUNNING);
	/* a new thread takes milliseconds to run under TCG, longer than many
	 * calls: return once it flips, and count from there */
	while (!atomic_load(&r->count))
		sched_yield();
	r->from = atomic_load(&r->count);
	return 0;
}

unsigned long race_stop(struct race *r)
{
	int running = RACE_RUNNING;

	if (atomic_compare_exchange_strong(&r->state, &running, RACE_STOPPING)) {
		r->flips = atomic_load(&r->count) - r->from;
		atomic_store(&r->stop, true);
		pthread_join(r->thread, NULL);
		testbuf_match(&r->lay->tb, layout_fault_byte(r->lay));
		atomic_store(&r->state, RACE_STOPPED);
	} else {
		/* another stopper is joining: the thread ends within a turn
		 * of its loop */
		while (atomic_load(&r->state) == RACE_STOPPING)
			sched_yield();
	}
	return atomic_load(&r->state) == RACE_STOPPED ? r->flips : 0;
}
