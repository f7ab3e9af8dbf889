/* SPDX-License-Identifier: MIT */
/* Shared assembler macros for the files in arm64/. */
#ifndef MTEPROBE_ARM64_ASM_H
#define MTEPROBE_ARM64_ASM_H

	.arch	armv8.5-a+memtag

/* func NAME ... endfunc NAME: a global, typed and sized function */
	.macro	func name
	.globl	\name
	.type	\name, %function
	.balign	8
\name:
	.endm

	.macro	endfunc name
	.size	\name, . - \name
	.endm

#endif
