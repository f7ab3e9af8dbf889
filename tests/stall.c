/* SPDX-License-Identifier: MIT */
/*
 * A test shim (LD_PRELOAD) that makes the pwrite driver's call never return,
 * so the scratch tests can stop, time out or kill a case at a known point,
 * natively, without a kernel that live-locks. With MTEPROBE_TEST_STALL=FILE
 * in the environment, pwrite() makes FILE hold the caller's pid (the call
 * has started) and sleeps until killed; without it, pwrite() is the real one.
 * Drivers that fill their file first (read, pread...) use pwrite() in
 * prepare: they stall there.
 */
/* both symbols defined here: pwrite must not be redirected to pwrite64 */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

static ssize_t stall_or_call(const char *sym, int fd, const void *buf, size_t n, off_t off)
{
	ssize_t (*real)(int, const void *, size_t, off_t) = (ssize_t (*)(int, const void *, size_t, off_t))
		dlsym(RTLD_NEXT, sym);
	const char *marker = getenv("MTEPROBE_TEST_STALL");

	if (marker && *marker) {
		char pid[32], tmp[4096];
		int len = snprintf(pid, sizeof(pid), "%d\n", (int)getpid()), m;

		/* renamed into place: a reader never sees half a pid */
		snprintf(tmp, sizeof(tmp), "%s.tmp", marker);
		m = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (m < 0 || write(m, pid, (size_t)len) != len || close(m) != 0 ||
		    rename(tmp, marker) != 0)
			_exit(99);
		for (;;)
			pause();
	}
	return real(fd, buf, n, off);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return stall_or_call("pwrite", fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	return stall_or_call("pwrite64", fd, buf, n, off);
}
