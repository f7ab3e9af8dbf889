/* SPDX-License-Identifier: MIT */
/* The command lines of run, trace and matrix, parsed into their options
 * apart from running anything: a parser reads argv, fills the defaults and
 * returns a status, touching no file (tests/fuzz fuzzes them). */
#ifndef MTEPROBE_PARSE_H
#define MTEPROBE_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "axis.h"
#include "case.h"
#include "format.h"

struct matrix_opts {
	/* each case axis's values (axis.h); the fs list is empty with --dir,
	 * the len list unless --len (each call's own length) */
	struct axis_set set;
	bool no_watchdog;
	bool no_trace;
	enum case_engine engine;	/* --engine */
	unsigned jobs;		/* --jobs: lanes of cases side by side (lanes.h) */
	bool stats;		/* --stats: where the time went */
	bool help;		/* --help: print it, run nothing */
	bool list_plan;		/* --list-plan: print the cases' input columns, run nothing */
	const char *dir;	/* --dir */
	const char *out;	/* -o */
	const char *resume;	/* --resume */
	const struct format_ops *format;	/* --format (default csv) */
	const char *expect;	/* --expect */
};

/* Parse matrix's argv (argv[0] "matrix") into *o, defaults filled: EXIT_OK,
 * or EXIT_USAGE after a one-line message on stderr. */
int matrix_parse(int argc, char **argv, struct matrix_opts *o);

struct run_opts {
	struct case_spec s;	/* drv, io, mode, fault, len, fault_at, buf_off, ... */
	const char *dir;	/* --dir, not looked at yet */
	int fs;			/* --fs: a named filesystem, or -1 */
	const struct format_ops *format;	/* --format, --csv, --json (default text) */
	const char *expect;	/* --expect */
	bool no_trace;
	bool list, help;	/* --list, --help: print, run nothing */
	const char *out;	/* repro: -o, --output (NULL: standard output) */
};

/* The commands that take one case: run, trace and repro. In repro, -o is
 * the output file (run's -o, --buf-off, is --buf-off only) and --timeout
 * says when the reproducer calls a call stuck. */
enum run_cmd {
	RUN_CMD_RUN,
	RUN_CMD_TRACE,
	RUN_CMD_REPRO,
};

/* Parse run's, trace's or repro's argv (argv[0] the command) into *o,
 * defaults filled: EXIT_OK, or EXIT_USAGE after a one-line message on stderr. */
int run_parse(int argc, char **argv, enum run_cmd which, struct run_opts *o);

#endif
