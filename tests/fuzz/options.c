/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the command lines of matrix, run, trace and repro. The input's
 * first byte picks the command, the rest is its arguments separated by NUL
 * bytes. Parsing runs nothing; a parse that succeeds must leave options a
 * run can use (every list filled, no item twice, every number in range).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case-options.h"
#include "cli.h"
#include "parse.h"
#include "util.h"

#define ARGS_MAX	64

#define REQUIRE(cond)	do { if (!(cond)) { fprintf(stdout, "violated: %s\n", #cond); abort(); } } while (0)

#define NO_TWICE(list, n)							\
	do {									\
		for (size_t i_ = 0; i_ < (n); i_++)				\
			for (size_t j_ = 0; j_ < i_; j_++)			\
				REQUIRE((list)[i_] != (list)[j_]);		\
	} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* the usage errors go nowhere; sanitizers write to fd 2 themselves */
	stderr = fopen("/dev/null", "w");
	return stderr ? 0 : -1;
}

static void check_matrix(const struct matrix_opts *o)
{
	/* every list filled (but fs with --dir, len without --len), no item
	 * twice, every value one the axis takes */
	for (int id = 0; id < AXIS_COUNT; id++) {
		const struct axis *a = &axes[id];
		const struct axis_list *l = &o->set.a[id];

		if (id == AXIS_FS)
			REQUIRE(o->dir ? l->n == 0 : l->n > 0);
		else if (id == AXIS_LEN)
			REQUIRE(l->n == l->given);
		else
			REQUIRE(l->n > 0);
		REQUIRE(l->n <= AXIS_LIST_MAX && (!a->matrix_one || l->n <= 1));
		NO_TWICE(l->v, l->n);
		for (size_t i = 0; i < l->n; i++)
			REQUIRE(axis_enumerated(a) ? l->v[i] < axis_value_count(a)
				: l->v[i] >= a->min && l->v[i] <= a->max());
	}
	for (size_t i = 0; i < o->set.a[AXIS_FAULT_AT].n; i++)
		REQUIRE(o->set.a[AXIS_FAULT_AT].v[i] < LEN_MAX);
	for (size_t i = 0; i < o->set.a[AXIS_BUF_OFF].n; i++)
		REQUIRE(o->set.a[AXIS_BUF_OFF].v[i] < page_size());
	REQUIRE(!(o->out && o->resume));
	REQUIRE(o->format && (!o->resume || !strcmp(o->format->name, "csv")));
	REQUIRE(!o->expect || o->format->judges);
}

static void check_run(const struct run_opts *o, enum run_cmd which)
{
	const struct case_spec *s = &o->s;

	REQUIRE(s->drv);
	REQUIRE(s->len >= 1 && s->len <= LEN_MAX);
	REQUIRE(s->fault_at < LEN_MAX);
	REQUIRE(s->buf_off < page_size());
	REQUIRE(s->iovecs >= 1 && s->iovecs <= IOVECS_MAX);
	REQUIRE(s->timeout_ms >= 1000 && s->timeout_ms <= 3600 * 1000);
	REQUIRE(o->fs == -1 || (o->fs >= 0 && o->fs < FS_NAMED_COUNT));
	REQUIRE(o->format);
	REQUIRE(!o->expect || o->format->judges);
	if (which == RUN_CMD_REPRO)
		REQUIRE(!o->expect && !strcmp(o->format->name, "text") && !o->no_trace &&
			!s->no_watchdog);
	else
		REQUIRE(!o->out);
	if (s->drv->fs_mask == FS_BIT(FS_NONE))
		REQUIRE(o->fs == -1 && !o->dir);
	else
		REQUIRE(o->fs >= 0 || o->dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const commands[] = { "matrix", "run", "trace", "repro" };
	static const enum run_cmd run_cmds[] = { 0, RUN_CMD_RUN, RUN_CMD_TRACE, RUN_CMD_REPRO };
	char *argv[ARGS_MAX + 2], *copy;
	int argc = 1, status;

	if (size < 1)
		return 0;
	copy = malloc(size);	/* the arguments, NUL-terminated */
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	argv[0] = (char *)commands[data[0] % 4];
	for (size_t i = 0; i < size - 1 && argc <= ARGS_MAX; i += strlen(copy + i) + 1)
		argv[argc++] = copy + i;
	argv[argc] = NULL;

	if (data[0] % 4 == 0) {
		struct matrix_opts o;

		status = matrix_parse(argc, argv, &o);
		REQUIRE(status == EXIT_OK || status == EXIT_USAGE);
		if (status == EXIT_OK && !o.help)
			check_matrix(&o);
	} else {
		struct run_opts o;

		status = run_parse(argc, argv, run_cmds[data[0] % 4], &o);
		REQUIRE(status == EXIT_OK || status == EXIT_USAGE);
		if (status == EXIT_OK && !o.help && !o.list)
			check_run(&o, run_cmds[data[0] % 4]);
	}
	free(copy);
	return 0;
}
