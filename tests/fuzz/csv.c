/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the CSV reader (lib/csvread), on any bytes. Records
 * must tile the text in order, a terminated one must end in a line end,
 * every field must be a string inside the record's bounds, and reading the
 * same text twice must give the same records.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);	/* exactly size bytes: overreads show */
	int st1, st2;

	if (!text)
		return 0;
	memcpy(text, data, size);
	REQUIRE(read_all(text, size, &st1) == read_all(text, size, &st2) && st1 == st2);
	free(text);
	return 0;
}
