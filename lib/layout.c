/* SPDX-License-Identifier: MIT */
#include "layout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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
	free(l->source);
	testbuf_destroy(&l->tb);
	/* the file it made (self: unless the driver's cleanup removed it) */
	if (backing_is_file(l->spec.backing))
		unlinkat(l->spec.dirfd, file_name(l->spec.backing), 0);
	memset(l, 0, sizeof(*l));
}

/* The source bytes for seed, when layout_fill made them (from + n <= len). */
static const uint8_t *source_of(const struct layout *l, uint32_t seed, size_t from, size_t n)
{
	return l->source && l->source_seed == seed && from + n <= l->len ? l->source + from : NULL;
}

/* dst = src ^ x, a word at a time (the fills of a large buffer) */
static void copy_xor(uint8_t *dst, const uint8_t *src, size_t n, uint8_t x)
{
	uint64_t wx = 0x0101010101010101ull * x, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, src + i, 8);
		w ^= wx;
		memcpy(dst + i, &w, 8);
	}
	for (; i < n; i++)
		dst[i] = src[i] ^ x;
}

void layout_pattern_copy(const struct layout *l, uint32_t seed, size_t from, uint8_t x,
			 uint8_t *dst, size_t n)
{
	const uint8_t *src = source_of(l, seed, from, n);
	size_t base = l->start + from;	/* a local: stores to dst may alias *l */

	if (src) {
		copy_xor(dst, src, n, x);
		return;
	}
	for (size_t i = 0; i < n; i++)
		dst[i] = testbuf_pattern(seed, base + i) ^ x;
}

size_t layout_pattern_match(const struct layout *l, uint32_t seed, size_t from,
			    const uint8_t *got, size_t n)
{
	const uint8_t *src = source_of(l, seed, from, n);
	size_t base = l->start + from, i;

	if (src) {
		if (memcmp(got, src, n) == 0)
			return n;
		for (i = 0; got[i] == src[i]; i++)
			;
		return i;
	}
	for (i = 0; i < n && got[i] == testbuf_pattern(seed, base + i); i++)
		;
	return i;
}

void layout_fill(struct layout *l, uint32_t seed, bool complement)
{
	uint8_t *src = malloc(l->len ? l->len : 1);

	free(l->source);
	l->source = NULL;
	if (src) {
		layout_pattern_copy(l, seed, 0, 0, src, l->len);	/* byte by byte */
		l->source = src;
		l->source_seed = seed;
	}
	mte_tco_enable();
	layout_pattern_copy(l, seed, 0, complement ? 0xff : 0, l->tb.map + l->start, l->len);
	mte_tco_disable();
}

/* Does [from, to) hold the pattern? (to <= len; tag checks suspended) */
static bool run_holds_pattern(const struct layout *l, uint32_t seed, size_t from, size_t to)
{
	return from >= to ||
	       layout_pattern_match(l, seed, from, l->tb.map + l->start + from, to - from) ==
	       to - from;
}

/* [from, to) (to cut at len) less the PROT_NONE page: the runs [r[0], r[1])
 * and [r[2], r[3]) of buffer offsets, either of them maybe empty */
static void runs_outside_page(const struct layout *l, size_t from, size_t to, size_t r[4])
{
	/* the PROT_NONE page as buffer offsets: [lo, hi), empty when none */
	size_t lo = l->prot_lo > l->start ? l->prot_lo - l->start : 0;
	size_t hi = l->prot_hi > l->start ? l->prot_hi - l->start : 0;

	if (to > l->len)
		to = l->len;
	r[0] = from;
	r[1] = to < lo ? to : lo;
	r[2] = from > hi ? from : hi;
	r[3] = to;
}

bool layout_holds_pattern(const struct layout *l, uint32_t seed, size_t from, size_t to)
{
	size_t r[4];
	bool ok;

	runs_outside_page(l, from, to, r);
	mte_tco_enable();
	ok = run_holds_pattern(l, seed, r[0], r[1]) && run_holds_pattern(l, seed, r[2], r[3]);
	mte_tco_disable();
	return ok;
}

/* How many bytes of got[0, n) differ from src[0, n) ^ 0xff: a word at a time. */
static size_t count_unlike_complement(const uint8_t *got, const uint8_t *src, size_t n)
{
	size_t i = 0, count = 0;
	uint64_t a, b;

	for (; i + 8 <= n; i += 8) {
		memcpy(&a, got + i, 8);
		memcpy(&b, src + i, 8);
		if ((a ^= ~b))
			for (; a; a >>= 8)
				count += (a & 0xff) != 0;
	}
	for (; i < n; i++)
		count += (got[i] ^ src[i]) != 0xff;
	return count;
}

/* count_stored over [from, to), none of it in the PROT_NONE page */
static size_t run_count_stored(const struct layout *l, uint32_t seed, size_t from, size_t to)
{
	const uint8_t *src = source_of(l, seed, from, to > from ? to - from : 0);
	size_t n = 0;

	if (from >= to)
		return 0;
	if (src)
		return count_unlike_complement(l->tb.map + l->start + from, src, to - from);
	for (size_t i = from; i < to; i++)
		n += (l->tb.map[l->start + i] ^ layout_pattern(l, seed, i)) != 0xff;
	return n;
}

size_t layout_count_stored(const struct layout *l, uint32_t seed, size_t from, size_t to)
{
	size_t r[4], n;

	runs_outside_page(l, from, to, r);
	mte_tco_enable();
	n = run_count_stored(l, seed, r[0], r[1]) + run_count_stored(l, seed, r[2], r[3]);
	mte_tco_disable();
	return n;
}
