/* SPDX-License-Identifier: MIT */
/*
 * Verification that cannot check says why: a case whose verify cannot get
 * the memory to read back what reached the file or the socket (RLIMIT_AS set
 * so the buffer fits but its copy does not) leaves data_ok empty and says
 * "not verified: out of memory" in the note, never an empty data_ok alone.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "case.h"
#include "check.h"
#include "platform.h"
#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASAN 1
#endif
#endif

#define LEN	(16u << 20)	/* far more than anything else the case maps */

/* The address space in use now, in bytes. */
static size_t vm_size(void)
{
	char status[4096], *p;
	ssize_t n = read_small_file("/proc/self/status", status, sizeof(status));

	CHECK(n > 0 && (p = strstr(status, "VmSize:")), "no VmSize in /proc/self/status");
	return strtoul(p + strlen("VmSize:"), NULL, 10) * 1024;
}

int main(void)
{
	static const char *const names[] = { "write", "sendmsg" };
	enum fs_type fs;
	const char *dir;
	char arch[32];

#ifdef ASAN
	SKIP("the address sanitizer reserves more address space than any RLIMIT_AS allows");
#endif
	if (platform_user_emulation(arch, sizeof(arch)))
		SKIP("user-mode emulation: syscalls run on the %s host kernel", arch);
	dir = test_tmpdir();
	CHECK(fs_detect(dir, &fs) == 0, "statfs");

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const struct driver *d = driver_find(names[i]);
		bool files = d->fs_mask != FS_BIT(FS_NONE);
		struct case_spec s = {
			.drv = d, .dir = files ? dir : NULL, .fs = files ? fs : FS_NONE,
			.io = IO_BUFFERED, .mode = MTE_MODE_NONE, .fault = FAULT_NONE, .len = LEN,
			.iovecs = 1, .timeout_ms = 60000, .no_watchdog = true, .seq = (unsigned)i,
		};
		struct rlimit saved, lim;
		struct case_result r;
		int err;

		CHECK(d, "no driver %s", names[i]);
		/* room for the case's buffer, not for a second copy of it */
		CHECK(getrlimit(RLIMIT_AS, &saved) == 0, "getrlimit");
		lim = saved;
		lim.rlim_cur = vm_size() + LEN + LEN / 2;
		CHECK(setrlimit(RLIMIT_AS, &lim) == 0, "setrlimit");
		err = case_run(&s, &r);
		CHECK(setrlimit(RLIMIT_AS, &saved) == 0, "restore RLIMIT_AS");
		CHECK(err == 0, "%s: cannot run: %s", d->name, strerror(-err));
		CHECK(r.out.result != RESULT_SKIP, "%s: skip: %s", d->name, r.note);
		CHECK(r.raw.returned && r.raw.ret > 0, "%s: %s %ld (%s)", d->name,
		      result_name(r.out.result), r.raw.ret, r.note);
		CHECK(r.chk.data_ok == -1, "%s: data_ok %d: the copy fitted after all", d->name,
		      r.chk.data_ok);
		CHECK(strstr(r.note, "not verified: out of memory"),
		      "%s: data_ok unknown, and the note does not say why: '%s'", d->name, r.note);
	}
	return 0;
}
