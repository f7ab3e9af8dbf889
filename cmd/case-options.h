/* SPDX-License-Identifier: MIT */
/* What `mteprobe run` and `mteprobe matrix` share: parsing of sizes and
 * names, the directory of a filesystem, the driver list. */
#ifndef MTEPROBE_CASE_OPTIONS_H
#define MTEPROBE_CASE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "expect.h"
#include "format.h"
#include "fs.h"

#define LEN_MAX		(1024 * 1024)	/* --len, --fault-at */
#define IOVECS_MAX	64

/* A number: decimal (a leading zero changes nothing: 010 is ten) or 0x hex,
 * an optional k or K suffix (KiB). 0, or -1 when bad. */
int parse_size(const char *s, size_t *out);
/* --fault-at / --at values: a size, or first, mid, last, next (the first
 * granule, the middle of the first page, its last granule, the first
 * granule of the next page). */
int parse_position(const char *s, size_t *out);

/* --format NAME (run's --csv and --json too) into *f: EXIT_OK, or a usage
 * error when NAME is unknown or another format was given before. */
int parse_format(const char *cmd, const char *name, const struct format_ops **f);
/* What the output options allow together: EXIT_OK, or a usage error
 * (--expect needs --format ktap). */
int check_output(const char *cmd, const struct format_ops *f, const char *expect);
/* Read --expect FILE into *e: EXIT_OK, or one line naming the problem and
 * EXIT_USAGE. */
int load_expect(const char *cmd, const char *path, struct expect_set *e);

/* mteprobe run/matrix refuse to measure under user-mode emulation. Returns
 * 0, or prints one line and returns EXIT_PLATFORM. */
int refuse_emulation(const char *cmd);

/* Count the kernel's fault-in and retry events of each case (trace.h, the
 * fault_ins column) unless off; when tracing cannot be on, say why in one
 * line and carry on. */
void tracing_start(const char *cmd, bool off);
/* Say once why the watchdog cannot call a case a hang here, unless the
 * watchdog is off. */
void hang_verdicts_check(const char *cmd, bool off);

/* The directory for a filesystem, checked: NULL with dir filled, or the
 * reason it cannot be used. */
const char *fs_dir_for(enum fs_type t, char *dir, size_t size, char *why, size_t wsize);

/* Drivers with what they make, touch and support (for --list). */
void list_drivers(FILE *f);

#endif
