/* SPDX-License-Identifier: MIT */
/*
 * Fault-safe probes: how many bytes from ptr can be accessed before the first
 * fault (a tag mismatch, or an unmapped or protected page), found by one
 * access per 16-byte granule. This is what a byte-exact kernel could copy.
 *
 * A fault inside a probe does not kill the process: a SIGSEGV/SIGBUS handler,
 * installed on first use, resumes at the probe's fixup. Faults anywhere else
 * keep their normal meaning (the handler passes them on to the handler that
 * was there before, or to the default action).
 *
 * Tag mismatches stop a probe only with tag checks on: the thread in sync
 * mode (mte_set_mode) and TCO clear.
 */
#ifndef MTEPROBE_PROBE_H
#define MTEPROBE_PROBE_H

#include <stddef.h>

size_t probe_read(const void *ptr, size_t len);
/* Writes each probed byte back unchanged; not for memory that another
 * thread writes at the same time. */
size_t probe_write(void *ptr, size_t len);

#ifdef __aarch64__
/* One 8-, 16- or 32-byte load and store-back at ptr: 0, or -1 if it faulted. */
int probe_access8(void *ptr);
int probe_access16(void *ptr);
int probe_access32(void *ptr);
#endif

/* Install the fault handler now (probe_read/probe_write do it on first use;
 * call this before installing handlers of your own that it should chain to). */
void probe_init(void);

#endif
