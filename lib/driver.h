/* SPDX-License-Identifier: MIT */
/*
 * Syscall drivers: one table of hooks per way of making the kernel copy to
 * or from a user buffer (in the style of fio's ioengine_ops). A driver lives
 * in one small file per family under lib/drivers/ and is listed once, in
 * lib/drivers/list.h, which generates the registry. A driver this build
 * cannot run stays listed and says why (unsupported()).
 *
 * The case runner (case.c) calls, in a child process:
 *   unsupported -> prepare -> [fault placed, expectation probed] -> call ->
 *   verify -> cleanup.
 */
#ifndef MTEPROBE_DRIVER_H
#define MTEPROBE_DRIVER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fs.h"
#include "layout.h"

/* Who touches the buffer: the kernel reads it (write-type calls: write,
 * sendmsg...) or writes it (read-type calls: read, recvmsg...). */
enum drv_dir {
	DRV_KERNEL_READS,
	DRV_KERNEL_WRITES,
};

enum io_path {
	IO_BUFFERED,
	IO_DIRECT,	/* O_DIRECT */
};
#define IO_PATH_COUNT	2
#define IO_BIT(p)	(1u << (p))

const char *io_path_name(enum io_path p);
int io_path_parse(const char *name);	/* -1 when unknown */
const char *io_path_help(enum io_path p);	/* for --help, or NULL */

/* The case's file before the call (--state). Read-type calls read the
 * source bytes there, or zeros (hole, prealloc); write-type calls write them
 * over what the state left (fresh: nothing). The names, help and what each
 * one makes are in drivers/common.c. */
enum file_state {
	FILE_FRESH,	/* read-type: the source just written; write-type: empty */
	FILE_CACHED,	/* written back, its pages in the page cache */
	FILE_UNCACHED,	/* written back and dropped from the page cache */
	FILE_DIRTY,	/* written through the page cache, not written back */
	FILE_HOLE,	/* sparse: the range is a hole inside the file's size */
	FILE_PREALLOC,	/* fallocate()d: unwritten extents */
	FILE_EXTEND,	/* write-type: the file ends half-way into the range */
};
#define FILE_STATE_COUNT	7

const char *file_state_name(enum file_state st);
const char *file_state_help(enum file_state st);

/* O_DIRECT alignment mteprobe asks of buffers, lengths, iovecs and file
 * offsets: the logical block size of the VM's virtio disks. A filesystem
 * that wants more refuses with EINVAL, and the case reports that. */
#define DIO_ALIGN	512

struct driver;
struct repro;

/* One case, as a driver sees it. */
struct drv_ctx {
	const struct driver *drv;
	/* Files: the worker's directory, private to it and removed with
	 * everything in it when the worker ended; the worker's later cases use
	 * it too, so cleanup removes what prepare made there. Make files there
	 * with drv_create() (never by path), shared fixtures with
	 * drv_fixture_dir(). */
	const char *dir;	/* its path, for messages; NULL when the driver has no filesystem */
	int dirfd;		/* the directory */
	int scratch_fd;		/* the run's scratch directory, which holds the fixtures */
	enum fs_type fs;
	enum io_path io;
	enum file_state state;	/* drv_file_prepare's file before the call */
	unsigned iovecs;	/* vectored calls: how many iovecs share the buffer */
	unsigned seq;		/* unique per case in this process: file names */
	struct layout *lay;	/* the buffer: lay->ptr, lay->len */
	uint32_t seed;		/* source bytes are layout_pattern(lay, seed, i) */

	/* set by prepare (defaults: want = reach = len) */
	size_t want;		/* what a fault-free call returns */
	size_t reach;		/* bytes of the buffer a full call touches */

	/* driver state */
	int fd, fd2;
	off_t foff;		/* file offset of buffer byte 0 */
	char path[PATH_MAX];	/* drv_file_create's file, for messages */
	void *priv;
	char note[160];		/* anything the reader should know */
	bool setup_failed;	/* set by call() through drv_setup_failed() */
};

/* What verify found. -1: does not apply. */
struct drv_check {
	int data_ok;
	long overshoot;
};

