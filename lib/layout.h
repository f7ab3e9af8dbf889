/* SPDX-License-Identifier: MIT */
/*
 * A case's fault layout applied to a test buffer.
 *
 * The buffer under test starts at ptr = map + head + buf_off, where head is
 * whole pages (room a driver needs in front of the buffer) and buf_off puts
 * the start anywhere inside a granule (0..15) or page. It is len bytes long.
 *
 * --fault-at OFF names a byte, ptr + OFF; the fault covers the unit holding
 * it: the 16-byte granule (mte: that granule gets a mismatching tag; retag:
 * it starts mismatching and a race thread flips its tag while the call runs,
 * race.h) or the page (page: PROT_NONE). The fault offset is normalised to
 * the first byte of that unit, relative to ptr, and never below 0:
 *
 *     fault_off = max(0, ALIGN_DOWN(buf_off + OFF, unit) - buf_off)
 *
 * so fault_off is the first byte a byte-exact kernel cannot access, and the
 * most it can transfer. The fault is in range when fault_off < len.
 *
 * What backs the buffer (--backing): anonymous private memory, anonymous
 * shared memory, a memfd, or a MAP_SHARED mapping of a file in the case's
 * directory: the call's own file (self: from file offset
 * layout_self_offset(), past the bytes the call reads or writes) or another
 * one (other). File pages are written back and dropped from the page cache
 * and the page tables just before the call (layout_drop_cache), so the copy
 * faults on them while the filesystem holds its locks for the call (the
 * gfs2 deadlocks; fstests' mmap-rw-fault, generic/647).
 */
#ifndef MTEPROBE_LAYOUT_H
#define MTEPROBE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buffer.h"
#include "fault_kind.h"

enum backing {
	BACKING_PRIVATE,	/* MAP_PRIVATE | MAP_ANONYMOUS: the default */
	BACKING_SHARED,		/* MAP_SHARED | MAP_ANONYMOUS */
	BACKING_MEMFD,
	BACKING_SELF,		/* the call's own file, LAYOUT_SELF_FILE */
	BACKING_OTHER,		/* another file on the same filesystem, LAYOUT_OTHER_FILE */
	BACKING_COUNT
};
const char *backing_name(enum backing b);
const char *backing_help(enum backing b);
static inline bool backing_is_file(enum backing b)
{
	return b == BACKING_SELF || b == BACKING_OTHER;
}

/* The files of the file backings, in the case's directory. The call's own
 * file is the one drivers make (DRV_FILE): self makes it first, and the
 * driver opens it again. */
#define LAYOUT_SELF_FILE	"data"
#define LAYOUT_OTHER_FILE	"buffer"
/* Where self maps its file: past what a call reads or writes, which starts
 * below LAYOUT_SELF_GAP (driver.h checks DRV_POS_OFFSET) and is len long. */
#define LAYOUT_SELF_GAP		(64 * 1024)
size_t layout_self_offset(size_t len);

struct layout_spec {
	enum fault_kind fault;
	size_t len;		/* bytes from ptr */
	size_t fault_at;	/* --fault-at: bytes from ptr (ignored for FAULT_NONE) */
	size_t buf_off;		/* ptr's offset from the first page after head */
	size_t head;		/* bytes the driver needs before ptr (rounded up to pages) */
	bool tagged;		/* map with PROT_MTE */
	enum backing backing;
	int dirfd;		/* file backings: the case's directory */
};

/* The normalised fault offset (see above); unit is MTE_GRANULE or the page size. */
size_t layout_fault_offset(enum fault_kind k, size_t buf_off, size_t fault_at, size_t page);

struct layout {
	struct layout_spec spec;
	struct testbuf tb;
	uint8_t *ptr;		/* the buffer under test, with the buffer's tag */
	size_t start;		/* ptr - tb.map */
	size_t len;
	size_t fault_off;	/* normalised; len when there is no fault */
	bool in_range;		/* fault_off < len */
	size_t prot_lo, prot_hi;	/* map offsets of the PROT_NONE page (equal when none) */
	bool applied;
	/* the case's source bytes [0, len), made once by layout_fill: the
	 * fill, the drivers' feeds and every check copy or compare them in
	 * bulk instead of computing the pattern byte by byte (NULL: none) */
	uint8_t *source;
	uint32_t source_seed;
};

/* The map offset of the faulting byte: its granule or page is the fault. */
static inline size_t layout_fault_byte(const struct layout *l)
{
	return l->start + l->spec.fault_at;
}

/* Map the buffer (no fault yet); file backings create their file (never
 * following a link). Returns 0 or -errno: -EINVAL when the file's mapping
 * refuses PROT_MTE. */
int layout_create(struct layout *l, const struct layout_spec *s);
/* Just before the call: a file-backed buffer's pages leave the page cache
 * and the page tables (testbuf_drop_cache). 0 or -errno. */
int layout_drop_cache(struct layout *l);
/* Place the fault (its kind's apply, fault_kind.h). Returns 0 or -errno. */
int layout_apply(struct layout *l);
/* Take the fault away again (after the call, or the watchdog's recovery):
 * the granule gets the buffer's tag, the page its access. Safe from another
 * thread while a call uses the buffer. Returns 0 or -errno. */
int layout_remove(struct layout *l);
void layout_destroy(struct layout *l);

/* The bytes a syscall source or sink holds: source byte i of a case is
 * layout_pattern(l, seed, i). A read-type buffer starts as its complement,
 * so every byte the kernel stores into it shows. */
static inline uint8_t layout_pattern(const struct layout *l, uint32_t seed, size_t i)
{
	return testbuf_pattern(seed, l->start + i);
}
/* Source bytes [from, from + n) xor x into dst: the loop every fill uses. */
void layout_pattern_copy(const struct layout *l, uint32_t seed, size_t from, uint8_t x,
			 uint8_t *dst, size_t n);
/* How many leading bytes of got[0, n) are source bytes [from, from + n). */
size_t layout_pattern_match(const struct layout *l, uint32_t seed, size_t from,
			    const uint8_t *got, size_t n);
/* Fill [0, len) of the buffer (before layout_apply) with the pattern, or
 * with its complement, and keep the pattern for seed (l->source). Tag
 * checks suspended. */
void layout_fill(struct layout *l, uint32_t seed, bool complement);
/* Does buffer [from, to) hold the pattern? Bytes of the PROT_NONE page are
 * not looked at. Tag checks suspended. */
bool layout_holds_pattern(const struct layout *l, uint32_t seed, size_t from, size_t to);
/* How many bytes in [from, to) no longer hold the complement (were stored
 * by the kernel)? Bytes of the PROT_NONE page are not counted. */
size_t layout_count_stored(const struct layout *l, uint32_t seed, size_t from, size_t to);

#endif
