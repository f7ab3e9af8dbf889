/* SPDX-License-Identifier: MIT */
/*
 * Fault-safe probes, in the style of the kernel's uaccess: one unprivileged
 * access (LDTR/STTR) per 16-byte granule, each listed in the probe extable.
 * When an access faults (tag mismatch, unmapped or protected page), lib/probe.c's
 * signal handler resumes at the routine's fixup, which returns the count.
 * Tag checks must be on (PSTATE.TCO = 0) and the thread in sync mode for a
 * tag mismatch to stop a probe.
 */
#include "../lib/extable.h"
#include "asm.h"

	.text

/* size_t probe_read_granules(const void *ptr, size_t len)
 * How many bytes from ptr can be read before the first fault: touches ptr,
 * then the start of every later granule below ptr + len. */
func probe_read_granules
	mov	x2, x0			/* x2: address being probed */
	add	x3, x0, x1		/* x3: end */
	cbz	x1, 2f
1:	ldtrb	w4, [x2]
	_extable 1b, 3f
	and	x2, x2, #~15		/* next granule */
	add	x2, x2, #16
	cmp	x2, x3
	b.lo	1b
2:	mov	x0, x1			/* no fault: all of len */
	ret
3:	sub	x0, x2, x0		/* fault at x2 */
	ret
endfunc probe_read_granules

/* size_t probe_write_granules(void *ptr, size_t len)
 * The same for writes. Each granule's byte is read and written back, so the
 * buffer keeps its contents (a read-only page faults on the store). */
func probe_write_granules
	mov	x2, x0
	add	x3, x0, x1
	cbz	x1, 2f
1:	ldtrb	w4, [x2]
	_extable 1b, 3f
4:	sttrb	w4, [x2]
	_extable 4b, 3f
	and	x2, x2, #~15
	add	x2, x2, #16
	cmp	x2, x3
	b.lo	1b
2:	mov	x0, x1
	ret
3:	sub	x0, x2, x0
	ret
endfunc probe_write_granules

/*
 * Single accesses of 8, 16 and 32 bytes, for the emulator check (QEMU 7.2
 * reports false tag faults for accesses that cross a 32-byte boundary).
 * Each returns 0, or -1 when the access faulted. The stores write back what
 * was loaded, so memory keeps its contents.
 */

	.macro	access_pair name, load, store, regs:vararg
/* int probe_\name\()_insn(void *ptr) */
func probe_\name\()_insn
1:	\load	\regs, [x0]
	_extable 1b, 3f
2:	\store	\regs, [x0]
	_extable 2b, 3f
	mov	w0, #0
	ret
3:	mov	w0, #-1
	ret
endfunc probe_\name\()_insn
	.endm

	access_pair access8,  ldr, str, x1
	access_pair access16, ldr, str, q0
	access_pair access32, ldp, stp, q0, q1

	.section .note.GNU-stack, "", %progbits
