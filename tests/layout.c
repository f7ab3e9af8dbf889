/* SPDX-License-Identifier: MIT */
/* Fault offset normalisation, page layouts and file backings (any
 * architecture); overshoot of outputs that are no pattern counts every byte
 * stored past the count. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "driver.h"
#include "fs.h"
#include "layout.h"
#include "probe.h"
#include "util.h"

/* How many of the buffer's pages are in memory (mincore: for a file
 * mapping, in the page cache). */
static size_t resident(const struct layout *l)
{
	size_t ps = page_size(), n = 0, pages = l->tb.len / ps;
	unsigned char vec[64];

	CHECK(pages <= sizeof(vec) && mincore(l->tb.map, l->tb.len, vec) == 0, "mincore");
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	return n;
}

/* self and other map a file they make in the case's directory (never
 * through a link planted there); after layout_drop_cache the pages are out
 * of the page cache (tmpfs keeps them: it is their only copy), and reading
 * them again brings back what was written through the mapping. */
static void file_backings(void)
{
	static const enum backing kinds[] = { BACKING_SELF, BACKING_OTHER };
	const size_t ps = page_size();
	char dir[] = "/var/tmp/mteprobe-layout.XXXXXX";
	enum fs_type fs = FS_OTHER;
	int dfd;

	CHECK(mkdtemp(dir) && (dfd = open(dir, O_RDONLY | O_DIRECTORY)) >= 0, "%s", dir);
	fs_detect(dir, &fs);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct layout_spec s = { .fault = FAULT_PAGE, .len = 2 * ps, .fault_at = ps,
					 .backing = kinds[k], .dirfd = dfd };
		const char *name = kinds[k] == BACKING_SELF ? LAYOUT_SELF_FILE : LAYOUT_OTHER_FILE;
		off_t at = kinds[k] == BACKING_SELF ? (off_t)layout_self_offset(s.len) : 0;
		struct layout l;
		struct stat st;

		CHECK(layout_create(&l, &s) == 0, "map %s", backing_name(kinds[k]));
		CHECK(l.tb.kind == TESTBUF_FILE && l.tb.file_off == at, "%s: file offset %lld",
		      backing_name(kinds[k]), (long long)l.tb.file_off);
		CHECK(fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		      st.st_size == at + (off_t)l.tb.len, "%s: the file holds the mapping",
		      backing_name(kinds[k]));
		layout_fill(&l, 7, false);
		CHECK(layout_drop_cache(&l) == 0, "drop");
		CHECK(fs == FS_TMPFS || resident(&l) == 0, "%s: %zu pages still cached",
		      backing_name(kinds[k]), resident(&l));
		CHECK(layout_holds_pattern(&l, 7, 0, l.len), "%s: written back", backing_name(kinds[k]));
		CHECK(layout_apply(&l) == 0 && probe_read(l.ptr, l.len) == l.fault_off,
		      "a page fault in a file mapping");
		layout_destroy(&l);
		/* the worker's next case makes the file again: it is gone */
		CHECK(faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT,
		      "%s: the file outlived its layout", backing_name(kinds[k]));
		/* a link where the file goes: refused, not followed */
		CHECK(symlinkat("/etc/passwd", dfd, name) == 0, "plant");
		CHECK(layout_create(&l, &s) == -EEXIST, "%s: a planted link taken",
		      backing_name(kinds[k]));
		CHECK(unlinkat(dfd, name, 0) == 0, "unplant");
	}
	close(dfd);
	rmdir(dir);
}

/* The bulk copy and match agree with layout_pattern, and holds_pattern
 * finds one wrong byte wherever it is outside the PROT_NONE page (l
 * applied, filled with seed's pattern). */
