/* SPDX-License-Identifier: MIT */
/*
 * Test buffers: the user memory a syscall under test reads or writes, and
 * the faults placed in it.
 *
 * A buffer is a page-aligned mapping, anonymous (private or shared),
 * memfd-backed or a shared mapping of a file the caller names, with PROT_MTE
 * when tagged (arm64 takes it on anonymous and shmem memory only). A tagged buffer carries one tag
 * everywhere; testbuf_mismatch() gives chosen granules another, so an access
 * through testbuf_ptr() faults there. testbuf_protect_page() makes a page
 * PROT_NONE instead, which works on any architecture.
 *
 * Fills and comparisons run with tag checks suspended (TCO), so a
 * mismatching granule never faults them.
 */
#ifndef MTEPROBE_BUFFER_H
#define MTEPROBE_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum testbuf_kind {
	TESTBUF_PRIVATE,	/* MAP_PRIVATE | MAP_ANONYMOUS */
	TESTBUF_SHARED,		/* MAP_SHARED | MAP_ANONYMOUS (shmem) */
	TESTBUF_MEMFD,		/* MAP_SHARED of a memfd */
	TESTBUF_FILE,		/* MAP_SHARED of a given file (testbuf_create_file) */
};

struct testbuf {
	uint8_t *map;		/* the mapping, untagged */
	size_t len;		/* its length, whole pages */
	enum testbuf_kind kind;
	bool tagged;		/* mapped with PROT_MTE */
	unsigned tag;		/* the buffer's tag (0 when untagged) */
	int fd;			/* the memfd or file mapped (our own), -1 when anonymous */
	off_t file_off;		/* the file offset mapped at map */
	bool page_protected;	/* a page of it is PROT_NONE (testbuf_protect_page) */
};

/* The tag a buffer gets, and the one testbuf_mismatch() gives a granule. */
#define TESTBUF_TAG		0x3
#define TESTBUF_MISMATCH_TAG(tag)	(((tag) + 1) & 0xf)

/* Map len bytes (rounded up to pages). tagged needs an MTE CPU (else
 * -EOPNOTSUPP, also when the memory does not keep tags). A tagged buffer
 * starts with every granule at TESTBUF_TAG.
 * Returns 0 or -errno. */
int testbuf_create(struct testbuf *b, size_t len, enum testbuf_kind kind, bool tagged);
/* The same for TESTBUF_FILE: len bytes of fd from file offset off (page
 * aligned), mapped MAP_SHARED; the file must reach off + len. The buffer
 * keeps a duplicate of fd. A mapping that refuses PROT_MTE gives -EINVAL. */
int testbuf_create_file(struct testbuf *b, size_t len, int fd, off_t off, bool tagged);
/* File buffers: write the mapped pages back, unmap them from the page
 * tables and drop them from the page cache, so the next access faults and
 * reads them from the file again (shmem keeps them in memory: only the
 * page-table entries go). Nothing for other kinds. 0 or -errno. */
int testbuf_drop_cache(struct testbuf *b);
void testbuf_destroy(struct testbuf *b);
/* From now on (on), this process keeps the last anonymous buffer destroyed
 * with no page left PROT_NONE, and gives it to the next testbuf_create of
 * the same kind, length and tagging, zeroed and tagged as a new one: a
 * worker running case after case then maps no buffer per case (page
 * faults, tag clearing, and unmapping's TLB flush, which stops every vCPU
 * under QEMU's TCG). Off (the default): every buffer is a new mapping. */
void testbuf_reuse(bool on);

/* A pointer to offset off, carrying the buffer's tag. */
void *testbuf_ptr(const struct testbuf *b, size_t off);

/* Give the whole buffer tag (0..15) and make it the buffer's tag. */
int testbuf_tag_all(struct testbuf *b, unsigned tag);
/* Give the granule holding offset off a tag that differs from the buffer's. */
int testbuf_mismatch(struct testbuf *b, size_t off);
/* Give it the buffer's tag again. */
int testbuf_match(struct testbuf *b, size_t off);
/* The memory tag of the granule holding off (0 when untagged). */
unsigned testbuf_tag_at(const struct testbuf *b, size_t off);

/* Make the page holding off PROT_NONE, or accessible again. */
int testbuf_protect_page(struct testbuf *b, size_t off);
int testbuf_unprotect_page(struct testbuf *b, size_t off);

/* Fill the buffer with a pattern derived from seed and each byte's offset,
 * and the expected byte for that pattern at an offset. Both ignore tags;
 * pages made PROT_NONE must not be in the range. */
void testbuf_fill(struct testbuf *b, size_t off, size_t len, uint32_t seed);
static inline uint8_t testbuf_pattern(uint32_t seed, size_t off)
{
	/* cheap, and differs between neighbouring bytes and between seeds;
	 * inline: the fill and check loops of every case run it per byte */
	uint32_t x = seed ^ (uint32_t)(off * 2654435761u);

	x ^= x >> 15;
	return (uint8_t)(x ^ (x >> 8) ^ (off >> 16));
}
/* The first offset in [off, off + len) whose byte differs from the pattern,
 * or off + len when all match. */
size_t testbuf_check(const struct testbuf *b, size_t off, size_t len, uint32_t seed);

#endif
