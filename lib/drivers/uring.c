/* SPDX-License-Identifier: MIT */
/*
 * io_uring through liburing: read, write, readv, writev, and read/write on a
 * registered (fixed) buffer, buffered or O_DIRECT. Built without liburing,
 * the drivers stay listed and skip.
 *
 * The ring is set up in prepare, before the fault. Registering the fixed
 * buffer pins its pages with the fault in place, so it is part of the call
 * under test (its failure is the outcome, the note says so); prepare first
 * registers it once without the fault, so a registration that cannot work
 * here at all (RLIMIT_MEMLOCK) is a skip. A request io_uring cancels before it
 * ran (ECANCELED: no io-wq worker could be started) is a skip too.
 *
 * Undoing that trial registration (IORING_UNREGISTER_BUFFERS) waits on 6.1
 * (not on 6.12) until the ring's resources are quiesced, an RCU grace period:
 * 13 ms a case under QEMU TCG, more than half of a fixed-buffer case. Where
 * pinned pages are not charged to RLIMIT_MEMLOCK (CAP_IPC_LOCK), whether a
 * buffer can be registered depends on the buffer alone (a mapping of a file
 * other than shmem cannot be: EOPNOTSUPP, or EFAULT on newer kernels), so a
 * worker tries each kind of buffer once and keeps the answer. Without
 * CAP_IPC_LOCK the charge is the user's, shared with other processes: every
 * case tries.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "config.h"
#include "driver.h"
#include "repro.h"
#include "util.h"

#if HAVE_LIBURING
#include <liburing.h>

#define URING_VEC_MAX	64

enum uring_op { OP_READ, OP_WRITE, OP_READV, OP_WRITEV, OP_READ_FIXED, OP_WRITE_FIXED };

static bool is_fixed(enum uring_op op)
{
	return op == OP_READ_FIXED || op == OP_WRITE_FIXED;
}

/* A kind of buffer tried, and the answer (register_trial). */
struct tried {
	enum backing backing;
	enum fs_type fs;	/* a file backing's filesystem */
	size_t len, buf_off;
	bool tagged;
	int err;
};

#define TRIED_MAX	16

/* Can the case's buffer (buf) be registered here, without the fault? 0 or
 * -errno. Answers are kept only by a process with CAP_IPC_LOCK, so one found
 * is good without asking for the capability again. */
static int register_trial(struct io_uring *ring, const struct drv_ctx *c, struct iovec buf)
{
	static struct tried tried[TRIED_MAX];
	static unsigned ntried;
	const struct layout_spec *ls = &c->lay->spec;
	struct tried t = { ls->backing, backing_is_file(ls->backing) ? c->fs : FS_NONE, ls->len,
			   ls->buf_off, ls->tagged, 0 };

	for (unsigned i = 0; i < ntried; i++)
		if (tried[i].backing == t.backing && tried[i].fs == t.fs && tried[i].len == t.len &&
		    tried[i].buf_off == t.buf_off && tried[i].tagged == t.tagged)
			return tried[i].err;
	t.err = io_uring_register_buffers(ring, &buf, 1);
	if (!t.err)
		io_uring_unregister_buffers(ring);
	if (ntried < TRIED_MAX && have_capability(CAP_IPC_LOCK))
		tried[ntried++] = t;
	return t.err;
}

static int prepare(struct drv_ctx *c, enum uring_op op)
{
	struct iovec fixed = { c->lay->ptr, c->lay->len };
	struct io_uring *ring;
	int err = drv_file_prepare_pos(c);

	if (err)
		return err;
	ring = calloc(1, sizeof(*ring));
	if (!ring)
		return -ENOMEM;
	err = io_uring_queue_init(4, ring, 0);
	if (err < 0) {
		free(ring);
		snprintf(c->note, sizeof(c->note), "cannot set up io_uring: io_uring_queue_init: %s",
			 strerror(-err));
		return err;
	}
	c->priv = ring;
	if (is_fixed(op) && (err = register_trial(ring, c, fixed)) < 0) {
		snprintf(c->note, sizeof(c->note), "cannot register the buffer with io_uring "
			 "even without the fault: %s", strerror(-err));
		return err;
	}
	return 0;
}

