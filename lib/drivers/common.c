/* SPDX-License-Identifier: MIT */
/* What file drivers share: the file, its checks, iovec splitting. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "driver.h"
#include "mte.h"
#include "util.h"

/* Each I/O path's name and, for --help, what it is. */
static const struct {
	const char *name, *help;
} io_paths[IO_PATH_COUNT] = {
	[IO_BUFFERED] = { "buffered", NULL },
	[IO_DIRECT] = { "direct", "O_DIRECT" },
};

const char *io_path_name(enum io_path p)
{
	return (unsigned)p < IO_PATH_COUNT ? io_paths[p].name : "?";
}

const char *io_path_help(enum io_path p)
{
	return (unsigned)p < IO_PATH_COUNT ? io_paths[p].help : NULL;
}

int io_path_parse(const char *name)
{
	for (int p = 0; p < IO_PATH_COUNT; p++)
		if (!strcmp(io_paths[p].name, name))
			return p;
	return -1;
}

long drv_ret(long r)
{
	return r < 0 ? -errno : r;
}

long drv_setup_failed(struct drv_ctx *c, long err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf_utf8(c->note, sizeof(c->note), fmt, ap);
	va_end(ap);
	c->setup_failed = true;
	return err;
}

const char *drv_file_unsupported(struct drv_ctx *c)
{
	if (c->io != IO_DIRECT)
		return NULL;
	if (c->lay->spec.buf_off % DIO_ALIGN || c->lay->len % DIO_ALIGN) {
		snprintf(c->note, sizeof(c->note), "O_DIRECT needs buffer start and length "
			 "aligned to %d bytes (buf_off %zu, len %zu)", DIO_ALIGN,
			 c->lay->spec.buf_off, c->lay->len);
		return c->note;
	}
	return NULL;
}

/* All of p into fd: at off, or with off < 0 as a stream that must take it
 * all without blocking (a pipe or socket sized for it). 0 or -errno. */
