/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the CSV reader (lib/csvread), matrix --resume's scan
 * of a file (cmd/resume.c) and --expect's reading of one (lib/expect.c), on
 * any bytes. Records must tile the text in
 * order, a terminated one must end in a line end, every field must be a
 * string inside the record's bounds, and reading the same text twice must
 * give the same records. A scan that accepts the text must keep whole
 * lines only and mark as many cases done as it counted rows. --expect
 * accepts the text with its rows findable by key and with known outcomes
 * only, or refuses it with one line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csvread.h"
#include "expect.h"
#include "resume.h"
#include "util.h"

#define REQUIRE(cond)	do { if (!(cond)) { fprintf(stdout, "violated: %s\n", #cond); abort(); } } while (0)

/* A digest of everything read, to compare two readings. */
static uint64_t read_all(const char *text, size_t len, int *status)
{
	struct csv_reader r;
	uint64_t h = 1469598103934665603ull;
	size_t pos = 0, records = 0;
	int got;

	csv_init(&r, text, len);
	got = csv_header(&r);
	if (got == 1) {
		REQUIRE(r.nheader == r.nfield && r.nheader > 0);
		for (size_t c = 0; c < r.nheader; c++)
			REQUIRE(csv_column(&r, r.header[c]) <= (int)c);
	}
	while (got == 1) {
		REQUIRE(r.start == pos && r.start < r.end && r.end <= len);
		REQUIRE(r.nfield > 0);
		if (r.terminated)
			REQUIRE(text[r.end - 1] == '\n');
		else
			REQUIRE(r.end == len);
		for (size_t f = 0; f < r.nfield; f++) {
			size_t n = strlen(r.field[f]);

			REQUIRE(n <= r.end - r.start);
			REQUIRE(csv_field(&r, (int)f) == r.field[f]);
			for (size_t i = 0; i < n; i++)
				h = (h ^ (uint8_t)r.field[f][i]) * 1099511628211ull;
			h = (h ^ 0x100) * 1099511628211ull;
		}
		REQUIRE(csv_field(&r, (int)r.nfield) == NULL);
		pos = r.end;
		records++;
		got = csv_next(&r);
	}
	REQUIRE(got == 0 || got == -EINVAL);
	if (got == 0)
		REQUIRE(pos == len);
	*status = got;
	csv_free(&r);
	return h ^ records;
}

/* A small plan, and the kernel of the seed corpus's rows. */
static struct case_spec plan[16];
static size_t nplan;
static const struct report_ctx ctx = { .kernel = "6.1.0-50-arm64", .arch = "aarch64" };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const calls[] = { "write", "pipe-read", "read", "read" };

	(void)argc;
	(void)argv;
	stderr = fopen("/dev/null", "w");	/* usage errors; sanitizers use fd 2 */
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++) {
		plan[nplan++] = (struct case_spec){
			.drv = driver_find(calls[i]), .fs = i == 1 ? FS_NONE : FS_EXT4,
			.io = i == 0 ? IO_DIRECT : IO_BUFFERED, .mode = i == 0 ? MTE_MODE_SYNC : MTE_MODE_NONE,
			.fault = i == 0 ? FAULT_MTE : i == 3 ? FAULT_NONE : FAULT_PAGE,
			.len = 8192, .fault_at = i == 0 ? 2048 : 0, .iovecs = 4,
		};
		REQUIRE(plan[nplan - 1].drv);
	}
	return stderr ? 0 : -1;
}

static void scan(const char *text, size_t len)
{
	bool done[ARRAY_SIZE(plan)] = { 0 };
	struct resume_scan res;
	size_t marked = 0;
	int st = resume_scan("fuzz.csv", text, len, &ctx, plan, nplan, done, &res);

	REQUIRE(st == EXIT_OK || st == EXIT_USAGE);
	if (st != EXIT_OK)
		return;
	for (size_t i = 0; i < nplan; i++)
		marked += done[i];
	REQUIRE(marked == res.rows && res.rows <= nplan);
	REQUIRE(res.keep <= len && res.torn <= 1);
	REQUIRE(res.keep == 0 || text[res.keep - 1] == '\n');
	REQUIRE(res.has_header || (res.keep == 0 && res.rows == 0));
	REQUIRE(!res.torn || res.keep < len);
}

static void known(const char *text, size_t len)
{
	struct expect_set e;
	char why[512] = "";
	int err = expect_parse(&e, "fuzz.csv", text, len, why, sizeof(why));

	REQUIRE(err == 0 || err == -EINVAL || err == -ENOMEM);
	if (err) {
		REQUIRE(err != -EINVAL || (*why && !strchr(why, '\n')));
		return;
	}
	for (size_t i = 0; i < e.n; i++) {
		REQUIRE(expect_find(&e, e.rows[i].key) == &e.rows[i]);
		REQUIRE(result_parse(e.rows[i].want.result) >= 0);
	}
	expect_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);	/* exactly size bytes: overreads show */
	int st1, st2;

	if (!text)
		return 0;
	memcpy(text, data, size);
	REQUIRE(read_all(text, size, &st1) == read_all(text, size, &st2) && st1 == st2);
	scan(text, size);
	known(text, size);
	free(text);
	return 0;
}