static long submit(struct drv_ctx *c, enum uring_op op)
{
	struct io_uring *ring = c->priv;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct iovec iov[URING_VEC_MAX], fixed = { c->lay->ptr, c->lay->len };
	unsigned len = (unsigned)c->lay->len;
	long ret;
	int n;

	if (is_fixed(op)) {
		ret = io_uring_register_buffers(ring, &fixed, 1);
		if (ret < 0) {
			snprintf(c->note, sizeof(c->note), "io_uring_register_buffers: %s",
				 strerror((int)-ret));
			return ret;
		}
	}
	sqe = io_uring_get_sqe(ring);
	if (!sqe)
		return drv_setup_failed(c, -EBUSY, "io_uring: no free submission queue entry");
	switch (op) {
	case OP_READ:
		io_uring_prep_read(sqe, c->fd, c->lay->ptr, len, (__u64)c->foff);
		break;
	case OP_WRITE:
		io_uring_prep_write(sqe, c->fd, c->lay->ptr, len, (__u64)c->foff);
		break;
	case OP_READV:
		n = drv_split_iov(c, iov, URING_VEC_MAX);
		io_uring_prep_readv(sqe, c->fd, iov, (unsigned)n, (__u64)c->foff);
		break;
	case OP_WRITEV:
		n = drv_split_iov(c, iov, URING_VEC_MAX);
		io_uring_prep_writev(sqe, c->fd, iov, (unsigned)n, (__u64)c->foff);
		break;
	case OP_READ_FIXED:
		io_uring_prep_read_fixed(sqe, c->fd, c->lay->ptr, len, (__u64)c->foff, 0);
		break;
	case OP_WRITE_FIXED:
		io_uring_prep_write_fixed(sqe, c->fd, c->lay->ptr, len, (__u64)c->foff, 0);
		break;
	}
	/* io_uring_enter fails for the ring, never for the buffer: the
	 * request's own result comes in its completion */
	ret = io_uring_submit(ring);
	if (ret < 0)
		return drv_setup_failed(c, ret, "io_uring_submit: %s", strerror((int)-ret));
	if (ret == 0)
		return drv_setup_failed(c, -EAGAIN, "io_uring_submit took no request");
	do
		ret = io_uring_wait_cqe(ring, &cqe);
	while (ret == -EINTR);
	if (ret < 0)
		return drv_setup_failed(c, ret, "io_uring_wait_cqe: %s", strerror((int)-ret));
	ret = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	if (ret == -ECANCELED)
		return drv_setup_failed(c, ret, "io_uring cancelled the request before it ran "
					"(ECANCELED): no io-wq worker could be started "
					"(RLIMIT_NPROC, pids cgroup)");
	return ret;
}

static void cleanup(struct drv_ctx *c)
{
	struct io_uring *ring = c->priv;

	if (ring) {
		io_uring_queue_exit(ring);
		free(ring);
		c->priv = NULL;
	}
	drv_file_cleanup(c);
}

/* io_uring_setup refused to this process (EPERM, EACCES: the
 * kernel.io_uring_disabled sysctl of 6.6+, a security module such as
 * Android's SELinux, a seccomp filter) or missing: every case would fail
 * before the call under test. Other errors (no memory, no descriptor) stay
 * per-case skips. */
static const char *uring_unavailable(char *why, size_t size)
{
	struct io_uring ring;
	char disabled[8] = "";
	int err = io_uring_queue_init(1, &ring, 0);

	if (!err) {
		io_uring_queue_exit(&ring);
		return NULL;
	}
	if (err == -ENOSYS) {
		snprintf(why, size, "the kernel has no io_uring (CONFIG_IO_URING)");
		return why;
	}
	if (err != -EPERM && err != -EACCES)
		return NULL;
	if (read_small_file("/proc/sys/kernel/io_uring_disabled", disabled, sizeof(disabled)) < 0)
		disabled[0] = '\0';
	if (disabled[0] == '2')
		snprintf(why, size, "io_uring is off for everyone (kernel.io_uring_disabled=2); "
			 "set kernel.io_uring_disabled=0");
	else if (disabled[0] == '1')
		snprintf(why, size, "io_uring is for root and the kernel.io_uring_group only "
			 "(kernel.io_uring_disabled=1); run as root");
	else
		snprintf(why, size, "io_uring_setup is refused (%s): a security module (SELinux) or "
			 "a seccomp filter forbids it", strerror(-err));
	return why;
}

/* One prepare and one call per operation. */
#define URING_OP(name, op)							\
	static int prep_##name(struct drv_ctx *c) { return prepare(c, op); }	\
	static long call_##name(struct drv_ctx *c) { return submit(c, op); }

URING_OP(read, OP_READ)
URING_OP(write, OP_WRITE)
URING_OP(readv, OP_READV)
URING_OP(writev, OP_WRITEV)
URING_OP(read_fixed, OP_READ_FIXED)
URING_OP(write_fixed, OP_WRITE_FIXED)

