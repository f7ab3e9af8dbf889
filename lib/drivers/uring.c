/* SPDX-License-Identifier: MIT */
/*
 * io_uring through liburing: read, write, readv, writev, and read/write on a
 * registered (fixed) buffer, buffered or O_DIRECT. Registration pins the
 * buffer's pages, and its failure is part of the call under test (the note
 * says so). Built without liburing, the drivers stay listed and skip.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include "config.h"
#include "driver.h"

#if HAVE_LIBURING
#include <liburing.h>

#define URING_VEC_MAX	64

enum uring_op { OP_READ, OP_WRITE, OP_READV, OP_WRITEV, OP_READ_FIXED, OP_WRITE_FIXED };

static long submit(struct drv_ctx *c, enum uring_op op)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct iovec iov[URING_VEC_MAX], fixed = { c->lay->ptr, c->lay->len };
	unsigned len = (unsigned)c->lay->len;
	long ret;
	int n;

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret < 0) {
		snprintf(c->note, sizeof(c->note), "io_uring_queue_init: %s", strerror((int)-ret));
		return ret;
	}
	if (op == OP_READ_FIXED || op == OP_WRITE_FIXED) {
		ret = io_uring_register_buffers(&ring, &fixed, 1);
		if (ret < 0) {
			snprintf(c->note, sizeof(c->note), "io_uring_register_buffers failed");
			goto out;
		}
	}
	sqe = io_uring_get_sqe(&ring);
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
	ret = io_uring_submit(&ring);
	if (ret < 0) {
		snprintf(c->note, sizeof(c->note), "io_uring_submit failed");
		goto out;
	}
	ret = io_uring_wait_cqe(&ring, &cqe);
	if (ret < 0) {
		snprintf(c->note, sizeof(c->note), "io_uring_wait_cqe failed");
		goto out;
	}
	ret = cqe->res;
	io_uring_cqe_seen(&ring, cqe);
out:
	io_uring_queue_exit(&ring);
	return ret;
}

static long call_read(struct drv_ctx *c) { return submit(c, OP_READ); }
static long call_write(struct drv_ctx *c) { return submit(c, OP_WRITE); }
static long call_readv(struct drv_ctx *c) { return submit(c, OP_READV); }
static long call_writev(struct drv_ctx *c) { return submit(c, OP_WRITEV); }
static long call_read_fixed(struct drv_ctx *c) { return submit(c, OP_READ_FIXED); }
static long call_write_fixed(struct drv_ctx *c) { return submit(c, OP_WRITE_FIXED); }

#define URING_HOOKS(call_fn)	DRV_FILE_HOOKS(drv_file_prepare_pos, call_fn)
#else
#define URING_HOOKS(call_fn)	.build_unsupported = "built without liburing"
#endif

#define URING_DRIVER(sym, nm, calls_, direction, vec, call_fn)			\
	const struct driver drv_##sym = {					\
		.name = nm, .family = "uring", .calls = calls_,			\
		.dir = direction, DRV_FILE_PATHS,				\
		.vectored = vec, URING_HOOKS(call_fn),				\
	}

URING_DRIVER(uring_read, "uring-read", "io_uring IORING_OP_READ", DRV_KERNEL_WRITES, false, call_read);
URING_DRIVER(uring_write, "uring-write", "io_uring IORING_OP_WRITE", DRV_KERNEL_READS, false, call_write);
URING_DRIVER(uring_readv, "uring-readv", "io_uring IORING_OP_READV", DRV_KERNEL_WRITES, true, call_readv);
URING_DRIVER(uring_writev, "uring-writev", "io_uring IORING_OP_WRITEV", DRV_KERNEL_READS, true, call_writev);
URING_DRIVER(uring_read_fixed, "uring-read-fixed",
	     "io_uring_register(IORING_REGISTER_BUFFERS), IORING_OP_READ_FIXED",
	     DRV_KERNEL_WRITES, false, call_read_fixed);
URING_DRIVER(uring_write_fixed, "uring-write-fixed",
	     "io_uring_register(IORING_REGISTER_BUFFERS), IORING_OP_WRITE_FIXED",
	     DRV_KERNEL_READS, false, call_write_fixed);
