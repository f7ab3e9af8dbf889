/* SPDX-License-Identifier: MIT */
#include "buffer.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mte.h"
#include "util.h"

#ifndef PROT_MTE
#define PROT_MTE	0x20
#endif

static int prot_of(const struct testbuf *b)
{
	return PROT_READ | PROT_WRITE | (b->tagged ? PROT_MTE : 0);
}

/* Map b->len bytes of fd (-1: anonymous) at off with flags; the buffer
 * takes fd. Then the tags, when tagged. */
static int map_buffer(struct testbuf *b, int flags, int fd, off_t off)
{
	void *map = mmap(NULL, b->len, prot_of(b), flags, fd, off);

	if (map == MAP_FAILED) {
		int err = -errno;
		if (fd >= 0)
			close(fd);
		return err;
	}
	b->map = map;
	b->fd = fd;
	b->file_off = off;
	if (b->tagged) {
		testbuf_tag_all(b, TESTBUF_TAG);
		/* where tags are not kept (user-mode qemu on a shared file
		 * mapping) they read back as 0: no layout would hold */
		if (testbuf_tag_at(b, b->len - 1) != TESTBUF_TAG) {
			testbuf_destroy(b);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

static int init_buffer(struct testbuf *b, size_t len, enum testbuf_kind kind, bool tagged)
{
	*b = (struct testbuf){ .kind = kind, .tagged = tagged, .fd = -1 };
	if (tagged && !mte_usable())
		return -EOPNOTSUPP;
	b->len = ALIGN_UP(len ? len : 1, page_size());
	return 0;
}

/* The buffer testbuf_reuse keeps (map NULL: none), and the process that
 * keeps one (0: none). A child is not that process: it never takes a
 * parent's spare (shared memory would be shared with the parent). */
static struct testbuf spare;
static pid_t reuse_pid;

void testbuf_reuse(bool on)
{
	/* anew: a spare kept before, or inherited (our copy), goes */
	if (spare.map) {
		munmap(spare.map, spare.len);
		spare = (struct testbuf){ .fd = -1 };
	}
	reuse_pid = on ? getpid() : 0;
}

static bool reusable(const struct testbuf *b)
{
	return reuse_pid == getpid() && b->map && !b->page_protected &&
	       (b->kind == TESTBUF_PRIVATE || b->kind == TESTBUF_SHARED);
}

/* The spare as b, when it is what b asks for: zeroed and tagged as a new
 * mapping would be. */
static bool take_spare(struct testbuf *b)
{
	if (!spare.map || reuse_pid != getpid() || spare.kind != b->kind ||
	    spare.tagged != b->tagged || spare.len != b->len)
		return false;
	*b = spare;
	spare = (struct testbuf){ .fd = -1 };
	mte_tco_enable();
	memset(b->map, 0, b->len);
	mte_tco_disable();
	if (b->tagged)
		testbuf_tag_all(b, TESTBUF_TAG);
	return true;
}

int testbuf_create(struct testbuf *b, size_t len, enum testbuf_kind kind, bool tagged)
{
	int err = init_buffer(b, len, kind, tagged), fd;

	if (err)
		return err;
	if (take_spare(b))
		return 0;
	switch (kind) {
	case TESTBUF_PRIVATE:
		return map_buffer(b, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	case TESTBUF_SHARED:
		return map_buffer(b, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	case TESTBUF_MEMFD:
		fd = memfd_create("mteprobe-buffer", MFD_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (ftruncate(fd, (off_t)b->len) != 0) {
			err = -errno;
			close(fd);
			return err;
		}
		return map_buffer(b, MAP_SHARED, fd, 0);
	default:
		return -EINVAL;
	}
}

int testbuf_create_file(struct testbuf *b, size_t len, int fd, off_t off, bool tagged)
{
	int err = init_buffer(b, len, TESTBUF_FILE, tagged), own;

	if (err)
		return err;
	own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (own < 0)
		return -errno;
	return map_buffer(b, MAP_SHARED, own, off);
}

int testbuf_drop_cache(struct testbuf *b)
{
	if (b->kind != TESTBUF_FILE)
		return 0;
	if (msync(b->map, b->len, MS_SYNC) != 0 || madvise(b->map, b->len, MADV_DONTNEED) != 0)
		return -errno;
	return -posix_fadvise(b->fd, b->file_off, (off_t)b->len, POSIX_FADV_DONTNEED);
}

void testbuf_destroy(struct testbuf *b)
{
	if (reusable(b)) {
		if (spare.map)
			munmap(spare.map, spare.len);
		spare = *b;
		*b = (struct testbuf){ .fd = -1 };
		return;
	}
	if (b->map)
		munmap(b->map, b->len);
	if (b->fd >= 0)
		close(b->fd);
	*b = (struct testbuf){ .fd = -1 };
}

void *testbuf_ptr(const struct testbuf *b, size_t off)
{
	return mte_tag_ptr(b->map + off, b->tag);
}

#if MTE_HAVE_INSNS
static void set_granule_tag(struct testbuf *b, size_t off, unsigned tag)
{
	mte_set_tag(mte_tag_ptr(b->map + ALIGN_DOWN(off, MTE_GRANULE), tag));
}
#endif

int testbuf_tag_all(struct testbuf *b, unsigned tag)
{
	if (!b->tagged)
		return -EOPNOTSUPP;
#if MTE_HAVE_INSNS
	mte_set_tag_range(mte_tag_ptr(b->map, tag), b->len);
#endif
	b->tag = tag & 0xf;
	return 0;
}

static int retag(struct testbuf *b, size_t off, unsigned tag)
{
	if (!b->tagged)
		return -EOPNOTSUPP;
	if (off >= b->len)
		return -ERANGE;
#if MTE_HAVE_INSNS
	set_granule_tag(b, off, tag);
#else
	(void)tag;
#endif
	return 0;
}

int testbuf_mismatch(struct testbuf *b, size_t off)
{
	return retag(b, off, TESTBUF_MISMATCH_TAG(b->tag));
}

int testbuf_match(struct testbuf *b, size_t off)
{
	return retag(b, off, b->tag);
}

unsigned testbuf_tag_at(const struct testbuf *b, size_t off)
{
#if MTE_HAVE_INSNS
	if (b->tagged)
		return mte_ptr_tag(mte_get_tag(b->map + ALIGN_DOWN(off, MTE_GRANULE)));
#endif
	(void)b;
	(void)off;
	return 0;
}

static int protect(struct testbuf *b, size_t off, int prot)
{
	if (off >= b->len)
		return -ERANGE;
	if (mprotect(b->map + ALIGN_DOWN(off, page_size()), page_size(), prot) != 0)
		return -errno;
	return 0;
}

int testbuf_protect_page(struct testbuf *b, size_t off)
{
	int err = protect(b, off, PROT_NONE);

	if (!err)
		b->page_protected = true;
	return err;
}

/* (one page at a time is PROT_NONE: layout.h) */
int testbuf_unprotect_page(struct testbuf *b, size_t off)
{
	int err = protect(b, off, prot_of(b));

	if (!err)
		b->page_protected = false;
	return err;
}

void testbuf_fill(struct testbuf *b, size_t off, size_t len, uint32_t seed)
{
	mte_tco_enable();
	for (size_t i = off; i < off + len; i++)
		b->map[i] = testbuf_pattern(seed, i);
	mte_tco_disable();
}

size_t testbuf_check(const struct testbuf *b, size_t off, size_t len, uint32_t seed)
{
	size_t i;

	mte_tco_enable();
	for (i = off; i < off + len; i++)
		if (b->map[i] != testbuf_pattern(seed, i))
			break;
	mte_tco_disable();
	return i;
}