static void wrong_bytes_found(struct layout *l, uint32_t seed)
{
	const size_t ps = page_size();
	size_t lo = l->prot_lo - l->start, hi = l->prot_hi - l->start;
	size_t at[] = { 0, 1, lo - 1, hi, hi + 1, l->len - 1 };
	uint8_t *copy = malloc(l->len);

	CHECK(copy != NULL, "malloc");
	layout_pattern_copy(l, seed, 5, 0xff, copy, 100);
	for (size_t i = 0; i < 100; i++)
		CHECK((copy[i] ^ layout_pattern(l, seed, 5 + i)) == 0xff, "copy byte %zu", i);
	layout_pattern_copy(l, seed, 0, 0, copy, l->len);
	CHECK(layout_pattern_match(l, seed, 0, copy, l->len) == l->len, "match all");
	copy[ps + 3] ^= 1;
	CHECK(layout_pattern_match(l, seed, 0, copy, l->len) == ps + 3, "match stops at the wrong byte");
	CHECK(layout_pattern_match(l, seed, ps + 4, copy + ps + 4, 10) == 10, "match from an offset");
	free(copy);

	CHECK(lo < hi && hi < l->len, "the PROT_NONE page inside the buffer");
	for (size_t k = 0; k < ARRAY_SIZE(at); k++) {
		uint8_t *p = l->tb.map + l->start + at[k];

		*p ^= 0x10;
		CHECK(!layout_holds_pattern(l, seed, 0, l->len), "byte %zu wrong: found", at[k]);
		CHECK(!layout_holds_pattern(l, seed, at[k], at[k] + 1), "byte %zu alone", at[k]);
		CHECK(layout_holds_pattern(l, seed, at[k] + 1, l->len), "past byte %zu", at[k]);
		CHECK(layout_holds_pattern(l, seed, 0, at[k]), "before byte %zu", at[k]);
		*p ^= 0x10;
	}
	CHECK(layout_holds_pattern(l, seed, lo, hi), "the PROT_NONE page alone: nothing to check");
}

/* The source kept by layout_fill (copies and compares in bulk) and the
 * pattern computed byte by byte (no source, or another seed's) agree: on
 * copies, matches and counts of stored bytes, odd lengths and offsets
 * included, and around a PROT_NONE page. */
static void source_kept_agrees(void)
{
	const size_t ps = page_size();
	struct layout_spec s = { .fault = FAULT_PAGE, .len = 2 * ps + 13, .fault_at = ps + 1,
				 .buf_off = 3 };
	struct layout l;
	uint8_t *a = malloc(s.len), *b = malloc(s.len), *kept;
	size_t stored[] = { 0, 7, 8, 9, ps - 4, ps, 2 * ps + 5, s.len - 1 }, n;

	CHECK(a && b && layout_create(&l, &s) == 0, "map");
	layout_fill(&l, 99, true);
	CHECK(l.source && l.source_seed == 99, "the source kept");
	for (size_t k = 0; k < ARRAY_SIZE(stored); k++)
		l.ptr[stored[k]] = layout_pattern(&l, 99, stored[k]);	/* "stored by the kernel" */
	n = layout_count_stored(&l, 99, 0, l.len);
	CHECK(n == ARRAY_SIZE(stored), "bulk count %zu", n);
	CHECK(layout_count_stored(&l, 99, 8, 9) == 1 && layout_count_stored(&l, 99, 10, ps) == 1,
	      "bulk count of part");
	layout_pattern_copy(&l, 99, 5, 0xff, a, s.len - 5);
	kept = l.source;
	l.source = NULL;	/* byte by byte from here */
	CHECK(layout_count_stored(&l, 99, 0, l.len) == n, "counted alike");
	layout_pattern_copy(&l, 99, 5, 0xff, b, s.len - 5);
	CHECK(memcmp(a, b, s.len - 5) == 0, "copied alike");
	l.source = kept;
	CHECK(layout_pattern_match(&l, 99, 5, a, s.len - 5) == 0, "the complement matches nothing");
	a[0] ^= 0xff;
	a[1] ^= 0xff;
	CHECK(layout_pattern_match(&l, 99, 5, a, s.len - 5) == 2, "a match stops at the first unlike");
	CHECK(layout_apply(&l) == 0, "apply");
	/* byte ps is in the PROT_NONE page (the page of map offset 3 + ps + 1) */
	CHECK(layout_count_stored(&l, 99, 0, l.len) == n - 1, "the PROT_NONE page not counted");
	free(a);
	free(b);
	layout_destroy(&l);
}

