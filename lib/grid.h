/* SPDX-License-Identifier: MIT */
/*
 * The report's grids: one per mode and fault kind, rows syscall + I/O path,
 * columns filesystems, and in each cell, for each run (kernel), the cases
 * behind it and how many of each class. Built once, printed by every format
 * (cmd/report.c for the terminal, cmd/report-html.c for HTML).
 */
#ifndef MTEPROBE_GRID_H
#define MTEPROBE_GRID_H

#include "results.h"

struct grid_cell {
	const struct result_row **rows;	/* the cases, in file order */
	size_t n, cap;
	unsigned count[RCLASS_COUNT];
	enum row_class worst;		/* RCLASS_COUNT when empty */
};

struct grid_line {
	const char *syscall, *io;
};

struct grid {
	const char *mode, *fault;
	struct grid_line *line;		/* rows of the grid */
	size_t nline;
	const char **fs;		/* columns */
	size_t nfs;
	size_t nset;
	struct grid_cell *cell;		/* [line][fs][set] */
};

struct grids {
	struct grid *g;
	size_t n;
};

/* The grids of nset sets (strings point into their rows): 0 or -ENOMEM. */
int grids_build(const struct result_set *sets, size_t nset, struct grids *out);
void grids_free(struct grids *gs);

static inline struct grid_cell *grid_cell(const struct grid *g, size_t line, size_t fs, size_t set)
{
	return &g->cell[(line * g->nfs + fs) * g->nset + set];
}

/* How much a cell's summary says, from most to least. */
enum cell_detail {
	CELL_COUNTS,	/* every class with its count, worst first: "2L 6-" */
	CELL_WORST_COUNT,	/* the worst class and its count, + when there are others: "2L+" */
	CELL_WORST,	/* the worst class's letter, + when there are others: "L+" */
	CELL_DETAIL_COUNT
};

/* The summary of a cell ("" when empty) in buf: its length. */
size_t cell_summary(const struct grid_cell *c, enum cell_detail d, char *buf, size_t size);

#endif
