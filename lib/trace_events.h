/* SPDX-License-Identifier: MIT */
/*
 * The kernel events the tracer counts: one table, read by the enum in
 * trace.h, the kprobe programs in trace.bpf.c and the names and attach loop
 * in trace.c, so the three cannot drift. Plain macros only: the BPF program
 * includes it too.
 *
 * X(EVENT, kernel function, 1 if it is a fault_in_* call whose first
 * argument is the user address it faults in)
 */
#ifndef MTEPROBE_TRACE_EVENTS_H
#define MTEPROBE_TRACE_EVENTS_H

#define TRACE_EVENT_TABLE(X)							\
	X(FAULT_IN_WRITEABLE,		fault_in_writeable,		1)	\
	X(FAULT_IN_READABLE,		fault_in_readable,		1)	\
	X(FAULT_IN_SAFE_WRITEABLE,	fault_in_safe_writeable,	1)	\
	X(FAULT_IN_SUBPAGE_WRITEABLE,	fault_in_subpage_writeable,	1)	\
	X(FAULT_IN_IOV_ITER_READABLE,	fault_in_iov_iter_readable,	0)	\
	X(FAULT_IN_IOV_ITER_WRITEABLE,	fault_in_iov_iter_writeable,	0)	\
	X(IOV_ITER_FAULT_IN_READABLE,	iov_iter_fault_in_readable,	0)	\
	X(PAGE_FAULT,			handle_mm_fault,		0)	\
	X(TAG_CHECK_FAULT,		do_tag_check_fault,		0)

/* Threads counted at once, each with its own counters: one per lane of
 * cases running side by side (matrix --jobs) */
#define TRACE_SLOTS	8

#endif
