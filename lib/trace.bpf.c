// SPDX-License-Identifier: MIT
/*
 * Kprobes for lib/trace.c: one tiny program per row of TRACE_EVENT_TABLE,
 * counting calls made by one thread. No kernel structure is read (only
 * argument registers), so there is no vmlinux.h, no BTF and no CO-RE
 * relocation: the object loads on 5.10, 6.1 and 6.12 alike.
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

/* Written by user space through the mmapped .bss: 0 counts nothing. */
volatile __u32 target_tid;
__u64 counts[EV_COUNT];
__u64 same_addr;
__u64 last_addr;

static __always_inline int count(int ev, int takes_addr, unsigned long addr)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!tid || tid != target_tid)
		return 0;
	/* result unused: compiles to the atomic add every kernel accepts */
	__sync_fetch_and_add(&counts[ev], 1);
	if (takes_addr) {
		/* only the target thread gets here: no race on last_addr */
		if (addr == last_addr)
			__sync_fetch_and_add(&same_addr, 1);
		last_addr = addr;
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
