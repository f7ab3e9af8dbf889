/* SPDX-License-Identifier: MIT */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/capability.h>
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

static bool utf8_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* The bytes of the sequence a lead byte starts (1 for a byte that starts
 * none: ASCII, or invalid). */
static size_t utf8_seq_len(unsigned char c)
{
	return c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 1;
}

/* len, less a character at its end that misses bytes */
static size_t utf8_whole(const char *s, size_t len)
{
	size_t start = len;

	while (start > 0 && len - start < 3 && utf8_cont((unsigned char)s[start - 1]))
		start--;
	if (start > 0 && utf8_seq_len((unsigned char)s[start - 1]) > len - start + 1)
		return start - 1;
	return len;
}

size_t utf8_prefix(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	return n < max ? n : utf8_whole(s, n);
}

int vsnprintf_utf8(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if (n >= 0 && size && (size_t)n >= size)
		buf[utf8_whole(buf, size - 1)] = '\0';
	return n;
}

int snprintf_utf8(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf_utf8(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* The length of the valid sequence at s, or 0: RFC 3629 (no overlong
 * forms, no surrogates, nothing past U+10FFFF). */
static size_t utf8_valid_seq(const unsigned char *s)
{
	size_t len = utf8_seq_len(s[0]);
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (len == 1)
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (!utf8_cont(s[i]))
			return 0;
	return len;
}

void utf8_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t len = utf8_valid_seq(p);

		if (len)
			p += len;
		else
			*p++ = '?';
	}
}

uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int read_whole_file(int fd, size_t size, char **text)
{
	size_t len = 0;

	*text = malloc(size + 1);
	if (!*text)
		return -ENOMEM;
	while (len < size) {
		ssize_t n = read(fd, *text + len, size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int err = n < 0 ? -errno : -EIO;

			free(*text);
			*text = NULL;
			return err;
		}
		len += (size_t)n;
	}
	return 0;
}

size_t page_size(void)
{
	static size_t size;

	if (!size)
		size = (size_t)sysconf(_SC_PAGESIZE);
	return size;
}

void *array_double(void *items, size_t *cap, size_t size, size_t first)
{
	size_t want = *cap ? 2 * *cap : first;
	void *p = reallocarray(items, want, size);

	if (p)
		*cap = want;
	return p;
}

bool have_capability(int cap)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

	/* capget(2) directly: no libcap on a phone's static binary */
	if (cap < 0 || cap >= 32 * _LINUX_CAPABILITY_U32S_3 || syscall(SYS_capget, &h, d) != 0)
		return false;
	return d[cap / 32].effective & (1u << (cap % 32));
}

/* fork() with fds[0] for the parent and fds[1] for the child. */
static pid_t fork_with(int fds[2], int *fd)
{
	pid_t pid;

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

pid_t fork_with_pipe(int *fd)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC) != 0)
		return -errno;
	return fork_with(fds, fd);
}

pid_t fork_with_socket(int *fd)
{
	int fds[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
		return -errno;
	return fork_with(fds, fd);
}

int thread_create(pthread_t *t, size_t stack, void *(*fn)(void *), void *arg)
{
	pthread_attr_t a;
	int err;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, stack);
	err = pthread_create(t, &a, fn, arg);
	pthread_attr_destroy(&a);
	return err;
}

void json_text(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&')
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}
