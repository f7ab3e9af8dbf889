/* SPDX-License-Identifier: MIT */
/*
 * Run a function that is expected to fault, in a forked child, and report
 * the signal it took (signal, si_code, si_addr with tag bits), if any.
 */
#ifndef MTEPROBE_FAULT_H
#define MTEPROBE_FAULT_H

#include <stdbool.h>
#include <stdint.h>

struct fault_report {
	bool faulted;		/* a SIGSEGV or SIGBUS arrived */
	int signo;
	int code;		/* si_code, e.g. SEGV_MTESERR */
	uintptr_t addr;		/* si_addr; tag bits kept where the kernel can */
	bool timed_out;		/* the child did not finish in time */
	int status;		/* wait status when the child died otherwise */
};

/* fn runs in the child with the caller's memory (copy on write). Returns 0
 * with *r filled, or -errno if the child could not be run. */
int fault_catch(void (*fn)(void *arg), void *arg, unsigned timeout_ms, struct fault_report *r);

#endif
