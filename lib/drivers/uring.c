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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "config.h"
#include "driver.h"

#if HAVE_LIBURING
#include <liburing.h>

#define URING_VEC_MAX	64

enum uring_op { OP_READ, OP_WRITE, OP_READV, OP_WRITEV, OP_READ_FIXED, OP_WRITE_FIXED };

static bool is_fixed(enum uring_op op)
{
	return op == OP_READ_FIXED || op == OP_WRITE_FIXED;
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
	if (is_fixed(op)) {
		err = io_uring_register_buffers(ring, &fixed, 1);
		if (err < 0) {
			snprintf(c->note, sizeof(c->note), "cannot register the buffer with io_uring "
				 "even without the fault: %s", strerror(-err));
			return err;
		}
		io_uring_unregister_buffers(ring);
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
	.unsupported = drv_file_unsupported, .prepare = prep_##name,		\
	.call = call_##name, .verify = drv_file_verify, .cleanup = cleanup
#else
#define URING_HOOKS(name)	.build_unsupported = "built without liburing"
#endif

#define URING_DRIVER(sym, nm, calls_, direction, vec, op_name)			\
	const struct driver drv_##sym = {					\
		.name = nm, .family = "uring", .calls = calls_,			\
		.dir = direction, DRV_FILE_PATHS,				\
		.vectored = vec, URING_HOOKS(op_name),				\
	}

URING_DRIVER(uring_read, "uring-read", "io_uring IORING_OP_READ", DRV_KERNEL_WRITES, false, read);
URING_DRIVER(uring_write, "uring-write", "io_uring IORING_OP_WRITE", DRV_KERNEL_READS, false, write);
URING_DRIVER(uring_readv, "uring-readv", "io_uring IORING_OP_READV", DRV_KERNEL_WRITES, true, readv);
URING_DRIVER(uring_writev, "uring-writev", "io_uring IORING_OP_WRITEV", DRV_KERNEL_READS, true, writev);
URING_DRIVER(uring_read_fixed, "uring-read-fixed",
	     "io_uring_register(IORING_REGISTER_BUFFERS), IORING_OP_READ_FIXED",
	     DRV_KERNEL_WRITES, false, read_fixed);
URING_DRIVER(uring_write_fixed, "uring-write-fixed",
	     "io_uring_register(IORING_REGISTER_BUFFERS), IORING_OP_WRITE_FIXED",
	     DRV_KERNEL_READS, false, write_fixed);
