/* SPDX-License-Identifier: MIT */
/* The mteprobe command line: exit statuses, the command table, messages. */
#ifndef MTEPROBE_CLI_H
#define MTEPROBE_CLI_H

#include <stdio.h>

/* Exit statuses, documented in man/mteprobe.1 (EXIT STATUS). */
enum exit_status {
	EXIT_OK = 0,		/* done; for selftest: every check passed */
	EXIT_FAILED = 1,	/* a check failed, or an output error */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NO_MTE = 3,	/* this CPU or kernel has no MTE */
	EXIT_PLATFORM = 4,	/* the platform cannot run this (privileges, fs) */
	EXIT_UNTRUSTED = 5,	/* the platform gives wrong answers (emulator bug) */
	EXIT_INTERRUPTED = 130,	/* stopped by a signal; what was measured is kept */
};

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);	/* argv[0] is the command name */
	/* non-NULL when this build cannot run the command: why */
	const char *unsupported;
};

extern const char *program_name;

/* "mteprobe: <message>" on stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: the message, then "Try 'mteprobe [CMD] --help'."; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Flush and check stdout: a write error (a full disk, a closed pipe) fails the exit. */
int close_stdout(int status);

int cmd_selftest(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_repro(int argc, char **argv);

#endif
