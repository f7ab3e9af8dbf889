/* SPDX-License-Identifier: MIT */
/*
 * Run one case: a driver's call with a fault layout, in a forked child with
 * a time limit, the result back through a pipe, then classified (outcome.h).
 *
 * While the call runs, a watchdog thread in the child (watchdog.h) judges a
 * call that burns kernel CPU in a loop a livelock, early, and one asleep
 * without progress at the time limit a hang; it then removes the fault, and
 * a call that returns is recovered (r->raw.recovered). A child that gives no
 * result is killed with SIGKILL; one that cannot be killed (spinning in the
 * kernel) is left running and the run goes on (r->unkillable, r->pid).
 */
#ifndef MTEPROBE_CASE_H
#define MTEPROBE_CASE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "driver.h"
#include "fs.h"
#include "layout.h"
#include "mte.h"
#include "outcome.h"
#include "trace.h"

#define CASE_TIMEOUT_MS_DEFAULT	10000
#define CASE_NO_MTE_NOTE	"needs an MTE CPU or the VM (scripts/mte-vm)"

struct case_spec {
	const struct driver *drv;
	/* the working directory, NULL for drivers without a filesystem: the
	 * case's files go in its own directory in this process's scratch
	 * directory there (scratch.h), removed when the case ended */
	const char *dir;
	enum fs_type fs;
	enum io_path io;
	enum mte_mode mode;
	enum fault_kind fault;
	size_t len;
	size_t fault_at;	/* bytes from the buffer start, before normalisation */
	size_t buf_off;
	unsigned iovecs;
	unsigned timeout_ms;
	bool no_watchdog;	/* a plain time limit, no live-lock or hang verdicts */
	bool late_verdict;	/* the watchdog judges only at the time limit */
	unsigned seq;		/* unique per case: file names */
};

struct case_result {
	struct raw_result raw;
	struct outcome out;
	bool fault_in_range;
	size_t fault_off;	/* normalised (layout.h) */
	bool has_expect;
	long expect;		/* what the probes say a byte-exact kernel returns
				 * (records: at the record boundary, driver.h) */
	struct drv_check chk;	/* -1: unknown or does not apply */
	unsigned long elapsed_us;	/* the call; the time limit for a timeout */
	int sicode;		/* si_code of an async tag-check fault (0: none) */
	bool traced;		/* the kernel's events were counted (tracing on) */
	struct trace_counts counts;	/* which, during the call */
	uint64_t fault_ins;	/* their sum */
	unsigned long verdict_us;	/* when the watchdog judged it stuck (0: never) */
	int stopped;		/* the stop signal that ended the case before its result
				 * (0: none); then a skip, not a measurement */
	bool unkillable;	/* timed out and survived SIGKILL */
	pid_t pid;		/* the child, when left running */
	char errname[24];	/* "EFAULT", "SIGSEGV" */
	char note[320];
};

/* Why the case cannot run, decided without running it (NULL: it can).
 * Uses why for the text. */
const char *case_precheck(const struct case_spec *s, char *why, size_t size);

/* Fill *r as a skip for why (e.g. asymm mode unavailable), without running. */
void case_skip(const struct case_spec *s, struct case_result *r, const char *why);

/* Run it. Returns 0 with *r filled (a skip is a result too), or -errno when
 * no child could be made. */
int case_run(const struct case_spec *s, struct case_result *r);

/* Asymmetric mode is a per-CPU preference (sysfs): make every CPU prefer it
 * for the run, and put the preferences back. begin returns NULL, or why
 * asymm cases must be skipped. */
const char *case_asymm_begin(char *why, size_t size);
void case_asymm_end(void);

/* The signals that stop run and matrix: SIGINT, SIGTERM, SIGHUP, SIGQUIT,
 * SIGUSR1, SIGUSR2, SIGALRM, SIGXCPU. case_stop_catch() catches those not
 * ignored from the start (nohup) and ignores SIGPIPE and SIGXFSZ (a failed
 * write is an error, not a death); case_stop_signal then holds the first
 * one caught. A case running then gets CASE_STOP_GRACE_MS to finish; one
 * that has not is killed and is a skip with r->stopped set. Its children
 * ignore them: the parent decides. */
#define CASE_STOP_GRACE_MS	1000
extern volatile sig_atomic_t case_stop_signal;
void case_stop_catch(void);
void case_stop_release(void);

/* Children left running after SIGKILL, still not reaped. */
unsigned case_stuck_count(void);

#endif
