/* SPDX-License-Identifier: MIT */
/* Probes against PROT_NONE and read-only pages: exact counts for every start
 * offset in a granule, every page position, and lengths that end before, at
 * and after the fault. Runs on any architecture. */
#include <sys/mman.h>

#include "buffer.h"
#include "check.h"
#include "probe.h"
#include "util.h"

int main(void)
{
	const size_t ps = page_size();
	struct testbuf b;

	CHECK(testbuf_create(&b, 4 * ps, TESTBUF_PRIVATE, false) == 0, "mmap");
	testbuf_fill(&b, 0, b.len, 11);

	for (size_t page = 1; page < 4; page++) {
		testbuf_protect_page(&b, page * ps);
		for (size_t start = 0; start < page * ps; start += (start < 64 ? 1 : 509)) {
			uint8_t *p = b.map + start;
			size_t dist = page * ps - start;

			CHECK(probe_read(p, b.len - start) == dist, "page %zu start %zu", page, start);
			CHECK(probe_write(p, b.len - start) == dist, "page %zu start %zu", page, start);
			CHECK(probe_read(p, dist) == dist, "range ending at the fault");
			CHECK(probe_read(p, dist + 1) == dist, "one byte into the fault");
			if (dist > 1)
				CHECK(probe_write(p, dist - 1) == dist - 1, "range before the fault");
		}
		CHECK(probe_read(b.map + page * ps, 16) == 0, "start in the page");
		CHECK(probe_read(b.map + page * ps + 17, 16) == 0, "start inside the page");
		testbuf_unprotect_page(&b, page * ps);

		/* read-only: reads pass, writes stop at the page */
		CHECK(mprotect(b.map + page * ps, ps, PROT_READ) == 0, "mprotect");
		for (size_t start = 0; start < 16; start++) {
			uint8_t *p = b.map + ps - 16 + start;
			size_t len = b.len - (ps - 16 + start);

			CHECK(probe_read(p, len) == len, "read-only read, start %zu", start);
			CHECK(probe_write(p, len) == page * ps - (ps - 16 + start),
			      "read-only write, page %zu start %zu", page, start);
		}
		testbuf_unprotect_page(&b, page * ps);
	}
	CHECK(probe_read(b.map, 0) == 0 && probe_write(b.map, 0) == 0, "zero length");
	CHECK(testbuf_check(&b, 0, b.len, 11) == b.len, "probe_write changed the data");
	testbuf_destroy(&b);
	return 0;
}
