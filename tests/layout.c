/* SPDX-License-Identifier: MIT */
/* Fault offset normalisation and page layouts (any architecture); overshoot
 * of outputs that are no pattern counts every byte stored past the count. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "driver.h"
#include "layout.h"
#include "probe.h"
#include "util.h"

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
	for (int k = 0; k < FAULT_KIND_COUNT; k++)
		CHECK(fault_kind_parse(fault_kind_name(k)) == k, "fault name %d", k);
	return 0;
}
