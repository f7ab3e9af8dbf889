/* SPDX-License-Identifier: MIT */
/*
 * Run one case: a driver's call with a fault layout, in a worker process
 * with a time limit, the result back through a socket, then classified
 * (outcome.h). A worker runs case after case (case_worker.h says what a
 * case may change in it and how that is put back); one that a case killed,
 * or that had to be killed, is replaced by a fresh one for the next case.
 * The fork engine (case_engine_set) makes a worker per case instead.
 *
 * While the call runs, the worker's watchdog thread (watchdog.h) judges a
 * call that burns kernel CPU in a loop a livelock, early, and one asleep
 * without progress at the time limit a hang; it then removes the fault, and
 * a call that returns is recovered (r->raw.recovered). A worker that gives no
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

#define CASE_TIMEOUT_S_DEFAULT	10
#define CASE_TIMEOUT_MS_DEFAULT	(CASE_TIMEOUT_S_DEFAULT * 1000)
/* A row's note: a livelock's evidence, its kernel events and what the call
 * did once the fault was removed fit whole */
#define CASE_NOTE_SIZE		512
#define CASE_NO_MTE_NOTE	"needs an MTE CPU or the VM (scripts/mte-vm)"

struct case_spec {
	const struct driver *drv;
	/* the working directory, NULL for drivers without a filesystem: the
	 * case's files go in the worker's directory in this process's scratch
	 * directory there (scratch.h), removed when the worker ended */
	const char *dir;
	enum fs_type fs;
	enum io_path io;
	enum mte_mode mode;
	enum fault_kind fault;
	size_t len;
	enum file_state state;	/* the file before the call (file drivers) */
	size_t fault_at;	/* bytes from the buffer start, before normalisation */
	size_t buf_off;
	enum backing backing;	/* what the buffer is a mapping of (layout.h) */
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
	bool oops;		/* the kernel died (BUG, oops) during the case, which did
				 * not finish; the task may hold the filesystem's locks */
	pid_t pid;		/* the worker, when left running or killed in an oops */
	char errname[24];	/* "EFAULT", "SIGSEGV" */
	char note[CASE_NOTE_SIZE];
};

/* btrfs and gfs2 size a buffered write by the pages the calling thread
 * dirtied before (task_struct nr_dirtied against nr_dirtied_pause): btrfs
 * its copy chunks, so where a long write stops short; gfs2 how far it faults
 * in ahead, so its fault_ins. A worker's thread has dirtied what the cases
 * before did, and creating the case's file adds the metadata blocks it
 * dirties, fewer in a directory just made, whose blocks are dirty already.
 * So such a case starts as a process of its own (the fork engine) does: on
 * a new thread, which has dirtied nothing (case_worker.c), in a worker
 * directory made anew (case.c). Not reads: on 5.10 a gfs2 read into a
 * mapping of its own file dies in a kernel BUG holding the mm's and the
 * glock's locks, and a worker whose main thread goes on after its case's
 * thread died there spins in the kernel when it exits. */
static inline bool case_sized_by_dirtying(const struct case_spec *s)
{
	return s->drv->file_states && s->drv->dir == DRV_KERNEL_READS && s->io == IO_BUFFERED &&
	       (s->fs == FS_BTRFS || s->fs == FS_GFS2);
}

/* Why the case cannot run, decided without running it (NULL: it can).
 * Uses why for the text. */
const char *case_precheck(const struct case_spec *s, char *why, size_t size);
/* The part of it that is the driver's: its filesystems, I/O paths and buffer
 * length (NULL: the case fits). */
const char *case_fits_driver(const struct case_spec *s, char *why, size_t size);

/* Fill *r as a skip for why (e.g. asymm mode unavailable), without running. */
void case_skip(const struct case_spec *s, struct case_result *r, const char *why);

/* Run it. Returns 0 with *r filled (a skip is a result too), or -errno when
 * no child could be made. */
int case_run(const struct case_spec *s, struct case_result *r);

/* Which processes run the cases: a worker for case after case (the
 * default), or a fresh one per case (fork, for comparison). */
enum case_engine {
	CASE_ENGINE_WORKER,
	CASE_ENGINE_FORK,
};
#define CASE_ENGINE_COUNT	2
const char *case_engine_name(enum case_engine e);
int case_engine_parse(const char *name);	/* -1 when unknown */
void case_engine_set(enum case_engine e);

/* This process runs lane `lane` (0..lanes-1) of cases run side by side
 * (lanes.h): its workers' directories are numbered apart from the other
 * lanes', and its calls are counted in its own tracer slot (trace.h). */
void case_lane_set(unsigned lane, unsigned lanes);

/* End the worker waiting for a case, if any (at the end of a run; a worker
 * also dies with its parent). */
void case_worker_end(void);

/* Where the time of the cases run so far went, in microseconds summed over
 * them: the whole of case_run, and its phases (the rest is messages and
 * waiting). */
struct case_stats {
	unsigned long cases;		/* run in a worker (skips decided before are not) */
	unsigned long workers;		/* worker processes started */
	unsigned long worker_start_us;	/* fork, and the worker getting ready */
	unsigned long files_us;		/* the driver's files */
	unsigned long setup_us;		/* the buffer, fault, expectation, mode, watchdog */
	unsigned long call_us, verify_us;
	unsigned long teardown_us;	/* the worker's clean-up */
	unsigned long total_us;
};
void case_stats_get(struct case_stats *st);
/* Add a's figures to *sum (the lanes of a run, lanes.h). */
void case_stats_add(struct case_stats *sum, const struct case_stats *a);

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
 * that has not is killed and is a skip with r->stopped set. Workers
 * ignore them: the parent decides. */
#define CASE_STOP_GRACE_MS	1000
extern volatile sig_atomic_t case_stop_signal;
void case_stop_catch(void);
void case_stop_release(void);

/* Children left running after SIGKILL, still not reaped. */
unsigned case_stuck_count(void);

#endif
