/* SPDX-License-Identifier: MIT */
/*
 * Kernel events counted for one thread while it runs a syscall: fault-in
 * calls, page faults and arm64 tag-check faults, from BPF kprobes. A case
 * that live-locks in a fault-in/retry loop then says how: "do_tag_check_fault
 * 41230, fault_in_writeable 41229".
 *
 * The counters live in the BPF program's .bss map, mmap()ed MAP_SHARED: a
 * child forked after trace_open arms for its own thread and the parent reads
 * what it counted, even while the child is stuck in the kernel. One
 * thread (and its io-wq workers) is counted at a time in each of
 * TRACE_SLOTS slots, system wide: a process uses slot 0 unless it chose
 * another (trace_slot_set, one per lane of cases run side by side).
 *
 * Built without libbpf (HAVE_LIBBPF 0) the same functions exist: trace_open
 * says so and the rest do nothing.
 */
#ifndef MTEPROBE_TRACE_H
#define MTEPROBE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trace_events.h"

/* Kernel events counted for one thread during a call (BPF kprobes), one per
 * row of TRACE_EVENT_TABLE:
 *   TRACE_FAULT_IN_WRITEABLE		fault_in_writeable
 *   TRACE_FAULT_IN_READABLE		fault_in_readable
 *   TRACE_FAULT_IN_SAFE_WRITEABLE	fault_in_safe_writeable
 *   TRACE_FAULT_IN_SUBPAGE_WRITEABLE	fault_in_subpage_writeable (6.1+)
 *   TRACE_FAULT_IN_IOV_ITER_READABLE	fault_in_iov_iter_readable (5.16+)
 *   TRACE_FAULT_IN_IOV_ITER_WRITEABLE	fault_in_iov_iter_writeable
 *   TRACE_IOV_ITER_FAULT_IN_READABLE	iov_iter_fault_in_readable (5.10)
 *   TRACE_PAGE_FAULT			handle_mm_fault: page faults on user memory
 *   TRACE_TAG_CHECK_FAULT		do_tag_check_fault: arm64 tag-check faults
 * Measured on Debian arm64 kernels: handle_mm_fault and do_tag_check_fault
 * attach on 5.10, 6.1 and 6.12; the four fault_in_* taking an address on
 * 6.1 and 6.12 (5.10 has none: its fault_in_pages_* are inline). The
 * iov_iter forms exist but lib/iov_iter.c is built notrace, and kprobe
 * events refuse notrace functions ("Could not probe notrace function"):
 * on those kernels their work shows as fault_in_readable/_writeable.
 */
enum trace_event {
#define TRACE_ENUM(ev, func, addr) TRACE_##ev,
	TRACE_EVENT_TABLE(TRACE_ENUM)
#undef TRACE_ENUM
	TRACE_EVENT_COUNT
};

struct trace_counts {
	uint64_t n[TRACE_EVENT_COUNT];
	/* fault_in_* calls whose first argument equals the previous
	 * fault_in_* call's (a retry loop on one address). Only the calls
	 * that take a user address count (fault_in_writeable, _readable,
	 * _safe_writeable, _subpage_writeable); the iov_iter forms take an
	 * iterator, and on 5.16+ call fault_in_readable/_writeable inside. */
	uint64_t fault_in_same_addr;
};

/* Load and attach, once per process, before forking cases. 0, or -errno
 * with why filled: one line naming the problem and the fix ("BPF needs root
 * ...; run as root to count them"). Calling it again once it is on is harmless (0). Set
 * MTEPROBE_BPF_DEBUG in the environment to see libbpf's own messages. */
int trace_open(char *why, size_t size);
bool trace_on(void);

/* The kernel function behind an event ("?" outside the enum), and whether
 * it is attached on this kernel. A kernel that only has a compiler-made
 * local copy such as "fault_in_readable.isra.0" gets that one attached
 * (trace_event_symbol names it); the event keeps its plain name. */
const char *trace_event_name(enum trace_event e);
bool trace_event_attached(enum trace_event e);
/* The symbol actually attached ("" when not attached). */
const char *trace_event_symbol(enum trace_event e);

/* Count in slot k (< TRACE_SLOTS) from now on, in this process and the
 * children it forks after: trace_arm, trace_disarm and trace_read act on
 * that slot's thread and counters only. */
void trace_slot_set(unsigned k);

/* Zero the counters and count thread tid only, with the io-wq workers that
 * run its io_uring requests (threads of the calling process named
 * "iou-wrk-<tid>"; a tid from gettid() of the calling process, in the
 * initial pid namespace: BPF sees kernel pids). Works in any process forked
 * after trace_open. */
void trace_arm(pid_t tid);
void trace_disarm(void);
/* What has been counted since trace_arm (zeros when tracing is off). */
void trace_read(struct trace_counts *c);

/* The fault_ins figure: the sum of every event (fault-in calls, page
 * faults, tag-check faults). */
uint64_t trace_fault_ins(const struct trace_counts *c);
/* One line such as "do_tag_check_fault 41230, handle_mm_fault 3": events
 * with a count, largest first ("" when nothing was counted). */
void trace_format(const struct trace_counts *c, char *buf, size_t size);

/* Detach and unload, in the process that called trace_open only: in a
 * forked child it would disable the shared kprobe perf events for all
 * (libbpf disables a perf link before closing it); children just exit. */
void trace_close(void);

#endif