static int write_all(int fd, const uint8_t *p, size_t n, off_t off)
{
	if (off < 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (n) {
		ssize_t w = off < 0 ? write(fd, p, n) : pwrite(fd, p, n, off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
		if (off >= 0)
			off += w;
	}
	return 0;
}

int drv_feed_source(struct drv_ctx *c, int fd, off_t off, const char *what)
{
	size_t len = c->lay->len;
	uint8_t *src = malloc(len ? len : 1);
	int err;

	if (!src)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++)
		src[i] = layout_pattern(c->lay, c->seed, i);
	err = write_all(fd, src, len, off);
	free(src);
	if (err)
		snprintf(c->note, sizeof(c->note), "cannot fill %.*s: %s", UTF8_CUT(what, 100),
			 strerror(-err));
	return err;
}

int drv_create(struct drv_ctx *c, const char *name, int flags)
{
	int fd = openat(c->dirfd, name, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0) {
		fd = -errno;
		snprintf(c->note, sizeof(c->note), "cannot create %.*s/%s: %s", UTF8_CUT(c->dir, 80), name,
			 strerror(-fd));
	}
	return fd;
}

int drv_reopen(struct drv_ctx *c, const char *name, int flags)
{
	int fd = openat(c->dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Fill the fixture directory dfd with count empty files; an earlier case
 * killed half-way left some (in our private directory: they are ours). */
static int populate(int dfd, char prefix, int count)
{
	char name[16];
	struct stat st;

	/* the last entry exists once the directory is complete */
	snprintf(name, sizeof(name), "%c%04d", prefix, count - 1);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	for (int i = 0; i < count; i++) {
		int fd;

		snprintf(name, sizeof(name), "%c%04d", prefix, i);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return -errno;
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

int drv_fixture_dir(struct drv_ctx *c, const char *name, char prefix, int count)
{
	int fd = -1, err = 0;

	if (mkdirat(c->scratch_fd, name, 0700) != 0 && errno != EEXIST)
		err = -errno;
	else if ((fd = openat(c->scratch_fd, name,
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		err = -errno;
	else if ((err = populate(fd, prefix, count)))
		close(fd);
	if (err) {
		snprintf(c->note, sizeof(c->note), "cannot make %d entries in %s: %s", count, name,
			 strerror(-err));
		return err;
	}
	return fd;
}

int drv_file_create(struct drv_ctx *c, bool fill)
{
	int fd, err = 0;

	snprintf(c->path, sizeof(c->path), "%s/%s", c->dir, DRV_FILE);
	/* a buffer that maps the call's own file made it (layout.h) */
	if (c->lay->spec.backing == BACKING_SELF)
		fd = drv_reopen(c, DRV_FILE, O_RDWR);
	else
		fd = drv_create(c, DRV_FILE, O_RDWR);
	if (fd < 0)
		return fd;
	if (fill && (err = drv_feed_source(c, fd, c->foff, c->path))) {
		close(fd);
		return err;
	}
	if (c->io == IO_DIRECT) {
		/* reopen: the fill went through the page cache, the call must not */
		close(fd);
		fd = drv_reopen(c, DRV_FILE, O_RDWR | O_DIRECT);
		if (fd < 0) {
			snprintf(c->note, sizeof(c->note), "O_DIRECT refused by %s: %s",
				 fs_name(c->fs), strerror(-fd));
			return fd;
		}
	}
	c->fd = fd;
	return 0;
}

void drv_check_sink(struct drv_ctx *c, long ret, const uint8_t *got, size_t n,
		    struct drv_check *chk)
{
	size_t want = ret > 0 ? (size_t)ret : 0;

	chk->overshoot = -1;
	chk->data_ok = n == want;
	for (size_t i = 0; i < want && i < n && chk->data_ok; i++)
		if (got[i] != layout_pattern(c->lay, c->seed, i))
			chk->data_ok = 0;
}

void drv_check_buffer(struct drv_ctx *c, long ret, struct drv_check *chk)
{
	size_t n = ret > 0 ? (size_t)ret : 0;

	chk->data_ok = layout_holds_pattern(c->lay, c->seed, 0, n);
	chk->overshoot = (long)layout_count_stored(c->lay, c->seed, n, c->lay->len);
}

void drv_not_verified(struct drv_ctx *c, struct drv_check *chk, const char *fmt, ...)
{
	size_t n = strlen(c->note);
	va_list ap;

	*chk = (struct drv_check){ .data_ok = -1, .overshoot = -1 };
	if (n && n + 2 < sizeof(c->note)) {
		memcpy(c->note + n, "; ", 3);
		n += 2;
	}
	n += (size_t)snprintf_utf8(c->note + n, sizeof(c->note) - n, "not verified: ");
	if (n >= sizeof(c->note))
		return;
	va_start(ap, fmt);
	vsnprintf_utf8(c->note + n, sizeof(c->note) - n, fmt, ap);
	va_end(ap);
}

void drv_file_verify(struct drv_ctx *c, long ret, struct drv_check *chk)
{
	size_t len = c->lay->len;
	uint8_t *got;
	ssize_t n;
	off_t size;
	int fd;

	if (c->drv->dir == DRV_KERNEL_WRITES) {
		drv_check_buffer(c, ret, chk);
		return;
	}
	/* what reached the file: read it back through the page cache */
	*chk = (struct drv_check){ .data_ok = -1, .overshoot = -1 };
	fd = drv_reopen(c, DRV_FILE, O_RDONLY);
	if (fd < 0) {
		drv_not_verified(c, chk, "cannot reopen the file: %s", strerror(-fd));
		return;
	}
	size = lseek(fd, 0, SEEK_END);
	got = malloc(len + 1);
	if (!got) {
		drv_not_verified(c, chk, "out of memory");
	} else if (size < 0) {
		drv_not_verified(c, chk, "cannot size the file: %s", strerror(errno));
	} else if (size <= c->foff) {
		drv_check_sink(c, ret, got, 0, chk);	/* nothing reached the file */
	} else {
		n = pread(fd, got, len + 1, c->foff);
		/* a self-backed buffer's mapping made the file longer: the
		 * bytes the call did not write there read as zeros */
		if (c->lay->spec.backing == BACKING_SELF)
			while (n > (ret > 0 ? ret : 0) && !got[n - 1])
				n--;
		if (n >= 0)
			drv_check_sink(c, ret, got, (size_t)n, chk);
		else
			drv_not_verified(c, chk, "cannot read the file back: %s", strerror(errno));
	}
	free(got);
	close(fd);
}

static int file_prepare_at(struct drv_ctx *c, off_t foff)
{
	c->foff = foff;
	return drv_file_create(c, c->drv->dir == DRV_KERNEL_WRITES);
}

int drv_file_prepare(struct drv_ctx *c)
{
	return file_prepare_at(c, 0);
}

int drv_file_prepare_pos(struct drv_ctx *c)
{
	return file_prepare_at(c, DRV_POS_OFFSET);
}

void drv_file_cleanup(struct drv_ctx *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	/* the file goes with the case's directory, whatever ends the case */
}

void drv_check_drained(struct drv_ctx *c, long ret, int fd, struct drv_check *chk)
{
	size_t len = c->lay->len, n = 0;
	uint8_t *got = malloc(len + 1);
	ssize_t r;

	*chk = (struct drv_check){ .data_ok = -1, .overshoot = -1 };
	if (!got) {
		drv_not_verified(c, chk, "out of memory");
		return;
	}
	/* the call is over: all it sent is there, so never wait for more */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	while (n <= len && (r = read(fd, got + n, len + 1 - n)) > 0)
		n += (size_t)r;
	drv_check_sink(c, ret, got, n, chk);
	free(got);
}

void drv_close_fds(struct drv_ctx *c)
{
	if (c->fd >= 0)
		close(c->fd);
	if (c->fd2 >= 0)
		close(c->fd2);
	c->fd = c->fd2 = -1;
}

int drv_split_iov(struct drv_ctx *c, struct iovec *iov, int max)
{
	size_t len = c->lay->len, seg, at = 0;
	int n = (int)(c->iovecs ? c->iovecs : 1), fault_iov = -1;

	if (n > max)
		n = max;
	seg = len / (size_t)n;
	if (c->io == IO_DIRECT)
		seg = ALIGN_DOWN(seg, DIO_ALIGN);
	for (int i = 0; i < n; i++) {
		size_t l = i == n - 1 ? len - at : seg;

		iov[i].iov_base = (uint8_t *)c->lay->ptr + at;
		iov[i].iov_len = l;
		if (c->lay->in_range && c->lay->fault_off >= at && c->lay->fault_off < at + l)
			fault_iov = i;
		at += l;
	}
	if (fault_iov >= 0)
		snprintf(c->note, sizeof(c->note), "fault in iovec %d of %d", fault_iov + 1, n);
	return n;
}

uint8_t *drv_snapshot(struct drv_ctx *c)
{
	uint8_t *copy = malloc(c->lay->len ? c->lay->len : 1);

	if (!copy)
		return NULL;
	mte_tco_enable();
	memcpy(copy, c->lay->tb.map + c->lay->start, c->lay->len);
	mte_tco_disable();
	return copy;
}

void drv_check_against(struct drv_ctx *c, long ret, const uint8_t *ref, const uint8_t *before,
		       struct drv_check *chk)
{
	const struct layout *l = c->lay;
	size_t n = ret > 0 ? (size_t)ret : 0;
	long over = 0;
	bool ok = true;

	mte_tco_enable();
	for (size_t i = 0; i < l->len; i++) {
		size_t o = l->start + i;

		if (o >= l->prot_lo && o < l->prot_hi)
			continue;
		if (i < n)
			ok = ok && l->tb.map[o] == ref[i];
		else
			over += l->tb.map[o] != before[i];
	}
	mte_tco_disable();
	chk->data_ok = ok;
	chk->overshoot = over;
}
