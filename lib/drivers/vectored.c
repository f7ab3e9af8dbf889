/* SPDX-License-Identifier: MIT */
/* readv(2), writev(2), preadv2(2), pwritev2(2): the buffer split into
 * --iovecs contiguous iovecs, so the fault lands in the first, the second or
 * a later one depending on --fault-at (the note says which). */
#include <sys/uio.h>

#include "driver.h"
#include "repro.h"

#define VEC_MAX		64

static long call_readv(struct drv_ctx *c)
{
	struct iovec iov[VEC_MAX];
	int n = drv_split_iov(c, iov, VEC_MAX);

	return drv_ret(readv(c->fd, iov, n));
}

static long call_writev(struct drv_ctx *c)
{
	struct iovec iov[VEC_MAX];
	int n = drv_split_iov(c, iov, VEC_MAX);

	return drv_ret(writev(c->fd, iov, n));
}

static long call_preadv2(struct drv_ctx *c)
{
	struct iovec iov[VEC_MAX];
	int n = drv_split_iov(c, iov, VEC_MAX);

	return drv_ret(preadv2(c->fd, iov, n, c->foff, 0));
}

static long call_pwritev2(struct drv_ctx *c)
{
	struct iovec iov[VEC_MAX];
	int n = drv_split_iov(c, iov, VEC_MAX);

	return drv_ret(pwritev2(c->fd, iov, n, c->foff, 0));
}

/* The reproducer's call: the same, in its C */
REPRO_FILE_CALL(readv, 0, "readv(fd, iov, n)")
REPRO_FILE_CALL(writev, 0, "writev(fd, iov, n)")
REPRO_FILE_CALL(preadv2, DRV_POS_OFFSET, "preadv2(fd, iov, n, foff, 0)")
REPRO_FILE_CALL(pwritev2, DRV_POS_OFFSET, "pwritev2(fd, iov, n, foff, 0)")

#define VEC_DRIVER(sym, nm, direction, prepare_fn, call_fn)			\
	const struct driver drv_##sym = {					\
		.name = nm, .family = "vectored", .calls = nm,			\
		.dir = direction, DRV_FILE_PATHS, .vectored = true,		\
		DRV_FILE_HOOKS(prepare_fn, call_fn), .repro = sym##_repro,	\
	}

VEC_DRIVER(readv, "readv", DRV_KERNEL_WRITES, drv_file_prepare, call_readv);
VEC_DRIVER(writev, "writev", DRV_KERNEL_READS, drv_file_prepare, call_writev);
VEC_DRIVER(preadv2, "preadv2", DRV_KERNEL_WRITES, drv_file_prepare_pos, call_preadv2);
VEC_DRIVER(pwritev2, "pwritev2", DRV_KERNEL_READS, drv_file_prepare_pos, call_pwritev2);
