/* SPDX-License-Identifier: MIT */
/*
 * The retag race (fault retag): while the call runs, a thread of the case's
 * process flips the tag of the fault's granule between the buffer's tag and
 * the mismatching one as fast as it can, so the kernel's page-granular
 * fault-in and its copy may see the granule differently (time of check,
 * time of use). STG does not check tags, so the thread's own stores never
 * fault, whatever its mode.
 */
#ifndef MTEPROBE_RACE_H
#define MTEPROBE_RACE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "layout.h"

struct race {
	struct layout *lay;
	pthread_t thread;
	int caller_cpu;		/* the thread keeps off it */
	_Atomic unsigned long count;	/* flips so far */
	unsigned long from;	/* count when race_start returned */
	_Atomic bool stop;	/* tells the thread to end */
	_Atomic int state;	/* zero: never started */
	unsigned long flips;	/* from race_start's return to the first race_stop */
};

/* Start flipping the applied fault's granule (it starts mismatching, so the
 * first flip matches it), from another CPU than the caller's when there is
 * one; returns once the thread flips, so a call made next is raced from its
 * start. 0 or -errno. */
int race_start(struct race *r, struct layout *l);

/* Stop the thread, wait for it, give the granule the buffer's tag, and
 * return the flips since race_start returned (right after the call: the
 * flips during it). Safe from any thread while the call is still stuck (the
 * watchdog's recovery), and more than once: a later or concurrent call
 * waits for the first to finish. A zeroed race was never started: 0. */
unsigned long race_stop(struct race *r);

#endif
