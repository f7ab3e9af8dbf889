/* SPDX-License-Identifier: MIT */
/*
 * What a thread is doing, from /proc/PID/task/TID/stat: its scheduler state
 * and the CPU time it has spent in user space and in the kernel. Two samples
 * a moment apart tell a thread that burns kernel CPU (a live-lock in a
 * fault-in/retry loop) from one that sleeps (a hang) or runs in user space.
 * The basis of the case watchdog (watchdog.h).
 */
#ifndef MTEPROBE_TASKSTAT_H
#define MTEPROBE_TASKSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct task_sample {
	char state;		/* R, S, D, T, Z... as in proc(5) */
	char comm[16];		/* its name (TASK_COMM_LEN), as in stat */
	uint64_t user_ns;	/* CPU time in user space */
	uint64_t kernel_ns;	/* CPU time in the kernel */
	/* From /proc/.../schedstat (CONFIG_SCHED_INFO): how many times the
	 * thread was put on a CPU. A sleeper that is woken (I/O completing)
	 * gains runs even when it gains no whole clock tick of CPU time. */
	bool has_runs;
	uint64_t runs;
	/* Also from schedstat (0 without it): the time it was on a CPU, and
	 * the time it was runnable but waiting for one. On a busy machine a
	 * thread that burns CPU in the kernel spends much of its time waiting.
	 * A wait is counted when it ends, so one that began before a sample
	 * may be counted after it. */
	uint64_t cpu_ns;
	uint64_t wait_ns;
	uint64_t at_ns;		/* CLOCK_MONOTONIC when sampled */
};

/* Sample thread tid of process pid. 0, or -errno (-ENOENT: it is gone). */
int task_sample(pid_t pid, pid_t tid, struct task_sample *s);
/* The schedstat part of *s (has_runs, runs, cpu_ns, wait_ns) from the text
 * of /proc/.../schedstat (NULL: unreadable): has_runs. */
bool task_schedstat(const char *text, struct task_sample *s);

/* One thread's stat and schedstat kept open, for samples of it again and
 * again: a file opened once and read anew each time (a seq_file read at
 * offset 0) costs far less than opening it each time under QEMU TCG. A thread
 * gone reads ESRCH; its files are not another thread's, even when its tid
 * is used again. Start with TASK_FILES_NONE. */
struct task_files {
	pid_t pid, tid;
	int stat_fd, schedstat_fd;	/* -1: not open */
};
#define TASK_FILES_NONE	((struct task_files){ .stat_fd = -1, .schedstat_fd = -1 })
/* f is for thread tid of process pid from now on (the files of another one
 * closed). */
void task_files_use(struct task_files *f, pid_t pid, pid_t tid);
/* A whole sample (task_sample) through f: 0 or -errno. */
int task_files_sample(struct task_files *f, struct task_sample *s);
void task_files_close(struct task_files *f);

/* The name io_uring gives the io-wq workers of thread tid: "iou-wrk-<tid>"
 * (io_uring/io-wq.c, io_wq_worker; io_wqe_worker before 6.1). */
void task_io_wq_name(pid_t tid, char *buf, size_t size);

/* How many threads process pid has (0: unknown): the link count of
 * /proc/PID/task, 2 + its threads, kept open for the last pid asked about
 * (a stat costs far less than reading the directory, or /proc/PID/stat
 * with every field formatted). One thread at a time: a worker asks after
 * its cases, its watchdog during them. */
int task_count(pid_t pid);

/* The threads of process pid (/proc/PID/task), up to max of them in tids:
 * how many there are (more than max when some did not fit), or -errno. */
int task_threads(pid_t pid, pid_t *tids, unsigned max);

/* Between two samples of one thread: the share of the elapsed time it spent
 * on a CPU in the kernel and in user space (0..1 each), not counting the time
 * it waited for a CPU: a thread that runs in the kernel whenever it gets a CPU
 * has the same shares on an idle and on a busy machine. */
struct task_activity {
	double kernel_share;
	double user_share;
	char state;		/* at the later sample */
};
void task_activity(const struct task_sample *before, const struct task_sample *after,
		   struct task_activity *a);
/* The time between two samples that the thread did not spend waiting for a
 * CPU (at least the time it was on one): what task_activity() divides by. */
uint64_t task_available_ns(const struct task_sample *before, const struct task_sample *after);

#endif
