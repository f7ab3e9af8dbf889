/* SPDX-License-Identifier: MIT */
#include "layout.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>

#include "mte.h"
#include "util.h"

size_t layout_fault_offset(enum fault_kind k, size_t buf_off, size_t fault_at, size_t page)
{
	size_t unit = fault_kind(k)->page ? page : MTE_GRANULE;
	size_t first = ALIGN_DOWN(buf_off + fault_at, unit);

	return first > buf_off ? first - buf_off : 0;
}

static const struct {
	const char *name, *help;
} backings[BACKING_COUNT] = {
	[BACKING_PRIVATE] = { "private", "anonymous private memory" },
	[BACKING_SHARED] = { "shared", "anonymous shared memory (shmem)" },
	[BACKING_MEMFD] = { "memfd", "a memfd, mapped shared" },
	[BACKING_SELF] = { "self", "a shared mapping of the call's own file, its pages "
			   "dropped from the page cache" },
	[BACKING_OTHER] = { "other", "a shared mapping of another file on the same "
			    "filesystem, its pages dropped from the page cache" },
};

const char *backing_name(enum backing b)
{
	return (unsigned)b < BACKING_COUNT ? backings[b].name : NULL;
}

const char *backing_help(enum backing b)
{
	return (unsigned)b < BACKING_COUNT ? backings[b].help : NULL;
}

size_t layout_self_offset(size_t len)
{
	return ALIGN_UP(len, LAYOUT_SELF_GAP) + LAYOUT_SELF_GAP;
}

static const char *file_name(enum backing b)
{
	return b == BACKING_SELF ? LAYOUT_SELF_FILE : LAYOUT_OTHER_FILE;
}

/* A file backing: its file, made here and sized to hold the mapping; the
 * worker's next case makes it again, so it goes when the mapping fails. */
static int map_file(struct layout *l, size_t len)
{
	const struct layout_spec *s = &l->spec;
	off_t off = s->backing == BACKING_SELF ? (off_t)layout_self_offset(s->len) : 0;
	int fd = openat(s->dirfd, file_name(s->backing),
			O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, off + (off_t)ALIGN_UP(len, page_size())) != 0)
		err = -errno;
	else
		err = testbuf_create_file(&l->tb, len, fd, off, s->tagged);
	close(fd);
	if (err)
		unlinkat(s->dirfd, file_name(s->backing), 0);
	return err;
}

static int map_buffer(struct layout *l, size_t len)
{
	static const enum testbuf_kind kind[] = {
		[BACKING_PRIVATE] = TESTBUF_PRIVATE, [BACKING_SHARED] = TESTBUF_SHARED,
		[BACKING_MEMFD] = TESTBUF_MEMFD,
	};

	if (backing_is_file(l->spec.backing))
		return map_file(l, len);
	if ((unsigned)l->spec.backing >= BACKING_COUNT)
		return -EINVAL;
	return testbuf_create(&l->tb, len, kind[l->spec.backing], l->spec.tagged);
}

int layout_drop_cache(struct layout *l)
{
	return testbuf_drop_cache(&l->tb);
}

int layout_create(struct layout *l, const struct layout_spec *s)
{
	size_t ps = page_size();
	size_t head = ALIGN_UP(s->head, ps);
	size_t extent = s->len;
	int err;

	memset(l, 0, sizeof(*l));
	l->spec = *s;
	if (s->fault != FAULT_NONE && s->fault_at + 1 > extent)
		extent = s->fault_at + 1;
	err = map_buffer(l, head + s->buf_off + extent);
	if (err)
		return err;
	l->start = head + s->buf_off;
	l->ptr = testbuf_ptr(&l->tb, l->start);
	l->len = s->len;
	l->fault_off = s->fault == FAULT_NONE ? s->len
		: layout_fault_offset(s->fault, s->buf_off, s->fault_at, ps);
	if (l->fault_off > s->len)
		l->fault_off = s->len;
	l->in_range = s->fault != FAULT_NONE && l->fault_off < s->len;
	return 0;
}

int layout_apply(struct layout *l)
{
	const struct fault_kind_ops *k = fault_kind(l->spec.fault);
	int err = k->apply ? k->apply(l) : 0;

	l->applied = err == 0;
	return err;
}

int layout_remove(struct layout *l)
{
	const struct fault_kind_ops *k = fault_kind(l->spec.fault);

	return l->applied && k->remove ? k->remove(l) : 0;
}

void layout_destroy(struct layout *l)
{
	testbuf_destroy(&l->tb);
	/* the file it made (self: unless the driver's cleanup removed it) */
	if (backing_is_file(l->spec.backing))
		unlinkat(l->spec.dirfd, file_name(l->spec.backing), 0);
	memset(l, 0, sizeof(*l));
}

void layout_pattern_copy(const struct layout *l, uint32_t seed, size_t from, uint8_t x,
			 uint8_t *dst, size_t n)
{
	size_t base = l->start + from;	/* a local: stores to dst may alias *l */

	for (size_t i = 0; i < n; i++)
		dst[i] = testbuf_pattern(seed, base + i) ^ x;
}

size_t layout_pattern_match(const struct layout *l, uint32_t seed, size_t from,
			    const uint8_t *got, size_t n)
{
	size_t base = l->start + from, i;

	for (i = 0; i < n && got[i] == testbuf_pattern(seed, base + i); i++)
		;
	return i;
}

void layout_fill(struct layout *l, uint32_t seed, bool complement)
{
	mte_tco_enable();
	layout_pattern_copy(l, seed, 0, complement ? 0xff : 0, l->tb.map + l->start, l->len);
	mte_tco_disable();
}

static bool protected(const struct layout *l, size_t i)
{
	size_t o = l->start + i;

	return o >= l->prot_lo && o < l->prot_hi;
}

/* Does [from, to) hold the pattern? (to <= len; tag checks suspended) */
static bool run_holds_pattern(const struct layout *l, uint32_t seed, size_t from, size_t to)
{
	return from >= to ||
	       layout_pattern_match(l, seed, from, l->tb.map + l->start + from, to - from) ==
	       to - from;
}

bool layout_holds_pattern(const struct layout *l, uint32_t seed, size_t from, size_t to)
{
	/* the PROT_NONE page as buffer offsets: [lo, hi), empty when none */
	size_t lo = l->prot_lo > l->start ? l->prot_lo - l->start : 0;
	size_t hi = l->prot_hi > l->start ? l->prot_hi - l->start : 0;
	bool ok;

	if (to > l->len)
		to = l->len;
	mte_tco_enable();
	ok = run_holds_pattern(l, seed, from, to < lo ? to : lo) &&
	     run_holds_pattern(l, seed, from > hi ? from : hi, to);
	mte_tco_disable();
	return ok;
}

size_t layout_count_stored(const struct layout *l, uint32_t seed, size_t from, size_t to)
{
	size_t n = 0;

	mte_tco_enable();
	for (size_t i = from; i < to && i < l->len; i++) {
		uint8_t complement = (uint8_t)~layout_pattern(l, seed, i);

		if (!protected(l, i) && l->tb.map[l->start + i] != complement)
			n++;
	}
	mte_tco_disable();
	return n;
}
