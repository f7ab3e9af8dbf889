/* SPDX-License-Identifier: MIT */
/*
 * mteprobe repro: one case as a standalone C program (libc and inline asm
 * only) that makes the call once, the way the case runner does (lib/case.c),
 * and prints what happened and what a byte-exact kernel would return.
 *
 * The program is the case's CASE_* constants, the shared part
 * (lib/repro/head.c: the buffer and its fault, the probe, helpers), the
 * driver's part, and main (lib/repro/main.c: steps, guard, report). A driver
 * gives its part through its repro hook (driver.h), which writes C defining:
 *   static int setup(void);         0, or -errno after setup_failed()
 *   static long call(void);         bytes (>= 0), or -errno
 * and, where the defaults do not fit, after "#define DRIVER_VERIFY",
 * "#define DRIVER_CLEANUP" or "#define DRIVER_EXPECT":
 *   static int verify(long ret);    data_ok: 1, 0, or -1 unknown (sets overshoot);
 *                                   default: against ref/before when setup made
 *                                   them, else the file's checks (file_verify)
 *   static void cleanup(void);      default: close fd and fd2
 *   static long expect_of(size_t limit);  default: min(limit, want); records
 *                                   return the end of the last whole one
 * DRIVER_RECORDS is 1 when the driver has record_end, else 0.
 * The helpers it may use are in lib/repro/head.c.
 */
#ifndef MTEPROBE_REPRO_H
#define MTEPROBE_REPRO_H

#include <stdio.h>

#include "case.h"

/* When a reproducer calls a call still running stuck, unless --timeout
 * says otherwise (and its own -t) */
#define REPRO_STUCK_MS_DEFAULT	5000

struct repro {
	FILE *f;
	const struct case_spec *s;
};

/* Write the program of case s to f: dir is the directory it uses by default
 * (NULL when the driver uses none), cmdline what made it (for its comment).
 * 0, or -ENOSYS when the driver has no repro hook. */
int repro_write(FILE *f, const struct case_spec *s, const char *dir, const char *cmdline);

/* For drivers' hooks: C text. */
void repro_printf(struct repro *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The part of a regular-file call: the file made by file_setup(foff)
 * (filled for read-type calls), call_c the C of the call (an expression
 * giving the libc call's return value, using fd, buf, CASE_LEN, foff; for
 * vectored calls iov and n, from split_iov), file_verify, close_fds. */
void repro_file_call(struct repro *r, long foff, const char *call_c);
/* A file driver's hook, SYM_repro, from that. */
#define REPRO_FILE_CALL(sym, foff, call_c)					\
	static void sym##_repro(struct repro *r) { repro_file_call(r, foff, call_c); }

#endif
