/* SPDX-License-Identifier: MIT */
/* sendmsg(2) and recvmsg(2) on an AF_UNIX stream socket pair, the buffer
 * split into --iovecs iovecs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "driver.h"

#define SOCK_VEC_MAX	64

static int make_pair(struct drv_ctx *c)
{
	int sv[2], size = (int)(4 * c->lay->len + 65536);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return -errno;
	c->fd = sv[0];		/* the side under test */
	c->fd2 = sv[1];		/* the peer */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return 0;
}

static int prep_source(struct drv_ctx *c)
{
	int err = make_pair(c);

	return err ? err : drv_feed_source(c, c->fd2, -1, "the socket");
}

static long call_sendmsg(struct drv_ctx *c)
{
	struct iovec iov[SOCK_VEC_MAX];
	struct msghdr msg = { .msg_iov = iov };

	msg.msg_iovlen = (size_t)drv_split_iov(c, iov, SOCK_VEC_MAX);
	return drv_ret(sendmsg(c->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL));
}

static long call_recvmsg(struct drv_ctx *c)
{
	struct iovec iov[SOCK_VEC_MAX];
	struct msghdr msg = { .msg_iov = iov };

	msg.msg_iovlen = (size_t)drv_split_iov(c, iov, SOCK_VEC_MAX);
	return drv_ret(recvmsg(c->fd, &msg, MSG_DONTWAIT));
}

static void verify_sent(struct drv_ctx *c, long ret, struct drv_check *chk)
{
	drv_check_drained(c, ret, c->fd2, chk);
}

const struct driver drv_sendmsg = {
	.name = "sendmsg", .family = "socket", .calls = "sendmsg on an AF_UNIX stream socket",
	.dir = DRV_KERNEL_READS, .fs_mask = FS_BIT(FS_NONE), .io_mask = IO_BIT(IO_BUFFERED),
	.vectored = true, .prepare = make_pair, .call = call_sendmsg, .verify = verify_sent,
	.cleanup = drv_close_fds,
};

const struct driver drv_recvmsg = {
	.name = "recvmsg", .family = "socket", .calls = "recvmsg on an AF_UNIX stream socket",
	.dir = DRV_KERNEL_WRITES, .fs_mask = FS_BIT(FS_NONE), .io_mask = IO_BIT(IO_BUFFERED),
	.vectored = true, .prepare = prep_source, .call = call_recvmsg, .verify = drv_check_buffer,
	.cleanup = drv_close_fds,
};
