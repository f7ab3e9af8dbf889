/* SPDX-License-Identifier: MIT */
/*
 * process_vm_readv(2) and process_vm_writev(2) with the faulted buffer as the
 * local iovecs (the kernel copies to or from it with uaccess); the remote side
 * is a plain buffer of the same process, reached through pinned pages. The
 * kernel copies page by page of the remote side, so where the remote buffer
 * starts in its page decides where the copies start, and how far short a
 * copy ends at the fault: it starts a page, the same in every run (a
 * malloc'ed one started wherever the heap's history put it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "driver.h"
#include "util.h"

#define PVM_VEC_MAX	64

static int prep(struct drv_ctx *c)
{
	size_t len = c->lay->len;
	void *p;
	uint8_t *remote;

	if (posix_memalign(&p, page_size(), len ? len : 1) != 0)
		return -ENOMEM;
	remote = p;
	/* the source to read, or the complement that shows what was written */
	layout_pattern_copy(c->lay, c->seed, 0, c->drv->dir == DRV_KERNEL_READS ? 0xff : 0, remote,
			    len);
	c->priv = remote;
	return 0;
}

static long call(struct drv_ctx *c)
{
	struct iovec local[PVM_VEC_MAX], remote = { c->priv, c->lay->len };
	int n = drv_split_iov(c, local, PVM_VEC_MAX);

	if (c->drv->dir == DRV_KERNEL_WRITES)
		return drv_ret(process_vm_readv(getpid(), local, (unsigned long)n, &remote, 1, 0));
	return drv_ret(process_vm_writev(getpid(), local, (unsigned long)n, &remote, 1, 0));
}

static void verify(struct drv_ctx *c, long ret, struct drv_check *chk)
{
	const uint8_t *remote = c->priv;
	size_t n = 0;

	if (c->drv->dir == DRV_KERNEL_WRITES) {
		drv_check_buffer(c, ret, chk);
		return;
	}
	/* the remote buffer: how far does the written data reach? */
	for (size_t i = 0; i < c->lay->len; i++) {
		uint8_t untouched = (uint8_t)~layout_pattern(c->lay, c->seed, i);

		if (remote[i] != untouched)
			n = i + 1;
	}
	drv_check_sink(c, ret, remote, n, chk);
}

static void cleanup(struct drv_ctx *c)
{
	free(c->priv);
	c->priv = NULL;
}

const struct driver drv_process_vm_readv = {
	.name = "process_vm_readv", .family = "pvm", .calls = "process_vm_readv into the buffer",
	.dir = DRV_KERNEL_WRITES, .fs_mask = FS_BIT(FS_NONE), .io_mask = IO_BIT(IO_BUFFERED),
	.vectored = true, .prepare = prep, .call = call, .verify = verify, .cleanup = cleanup,
};

const struct driver drv_process_vm_writev = {
	.name = "process_vm_writev", .family = "pvm", .calls = "process_vm_writev from the buffer",
	.dir = DRV_KERNEL_READS, .fs_mask = FS_BIT(FS_NONE), .io_mask = IO_BIT(IO_BUFFERED),
	.vectored = true, .prepare = prep, .call = call, .verify = verify, .cleanup = cleanup,
};
