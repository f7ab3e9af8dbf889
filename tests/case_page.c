/* SPDX-License-Identifier: MIT */
/*
 * Every driver that runs here, against real syscalls with a PROT_NONE page
 * in its buffer (and a control without), in a temporary directory. What must
 * hold whatever the kernel: no call transfers bytes from or into a PROT_NONE
 * page (no bypass, delta >= 0), the bytes it reports are the right ones, the
 * probes' expectation is the page boundary, and a call without a fault
 * returns everything with the right data.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "case.h"
#include "check.h"
#include "platform.h"
#include "util.h"

int main(void)
{
	const size_t ps = page_size();
	enum fs_type fs;
	const char *dir;
	char arch[32];
	unsigned seq = 0, ran = 0;

	if (platform_user_emulation(arch, sizeof(arch)))
		SKIP("user-mode emulation: syscalls run on the %s host kernel", arch);
	dir = test_tmpdir();
	CHECK(fs_detect(dir, &fs) == 0, "statfs");

	for (size_t i = 0; i < driver_count; i++) {
		const struct driver *d = drivers[i];
		static const size_t at[] = { 0, 100, 4096 + 100 };

		if (d->build_unsupported || !(d->fs_mask & (FS_BIT(fs) | FS_BIT(FS_NONE))))
			continue;
		for (size_t a = 0; a <= ARRAY_SIZE(at); a++) {
			struct case_spec s = {
				.drv = d, .dir = d->fs_mask == FS_BIT(FS_NONE) ? NULL : dir,
				.fs = d->fs_mask == FS_BIT(FS_NONE) ? FS_NONE : fs,
				.io = IO_BUFFERED, .mode = MTE_MODE_NONE,
				.fault = a < ARRAY_SIZE(at) ? FAULT_PAGE : FAULT_NONE,
				.len = d->fixed_len ? d->fixed_len : 3 * ps,
				.fault_at = a < ARRAY_SIZE(at) ? at[a] * ps / 4096 : 0,
				.buf_off = 3 * a, .iovecs = 3, .timeout_ms = 20000, .seq = seq++,
			};
			struct case_result r;
			size_t limit;

			CHECK(case_run(&s, &r) == 0, "%s: cannot run", d->name);
			if (r.out.result == RESULT_SKIP) {
				fprintf(stderr, "%s: skip: %s\n", d->name, r.note);
				continue;
			}
			ran++;
			CHECK(r.raw.returned && r.has_expect, "%s: no result: %s", d->name, r.note);
			if (s.fault == FAULT_NONE) {
				CHECK(r.out.result == RESULT_FULL, "%s control: %s %ld (%s)", d->name,
				      result_name(r.out.result), r.raw.ret, r.note);
				CHECK((size_t)r.expect == r.raw.want, "%s control: expect %ld", d->name,
				      r.expect);
				CHECK(r.chk.data_ok != 0, "%s control: data wrong", d->name);
				CHECK(r.chk.overshoot <= 0, "%s control: overshoot %ld", d->name,
				      r.chk.overshoot);
				continue;
			}
			CHECK(r.fault_in_range, "%s: fault in range", d->name);
			limit = r.fault_off < r.raw.want ? r.fault_off : r.raw.want;
			/* records: the boundary of whole records, whose padding
			 * (under 8 bytes) may reach past the page */
			CHECK(d->record_end ? (size_t)r.expect <= limit + 7 : (size_t)r.expect == limit,
			      "%s: expect %ld, fault at %zu", d->name, r.expect, r.fault_off);
			CHECK(r.out.result != RESULT_FULL || r.raw.want <= r.fault_off,
			      "%s: full over a PROT_NONE page", d->name);
			CHECK(r.out.bypass != 1, "%s: bypass of a PROT_NONE page", d->name);
			CHECK(!r.out.has_delta || r.out.delta >= 0, "%s: delta %ld", d->name, r.out.delta);
			CHECK(r.chk.data_ok != 0, "%s (fault at %zu): ret %ld but data wrong", d->name,
			      r.fault_off, r.raw.ret);
		}
	}
	CHECK(ran > 0, "no case ran");
	return 0;
}
