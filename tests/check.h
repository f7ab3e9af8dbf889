/* SPDX-License-Identifier: MIT */
/* Minimal assertions for the unit tests: one program per case, exit 0 pass,
 * 1 fail, 77 skip (meson and liburing's convention). */
#ifndef MTEPROBE_TEST_CHECK_H
#define MTEPROBE_TEST_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define TEST_SKIP	77

#define CHECK(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__,	\
				__LINE__, #cond);				\
			fprintf(stderr, __VA_ARGS__);				\
			fputc('\n', stderr);					\
			exit(1);						\
		}								\
	} while (0)

#define SKIP(...)								\
	do {									\
		fprintf(stderr, "skip: " __VA_ARGS__);				\
		fputc('\n', stderr);						\
		exit(TEST_SKIP);						\
	} while (0)

/* A private directory for the test's files, removed (with what the test
 * left in it) at exit. */
static char test_dir[] __attribute__((unused)) = "/tmp/mteprobe-test-XXXXXX";

static void __attribute__((unused)) test_tmpdir_remove(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", test_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", test_dir);
}

static inline const char *test_tmpdir(void)
{
	CHECK(mkdtemp(test_dir), "mkdtemp");
	atexit(test_tmpdir_remove);
	return test_dir;
}

#endif
