/* SPDX-License-Identifier: MIT */
/*
 * The write-type check of the whole file (drv_file_verify): for write at
 * offset 0 and pwrite at DRV_POS_OFFSET, in every file state, with the call
 * stood in for by a pwrite of the source (all of it, or a short count), the
 * right file is data_ok 1, and one wrong byte anywhere (before the range,
 * at its edges, after it, the last byte) makes it 0.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "driver.h"
#include "fs.h"
#include "layout.h"
#include "util.h"

#define LEN	8192

/* The case's file, right after a call that wrote ret bytes of the source,
 * then (flip >= 0) with byte flip changed: verify's data_ok. */
static int check(const struct driver *d, enum file_state st, long ret, off_t flip,
		 const char *dir, enum fs_type fs, off_t *size)
{
	struct layout_spec ls = { .fault = FAULT_NONE, .len = LEN, .head = d->head };
	struct layout l;
	struct drv_ctx c = {
		.drv = d, .dir = dir, .fs = fs, .io = IO_BUFFERED, .state = st, .iovecs = 1,
		.lay = &l, .seed = 0x1234, .fd = -1, .fd2 = -1,
	};
	struct drv_check chk = { 0 };
	uint8_t *src = malloc(LEN), b;
	struct stat sb;

	CHECK(src && layout_create(&l, &ls) == 0, "buffer");
	c.want = c.reach = l.len;
	c.dirfd = c.scratch_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(c.dirfd >= 0, "open %s", dir);
	CHECK(d->prepare(&c) == 0, "%s %s: prepare: %s", d->name, file_state_name(st), c.note);
	layout_pattern_copy(&l, c.seed, 0, 0, src, LEN);
	CHECK(pwrite(c.fd, src, (size_t)ret, c.foff) == ret, "the call's stand-in");
	CHECK(fstat(c.fd, &sb) == 0, "fstat");
	*size = sb.st_size;
	if (flip >= 0 && flip < sb.st_size) {
		CHECK(pread(c.fd, &b, 1, flip) == 1, "read byte %lld", (long long)flip);
		b ^= 0x21;
		CHECK(pwrite(c.fd, &b, 1, flip) == 1, "write byte %lld", (long long)flip);
	}
	d->verify(&c, ret, &chk);
	d->cleanup(&c);
	close(c.dirfd);
	layout_destroy(&l);
	free(src);
	return chk.data_ok;
}

int main(void)
{
	static const char *const names[] = { "write", "pwrite" };
	const char *dir = test_tmpdir();
	enum fs_type fs;

	CHECK(fs_detect(dir, &fs) == 0, "statfs");
	for (size_t n = 0; n < ARRAY_SIZE(names); n++) {
		const struct driver *d = driver_find(names[n]);

		CHECK(d && d->verify == drv_file_verify, "%s checks its file", names[n]);
		for (int st = 0; st < FILE_STATE_COUNT; st++) {
			static const long rets[] = { LEN, 100 };

			for (size_t r = 0; r < ARRAY_SIZE(rets); r++) {
				off_t size, foff = n ? DRV_POS_OFFSET : 0, end = foff + rets[r];
				off_t at[] = { 0, foff - 1, foff, end - 1, end, end + 1 };

				CHECK(check(d, st, rets[r], -1, dir, fs, &size) == 1,
				      "%s %s ret %ld: right", names[n], file_state_name(st), rets[r]);
				for (size_t a = 0; a < ARRAY_SIZE(at); a++)
					if (at[a] >= 0 && at[a] < size)
						CHECK(check(d, st, rets[r], at[a], dir, fs, &size) == 0,
						      "%s %s ret %ld: byte %lld wrong, not found",
						      names[n], file_state_name(st), rets[r],
						      (long long)at[a]);
				CHECK(check(d, st, rets[r], size - 1, dir, fs, &size) == 0,
				      "%s %s ret %ld: last byte wrong, not found", names[n],
				      file_state_name(st), rets[r]);
			}
		}
	}
	return 0;
}
