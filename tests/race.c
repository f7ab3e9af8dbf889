/* SPDX-License-Identifier: MIT */
/* The retag race (on an MTE CPU or user-mode qemu): it flips the fault's
 * granule while running, and race_stop, from two threads at once, ends it
 * once, with the granule at the buffer's tag. */
#include <pthread.h>
#include <time.h>

#include "check.h"
#include "mte.h"
#include "race.h"
#include "util.h"

static struct race r;

static void *stopper(void *arg)
{
	*(unsigned long *)arg = race_stop(&r);
	return NULL;
}

int main(void)
{
	const size_t ps = page_size();
	struct layout_spec s = { .fault = FAULT_RETAG, .len = 2 * ps, .fault_at = ps + 5,
				 .buf_off = 3, .tagged = true };
	struct timespec pause = { .tv_nsec = 20 * 1000 * 1000 };
	unsigned long a = 0, b, seen = 0;
	struct layout l;
	pthread_t t;

	CHECK(race_stop(&r) == 0, "a race never started stops at once");
	if (!mte_usable())
		SKIP("no MTE on this CPU");
	CHECK(layout_create(&l, &s) == 0, "map");
	CHECK(l.fault_off == ps - 3, "retag normalises like mte: %zu", l.fault_off);
	CHECK(layout_apply(&l) == 0, "apply");
	CHECK(testbuf_tag_at(&l.tb, layout_fault_byte(&l)) == TESTBUF_MISMATCH_TAG(TESTBUF_TAG),
	      "starts mismatching");
	CHECK(race_start(&r, &l) == 0, "start");
	/* both tags show while it runs (within seconds on a loaded host) */
	for (uint64_t end = monotonic_ns() + 5000000000u; seen != 3 && monotonic_ns() < end;)
		seen |= testbuf_tag_at(&l.tb, layout_fault_byte(&l)) == TESTBUF_TAG ? 1 : 2;
	nanosleep(&pause, NULL);
	/* the watchdog's stop and the caller's, at once */
	CHECK(pthread_create(&t, NULL, stopper, &a) == 0, "stopper");
	b = race_stop(&r);
	pthread_join(t, NULL);
	CHECK(a == b && b > 0, "flips %lu and %lu", a, b);
	CHECK(seen == 3, "both tags seen while flipping (%lu)", seen);
	CHECK(testbuf_tag_at(&l.tb, layout_fault_byte(&l)) == TESTBUF_TAG, "left matching");
	CHECK(race_stop(&r) == b, "stopping again changes nothing");
	layout_destroy(&l);
	return 0;
}
