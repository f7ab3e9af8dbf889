/* SPDX-License-Identifier: MIT */
/* read(2), write(2), pread(2), pwrite(2) on a regular file, buffered or O_DIRECT. */
#include <unistd.h>

#include "driver.h"
#include "repro.h"

static long call_read(struct drv_ctx *c) { return drv_ret(read(c->fd, c->lay->ptr, c->lay->len)); }
static long call_write(struct drv_ctx *c) { return drv_ret(write(c->fd, c->lay->ptr, c->lay->len)); }
static long call_pread(struct drv_ctx *c) { return drv_ret(pread(c->fd, c->lay->ptr, c->lay->len, c->foff)); }
static long call_pwrite(struct drv_ctx *c) { return drv_ret(pwrite(c->fd, c->lay->ptr, c->lay->len, c->foff)); }

/* The reproducer's call: the same, in its C */
REPRO_FILE_CALL(read, 0, "read(fd, buf, CASE_LEN)")
REPRO_FILE_CALL(write, 0, "write(fd, buf, CASE_LEN)")
REPRO_FILE_CALL(pread, DRV_POS_OFFSET, "pread(fd, buf, CASE_LEN, foff)")
REPRO_FILE_CALL(pwrite, DRV_POS_OFFSET, "pwrite(fd, buf, CASE_LEN, foff)")

#define RW_DRIVER(sym, nm, direction, prepare_fn, call_fn)			\
	const struct driver drv_##sym = {					\
		.name = nm, .family = "rw", .calls = nm,			\
		.dir = direction, DRV_FILE_PATHS,				\
		DRV_FILE_HOOKS(prepare_fn, call_fn), .repro = sym##_repro,	\
	}

RW_DRIVER(read, "read", DRV_KERNEL_WRITES, drv_file_prepare, call_read);
RW_DRIVER(write, "write", DRV_KERNEL_READS, drv_file_prepare, call_write);
RW_DRIVER(pread, "pread", DRV_KERNEL_WRITES, drv_file_prepare_pos, call_pread);
RW_DRIVER(pwrite, "pwrite", DRV_KERNEL_READS, drv_file_prepare_pos, call_pwrite);
