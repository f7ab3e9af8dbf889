/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: what report and diff make of any bytes (lib/results,
 * lib/grid, lib/compare). A text the reader accepts must give rows with
 * every field a string, a class and findings for each row, grids whose cells
 * hold every row exactly once with the right counts, and a comparison of the
 * file with itself that finds every case and no change.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "grid.h"

#define REQUIRE(cond)	do { if (!(cond)) { fprintf(stdout, "violated: %s\n", #cond); abort(); } } while (0)

static void check_grids(const struct result_set *s)
{
	struct grids gs;
	size_t placed = 0;
	char text[64];

	if (grids_build(s, 1, &gs))
		return;
	for (size_t g = 0; g < gs.n; g++) {
		const struct grid *gr = &gs.g[g];

		for (size_t c = 0; c < gr->nline * gr->nfs; c++) {
			const struct grid_cell *cell = &gr->cell[c];
			size_t sum = 0;

			for (int k = 0; k < RCLASS_COUNT; k++)
				sum += cell->count[k];
			REQUIRE(sum == cell->n);
			REQUIRE(!cell->n || cell->count[cell->worst]);
			for (enum cell_detail d = 0; d < CELL_DETAIL_COUNT; d++)
				REQUIRE(cell_summary(cell, d, text, sizeof(text)) < sizeof(text));
			placed += cell->n;
		}
	}
	REQUIRE(placed == s->nrow);
	grids_free(&gs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);	/* exactly size bytes: overreads show */
	struct result_set s;
	struct comparison cmp;
	char err[512], buf[256];

	if (!text)
		return 0;
	memcpy(text, data, size);
	if (results_parse(&s, "fuzz.csv", text, size, err, sizeof(err)) == 0) {
		REQUIRE(s.torn <= 1);
		for (size_t i = 0; i < s.nrow; i++) {
			for (int c = 0; c < COL_COUNT; c++)
				REQUIRE(s.row[i].v[c] && strlen(s.row[i].v[c]) <= size);
			REQUIRE(row_classify(&s.row[i]) < RCLASS_COUNT);
			REQUIRE(row_findings(&s.row[i]) < (1u << FIND_COUNT));
			row_key_text(&s.row[i], buf, sizeof(buf));
			row_outcome_text(&s.row[i], buf, sizeof(buf));
		}
		check_grids(&s);
		if (compare_sets(&s, &s, &cmp) == 0) {
			REQUIRE(cmp.matched == s.nrow && cmp.n == 0);
			REQUIRE(cmp.count[CHANGE_NONE] == s.nrow);
			comparison_free(&cmp);
		}
		results_free(&s);
	} else {
		REQUIRE(err[0] && strchr(err, '\n') == NULL);
	}
	free(text);
	return 0;
}
