// SPDX-License-Identifier: MIT
/*
 * Kprobes for lib/trace.c: one tiny program per row of TRACE_EVENT_TABLE,
 * counting calls made by the threads of up to TRACE_SLOTS lanes of cases.
 * No kernel structure is read (only argument registers), so there is no
 * vmlinux.h, no BTF and no CO-RE relocation: the object loads on 5.10, 6.1
 * and 6.12 alike.
 *
 * Built with clang -target bpf -D__TARGET_ARCH_<arch>; the skeleton made
 * from it by bpftool maps these globals (.bss) into user space.
 */
#include <linux/types.h>
#include <asm/ptrace.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "trace_events.h"

enum {
#define TRACE_ENUM(ev, func, addr) EV_##ev,
	TRACE_EVENT_TABLE(TRACE_ENUM)
#undef TRACE_ENUM
	EV_COUNT
};

/* One slot per lane of cases running side by side (matrix --jobs), each
 * counting one thread: flat arrays of scalars, which the skeleton maps
 * as they are. Written by user space through the mmapped .bss: a tid of 0
 * counts nothing. */
volatile __u32 target_tid[TRACE_SLOTS];
/* and the io-wq workers of target_tid, which run its io_uring requests:
 * threads of process target_tgid named worker_comm ("iou-wrk-<tid>",
 * io_uring/io-wq.c) */
volatile __u32 target_tgid[TRACE_SLOTS];
volatile char worker_comm[TRACE_SLOTS][16];
__u64 counts[TRACE_SLOTS][EV_COUNT];
__u64 same_addr[TRACE_SLOTS];
__u64 last_addr[TRACE_SLOTS];

static __always_inline int comm_is(const char *comm, int slot)
{
#pragma unroll
	for (int i = 0; i < 16; i++) {
		if (comm[i] != worker_comm[slot][i])
			return 0;
		if (!comm[i])
			break;
	}
	return 1;
}

/* The slot counting the current thread, or -1. */
static __always_inline int slot_of_current(void)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id, tgid = (__u32)(id >> 32);
	char comm[16];
	int worker_of = 0;

	if (!tid)
		return -1;
#pragma unroll
	for (int k = 0; k < TRACE_SLOTS; k++) {
		if (target_tid[k] == tid)
			return k;
		worker_of |= target_tid[k] && target_tgid[k] == tgid;
	}
	/* the process's comm is read only when it is one that is counted */
	if (!worker_of || bpf_get_current_comm(comm, sizeof(comm)))
		return -1;
#pragma unroll
	for (int k = 0; k < TRACE_SLOTS; k++)
		if (target_tid[k] && target_tgid[k] == tgid && comm_is(comm, k))
			return k;
	return -1;
}

static __always_inline int count(int ev, int takes_addr, unsigned long addr)
{
	int k = slot_of_current();

	if (k < 0 || k >= TRACE_SLOTS)
		return 0;
	/* result unused: compiles to the atomic add every kernel accepts */
	__sync_fetch_and_add(&counts[k][ev], 1);
	if (takes_addr) {
		/* the caller, or its worker while the caller sleeps: a race
		 * on last_addr only loses a retry now and then */
		if (addr == last_addr[k])
			__sync_fetch_and_add(&same_addr[k], 1);
		last_addr[k] = addr;
	}
	return 0;
}

/* handle_mm_fault(vma, address, flags, regs): a fault taken in user space
 * has FAULT_FLAG_USER (the same bit from 5.10 to 6.12). Those are the
 * program's own (the copy a fresh process makes on its first write to a
 * page), not the kernel's work on the buffer: not counted. */
#define FAULT_FLAG_USER	0x40
static __always_inline int own_fault(int ev, struct pt_regs *ctx)
{
	return ev == EV_PAGE_FAULT && (PT_REGS_PARM3(ctx) & FAULT_FLAG_USER);
}

/* SEC("kprobe") without a function: trace.c attaches each program to its
 * function if the running kernel has it. */
#define TRACE_PROG(ev, func, addr)						\
	SEC("kprobe")								\
	int on_##func(struct pt_regs *ctx)					\
	{									\
		if (own_fault(EV_##ev, ctx))					\
			return 0;						\
		return count(EV_##ev, addr, addr ? PT_REGS_PARM1(ctx) : 0);	\
	}
TRACE_EVENT_TABLE(TRACE_PROG)

char LICENSE[] SEC("license") = "GPL";
