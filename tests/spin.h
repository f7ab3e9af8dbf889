/* SPDX-License-Identifier: MIT */
/*
 * A model of a kernel live-lock for the tests: a thread that stays in the
 * kernel. Each readv copies 1 GiB of /dev/zero (IOV_MAX times one cache-warm
 * MiB), tens of milliseconds in the kernel, so the loop between calls adds no
 * measurable user time (a loop of short reads spends a few percent in user
 * space natively, and far more under a sanitizer or user-mode qemu, where
 * every syscall goes through the emulator). The raw syscall: a sanitizer's
 * interceptor is user time too.
 */
#ifndef MTEPROBE_TEST_SPIN_H
#define MTEPROBE_TEST_SPIN_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

/* Until *stop is set (seen within one call, under a second). */
static inline void spin_in_kernel(atomic_int *stop)
{
	static char buf[1 << 20];
	static struct iovec iov[IOV_MAX];
	int zero = open("/dev/zero", O_RDONLY);

	for (size_t i = 0; i < IOV_MAX; i++)
		iov[i] = (struct iovec){ .iov_base = buf, .iov_len = sizeof(buf) };
	while (!*stop && syscall(SYS_readv, zero, iov, IOV_MAX) > 0)
		;
	close(zero);
}

/* Threads for the tests of taskstat and the watchdog: each sets spin_tid to
 * its thread id, then runs until spin_stop is set (sleep_on_pipe: until a
 * byte comes on spin_wake[0]; the test makes the pipe). */
static atomic_int spin_stop, spin_tid;
static int spin_wake[2];

static inline void *spin_kernel(void *arg)
{
	(void)arg;
	spin_tid = (int)syscall(SYS_gettid);
	spin_in_kernel(&spin_stop);
	return NULL;
}

static inline void *spin_user(void *arg)
{
	volatile unsigned long n = 0;

	(void)arg;
	spin_tid = (int)syscall(SYS_gettid);
	while (!spin_stop)
		n++;
	return NULL;
}

static inline void *sleep_on_pipe(void *arg)
{
	char c;

	(void)arg;
	spin_tid = (int)syscall(SYS_gettid);
	while (read(spin_wake[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

#endif
