/* SPDX-License-Identifier: MIT */
/* What `mteprobe run` and `mteprobe matrix` share: parsing of sizes and
 * names, the directory of a filesystem, the driver list. */
#ifndef MTEPROBE_CASE_OPTIONS_H
#define MTEPROBE_CASE_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "axis.h"	/* parse_size, parse_position, LEN_MAX, IOVECS_MAX */
#include "expect.h"
#include "format.h"
#include "fs.h"

/* The case axes' options (axis.h), made from the table: run's (also
 * trace's and repro's: one value each) or matrix's (lists). */
enum axis_cmd {
	AXIS_CMD_RUN,
	AXIS_CMD_MATRIX,
};
#define AXIS_OPT	0x1000	/* getopt value of axis id's long option: + id */
/* Append the command's axis options to opts (room for AXIS_COUNT) and
 * their short letters ("f:") to shorts: returns how many. */
size_t axis_options(enum axis_cmd cmd, struct option *opts, char *shorts, size_t size);
/* The axis of a value getopt_long returned, or -1. */
int axis_of_option(enum axis_cmd cmd, int opt);
/* Parse arg as one value of axis id into *v: EXIT_OK, or a usage error
 * naming the option, the value and the valid ones. */
int axis_option_value(const char *cmd, enum axis_cmd which, int id, const char *arg, size_t *v);
/* Add the comma list arg to matrix list *l: EXIT_OK, or a usage error (an
 * empty list or item, a bad item, one given twice, too many). */
int axis_option_list(const char *cmd, int id, const char *arg, struct axis_list *l);
/* The --help lines of the command's axis options. */
void axis_help(FILE *f, enum axis_cmd cmd);

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
