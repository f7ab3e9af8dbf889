/* SPDX-License-Identifier: MIT */
/* Small helpers shared by lib/ and cmd/. */
#ifndef MTEPROBE_UTIL_H
#define MTEPROBE_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_DOWN(x, a)	((x) & ~((__typeof__(x))(a) - 1))
#define ALIGN_UP(x, a)	ALIGN_DOWN((x) + (a) - 1, (a))

/* Read up to size-1 bytes of a small file (sysfs, procfs) into buf, NUL
 * terminated. Returns the length, or -1 with errno set. */
ssize_t read_small_file(const char *path, char *buf, size_t size);
/* Write a string to a small file. Returns 0, or -1 with errno set. */
int write_small_file(const char *path, const char *value);
/* Read the size bytes of an open regular file (fstat's st_size) into a new
 * buffer, *text (size + 1 bytes, to be freed). 0, or -errno (-EIO when the
 * file ends early, -ENOMEM). */
int read_whole_file(int fd, size_t size, char **text);

size_t page_size(void);

/* Room for one more item in an array of n items of size bytes, with room for
 * *cap: the array itself while n < *cap; else the array grown to twice *cap
 * (first items to begin with) and *cap updated, or NULL when memory ran out
 * (the array and *cap as they were). Inline: the CSV reader asks per byte. */
void *array_double(void *items, size_t *cap, size_t size, size_t first);
static inline void *array_grow(void *items, size_t n, size_t *cap, size_t size, size_t first)
{
	return n < *cap ? items : array_double(items, cap, size, first);
}

/* Whether the process holds capability cap (CAP_SYS_ADMIN...) in its
 * effective set: what the kernel checks before a privileged operation. */
bool have_capability(int cap);

/* CLOCK_MONOTONIC in nanoseconds and in microseconds. */
uint64_t monotonic_ns(void);
static inline unsigned long monotonic_us(void)
{
	return (unsigned long)(monotonic_ns() / 1000);
}

/* Names of an enum's values, kept in one table per enum: the name of v ("?"
 * outside the table) and the value of a name (-1 when unknown). */
const char *enum_name(const char *const *names, size_t count, int v);
int enum_parse(const char *const *names, size_t count, const char *name);

/* Notes and paths are cut at byte limits; these never cut inside a UTF-8
 * character. utf8_prefix: how many of the first max bytes of s to keep (all
 * of s when it is shorter), for "%.*s" through UTF8_CUT(s, max). */
size_t utf8_prefix(const char *s, size_t max);
#define UTF8_CUT(s, max)	(int)utf8_prefix((s), (max)), (s)
/* vsnprintf and snprintf that, when the text does not fit, drop a character
 * the cut would split. */
int vsnprintf_utf8(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int snprintf_utf8(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Make s valid UTF-8 in place: every byte that does not belong to a valid
 * sequence (a cut character, a non-UTF-8 file name) becomes '?'. */
void utf8_sanitize(char *s);

/* s as a JSON string, quotes included: control characters escaped, and
 * < > & too, so that the text can sit inside an HTML <script>. */
void json_text(FILE *f, const char *s);

/* fork() with a pipe from the child back to the parent (stdio flushed first,
 * so nothing buffered is written twice). In the child: 0, *fd the write end.
 * In the parent: the child's pid, *fd the read end. -errno on failure. */
pid_t fork_with_pipe(int *fd);
/* The same with a SOCK_SEQPACKET socket pair both ways (messages keep their
 * boundaries and may carry fds). */
pid_t fork_with_socket(int *fd);

/* A thread with a stack of stack bytes, taken from glibc's cache of freed
 * thread stacks when one of that size is there (a forked case inherits the
 * cache). A thread costs milliseconds under TCG; the cache saves the
 * stack's mmap and guard page. A case's buffer must still fit beside it
 * under an RLIMIT_AS (tests/verify_nomem.c), so no thread takes the
 * default 8 MiB. 0 or an errno value, like pthread_create. */
#define HELPER_THREAD_STACK	(64 * 1024)	/* the watchdog, a retag race */
#define CASE_THREAD_STACK	(1024 * 1024)	/* a whole case: its driver's calls and checks */
int thread_create(pthread_t *t, size_t stack, void *(*fn)(void *), void *arg);

#endif
