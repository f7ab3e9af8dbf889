/* SPDX-License-Identifier: MIT */
/*
 * Every file mteprobe creates. Per process and working directory (--dir, or
 * a filesystem's directory) one private scratch directory,
 * WORKDIR/mteprobe-scratch.PID.START.BOOT.XXXXXX (mode 0700, made like
 * mkdtemp relative to the working directory's fd, held open and flock()ed);
 * in it one subdirectory per worker process (case.h) for its cases' files,
 * removed when the worker ended however it ended, and the fixtures cases
 * share. Everything is created
 * relative to those fds with O_CREAT|O_EXCL|O_NOFOLLOW, so no name outside
 * the scratch directory is ever followed, truncated or removed.
 *
 * The whole scratch directory goes at exit (atexit) or by scratch_remove_all.
 * One left by a process that is gone (SIGKILL, power loss: its boot id, pid
 * and start time in the name say so, and nobody holds its lock) is removed
 * by the next process that uses the same working directory, which says so.
 * Documented in mteprobe(1), FILES.
 */
#ifndef MTEPROBE_SCRATCH_H
#define MTEPROBE_SCRATCH_H

#include <limits.h>
#include <stddef.h>

#define SCRATCH_PREFIX	"mteprobe-scratch."
/* The longest relative path mteprobe makes under a working directory (the
 * scratch name, a case or fixture directory, a file), with room to spare. */
#define SCRATCH_REL_MAX	128
/* The longest working directory whose scratch paths stay below PATH_MAX. */
#define SCRATCH_DIR_MAX	(PATH_MAX - 2 - SCRATCH_REL_MAX)

struct scratch;

/* NULL when dir can hold the scratch names, else why (naming the limit and
 * the fix). Nothing is created. */
const char *scratch_check_dir(const char *dir, char *why, size_t size);

/* Where stale-directory notices go (one line each, no newline); stderr with
 * "mteprobe: " when not set. */
void scratch_set_notice(void (*notice)(const char *fmt, ...));

/* The scratch directory of working directory dir: made (after removing the
 * stale ones there) when first asked for, then the same. NULL with why
 * filled when it cannot be made. */
struct scratch *scratch_for(const char *dir, char *why, size_t size);

/* The scratch directory's fd and path (for messages). */
int scratch_fd(const struct scratch *s);
const char *scratch_path(const struct scratch *s);

/* The directory of the cases of worker (a number unique in the run, case.h):
 * made empty on first use (a leftover of the same number is removed first)
 * and opened; the same for the worker's later cases, which remove their own
 * files. The fd (O_DIRECTORY, held here), or -errno; *path for messages. */
int scratch_worker_dir(struct scratch *s, unsigned worker, const char **path);
/* The worker ended: its directories go with everything in them (its files
 * may still be open somewhere: unlinking works all the same); with
 * stuck_pid, a process of it stuck in the kernel, they stay (scratch_keep),
 * and so do those in a scratch directory kept before. */
void scratch_worker_end(unsigned worker, int stuck_pid);

/* A case's process (pid) is stuck in the kernel and may hold locks on the
 * scratch directory's files: nothing more in it is removed (that would block
 * too). It stays, locked by that process, until a later mteprobe's stale
 * sweep finds it gone. */
void scratch_keep(struct scratch *s, int pid);

/* Remove every scratch directory of this process (only in the process that
 * made them; a forked case never removes anything). */
void scratch_remove_all(void);

/* Remove name, a directory under parent_fd, and everything in it, never
 * following a symlink. 0 or -errno. */
int scratch_remove_tree(int parent_fd, const char *name);

#endif
