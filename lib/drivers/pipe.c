/* SPDX-License-Identifier: MIT */
/* Pipes: read(2) and write(2) on a pipe, and vmsplice(2), which pins the
 * user pages into the pipe instead of copying them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "driver.h"

static int make_pipe(struct drv_ctx *c)
{
	int fds[2];
	long size = 4096;

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
		return -errno;
	c->fd = fds[0];
	c->fd2 = fds[1];
	while ((size_t)size < c->lay->len)
		size *= 2;
	if (fcntl(c->fd2, F_SETPIPE_SZ, size) < 0 && (size_t)size > 65536) {
		snprintf(c->note, sizeof(c->note), "cannot grow the pipe to %ld bytes: %s", size,
			 strerror(errno));
		return -errno;
	}
	return 0;
}

static int prep_sink(struct drv_ctx *c)
{
	return make_pipe(c);
}

static int prep_source(struct drv_ctx *c)
{
	int err = make_pipe(c);

	return err ? err : drv_feed_source(c, c->fd2, -1, "the pipe");
}

static long call_read(struct drv_ctx *c) { return drv_ret(read(c->fd, c->lay->ptr, c->lay->len)); }
static long call_write(struct drv_ctx *c) { return drv_ret(write(c->fd2, c->lay->ptr, c->lay->len)); }

static long call_vmsplice(struct drv_ctx *c)
{
	struct iovec iov = { c->lay->ptr, c->lay->len };

	return drv_ret(vmsplice(c->fd2, &iov, 1, SPLICE_F_NONBLOCK));
}

/* What reached the pipe. */
static void verify_sink(struct drv_ctx *c, long ret, struct drv_check *chk)
{
	drv_check_drained(c, ret, c->fd, chk);
}

const struct driver drv_pipe_read = {
	.name = "pipe-read", .family = "pipe", .calls = "read from a pipe",
	.dir = DRV_KERNEL_WRITES, .fs_mask = FS_BIT(FS_NONE), .io_mask = IO_BIT(IO_BUFFERED),
	.prepare = prep_source, .call = call_read, .verify = drv_check_buffer, .cleanup = drv_close_fds,
};

const struct driver drv_pipe_write = {
	.name = "pipe-write", .family = "pipe", .calls = "write to a pipe",
	.dir = DRV_KERNEL_READS, .fs_mask = FS_BIT(FS_NONE), .io_mask = IO_BIT(IO_BUFFERED),
	.prepare = prep_sink, .call = call_write, .verify = verify_sink, .cleanup = drv_close_fds,
};

const struct driver drv_vmsplice = {
	.name = "vmsplice", .family = "pipe", .calls = "vmsplice to a pipe, then read",
	.dir = DRV_KERNEL_READS, .fs_mask = FS_BIT(FS_NONE), .io_mask = IO_BIT(IO_BUFFERED),
	.prepare = prep_sink, .call = call_vmsplice, .verify = verify_sink, .cleanup = drv_close_fds,
};