int main(void)
{
	const size_t ps = page_size();

	/* the granule holding ptr + fault_at, from its first byte, never below 0 */
	for (size_t off = 0; off < 16; off++) {
		CHECK(layout_fault_offset(FAULT_MTE, off, 0, ps) == 0, "first granule, off %zu", off);
		CHECK(layout_fault_offset(FAULT_MTE, off, 15 - off, ps) == 0, "same granule");
		CHECK(layout_fault_offset(FAULT_MTE, off, 16 - off, ps) == 16 - off, "next granule");
		CHECK(layout_fault_offset(FAULT_MTE, off, ps, ps) == ps - off, "next page");
		CHECK(layout_fault_offset(FAULT_MTE, off, ps - 16, ps) == ps - 16 - off,
		      "last granule of the page");
		CHECK(layout_fault_offset(FAULT_PAGE, off, 100, ps) == 0, "page holding the start");
		CHECK(layout_fault_offset(FAULT_PAGE, off, ps, ps) == ps - off, "next page");
	}
	CHECK(layout_fault_offset(FAULT_MTE, 7, 2048, ps) == 2041, "mid page, off 7");
	CHECK(layout_fault_offset(FAULT_RETAG, 7, 2048, ps) == 2041, "retag: a granule too");

	/* a page fault, applied: the probes agree with the normalised offset, the
	 * fill and checks leave the PROT_NONE page alone */
	for (size_t off = 0; off < 16; off += 5) {
		struct layout_spec s = { .fault = FAULT_PAGE, .len = 3 * ps, .fault_at = ps + 100,
					 .buf_off = off, .head = 1 };
		struct layout l;

		CHECK(layout_create(&l, &s) == 0, "map");
		CHECK(l.fault_off == ps - off && l.in_range, "fault_off %zu", l.fault_off);
		CHECK(((uintptr_t)l.ptr & (ps - 1)) == off, "buffer starts at buf_off");
		layout_fill(&l, 42, true);
		CHECK(layout_count_stored(&l, 42, 0, l.len) == 0, "complement fill");
		layout_fill(&l, 42, false);
		CHECK(layout_holds_pattern(&l, 42, 0, l.len), "pattern fill");
		CHECK(layout_apply(&l) == 0, "apply");
		CHECK(probe_read(l.ptr, l.len) == l.fault_off, "probe_read %zu", probe_read(l.ptr, l.len));
		CHECK(probe_write(l.ptr, l.len) == l.fault_off, "probe_write");
		CHECK(layout_holds_pattern(&l, 42, 0, l.len), "checks skip the PROT_NONE page");
		wrong_bytes_found(&l, 42);
		layout_destroy(&l);
	}
	/* a fault outside the buffer is no fault in range */
	{
		struct layout_spec s = { .fault = FAULT_PAGE, .len = 100, .fault_at = ps };
		struct layout l;

		CHECK(layout_create(&l, &s) == 0, "map");
		CHECK(!l.in_range && l.fault_off == 100, "outside");
		layout_destroy(&l);
	}
	/* records or search results stored past the count: every byte counts,
	 * also those the buffer held already (an inode number's zero bytes) */
	{
		struct layout_spec s = { .fault = FAULT_NONE, .len = 256 };
		struct layout l;
		struct drv_ctx c = { .lay = &l };
		struct drv_check chk;
		uint8_t *ref, *before;

		CHECK(layout_create(&l, &s) == 0, "map");
		layout_fill(&l, 7, true);
		ref = drv_snapshot(&c);
		CHECK(ref != NULL, "snapshot");
		for (size_t i = 100; i < 116; i++)
			ref[i] = i % 2 ? (uint8_t)(l.ptr[i] + 1) : l.ptr[i];	/* half the same */
		drv_unlike(&c, ref, 100, 116);
		for (size_t i = 0; i < l.len; i++)
			CHECK((l.ptr[i] != ref[i]) == (i >= 100 && i < 116), "byte %zu unlike only in range", i);
		before = drv_snapshot(&c);
		memcpy(l.ptr, ref, 116);	/* the call: 100 bytes counted, 16 more stored */
		drv_check_against(&c, 100, ref, before, &chk);
		CHECK(chk.data_ok == 1 && chk.overshoot == 16, "data_ok %d, overshoot %ld", chk.data_ok,
		      chk.overshoot);
		free(ref);
		free(before);
		layout_destroy(&l);
	}
	source_kept_agrees();
	for (int k = 0; k < FAULT_KIND_COUNT; k++)
		CHECK(fault_kind_parse(fault_kind_name(k)) == k, "fault name %d", k);
	file_backings();
	return 0;
}
