/* SPDX-License-Identifier: MIT */
/* Probes against a mismatching granule: exact counts for every start offset
 * 0..15, every granule position in two pages, and lengths that end before,
 * at and after the fault; the first of two mismatches wins; data unchanged.
 * Needs an MTE CPU (qemu-aarch64 emulates one for user space). */
#include "buffer.h"
#include "check.h"
#include "mte.h"
#include "probe.h"
#include "util.h"

int main(void)
{
	struct testbuf b;

	if (!mte_cpu_has_mte())
		SKIP("this CPU has no MTE");
	CHECK(mte_set_mode(MTE_MODE_SYNC, MTE_TAGS_ALL) == 0, "sync mode");
	CHECK(testbuf_create(&b, 2 * page_size(), TESTBUF_PRIVATE, true) == 0, "PROT_MTE mmap");
	testbuf_fill(&b, 0, b.len, 5);

	for (size_t start = 0; start < MTE_GRANULE; start++) {
		uint8_t *p = testbuf_ptr(&b, start);

		for (size_t g = 0; g < b.len; g += MTE_GRANULE) {
			size_t want = g <= start ? 0 : g - start;

			testbuf_mismatch(&b, g);
			CHECK(probe_read(p, b.len - start) == want, "read start %zu granule %zu", start, g);
			CHECK(probe_write(p, b.len - start) == want, "write start %zu granule %zu", start, g);
			if (want) {
				CHECK(probe_read(p, want) == want, "range ending at the fault");
				CHECK(probe_write(p, want + 1) == want, "one byte into the fault");
				CHECK(probe_read(p, want - 1) == want - 1, "range before the fault");
			}
			testbuf_match(&b, g);
		}
	}

	/* two mismatches: the probe stops at the first */
	testbuf_mismatch(&b, 160);
	testbuf_mismatch(&b, 96);
	CHECK(probe_read(testbuf_ptr(&b, 0), b.len) == 96, "first of two mismatches");
	/* with tag checks off (mode none), nothing stops a probe */
	CHECK(mte_set_mode(MTE_MODE_NONE, MTE_TAGS_ALL) == 0, "none mode");
	CHECK(probe_read(testbuf_ptr(&b, 0), b.len) == b.len, "mode none ignores tags");
	CHECK(testbuf_check(&b, 0, b.len, 5) == b.len, "probe_write changed the data");
	testbuf_destroy(&b);
	return 0;
}
