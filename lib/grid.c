/* SPDX-License-Identifier: MIT */
#include "grid.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A growing array of distinct strings, in order of first appearance. */
struct names {
	const char **v;
	size_t n, cap;
};

static int names_add(struct names *s, const char *name)
{
	const char **v;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 0;
	v = array_grow(s->v, s->n, &s->cap, sizeof(*v), 16);
	if (!v)
		return -ENOMEM;
	s->v = v;
	s->v[s->n++] = name;
	return 0;
}

static size_t names_find(const struct names *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return i;
	return s->n;
}

static int (*sort_order)(const char *);

static int by_order(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int ox = sort_order(x), oy = sort_order(y);

	return ox != oy ? ox - oy : strcmp(x, y);
}

static void names_sort(struct names *s, int (*order)(const char *))
{
	sort_order = order;
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), by_order);
}

/* Syscalls keep the order of the first file (the registry's, as matrix
 * writes them), then of the others. */
static struct names syscall_seen;

static int line_cmp(const void *a, const void *b)
{
	const struct grid_line *x = a, *y = b;
	size_t sx = names_find(&syscall_seen, x->syscall), sy = names_find(&syscall_seen, y->syscall);

	if (sx != sy)
		return sx < sy ? -1 : 1;
	return io_order(x->io) - io_order(y->io);
}

static bool in_grid(const struct result_row *r, const struct grid *g)
{
	return !strcmp(r->v[COL_MODE], g->mode) && !strcmp(r->v[COL_FAULT], g->fault);
}

static int cell_add(struct grid_cell *c, const struct result_row *r)
{
	enum row_class cls = row_classify(r);
	const struct result_row **v = array_grow(c->rows, c->n, &c->cap, sizeof(*v), 8);

	if (!v)
		return -ENOMEM;
	c->rows = v;
	c->rows[c->n++] = r;
	c->count[cls]++;
	if (c->n == 1 || cls < c->worst)
		c->worst = cls;
	return 0;
}

/* Lines and columns of grid g, then its cells. */
static int grid_fill(struct grid *g, const struct result_set *sets, size_t nset)
{
	struct names fs = { 0 };
	struct grid_line *line = NULL, *p;
	size_t nline = 0, cap = 0;

	for (size_t s = 0; s < nset; s++) {
		for (size_t i = 0; i < sets[s].nrow; i++) {
			const struct result_row *r = &sets[s].row[i];
			size_t l;

			if (!in_grid(r, g))
				continue;
			if (names_add(&fs, r->v[COL_FS]))
				goto nomem;
			for (l = 0; l < nline; l++)
				if (!strcmp(line[l].syscall, r->v[COL_SYSCALL]) &&
				    !strcmp(line[l].io, r->v[COL_IO]))
					break;
			if (l < nline)
				continue;
			p = array_grow(line, nline, &cap, sizeof(*p), 32);
			if (!p)
				goto nomem;
			line = p;
			line[nline++] = (struct grid_line){ r->v[COL_SYSCALL], r->v[COL_IO] };
		}
	}
	names_sort(&fs, fs_order);
	if (nline)
		qsort(line, nline, sizeof(*line), line_cmp);
	g->line = line;
	g->nline = nline;
	g->fs = fs.v;
	g->nfs = fs.n;
	g->nset = nset;
	g->cell = calloc(nline * fs.n * nset + 1, sizeof(*g->cell));
	if (!g->cell)
		return -ENOMEM;
	for (size_t s = 0; s < nset; s++) {
		for (size_t i = 0; i < sets[s].nrow; i++) {
			const struct result_row *r = &sets[s].row[i];
			size_t l, f;

			if (!in_grid(r, g))
				continue;
			for (l = 0; strcmp(line[l].syscall, r->v[COL_SYSCALL]) ||
				    strcmp(line[l].io, r->v[COL_IO]); l++)
				;
			f = names_find(&fs, r->v[COL_FS]);
			if (cell_add(grid_cell(g, l, f, s), r))
				return -ENOMEM;
		}
	}
	return 0;
nomem:
	free(fs.v);
	free(line);
	return -ENOMEM;
}

static int grid_cmp(const void *a, const void *b)
{
	const struct grid *x = a, *y = b;
	int c = fault_order(x->fault) - fault_order(y->fault);

	if (!c)
		c = strcmp(x->fault, y->fault);
	if (!c)
		c = mode_order(x->mode) - mode_order(y->mode);
	return c ? c : strcmp(x->mode, y->mode);
}

int grids_build(const struct result_set *sets, size_t nset, struct grids *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t s = 0; s < nset; s++) {
		for (size_t i = 0; i < sets[s].nrow; i++) {
			const struct result_row *r = &sets[s].row[i];
			size_t g;

			if (names_add(&syscall_seen, r->v[COL_SYSCALL]))
				goto nomem;
			for (g = 0; g < out->n; g++)
				if (in_grid(r, &out->g[g]))
					break;
			if (g < out->n)
				continue;
			if ((out->n & 15) == 0) {
				struct grid *p = realloc(out->g, (out->n + 16) * sizeof(*p));

				if (!p)
					goto nomem;
				out->g = p;
			}
			out->g[out->n++] = (struct grid){ .mode = r->v[COL_MODE], .fault = r->v[COL_FAULT] };
		}
	}
	if (out->n)	/* qsort wants an array, even of nothing */
		qsort(out->g, out->n, sizeof(*out->g), grid_cmp);
	for (size_t g = 0; g < out->n; g++)
		if (grid_fill(&out->g[g], sets, nset))
			goto nomem;
	free(syscall_seen.v);
	syscall_seen = (struct names){ 0 };
	return 0;
nomem:
	free(syscall_seen.v);
	syscall_seen = (struct names){ 0 };
	grids_free(out);
	return -ENOMEM;
}

void grids_free(struct grids *gs)
{
	for (size_t g = 0; g < gs->n; g++) {
		struct grid *gr = &gs->g[g];

		for (size_t c = 0; gr->cell && c < gr->nline * gr->nfs * gr->nset; c++)
			free(gr->cell[c].rows);
		free(gr->cell);
		free(gr->line);
		free(gr->fs);
	}
	free(gs->g);
	memset(gs, 0, sizeof(*gs));
}

size_t cell_summary(const struct grid_cell *c, enum cell_detail d, char *buf, size_t size)
{
	size_t used = 0;
	bool mixed;

	buf[0] = '\0';
	if (!c->n)
		return 0;
	mixed = c->count[c->worst] != c->n;
	/* one case: its letter ("F", not "1F") */
	if (c->n == 1 || d == CELL_WORST)
		return (size_t)snprintf(buf, size, "%c%s", row_classes[c->worst].code, mixed ? "+" : "");
	if (d == CELL_WORST_COUNT)
		return (size_t)snprintf(buf, size, "%u%c%s", c->count[c->worst],
					row_classes[c->worst].code, mixed ? "+" : "");
	for (int k = 0; k < RCLASS_COUNT && used < size; k++)
		if (c->count[k])
			used += (size_t)snprintf(buf + used, size - used, "%s%u%c", used ? " " : "",
						 c->count[k], row_classes[k].code);
	return used < size ? used : size - 1;
}
