/* SPDX-License-Identifier: MIT */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

ssize_t read_small_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		buf[n] = '\0';
	int saved = errno;
	close(fd);
	errno = saved;
	return n;
}

int write_small_file(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, value, len);
	int saved = errno;
	if (close(fd) != 0 && n == (ssize_t)len)
		return -1;
	errno = saved;
	if (n != (ssize_t)len) {
		if (n >= 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

const char *enum_name(const char *const *names, size_t count, int v)
{
	return v >= 0 && (size_t)v < count && names[v] ? names[v] : "?";
}

int enum_parse(const char *const *names, size_t count, const char *name)
{
	for (size_t v = 0; v < count; v++)
		if (names[v] && strcmp(name, names[v]) == 0)
			return (int)v;
	return -1;
}

uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

size_t page_size(void)
{
	static size_t size;

	if (!size)
		size = (size_t)sysconf(_SC_PAGESIZE);
	return size;
}

pid_t fork_with_pipe(int *fd)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;
		close(fds[0]);
		close(fds[1]);
		return err;
	}
	close(fds[pid == 0 ? 0 : 1]);
	*fd = fds[pid == 0 ? 1 : 0];
	return pid;
}

int thread_create_small(pthread_t *t, void *(*fn)(void *), void *arg)
{
	pthread_attr_t a;
	int err;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, THREAD_STACK);
	err = pthread_create(t, &a, fn, arg);
	pthread_attr_destroy(&a);
	return err;
}