struct driver {
	const char *name;	/* --syscall */
	const char *family;	/* rw, vectored, uring, btrfs, pipe, ... */
	const char *calls;	/* the syscalls it makes, for --list */
	enum drv_dir dir;
	unsigned fs_mask;	/* FS_BIT()s it runs on; FS_BIT(FS_NONE) for none */
	unsigned io_mask;	/* IO_BIT()s */
	size_t fixed_len;	/* the buffer length the call takes, 0 for any */
	size_t head;		/* bytes the driver needs before the buffer */
	bool vectored;		/* splits the buffer into ctx->iovecs iovecs */
	bool file_states;	/* its file is drv_file_prepare's: it takes every --state */
	/* the kernel makes threads of the calling thread's for the call
	 * (io_uring's io-wq workers, in the calling thread's MTE mode): the
	 * case runs on a thread of its own, whose exit ends them */
	bool kernel_threads;
	/* non-NULL when this build cannot run the driver at all: why
	 * ("built without liburing") */
	const char *build_unsupported;
	/* NULL when this process may make the call on this kernel; else why
	 * not, and the fix, in why: a capability it lacks, a sysctl or a
	 * security module that refuses the call (an adb shell, an ordinary
	 * user). Asked once per run, through driver_unavailable(). */
	const char *(*unavailable)(char *why, size_t size);

	/* NULL when the case can run; else why not (static string, or ctx->note) */
	const char *(*unsupported)(struct drv_ctx *c);
	/* Create files, pipes, rings. 0, or -errno (the case is a skip, note says why). */
	int (*prepare)(struct drv_ctx *c);
	/* The call under test: bytes (>= 0) or -errno. Only the kernel's answer
	 * to the buffer is an outcome: a step of its own that fails before it
	 * (a ring, a worker thread) returns drv_setup_failed(), and the case is
	 * a skip. Setup that can be done before the fault belongs in prepare. */
	long (*call)(struct drv_ctx *c);
	/* Data integrity after the call returned ret. */
	void (*verify)(struct drv_ctx *c, long ret, struct drv_check *chk);
	/* Calls that return whole records (getdents64), NULL for bytes: what a
	 * byte-exact kernel returns when it can store buffer bytes [0, limit):
	 * the end of the last record whose stored bytes (header, name, NUL; not
	 * the padding) lie before limit, read from the reference prepare made. */
	size_t (*record_end)(struct drv_ctx *c, size_t limit);
	void (*cleanup)(struct drv_ctx *c);
	/* mteprobe repro: write this call's part of a standalone reproducer
	 * (setup, call, verify, cleanup: lib/repro.h). NULL: none yet, and
	 * mteprobe repro refuses the driver. */
	void (*repro)(struct repro *r);
};

/* What every regular-file driver (rw, vectored, uring) shares: files on
 * every filesystem, buffered and O_DIRECT, and the standard file hooks. */
#define DRV_FILE_PATHS							\
	.fs_mask = FS_MASK_FILES, .io_mask = IO_BIT(IO_BUFFERED) | IO_BIT(IO_DIRECT),	\
	.file_states = true
#define DRV_FILE_HOOKS(prepare_fn, call_fn)				\
	.unsupported = drv_file_unsupported, .prepare = prepare_fn,	\
	.call = call_fn, .verify = drv_file_verify, .cleanup = drv_file_cleanup

/* The registry, in lib/drivers/list.h order. */
extern const struct driver *const drivers[];
extern const size_t driver_count;
const struct driver *driver_find(const char *name);
/* d's unavailable() answer, asked once per process and kept: NULL, or why
 * this process cannot make d's call here. */
const char *driver_unavailable(const struct driver *d);

/* Helpers for drivers, in lib/drivers/common.c. */
/* Create name in the worker's directory (O_CREAT|O_EXCL|O_NOFOLLOW, mode
 * 0600), opened with flags (O_RDWR...). The fd, or -errno (note set). */
int drv_create(struct drv_ctx *c, const char *name, int flags);
/* Open name, made by drv_create, again (O_NOFOLLOW): fd or -errno. */
int drv_reopen(struct drv_ctx *c, const char *name, int flags);
/* Create the case's file (DRV_FILE, ctx->path), source bytes at ctx->foff..
 * when fill, else empty; open it (O_DIRECT for IO_DIRECT) into ctx->fd. 0 or
 * -errno (note set). drv_file_cleanup closes and removes it. A buffer that
 * maps the call's own file (--backing self, layout.h) made it already: it is
 * opened again, not created. */
#define DRV_FILE	LAYOUT_SELF_FILE
int drv_file_create(struct drv_ctx *c, bool fill);
/* Write-type check: the sink holds got[0..n); it must be exactly the first
 * max(ret, 0) source bytes. */
