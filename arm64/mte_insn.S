/* SPDX-License-Identifier: MIT */
/*
 * MTE instructions, one small function each, for the C code in lib/.
 * A "tagged pointer" carries its 4-bit tag in bits 56..59; every function
 * that takes one uses that tag, never a separate argument.
 * Store-tag functions need a 16-byte aligned address (32 for ST2G), or the
 * CPU raises an alignment fault (SIGBUS).
 * On a CPU without MTE every one of them is UNDEFINED (SIGILL): lib/ reaches
 * the tag instructions only through tagged buffers, which need HWCAP2_MTE,
 * and TCO only through lib/mte.c's mte_tco_enable()/mte_tco_disable().
 */
#include "asm.h"

	.text

/* void *mte_insert_random_tag(void *ptr, uint64_t exclude_mask)
 * IRG: ptr with a random tag that is not in exclude_mask (bit n = tag n). */
func mte_insert_random_tag
	irg	x0, x0, x1
	ret
endfunc mte_insert_random_tag

/* uint64_t mte_exclude_tag(const void *ptr, uint64_t exclude_mask)
 * GMI: exclude_mask with the tag of ptr added to it. */
func mte_exclude_tag
	gmi	x0, x0, x1
	ret
endfunc mte_exclude_tag

/* void mte_set_tag(void *ptr)
 * STG: give the granule at ptr the tag of ptr. */
func mte_set_tag
	stg	x0, [x0]
	ret
endfunc mte_set_tag

/* void mte_set_tag_pair(void *ptr)
 * ST2G: the same for the two granules at ptr (ptr 32-byte aligned). */
func mte_set_tag_pair
	st2g	x0, [x0]
	ret
endfunc mte_set_tag_pair

/* void mte_set_tag_zero(void *ptr)
 * STZG: set the granule's tag and zero its 16 data bytes. */
func mte_set_tag_zero
	stzg	x0, [x0]
	ret
endfunc mte_set_tag_zero

/* void mte_set_tag_range(void *ptr, size_t len)
 * Tag [ptr, ptr + len) with the tag of ptr; len is a multiple of 16.
 * STG up to a 32-byte boundary, ST2G while pairs remain, STG for the tail. */
func mte_set_tag_range
	cbz	x1, 3f
	tst	x0, #16
	b.eq	1f
	stg	x0, [x0], #16
	sub	x1, x1, #16
1:	cmp	x1, #32
	b.lo	2f
	st2g	x0, [x0], #32
	sub	x1, x1, #32
	b	1b
2:	cbz	x1, 3f
	stg	x0, [x0], #16
3:	ret
endfunc mte_set_tag_range

/* void *mte_get_tag(const void *ptr)
 * LDG: ptr with its tag bits replaced by the memory tag of its granule. */
func mte_get_tag
	ldg	x0, [x0]
	ret
endfunc mte_get_tag

/* void mte_tco_enable_insn(void)
 * PSTATE.TCO = 1: tag checks are suspended for this thread (fills, checks).
 * Called only through mte_tco_enable() in lib/mte.c, which skips it on a CPU
 * without MTE (where it is UNDEFINED). */
func mte_tco_enable_insn
	msr	tco, #1
	ret
endfunc mte_tco_enable_insn

/* void mte_tco_disable_insn(void)
 * PSTATE.TCO = 0: tag checks apply again. */
func mte_tco_disable_insn
	msr	tco, #0
	ret
endfunc mte_tco_disable_insn

	.section .note.GNU-stack, "", %progbits
