/* SPDX-License-Identifier: MIT */
/*
 * The probe exception table: for each instruction in arm64/probe.S (or
 * x86_64/probe.S) that may fault on purpose, where to resume when it does.
 * Like the kernel's extable, entries are offsets relative to themselves so
 * the table needs no relocation in a static PIE.
 * lib/probe.c looks up the faulting PC here from its SIGSEGV/SIGBUS handler.
 */
#ifndef MTEPROBE_EXTABLE_H
#define MTEPROBE_EXTABLE_H

#define EXTABLE_SECTION probe_extable

#ifdef __ASSEMBLER__

/* _extable insn_label, fixup_label */
	.macro	_extable insn, fixup
	.pushsection probe_extable, "a"
	.balign	4
	.long	(\insn - .)
	.long	(\fixup - .)
	.popsection
	.endm

#else

#include <stdint.h>

struct extable_entry {
	int32_t insn;	/* faulting instruction, relative to &insn */
	int32_t fixup;	/* where to resume, relative to &fixup */
};

/* The linker defines these for any section named like a C identifier. */
extern const struct extable_entry __start_probe_extable[];
extern const struct extable_entry __stop_probe_extable[];

#endif
#endif
