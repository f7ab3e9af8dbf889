/* SPDX-License-Identifier: MIT */
/*
 * The probes of arm64/probe.S for x86_64, where only page faults exist:
 * one access per 16-byte step, each listed in the probe extable, so the same
 * C code (lib/probe.c) measures page-granular faults natively.
 */
#include "../lib/extable.h"

	.text

/* size_t probe_read_granules(const void *ptr, size_t len) */
	.globl	probe_read_granules
	.type	probe_read_granules, @function
probe_read_granules:
	mov	%rdi, %rdx		/* rdx: address being probed */
	lea	(%rdi,%rsi), %rcx	/* rcx: end */
	test	%rsi, %rsi
	jz	2f
1:	movb	(%rdx), %al
	_extable 1b, 3f
	and	$-16, %rdx		/* next granule */
	add	$16, %rdx
	cmp	%rcx, %rdx
	jb	1b
2:	mov	%rsi, %rax		/* no fault: all of len */
	ret
3:	mov	%rdx, %rax		/* fault at rdx */
	sub	%rdi, %rax
	ret
	.size	probe_read_granules, . - probe_read_granules

/* size_t probe_write_granules(void *ptr, size_t len): reads and writes back. */
	.globl	probe_write_granules
	.type	probe_write_granules, @function
probe_write_granules:
	mov	%rdi, %rdx
	lea	(%rdi,%rsi), %rcx
	test	%rsi, %rsi
	jz	2f
1:	movb	(%rdx), %al
	_extable 1b, 3f
4:	movb	%al, (%rdx)
	_extable 4b, 3f
	and	$-16, %rdx
	add	$16, %rdx
	cmp	%rcx, %rdx
	jb	1b
2:	mov	%rsi, %rax
	ret
3:	mov	%rdx, %rax
	sub	%rdi, %rax
	ret
	.size	probe_write_granules, . - probe_write_granules

	.section .note.GNU-stack, "", @progbits