#define URING_HOOKS(name)							\
	.unavailable = uring_unavailable,					\
	.unsupported = drv_file_unsupported, .prepare = prep_##name,		\
	.call = call_##name, .verify = drv_file_verify, .cleanup = cleanup
#else
#define URING_HOOKS(name)	.build_unsupported = "built without liburing"
#endif

/* The reproducer's part (lib/repro.h): the same request through the raw
 * io_uring syscalls (a reproducer needs no liburing, so it has one in any build). */
static void uring_repro(struct repro *r, const char *op, bool fixed)
{
	repro_printf(r, "#define URING_OP\t%s\n#define URING_FIXED\t%d\n#define URING_VECTORED\t%d\n"
		     "#define URING_FOFF\t%d\n%s", op, fixed, r->s->drv->vectored, DRV_POS_OFFSET,
	"/* io_uring without liburing: one ring of 4 entries, one request, its\n"
	" * completion awaited. The file is the one of pread (at URING_FOFF). A\n"
	" * fixed buffer is registered during the call, with the fault in place\n"
	" * (pinning its pages is part of the call); setup registers it once without\n"
	" * the fault, so a registration that cannot work here at all is a setup\n"
	" * failure, not an outcome. */\n"
	"#include <linux/io_uring.h>\n"
	"\n"
	"static struct {\n"
	"	int fd;\n"
	"	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;\n"
	"	struct io_uring_sqe *sqes;\n"
	"	struct io_uring_cqe *cqes;\n"
	"} ring = { .fd = -1 };\n"
	"\n"
	"static int register_buffer(void)\n"
	"{\n"
	"	struct iovec v = { buf, CASE_LEN };\n"
	"\n"
	"	return syscall(__NR_io_uring_register, ring.fd, IORING_REGISTER_BUFFERS, &v, 1) ? -errno : 0;\n"
	"}\n"
	"\n"
	"static int setup(void)\n"
	"{\n"
	"	struct io_uring_params p;\n"
	"	size_t sq_len, cq_len;\n"
	"	uint8_t *sq, *cq;\n"
	"	void *sqes;\n"
	"	int err = file_setup(URING_FOFF);\n"
	"\n"
	"	if (err)\n"
	"		return err;\n"
	"	memset(&p, 0, sizeof(p));\n"
	"	ring.fd = (int)syscall(__NR_io_uring_setup, 4, &p);\n"
	"	if (ring.fd < 0)\n"
	"		return setup_failed(-errno, \"cannot set up io_uring: io_uring_setup: %s\", strerror(errno));\n"
	"	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);\n"
	"	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);\n"
	"	if ((p.features & IORING_FEAT_SINGLE_MMAP) && cq_len > sq_len)\n"
	"		sq_len = cq_len;\n"
	"	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd,\n"
	"		  IORING_OFF_SQ_RING);\n"
	"	cq = (p.features & IORING_FEAT_SINGLE_MMAP) ? sq :\n"
	"	     mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd,\n"
	"		  IORING_OFF_CQ_RING);\n"
	"	sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,\n"
	"		    MAP_SHARED | MAP_POPULATE, ring.fd, IORING_OFF_SQES);\n"
	"	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)\n"
	"		return setup_failed(-errno, \"cannot map the io_uring rings: %s\", strerror(errno));\n"
	"	ring.sq_tail = (unsigned *)(sq + p.sq_off.tail);\n"
	"	ring.sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);\n"
	"	ring.sq_array = (unsigned *)(sq + p.sq_off.array);\n"
	"	ring.cq_head = (unsigned *)(cq + p.cq_off.head);\n"
	"	ring.cq_tail = (unsigned *)(cq + p.cq_off.tail);\n"
	"	ring.cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);\n"
	"	ring.cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);\n"
	"	ring.sqes = sqes;\n"
	"	if (URING_FIXED) {\n"
	"		if ((err = register_buffer()))\n"
	"			return setup_failed(err, \"cannot register the buffer with io_uring even without \"\n"
	"					    \"the fault: %s\", strerror(-err));\n"
	"		syscall(__NR_io_uring_register, ring.fd, IORING_UNREGISTER_BUFFERS, NULL, 0);\n"
	"	}\n"
	"	return 0;\n"
	"}\n"
	"\n"
	"static long call(void)\n"
	"{\n"
	"	struct iovec iov[64];\n"
	"	unsigned tail = *ring.sq_tail, idx = tail & *ring.sq_mask, head;\n"
	"	struct io_uring_sqe *sqe = &ring.sqes[idx];\n"
	"	long ret;\n"
	"\n"
	"	if (URING_FIXED && (ret = register_buffer())) {\n"
	"		snprintf(note, sizeof(note), \"io_uring_register(IORING_REGISTER_BUFFERS): %s\",\n"
	"			 strerror((int)-ret));\n"
	"		return ret;\n"
	"	}\n"
	"	memset(sqe, 0, sizeof(*sqe));\n"
	"	sqe->opcode = URING_OP;\n"
	"	sqe->fd = fd;\n"
	"	sqe->off = (uint64_t)foff;\n"
	"	if (URING_VECTORED) {\n"
	"		sqe->addr = (uintptr_t)iov;\n"
	"		sqe->len = (unsigned)split_iov(iov, 64);\n"
	"	} else {\n"
	"		sqe->addr = (uintptr_t)buf;\n"
	"		sqe->len = CASE_LEN;\n"
	"	}\n"
	"	ring.sq_array[idx] = idx;\n"
	"	__atomic_store_n(ring.sq_tail, tail + 1, __ATOMIC_RELEASE);\n"
	"	/* io_uring_enter fails for the ring, never for the buffer: the request's\n"
	"	 * own result comes in its completion */\n"
	"	do\n"
	"		ret = syscall(__NR_io_uring_enter, ring.fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0);\n"
	"	while (ret < 0 && errno == EINTR);\n"
	"	if (ret < 0)\n"
	"		return call_setup_failed(-errno, \"io_uring_enter: %s\", strerror(errno));\n"
	"	head = *ring.cq_head;\n"
	"	while (head == __atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE))\n"
	"		if (syscall(__NR_io_uring_enter, ring.fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0 &&\n"
	"		    errno != EINTR)\n"
	"			return call_setup_failed(-errno, \"io_uring_enter: %s\", strerror(errno));\n"
	"	ret = ring.cqes[head & *ring.cq_mask].res;\n"
	"	__atomic_store_n(ring.cq_head, head + 1, __ATOMIC_RELEASE);\n"
	"	if (ret == -ECANCELED)\n"
	"		return call_setup_failed(ret, \"io_uring cancelled the request before it ran \"\n"
	"					 \"(ECANCELED): no io-wq worker could be started\");\n"
	"	return ret;\n"
	"}\n"
	"\n"
	"#define DRIVER_CLEANUP\n"
	"static void cleanup(void)\n"
	"{\n"
	"	if (ring.fd >= 0)\n"
	"		close(ring.fd);\n"
	"	close_fds();\n"
	"}\n"
	);
}

