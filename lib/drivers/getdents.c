/* SPDX-License-Identifier: MIT */
/* getdents64(2) of a directory with enough entries to fill the buffer. The
 * reference is the same call into a plain buffer, made just before. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "driver.h"
#include "repro.h"

#define DENTS_DIR	"dents"	/* a fixture in the scratch directory */
#define DENTS_ENTRIES	1024	/* ~32 bytes each: fills 32 KiB */

struct dents {
	uint8_t *ref, *before;
};

/* A record's bytes the kernel stores: header, name and NUL; it leaves the
 * padding up to d_reclen as it was. */
static size_t record_stored(const struct drv_ctx *c, size_t at, size_t *reclen)
{
	const struct dents *d = c->priv;
	const size_t name_at = offsetof(struct dirent64, d_name);
	const struct dirent64 *e = (const void *)(d->ref + at);

	if (at + name_at >= c->want || e->d_reclen <= name_at || at + e->d_reclen > c->want)
		return 0;	/* not a record: the listing ends here */
	*reclen = e->d_reclen;
	return name_at + strnlen(e->d_name, e->d_reclen - name_at) + 1;
}

static int prep(struct drv_ctx *c)
{
	struct dents *d;
	long n;

	/* the reference reads through its own open file, as the call does */
	c->fd2 = drv_fixture_dir(c, DENTS_DIR, 'e', DENTS_ENTRIES, FIXTURE_LINKS);
	if (c->fd2 < 0)
		return c->fd2;
	c->fd = drv_fixture_dir(c, DENTS_DIR, 'e', DENTS_ENTRIES, FIXTURE_LINKS);
	if (c->fd < 0)
		return c->fd;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	c->priv = d;
	/* entries leave their padding unwritten: the reference starts as the
	 * buffer does */
	d->ref = drv_snapshot(c);
	if (!d->ref)
		return -ENOMEM;
	n = syscall(SYS_getdents64, c->fd2, d->ref, c->lay->len);
	if (n < 0) {
		snprintf(c->note, sizeof(c->note), "getdents64 into a plain buffer: %s",
			 strerror(errno));
		return -errno;
	}
	c->want = c->reach = (size_t)n;
	for (size_t at = 0, reclen, stored; (stored = record_stored(c, at, &reclen)); at += reclen)
		drv_unlike(c, d->ref, at, at + stored);
	d->before = drv_snapshot(c);
	return d->before ? 0 : -ENOMEM;
}

/* A record whose stored bytes lie before the limit is returned whole, even
 * when its padding reaches past it. */
static size_t record_end(struct drv_ctx *c, size_t limit)
{
	size_t at = 0, reclen, stored;

	while ((stored = record_stored(c, at, &reclen)) && at + stored <= limit)
		at += reclen;
	return at;
}

static long call(struct drv_ctx *c)
{
	return drv_ret(syscall(SYS_getdents64, c->fd, c->lay->ptr, c->lay->len));
}

static void verify(struct drv_ctx *c, long ret, struct drv_check *chk)
{
	struct dents *d = c->priv;

	drv_check_against(c, ret, d->ref, d->before, chk);
}

static void cleanup(struct drv_ctx *c)
{
	struct dents *d = c->priv;

	if (c->fd >= 0)
		close(c->fd);
	if (c->fd2 >= 0)
		close(c->fd2);
	c->fd = c->fd2 = -1;
	if (d) {
		free(d->ref);
		free(d->before);
		free(d);
	}
	c->priv = NULL;
}

/* The reproducer's part (lib/repro.h): the same steps in its C. */
static void repro(struct repro *r)
{
	repro_printf(r, "%s",
	"/* getdents64 of a directory of 1024 entries (links of one file); the reference\n"
	" * is the same call into a plain buffer, made just before. */\n"
	"struct linux_dirent64_head {\n"
	"	uint64_t d_ino;\n"
	"	int64_t d_off;\n"
	"	uint16_t d_reclen;\n"
	"	uint8_t d_type;\n"
	"	char d_name[];\n"
	"};\n"
	"\n"
	"/* A record's bytes the kernel stores (header, name, NUL; not the padding up to\n"
	" * d_reclen), 0 when none starts at at. */\n"
	"static size_t record_stored(size_t at, size_t *reclen)\n"
	"{\n"
	"	const size_t name_at = offsetof(struct linux_dirent64_head, d_name);\n"
	"	const struct linux_dirent64_head *e = (const void *)(ref + at);\n"
	"\n"
	"	if (at + name_at >= want || e->d_reclen <= name_at || at + e->d_reclen > want)\n"
	"		return 0;\n"
	"	*reclen = e->d_reclen;\n"
	"	return name_at + strnlen(e->d_name, e->d_reclen - name_at) + 1;\n"
	"}\n"
	"\n"
	"static int setup(void)\n"
	"{\n"
	"	long n;\n"
	"\n"
	"	/* the reference reads through its own open file, as the call does */\n"
	"	fd2 = fixture_dir(\"dents\", 'e', 1024, 1);\n"
	"	if (fd2 < 0)\n"
	"		return fd2;\n"
	"	fd = openat(workfd, \"dents\", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);\n"
	"	if (fd < 0)\n"
	"		return setup_failed(-errno, \"cannot open dents: %s\", strerror(errno));\n"
	"	/* entries leave their padding unwritten: the reference starts as the buffer does */\n"
	"	ref = snapshot();\n"
	"	if (!ref)\n"
	"		return setup_failed(-ENOMEM, \"out of memory\");\n"
	"	n = syscall(SYS_getdents64, fd2, ref, CASE_LEN);\n"
	"	if (n < 0)\n"
	"		return setup_failed(-errno, \"getdents64 into a plain buffer: %s\", strerror(errno));\n"
	"	want = reach = (size_t)n;\n"
	"	/* every byte a record stores differs from the buffer's: overshoot sees it */\n"
	"	for (size_t at = 0, reclen, stored; (stored = record_stored(at, &reclen)); at += reclen)\n"
	"		unlike(ref, at, at + stored);\n"
	"	before = snapshot();\n"
	"	return before ? 0 : setup_failed(-ENOMEM, \"out of memory\");\n"
	"}\n"
	"\n"
	"static long call(void)\n"
	"{\n"
	"	return ret_of(syscall(SYS_getdents64, fd, buf, CASE_LEN));\n"
	"}\n"
	"\n"
	"/* A byte-exact kernel returns the records whose stored bytes lie before the limit. */\n"
	"#define DRIVER_EXPECT\n"
	"static long expect_of(size_t limit)\n"
	"{\n"
	"	size_t at = 0, reclen, stored;\n"
	"\n"
	"	while ((stored = record_stored(at, &reclen)) && at + stored <= limit)\n"
	"		at += reclen;\n"
	"	return (long)at;\n"
	"}\n"
	);
}

const struct driver drv_getdents64 = {
	.name = "getdents64", .family = "dir", .calls = "getdents64 of a 1024-entry directory",
	.dir = DRV_KERNEL_WRITES, .fs_mask = FS_MASK_FILES, .io_mask = IO_BIT(IO_BUFFERED),
	.prepare = prep, .call = call, .verify = verify, .record_end = record_end,
	.cleanup = cleanup, .repro = repro,
};
