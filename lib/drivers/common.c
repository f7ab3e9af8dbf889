/* SPDX-License-Identifier: MIT */
/* What file drivers share: the file, its checks, iovec splitting. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

/* Each file state's name and, for --help, what it is. */
static const struct {
	const char *name, *help;
} file_states[FILE_STATE_COUNT] = {
	[FILE_FRESH] = { "fresh", "made for the call: the data just written for reads, empty "
			 "for writes" },
	[FILE_CACHED] = { "cached", "data written back, its pages cached" },
	[FILE_UNCACHED] = { "uncached", "data written back and dropped from the page cache" },
	[FILE_DIRTY] = { "dirty", "data in the page cache, not written back" },
	[FILE_HOLE] = { "hole", "a hole inside the file's size" },
	[FILE_PREALLOC] = { "prealloc", "fallocate()d, unwritten" },
	[FILE_EXTEND] = { "extend", "writes: data ending half-way into the range" },
};

const char *file_state_name(enum file_state st)
{
	return (unsigned)st < FILE_STATE_COUNT ? file_states[st].name : "?";
}

const char *file_state_help(enum file_state st)
{
	return (unsigned)st < FILE_STATE_COUNT ? file_states[st].help : NULL;
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
	layout_pattern_copy(c->lay, c->seed, 0, 0, src, len);
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

/* Fill the fixture directory dfd with count entries; an earlier case
 * killed half-way left some (in our private directory: they are ours). */
static int populate(int dfd, char prefix, int count, enum fixture_entries entries)
{
	char first[16], name[16];
	struct stat st;

	/* the last entry exists once the directory is complete */
	snprintf(name, sizeof(name), "%c%04d", prefix, count - 1);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	snprintf(first, sizeof(first), "%c%04d", prefix, 0);
	for (int i = 0; i < count; i++) {
		int fd;

		snprintf(name, sizeof(name), "%c%04d", prefix, i);
		if (i > 0 && entries == FIXTURE_LINKS) {
			/* linkat() without AT_SYMLINK_FOLLOW follows nothing */
			if (linkat(dfd, first, dfd, name, 0) != 0 && errno != EEXIST)
				return -errno;
			continue;
		}
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return -errno;
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

int drv_fixture_dir(struct drv_ctx *c, const char *name, char prefix, int count,
		    enum fixture_entries entries)
{
	int fd = -1, err = 0;

	if (mkdirat(c->scratch_fd, name, 0700) != 0 && errno != EEXIST)
		err = -errno;
	else if ((fd = openat(c->scratch_fd, name,
			      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		err = -errno;
	else if ((err = populate(fd, prefix, count, entries)))
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

	/* a buffer that maps the call's own file made it (layout.h) */
	if (c->lay->spec.backing == BACKING_SELF)
		fd = drv_reopen(c, DRV_FILE, O_RDWR);
	else
		fd = drv_create(c, DRV_FILE, O_RDWR);
	if (fd < 0)
		return fd;
	snprintf(c->path, sizeof(c->path), "%s/%s", c->dir, DRV_FILE);	/* made: cleanup removes it */
	if (fill && (err = drv_feed_source(c, fd, c->foff, c->path))) {
		close(fd);
		return err;
	}
	if (c->io == IO_DIRECT) {
		/* reopen: the fill went through the page cache, the call must
		 * not. The fill on disk first, its allocation settled: btrfs
		 * finishes a buffered write's ordered extent after the write-back
		 * a direct read waits for, and while one is pending it reads
		 * through the page cache instead (lock_extent_direct: -ENOTBLK),
		 * so the same case took either path by timing. */
		if (fill && fdatasync(fd) != 0) {
			err = -errno;
			snprintf(c->note, sizeof(c->note), "cannot sync %.*s: %s",
				 UTF8_CUT(c->path, 100), strerror(-err));
			close(fd);
			return err;
		}
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
	chk->data_ok = n == want && layout_pattern_match(c->lay, c->seed, 0, got, n) == n;
}

void drv_check_buffer(struct drv_ctx *c, long ret, struct drv_check *chk)
{
	size_t n = ret > 0 ? (size_t)ret : 0;

	chk->data_ok = layout_holds_pattern(c->lay, c->seed, 0, n);
	chk->overshoot = (long)layout_count_stored(c->lay, c->seed, n, c->lay->len);
}

static void note_add(struct drv_ctx *c, const char *fmt, va_list ap)
{
	size_t n = strlen(c->note);

	if (n && n + 2 < sizeof(c->note)) {
		memcpy(c->note + n, "; ", 3);
		n += 2;
	}
	if (n < sizeof(c->note))
		vsnprintf_utf8(c->note + n, sizeof(c->note) - n, fmt, ap);
}

void drv_note_add(struct drv_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note_add(c, fmt, ap);
	va_end(ap);
}

void drv_not_verified(struct drv_ctx *c, struct drv_check *chk, const char *fmt, ...)
{
	char why[sizeof(c->note)];
	va_list ap;

	*chk = (struct drv_check){ .data_ok = -1, .overshoot = -1 };
	va_start(ap, fmt);
	vsnprintf_utf8(why, sizeof(why), fmt, ap);
	va_end(ap);
	drv_note_add(c, "not verified: %s", why);
}

/* ---- the file before the call (--state) ---- */

static bool reads_file(const struct drv_ctx *c)
{
	return c->drv->dir == DRV_KERNEL_WRITES;
}

/* States whose range holds no data: it reads as zeros. */
static bool zeros(enum file_state st)
{
	return st == FILE_HOLE || st == FILE_PREALLOC;
}

/* The file's size before the call: read-type calls read up to the end of
 * the range; write-type calls find data (or a hole) one page past it, so
 * that what they must leave alone is there to check, or, for extend, data
 * ending half-way into the range. */
static off_t before_size(const struct drv_ctx *c)
{
	off_t end = c->foff + (off_t)c->lay->len;

	if (reads_file(c))
		return end;
	switch (c->state) {
	case FILE_FRESH:
		return 0;
	case FILE_EXTEND:
		return c->foff + (off_t)ALIGN_DOWN(c->lay->len / 2, MTE_GRANULE);
	default:
		return end + (off_t)page_size();
	}
}

/* Byte off of the file before the call (0 past before_size). Write-type
 * calls find the complement of the source at each offset of the range, so
 * that each byte they write shows. */
static uint8_t before_byte(const struct drv_ctx *c, off_t off)
{
	off_t i = off - c->foff;
	bool in_range = i >= 0 && i < (off_t)c->lay->len;
	uint8_t src = in_range ? layout_pattern(c->lay, c->seed, (size_t)i) : 0;

	if (off >= before_size(c) || zeros(c->state))
		return 0;
	if (reads_file(c))
		return src;	/* the source at foff, a hole before it */
	return in_range ? (uint8_t)~src : (uint8_t)(off * 131 + 7);
}

/* Write the state's data, [from, before_size) as before_byte has it. 0 or
 * -errno (note set). */
static int write_before(struct drv_ctx *c, int fd, off_t from)
{
	size_t n = (size_t)(before_size(c) - from);
	uint8_t *data = malloc(n ? n : 1);
	int err;

	if (!data)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		data[i] = before_byte(c, from + (off_t)i);
	err = write_all(fd, data, n, from);
	free(data);
	if (err)
		snprintf(c->note, sizeof(c->note), "cannot write the %s data: %s",
			 file_state_name(c->state), strerror(-err));
	return err;
}

/* After POSIX_FADV_DONTNEED: say when the kernel kept pages of the file
 * (dirty or mapped ones, or a filesystem that ignores it). */
static void note_kept_pages(struct drv_ctx *c, int fd)
{
	size_t ps = page_size(), len = (size_t)before_size(c), pages = (len + ps - 1) / ps, kept = 0;
	unsigned char *vec = malloc(pages ? pages : 1);
	void *map = len ? mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;

	if (vec && map != MAP_FAILED && mincore(map, len, vec) == 0)
		for (size_t p = 0; p < pages; p++)
			kept += vec[p] & 1;
	if (map != MAP_FAILED)
		munmap(map, len);
	free(vec);
	if (kept)
		drv_note_add(c, "the kernel kept %zu of %zu pages cached", kept, pages);
}

/* Put the file made by drv_file_create in c->state, through a descriptor of
 * its own (c->fd may be O_DIRECT). 0 or -errno (note set; EOPNOTSUPP: the
 * filesystem refuses the state, a skip). */
static int file_state_make(struct drv_ctx *c)
{
	enum file_state st = c->state;
	int fd, err = 0;

	if (st == FILE_FRESH)
		return 0;
	fd = drv_reopen(c, DRV_FILE, O_RDWR);
	if (fd < 0) {
		snprintf(c->note, sizeof(c->note), "cannot reopen %.*s: %s", UTF8_CUT(c->path, 100),
			 strerror(-fd));
		return fd;
	}
	if (st == FILE_HOLE) {
		/* a buffer that maps the file (self) made it longer already */
		if (lseek(fd, 0, SEEK_END) < before_size(c) && ftruncate(fd, before_size(c)) != 0)
			err = -errno;
	} else if (st == FILE_PREALLOC) {
		if (fallocate(fd, 0, 0, before_size(c)) != 0)
			err = -errno;
	} else if (!reads_file(c) || st == FILE_DIRTY) {
		/* reads: the source is there; written again, so that it is
		 * dirty whatever the O_DIRECT open did to it */
		err = write_before(c, fd, reads_file(c) ? c->foff : 0);
	}
	if (err && !c->note[0])
		snprintf(c->note, sizeof(c->note), "unsupported: %s on %s: %s",
			 st == FILE_HOLE ? "ftruncate" : "fallocate", fs_name(c->fs), strerror(-err));
	if (!err && st != FILE_DIRTY && fsync(fd) != 0) {
		err = -errno;
		snprintf(c->note, sizeof(c->note), "cannot fsync %.*s: %s", UTF8_CUT(c->path, 100),
			 strerror(-err));
	}
	if (!err && st == FILE_UNCACHED) {
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		note_kept_pages(c, fd);
	}
	close(fd);
	return err;
}

/* A read-type buffer starts as the source's complement; where that is 0, a
 * zero the call stores would not show: reading zeros (hole, prealloc), those
 * bytes start as NOT_ZERO instead. */
#define NOT_ZERO	0x5a

static uint8_t start_byte(const struct drv_ctx *c, size_t i)
{
	uint8_t b = (uint8_t)~layout_pattern(c->lay, c->seed, i);

	return b ? b : NOT_ZERO;
}

static void buffer_unlike_zeros(struct drv_ctx *c)
{
	const struct layout *l = c->lay;

	mte_tco_enable();
	for (size_t i = 0; i < l->len; i++)
		l->tb.map[l->start + i] = start_byte(c, i);
	mte_tco_disable();
}

/* Read-type check when the file held zeros: [0, ret) of the buffer holds
 * zeros, and overshoot counts the bytes it stored after. */
static void check_zeros(struct drv_ctx *c, long ret, struct drv_check *chk)
{
	size_t len = c->lay->len;
	uint8_t *zero = calloc(1, len), *start = malloc(len);

	if (zero && start) {
		for (size_t i = 0; i < len; i++)
			start[i] = start_byte(c, i);
		drv_check_against(c, ret, zero, start, chk);
	} else {
		drv_not_verified(c, chk, "out of memory");
	}
	free(zero);
	free(start);
}

/* Where a buffer that maps the call's own file (--backing self) maps it,
 * past anything the call or its state touches: the file reaches to the
 * mapping's end, zeros (a hole) before the mapping. 0: no such buffer. */
static off_t self_mapped_at(const struct drv_ctx *c)
{
	return c->lay->spec.backing == BACKING_SELF ? (off_t)layout_self_offset(c->lay->spec.len) : 0;
}

/* What a wrong file holds at byte off, for the note. */
static const char *file_byte_is(struct drv_ctx *c, off_t off, uint8_t b)
{
	if (off >= c->foff && off < c->foff + (off_t)c->lay->len &&
	    b == layout_pattern(c->lay, c->seed, (size_t)(off - c->foff)))
		return "the call's data past its count";
	return b ? "other bytes" : "zeros";
}

/* The file is wrong: say how in the note. A call that failed yet
 * changed the file is a finding of its own (the kernel wrote, or grew
 * the file, and reported an error). */
static void note_file_wrong(struct drv_ctx *c, long ret, off_t size, off_t want, off_t at,
			    const char *holds)
{
	const char *lead = ret < 0 ? "the call failed yet changed the file" : "file wrong";

	if (size != want)
		drv_note_add(c, "%s: %lld bytes, want %lld", lead, (long long)size, (long long)want);
	else
		drv_note_add(c, "%s: %s from byte %lld", lead, holds, (long long)at);
}

/* How many leading bytes of p[0, n) are zero. */
static size_t zeros_at(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && !p[i]; i++)
		;
	return i;
}

/* Write-type check of the whole file, got[0..size): the source at [foff,
 * foff + ret), what the state left everywhere else, and the size that
 * makes (with a self-backed buffer, got ends where the mapping starts). */
static int check_file(struct drv_ctx *c, long ret, const uint8_t *got, off_t size)
{
	off_t end = c->foff + (ret > 0 ? ret : 0), want = before_size(c);
	off_t zero_from = zeros(c->state) ? 0 : want;	/* before_byte is 0 from there */

	if (ret > 0 && end > want)
		want = end;
	/* a failed write may leave the file grown up to where it started
	 * (ext4: a hole, no data of the call), and a self-backed buffer's
	 * file reaches to its mapping: the rest must still hold */
	if (size > want && (size <= c->foff || self_mapped_at(c)))
		want = size;
	if (size != want) {
		note_file_wrong(c, ret, size, want, 0, NULL);
		return 0;
	}
	for (off_t o = 0; o < size; o++) {
		/* runs in one go: the call's data (the source), and zeros up to
		 * the range or the end (a self-backed buffer's file is long) */
		if (o >= c->foff && o < end)
			o += (off_t)layout_pattern_match(c->lay, c->seed, (size_t)(o - c->foff),
							 got + o, (size_t)(end - o));
		else if (o >= zero_from)
			o += (off_t)zeros_at(got + o, (size_t)((o < c->foff && c->foff < size ?
								c->foff : size) - o));
		if (o < size && got[o] != (o >= c->foff && o < end ?
					   layout_pattern(c->lay, c->seed, (size_t)(o - c->foff)) :
					   before_byte(c, o))) {
			note_file_wrong(c, ret, size, want, o, file_byte_is(c, o, got[o]));
			return 0;
		}
	}
	return 1;
}

void drv_file_verify(struct drv_ctx *c, long ret, struct drv_check *chk)
{
	uint8_t *got = NULL;
	ssize_t n;
	off_t size, most;
	int fd;

	if (reads_file(c)) {
		if (zeros(c->state))
			check_zeros(c, ret, chk);
		else
			drv_check_buffer(c, ret, chk);
		return;
	}
	/* what reached the file: read all of it back through the page cache */
	*chk = (struct drv_check){ .data_ok = -1, .overshoot = -1 };
	fd = drv_reopen(c, DRV_FILE, O_RDONLY);
	if (fd < 0) {
		drv_not_verified(c, chk, "cannot reopen the file: %s", strerror(-fd));
		return;
	}
	size = lseek(fd, 0, SEEK_END);
	/* no right file ends past the range or what the state put after it;
	 * past the mapping's start (self), the file is the buffer's */
	most = c->foff + (off_t)c->lay->len;
	if (before_size(c) > most)
		most = before_size(c);
	if (self_mapped_at(c) && size > self_mapped_at(c))
		most = size = self_mapped_at(c);
	if (size > most) {
		note_file_wrong(c, ret, size, most, 0, NULL);
		chk->data_ok = 0;
	}
	else if (size < 0)
		drv_not_verified(c, chk, "cannot size the file: %s", strerror(errno));
	else if (!(got = malloc((size_t)size + 1)))
		drv_not_verified(c, chk, "out of memory");
	else if ((n = pread(fd, got, (size_t)size, 0)) != size)
		drv_not_verified(c, chk, "cannot read the file back: %s",
				 n < 0 ? strerror(errno) : "short read");
	else
		chk->data_ok = check_file(c, ret, got, size);
	free(got);
	close(fd);
}

static int file_prepare_at(struct drv_ctx *c, off_t foff)
{
	int err;

	c->foff = foff;
	if (reads_file(c) && zeros(c->state))
		buffer_unlike_zeros(c);
	err = drv_file_create(c, reads_file(c) && !zeros(c->state));
	if (!err && (err = file_state_make(c))) {
		close(c->fd);
		c->fd = -1;
	}
	return err;
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
	/* the worker's next case makes it again; if the worker dies first,
	 * the file goes with its directory */
	if (c->path[0])
		unlinkat(c->dirfd, DRV_FILE, 0);
	c->path[0] = '\0';
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
		drv_note_add(c, "fault in iovec %d of %d", fault_iov + 1, n);
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

void drv_unlike(struct drv_ctx *c, const uint8_t *ref, size_t from, size_t to)
{
	uint8_t *b = c->lay->tb.map + c->lay->start;

	mte_tco_enable();
	for (size_t i = from; i < to && i < c->lay->len; i++)
		if (b[i] == ref[i])
			b[i] ^= 0xff;
	mte_tco_disable();
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