void drv_check_sink(struct drv_ctx *c, long ret, const uint8_t *got, size_t n, struct drv_check *chk);
/* Read-type check of the buffer: [0, ret) holds the source, overshoot counts
 * bytes stored in [ret, len). */
void drv_check_buffer(struct drv_ctx *c, long ret, struct drv_check *chk);
/* For calls whose output is not a pattern (directory entries, search
 * results): a copy of the buffer as it is now (before the fault), and the
 * check of [0, ret) against what a fault-free call stored (ref), with
 * overshoot counted against the copy. */
uint8_t *drv_snapshot(struct drv_ctx *c);
/* Before that copy: make the buffer's bytes [from, to) differ from ref's, so
 * that every byte the call stores there shows in overshoot (one equal to
 * the buffer's by chance, a byte of an inode number, would not, and the
 * count would depend on what else the filesystem holds). Only bytes the
 * call stores: padding it leaves as it was must stay as ref has it. */
void drv_unlike(struct drv_ctx *c, const uint8_t *ref, size_t from, size_t to);
void drv_check_against(struct drv_ctx *c, long ret, const uint8_t *ref, const uint8_t *before,
		       struct drv_check *chk);
/* Where calls with a file position (pread, preadv2...) start: not 0, and
 * aligned for O_DIRECT. */
#define DRV_POS_OFFSET	4096
_Static_assert(DRV_POS_OFFSET < LAYOUT_SELF_GAP, "a self-backed buffer would overlap the data");
/* prepare() for file drivers: the file made by drv_file_create (filled for
 * read-type calls), the buffer at file offset 0 or at DRV_POS_OFFSET; then
 * put in ctx->state (a skip with the reason when the filesystem refuses it:
 * fallocate). drv_file_verify knows what each state left in the file. */
int drv_file_prepare(struct drv_ctx *c);
int drv_file_prepare_pos(struct drv_ctx *c);
/* Write the source bytes into fd: at file offset off, or with off < 0 as a
 * stream (pipe, socket) that takes them without blocking. 0 or -errno, note
 * set ("cannot fill WHAT: ..."). */
int drv_feed_source(struct drv_ctx *c, int fd, off_t off, const char *what);
/* A fixture shared by the run's cases, for calls that list or search
 * entries: directory name in the scratch directory holding count entries
 * named PREFIX0000.. (made by the first case that asks), opened
 * O_RDONLY|O_DIRECTORY. The entries are count empty files, or (a call that
 * sees names only: getdents64) count hard links of one empty file, which
 * list the same and cost a third as much to make (no inode each). The fd,
 * or -errno (note set). */
enum fixture_entries { FIXTURE_FILES, FIXTURE_LINKS };
int drv_fixture_dir(struct drv_ctx *c, const char *name, char prefix, int count,
		    enum fixture_entries entries);
/* For verify(): the data cannot be checked (no memory, the file cannot be
 * read back). data_ok and overshoot stay unknown, and the note says why:
 * "not verified: WHY" (added to what it held). */
void drv_not_verified(struct drv_ctx *c, struct drv_check *chk, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Standard verify for file drivers, by direction. */
void drv_file_verify(struct drv_ctx *c, long ret, struct drv_check *chk);
void drv_file_cleanup(struct drv_ctx *c);
/* Write-type check for pipes and sockets: what can be read from fd now
 * must be exactly the first max(ret, 0) source bytes. */
void drv_check_drained(struct drv_ctx *c, long ret, int fd, struct drv_check *chk);
/* cleanup() for drivers whose state is ctx->fd and ctx->fd2. */
void drv_close_fds(struct drv_ctx *c);
/* unsupported() for file drivers: O_DIRECT alignment of buffer and length. */
const char *drv_file_unsupported(struct drv_ctx *c);
/* Split the buffer into c->iovecs iovecs (at most max); returns how many.
 * Also notes which iovec holds the fault. */
struct iovec;
int drv_split_iov(struct drv_ctx *c, struct iovec *iov, int max);
/* Add to the note ("; " after what it held). */
void drv_note_add(struct drv_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* -errno of a libc call that returned -1 */
long drv_ret(long r);
/* For call(): a step before the call under test failed, so the case is a
 * skip, not an outcome. Sets the note from fmt and ctx->setup_failed;
 * returns err (-errno). */
long drv_setup_failed(struct drv_ctx *c, long err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