#define URING_DRIVER(sym, nm, calls_, direction, vec, op_name, op, fixed)	\
	static void sym##_repro(struct repro *r) { uring_repro(r, op, fixed); }	\
	const struct driver drv_##sym = {					\
		.name = nm, .family = "uring", .calls = calls_,			\
		.kernel_threads = true,						\
		.dir = direction, DRV_FILE_PATHS,				\
		.vectored = vec, URING_HOOKS(op_name), .repro = sym##_repro,	\
	}

URING_DRIVER(uring_read, "uring-read", "io_uring IORING_OP_READ", DRV_KERNEL_WRITES, false, read,
	     "IORING_OP_READ", false);
URING_DRIVER(uring_write, "uring-write", "io_uring IORING_OP_WRITE", DRV_KERNEL_READS, false, write,
	     "IORING_OP_WRITE", false);
URING_DRIVER(uring_readv, "uring-readv", "io_uring IORING_OP_READV", DRV_KERNEL_WRITES, true, readv,
	     "IORING_OP_READV", false);
URING_DRIVER(uring_writev, "uring-writev", "io_uring IORING_OP_WRITEV", DRV_KERNEL_READS, true, writev,
	     "IORING_OP_WRITEV", false);
URING_DRIVER(uring_read_fixed, "uring-read-fixed",
	     "io_uring_register(IORING_REGISTER_BUFFERS), IORING_OP_READ_FIXED",
	     DRV_KERNEL_WRITES, false, read_fixed, "IORING_OP_READ_FIXED", true);
URING_DRIVER(uring_write_fixed, "uring-write-fixed",
	     "io_uring_register(IORING_REGISTER_BUFFERS), IORING_OP_WRITE_FIXED",
	     DRV_KERNEL_READS, false, write_fixed, "IORING_OP_WRITE_FIXED", true);
