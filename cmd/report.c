/* SPDX-License-Identifier: MIT */
/*
 * mteprobe report: the CSVs of matrix runs (one per kernel) as a grid per
 * mode and fault kind on the terminal, the findings, what changed from one
 * kernel to the next; --html the same as one page, --expect-out the known
 * outcomes for run/matrix --expect.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/param.h>
#include <unistd.h>

#include "cli.h"
#include "report-html.h"
#include "util.h"

#define REPORT_FILES_MAX	16

static void help(void)
{
	printf("Usage: %s report [options] FILE.csv...\n\n"
	       "Summarise the CSVs of mteprobe matrix (mteprobe-csv(5), any schema): a grid\n"
	       "per mode and fault kind (rows syscall and I/O path, columns filesystems,\n"
	       "each cell the classes of the cases behind it), then the findings. Several\n"
	       "files (one per kernel): the kernels side by side, and what changed from\n"
	       "each to the next.\n\n"
	       "Options:\n"
	       "      --html FILE        also write the report as one self-contained HTML page\n"
	       "      --expect-out FILE  write the cases' outcomes for run/matrix --expect\n"
	       "                         (each case once: not the files of several kernels)\n"
	       "  -w, --width N          fit the grids into N columns (default: the terminal's,\n"
	       "                         else $COLUMNS, else 80)\n"
	       "  -h, --help             display this help and exit\n\n"
	       "Cell letters, worst first: L livelock, H hang, S signal, D data wrong,\n"
	       "B bypass, O overshoot, T timeout, i inexact short, E EFAULT, X other error,\n"
	       "r short without a fault in range, s exact short, F full, - skip.\n"
	       "Colour on a terminal unless NO_COLOR is set.\n\n"
	       "Exit status: 0 done, 1 an output could not be written, 2 usage error (also:\n"
	       "a FILE that cannot be read or is not mteprobe's CSV).\n", program_name);
}

struct report_opts {
	const char *html, *expect_out;
	unsigned width;		/* 0: find out */
	bool help;
	char **files;
	size_t nfiles;
};

static int report_parse(int argc, char **argv, struct report_opts *o)
{
	enum { OPT_HTML = 256, OPT_EXPECT_OUT };
	static const struct option opts[] = {
		{ "html", required_argument, NULL, OPT_HTML },
		{ "expect-out", required_argument, NULL, OPT_EXPECT_OUT },
		{ "width", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	unsigned long w;
	int opt;

	*o = (struct report_opts){ 0 };
	optind = 0;
	while ((opt = getopt_long(argc, argv, "w:h", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_HTML:
			o->html = optarg;
			break;
		case OPT_EXPECT_OUT:
			o->expect_out = optarg;
			break;
		case 'w':
			errno = 0;
			w = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || w < 40 || w > 1000)
				return usage_error("report", "bad --width '%s': give 40 to 1000 columns",
						   optarg);
			o->width = (unsigned)w;
			break;
		case 'h':
			o->help = true;
			return EXIT_OK;
		default:
			return usage_error("report", "bad option");
		}
	}
	if ((o->html && !*o->html) || (o->expect_out && !*o->expect_out))
		return usage_error("report", "%s is empty: give a file name",
				   o->html && !*o->html ? "--html" : "--expect-out");
	o->files = argv + optind;
	o->nfiles = (size_t)(argc - optind);
	if (!o->nfiles)
		return usage_error("report", "no CSV file given: give the matrix.csv of one or "
				   "more runs");
	if (o->nfiles > REPORT_FILES_MAX)
		return usage_error("report", "%zu files given: give at most %d", o->nfiles,
				   REPORT_FILES_MAX);
	return EXIT_OK;
}

/* ---- the terminal ---- */

struct term {
	FILE *f;
	bool color, tty;
	unsigned width;
};

static void term_init(struct term *t, unsigned width)
{
	const char *no_color = getenv("NO_COLOR"), *cols = getenv("COLUMNS");
	struct winsize ws;
	bool tty = isatty(STDOUT_FILENO);

	t->f = stdout;
	t->tty = tty;
	t->color = tty && !(no_color && *no_color);
	t->width = 80;
	if (width)
		t->width = width;
	else if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		t->width = ws.ws_col;
	else if (cols && atoi(cols) >= 40)
		t->width = (unsigned)atoi(cols);
}

/* text in the colour of class c (when colour is on), padded to width. */
static void paint(const struct term *t, enum row_class c, const char *text, int width)
{
	const char *sgr = c < RCLASS_COUNT ? row_classes[c].ansi : "2";
	int pad = width - (int)strlen(text);

	if (t->color && *sgr)
		fprintf(t->f, "\033[%sm%s\033[0m", sgr, text);
	else
		fputs(text, t->f);
	fprintf(t->f, "%*s", pad > 0 ? pad : 0, "");
}

/* A heading line, bold on a terminal. */
static void bold(const struct term *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bold(const struct term *t, const char *fmt, ...)
{
	va_list ap;

	fputs(t->color ? "\033[1m" : "", t->f);
	va_start(ap, fmt);
	vfprintf(t->f, fmt, ap);
	va_end(ap);
	fputs(t->color ? "\033[0m\n" : "\n", t->f);
}

/* "6.1" of "6.1.0-50-arm64": the kernels' short names for the grid's
 * headers, when they tell the runs apart; else A, B, C... */
static void short_labels(const struct result_set *sets, size_t nset, char (*label)[16])
{
	bool unique = true;

	for (size_t s = 0; s < nset; s++) {
		const char *k = sets[s].label;
		size_t n = strspn(k, "0123456789");

		if (n && k[n] == '.')
			n += 1 + strspn(k + n + 1, "0123456789");
		snprintf(label[s], 16, "%.*s", n ? (int)n : 15, k);
		for (size_t p = 0; p < s; p++)
			unique &= strcmp(label[p], label[s]) != 0;
	}
	for (size_t s = 0; !unique && s < nset; s++)
		snprintf(label[s], 16, "%c", (int)('A' + s));
}

#define CELL_TEXT	64

static size_t line_label(const struct grid_line *l, char *buf, size_t size)
{
	return (size_t)snprintf(buf, size, "%s %s", l->syscall, l->io);
}

/* Width of each filesystem's columns at this detail: its cells (cw) and the
 * whole group (gw, at least the filesystem's name). The grid's width. */
static size_t grid_widths(const struct grid *g, enum cell_detail d, size_t lw, char (*label)[16],
			  size_t *cw, size_t *gw)
{
	size_t total = lw;
	char text[CELL_TEXT];

	for (size_t f = 0; f < g->nfs; f++) {
		cw[f] = 1;
		for (size_t s = 0; g->nset > 1 && s < g->nset; s++)
			cw[f] = MAX(cw[f], strlen(label[s]));
		for (size_t l = 0; l < g->nline; l++)
			for (size_t s = 0; s < g->nset; s++)
				cw[f] = MAX(cw[f], cell_summary(grid_cell(g, l, f, s), d, text,
								sizeof(text)));
		gw[f] = MAX(strlen(g->fs[f]), g->nset * cw[f] + g->nset - 1);
		total += 2 + gw[f];
	}
	return total;
}

static bool block_has_cases(const struct grid *g, size_t line, size_t f0, size_t f1)
{
	for (size_t f = f0; f < f1; f++)
		for (size_t s = 0; s < g->nset; s++)
			if (grid_cell(g, line, f, s)->n)
				return true;
	return false;
}

/* A grid whose every case is full or skipped (the controls) in one line:
 * true when it was. */
static bool grid_plain(const struct term *t, const struct grid *g, size_t ncase)
{
	unsigned count[RCLASS_COUNT] = { 0 };

	for (size_t c = 0; c < g->nline * g->nfs * g->nset; c++)
		for (int k = 0; k < RCLASS_COUNT; k++)
			count[k] += g->cell[c].count[k];
	if (count[RCLASS_FULL] + count[RCLASS_SKIP] != ncase)
		return false;
	fputc('\n', t->f);
	bold(t, "mode %s, fault %s: %zu cases, %u full, %u skip", g->mode, g->fault, ncase,
	     count[RCLASS_FULL], count[RCLASS_SKIP]);
	return true;
}

static void print_grid(const struct term *t, const struct grid *g, char (*label)[16])
{
	size_t lw = 0, *cw = calloc(2 * g->nfs + 1, sizeof(*cw)), *gw = cw + g->nfs, ncase = 0,
	       most = 0;
	enum cell_detail d;
	char text[CELL_TEXT];

	if (!cw) {
		warnx_("report: %s", strerror(ENOMEM));
		return;
	}
	for (size_t l = 0; l < g->nline; l++)
		lw = MAX(lw, line_label(&g->line[l], text, sizeof(text)));
	for (size_t c = 0; c < g->nline * g->nfs * g->nset; c++) {
		ncase += g->cell[c].n;
		most = MAX(most, g->cell[c].n);
	}
	if (grid_plain(t, g, ncase)) {
		free(cw);
		return;
	}
	for (d = 0; d + 1 < CELL_DETAIL_COUNT; d++)
		if (grid_widths(g, d, lw, label, cw, gw) <= t->width)
			break;
	grid_widths(g, d, lw, label, cw, gw);
	fputc('\n', t->f);
	bold(t, "mode %s, fault %s: %zu cases, %zu at most a cell", g->mode, g->fault, ncase, most);
	/* filesystems that do not fit go in another block below */
	for (size_t f0 = 0, f1; f0 < g->nfs; f0 = f1) {
		size_t used = lw;

		for (f1 = f0; f1 < g->nfs && (f1 == f0 || used + 2 + gw[f1] <= t->width); f1++)
			used += 2 + gw[f1];
		fprintf(t->f, "%*s", (int)lw, "");
		for (size_t f = f0; f < f1; f++)
			fprintf(t->f, "  %-*s", (int)gw[f], g->fs[f]);
		fputc('\n', t->f);
		if (g->nset > 1) {
			fprintf(t->f, "%*s", (int)lw, "");
			for (size_t f = f0; f < f1; f++) {
				fputs("  ", t->f);
				for (size_t s = 0; s < g->nset; s++)
					fprintf(t->f, "%s%-*s", s ? " " : "", (int)cw[f], label[s]);
				fprintf(t->f, "%*s", (int)(gw[f] - (g->nset * cw[f] + g->nset - 1)), "");
			}
			fputc('\n', t->f);
		}
		for (size_t l = 0; l < g->nline; l++) {
			if (!block_has_cases(g, l, f0, f1))
				continue;	/* pipes in a block of filesystems */
			line_label(&g->line[l], text, sizeof(text));
			fprintf(t->f, "%-*s", (int)lw, text);
			for (size_t f = f0; f < f1; f++) {
				fputs("  ", t->f);
				for (size_t s = 0; s < g->nset; s++) {
					const struct grid_cell *c = grid_cell(g, l, f, s);

					if (s)
						fputc(' ', t->f);
					cell_summary(c, d, text, sizeof(text));
					paint(t, c->n ? c->worst : RCLASS_COUNT, c->n ? text : ".",
					      (int)cw[f]);
				}
				fprintf(t->f, "%*s", (int)(gw[f] - (g->nset * cw[f] + g->nset - 1)), "");
			}
			fputc('\n', t->f);
		}
	}
	free(cw);
}

/* The letters and their classes, in lines that fit the width. */
static void print_legend(const struct term *t)
{
	size_t col = 8;

	fputs("\nletters:", t->f);
	for (int k = 0; k < RCLASS_COUNT; k++) {
		char code[2] = { row_classes[k].code, '\0' };
		size_t n = 3 + strlen(row_classes[k].name) + 1;

		if (col + n > t->width) {
			fputs("\n       ", t->f);
			col = 7;
		}
		fputc(' ', t->f);
		paint(t, k, code, 1);
		fprintf(t->f, " %s%s", row_classes[k].name, k + 1 < RCLASS_COUNT ? "," : "\n");
		col += n;
	}
}

/* ---- findings ---- */

/* Cases of one finding on one path (call, I/O path, mode, fault), for each
 * run the filesystems and how many. */
struct path_group {
	const struct result_row *first;
	size_t first_set;
	const char *fs[REPORT_FILES_MAX][16];
	size_t nfs[REPORT_FILES_MAX], n[REPORT_FILES_MAX];
	long dmin, dmax;
	bool has_delta;
};

static bool same_path(const struct result_row *a, const struct result_row *b)
{
	static const enum report_column path[] = { COL_SYSCALL, COL_IO, COL_MODE, COL_FAULT };

	for (size_t i = 0; i < ARRAY_SIZE(path); i++)
		if (strcmp(a->v[path[i]], b->v[path[i]]))
			return false;
	return true;
}

/* Add name to the list fs[*n] (at most max) unless it is there. */
static void fs_add(const char **fs, size_t *n, size_t max, const char *name)
{
	size_t f;

	for (f = 0; f < *n && strcmp(fs[f], name); f++)
		;
	if (f == *n && *n < max)
		fs[(*n)++] = name;
}

static void group_add(struct path_group *g, size_t set, const struct result_row *r)
{
	long delta;

	fs_add(g->fs[set], &g->nfs[set], ARRAY_SIZE(g->fs[set]), r->v[COL_FS]);
	if (row_num(r, COL_DELTA, &delta)) {
		g->dmin = g->has_delta ? MIN(g->dmin, delta) : delta;
		g->dmax = g->has_delta ? MAX(g->dmax, delta) : delta;
		g->has_delta = true;
	}
	g->n[set]++;
}

/* Do the runs have the cases of g on the same filesystems? */
static bool same_fs_everywhere(const struct path_group *g, size_t nset)
{
	for (size_t s = 1; s < nset; s++) {
		if (g->nfs[s] != g->nfs[0])
			return false;
		for (size_t f = 0; f < g->nfs[s]; f++)
			if (strcmp(g->fs[s][f], g->fs[0][f]))
				return false;
	}
	return true;
}

static void print_fs(const struct term *t, const char *const *fs, size_t n)
{
	for (size_t f = 0; f < n; f++)
		fprintf(t->f, " %s", fs[f]);
}

/* One line of a finding: the path, the runs, filesystems and counts, one
 * case as an example. */
static void print_group(const struct term *t, const struct path_group *g, size_t nset,
			char (*label)[16])
{
	const struct result_row *r = g->first;
	char out[256];

	fprintf(t->f, "  %s %s %s %s", r->v[COL_SYSCALL], r->v[COL_IO], r->v[COL_MODE],
		r->v[COL_FAULT]);
	if (nset == 1 || same_fs_everywhere(g, nset)) {
		fputs(" on", t->f);
		print_fs(t, g->fs[0], g->nfs[0]);
		fputs(":", t->f);
		for (size_t s = 0; s < nset; s++)
			fprintf(t->f, "%s%zu", s ? "/" : " ", g->n[s]);
		fprintf(t->f, " case%s", g->n[0] == 1 && nset == 1 ? "" : "s");
		for (size_t s = 0; nset > 1 && s < nset; s++)
			fprintf(t->f, "%s%s%s", s ? "/" : " (", label[s], s + 1 == nset ? ")" : "");
	} else {
		for (size_t s = 0, first = 1; s < nset; s++) {
			if (!g->n[s])
				continue;
			fprintf(t->f, "%s %s on", first ? ":" : ";", label[s]);
			print_fs(t, g->fs[s], g->nfs[s]);
			fprintf(t->f, " (%zu)", g->n[s]);
			first = 0;
		}
	}
	if (g->has_delta && g->dmin != g->dmax)
		fprintf(t->f, ", delta %ld..%ld", g->dmin, g->dmax);
	row_outcome_text(r, out, sizeof(out));
	fprintf(t->f, ", e.g. %s%s%slen %s fault_at %s buf_off %s: %s\n", nset > 1 ? "[" : "",
		nset > 1 ? label[g->first_set] : "", nset > 1 ? "] " : "", r->v[COL_LEN],
		r->v[COL_FAULT_AT], r->v[COL_BUF_OFF], out);
}

/* Every livelock and hang: a line per call, filesystem, I/O path, mode and
 * fault kind, then one per case with its note (on a terminal, as much as
 * fits the line). */
static void print_stuck(const struct term *t, const struct report_data *d, char (*label)[16])
{
	for (size_t s = 0; s < d->nset; s++) {
		const struct result_row *prev = NULL;

		for (size_t i = 0; i < d->sets[s].nrow; i++) {
			const struct result_row *r = &d->sets[s].row[i];
			bool usual_state, usual_backing;
			char out[256];
			int n;

			if (!(row_findings(r) & FIND_BIT(FIND_STUCK)))
				continue;
			if (!prev || !same_path(prev, r) || strcmp(prev->v[COL_FS], r->v[COL_FS]))
				fprintf(t->f, "  %s%s%s%s %s %s %s %s:\n", d->nset > 1 ? "[" : "",
					d->nset > 1 ? label[s] : "", d->nset > 1 ? "] " : "", r->v[COL_FS],
					r->v[COL_SYSCALL], r->v[COL_IO], r->v[COL_MODE], r->v[COL_FAULT]);
			prev = r;
			row_outcome_text(r, out, sizeof(out));
			usual_state = report_column_usual(COL_STATE, r->v[COL_STATE]);
			usual_backing = report_column_usual(COL_BACKING, r->v[COL_BACKING]);
			n = fprintf(t->f, "    len %s fault_at %s buf_off %s%s%s%s%s: %s, fault_ins %s%s",
				    r->v[COL_LEN], r->v[COL_FAULT_AT], r->v[COL_BUF_OFF],
				    usual_state ? "" : " state ", usual_state ? "" : r->v[COL_STATE],
				    usual_backing ? "" : " backing ", usual_backing ? "" : r->v[COL_BACKING], out,
				    *r->v[COL_FAULT_INS] ? r->v[COL_FAULT_INS] : "-", *r->v[COL_NOTE] ? "; " : "");
			if (t->tty && n > 0 && (size_t)n + strlen(r->v[COL_NOTE]) > t->width)
				fprintf(t->f, "%.*s...\n",
					UTF8_CUT(r->v[COL_NOTE], (size_t)n + 3 < t->width ? t->width - n - 3 : 0));
			else
				fprintf(t->f, "%s\n", r->v[COL_NOTE]);
		}
	}
}

static void print_groups(const struct term *t, const struct report_data *d, enum finding fi,
			 char (*label)[16])
{
	struct path_group *g = NULL;
	size_t ng = 0, cap = 0;

	for (size_t s = 0; s < d->nset; s++) {
		for (size_t i = 0; i < d->sets[s].nrow; i++) {
			const struct result_row *r = &d->sets[s].row[i];
			size_t k;

			if (!(row_findings(r) & FIND_BIT(fi)))
				continue;
			for (k = 0; k < ng && !same_path(g[k].first, r); k++)
				;
			if (k == ng) {
				if (ng == cap) {
					struct path_group *p = realloc(g, (cap + 16) * sizeof(*g));

					if (!p) {
						warnx_("report: %s", strerror(ENOMEM));
						goto out;
					}
					g = p;
					cap += 16;
				}
				memset(&g[ng], 0, sizeof(*g));
				g[ng].first = r;
				g[ng++].first_set = s;
			}
			group_add(&g[k], s, r);
		}
	}
	for (size_t k = 0; k < ng; k++)
		print_group(t, &g[k], d->nset, label);
out:
	free(g);
}

static void print_findings(const struct term *t, const struct report_data *d, char (*label)[16])
{
	size_t count[FIND_COUNT] = { 0 };

	for (size_t s = 0; s < d->nset; s++)
		for (size_t i = 0; i < d->sets[s].nrow; i++)
			for (int f = 0; f < FIND_COUNT; f++)
				count[f] += !!(row_findings(&d->sets[s].row[i]) & FIND_BIT(f));
	fputc('\n', t->f);
	bold(t, "Findings");
	for (int f = 0; f < FIND_COUNT; f++) {
		bold(t, "%s: %zu case%s", finding_titles[f], count[f], count[f] == 1 ? "" : "s");
		if (f == FIND_STUCK)
			print_stuck(t, d, label);
		else
			print_groups(t, d, f, label);
	}
}

/* ---- kernels compared ---- */

static void print_changes(const struct term *t, const struct report_data *d, size_t s,
			  char (*label)[16])
{
	const struct comparison *c = &d->cmp[s];
	bool *done = calloc(c->n + 1, sizeof(*done));

	bold(t, "%s -> %s: %zu regressions, %zu improvements, %zu neutral, "
		 "%zu unchanged; %zu only in %s, %zu only in %s", label[s], label[s + 1],
		 c->count[CHANGE_REGRESSION], c->count[CHANGE_IMPROVEMENT], c->count[CHANGE_NEUTRAL],
		 c->count[CHANGE_NONE], c->only_old, label[s], c->only_new, label[s + 1]);
	/* one line per class, path and change of outcome, across filesystems */
	for (size_t i = 0; done && i < c->n; i++) {
		const struct change *a = &c->c[i];
		const struct result_row *r = a->new ? a->new : a->old;
		const char *fs[16];
		size_t n = 0, nfs = 0;
		char out[256];

		/* neutral changes are counted above; mteprobe diff lists them */
		if (done[i] || a->cls == CHANGE_NEUTRAL)
			continue;
		for (size_t j = i; j < c->n; j++) {
			const struct change *b = &c->c[j];
			const struct result_row *q = b->new ? b->new : b->old;

			/* the same class, path, new result and reasons for the class */
			if (done[j] || !b->old != !a->old || !b->new != !a->new || b->cls != a->cls ||
			    b->worse != a->worse || (!a->worse && b->better != a->better) ||
			    !same_path(r, q) ||
			    (a->new && strcmp(a->new->v[COL_RESULT], b->new->v[COL_RESULT])))
				continue;
			done[j] = true;
			n++;
			fs_add(fs, &nfs, ARRAY_SIZE(fs), q->v[COL_FS]);
		}
		fprintf(t->f, "  %-11s %s %s %s %s on", !a->old ? "only new" : !a->new ? "only old" :
			change_class_names[a->cls], r->v[COL_SYSCALL], r->v[COL_IO], r->v[COL_MODE],
			r->v[COL_FAULT]);
		for (size_t f = 0; f < nfs; f++)
			fprintf(t->f, " %s", fs[f]);
		fprintf(t->f, " (%zu case%s)", n, n == 1 ? "" : "s");
		if (a->old && a->new) {
			row_outcome_text(a->old, out, sizeof(out));
			fprintf(t->f, ", e.g. len %s fault_at %s buf_off %s: %s ->", r->v[COL_LEN],
				r->v[COL_FAULT_AT], r->v[COL_BUF_OFF], out);
			row_outcome_text(a->new, out, sizeof(out));
			fprintf(t->f, " %s", out);
		}
		for (unsigned k = 0; k < CR_COUNT; k++)
			if ((a->worse | a->better) & CR_BIT(k))
				fprintf(t->f, "; %s", change_reason(k, a->worse & CR_BIT(k)));
		fputc('\n', t->f);
	}
	free(done);
}

static void print_report(const struct term *t, const struct report_data *d, char (*label)[16])
{
	for (size_t s = 0; s < d->nset; s++) {
		const struct result_set *rs = &d->sets[s];

		fprintf(t->f, "%s%s%s: %zu cases, kernel %s, %s, schema %d%s\n",
			d->nset > 1 ? label[s] : "", d->nset > 1 ? " = " : "", rs->path, rs->nrow,
			*rs->kernel ? rs->kernel : "?", *rs->arch ? rs->arch : "?", rs->schema,
			rs->torn ? " (a torn last row left out)" : "");
	}
	for (size_t g = 0; g < d->grids.n; g++)
		print_grid(t, &d->grids.g[g], label);
	print_legend(t);
	print_findings(t, d, label);
	if (d->nset > 1) {
		fputc('\n', t->f);
		bold(t, "Changes from kernel to kernel (mteprobe diff for every case)");
		for (size_t s = 0; s + 1 < d->nset; s++)
			print_changes(t, d, s, label);
	}
}

/* ---- files ---- */

/* Open an output file the user named: created, or truncated when it is a
 * regular file; never through a symbolic link. */
static FILE *open_output(const char *opt, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f;

	if (fd < 0) {
		warnx_("report: %s %s: %s%s", opt, path, strerror(errno),
		       errno == ELOOP ? ": it is a symbolic link; give the file's own path" :
		       "; give a file in a directory you can write");
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

static int close_output(FILE *f, const char *opt, const char *path)
{
	if (ferror(f) | fclose(f)) {
		warnx_("report: %s %s: write error: %s", opt, path, strerror(errno ? errno : EIO));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* A field of the expect file: quoted when it holds a comma, quote or line end. */
static void expect_field(FILE *f, const char *s, bool last)
{
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		fputc('"', f);
	for (; *s; s++)
		fprintf(f, *s == '"' ? "\"\"" : "%c", *s);
	if (quote)
		fputc('"', f);
	fputc(last ? '\n' : ',', f);
}

/* The expect file (the format agreed with run/matrix --expect): the key,
 * then what the case did. */
static void write_expect(FILE *f, const struct report_data *d)
{
	static const enum report_column outcome[] = { COL_RESULT, COL_BYPASS, COL_DATA_OK };
	enum report_column cols[CASE_KEY_MAX + ARRAY_SIZE(outcome)];
	const enum report_column *key;
	size_t n = case_key_columns(&key);

	/* the case key's columns (an older schema's row holds what its
	 * missing ones stand for: results.c), then the outcome */
	memcpy(cols, key, n * sizeof(*key));
	memcpy(cols + n, outcome, sizeof(outcome));
	n += ARRAY_SIZE(outcome);
	fputs("# known outcomes written by mteprobe report --expect-out, for run/matrix --expect\n", f);
	for (size_t c = 0; c < n; c++)
		expect_field(f, report_columns[cols[c]], c + 1 == n);
	for (size_t s = 0; s < d->nset; s++) {
		fprintf(f, "# %s: kernel %s, %zu cases\n", d->sets[s].path, d->sets[s].kernel,
			d->sets[s].nrow);
		for (size_t i = 0; i < d->sets[s].nrow; i++)
			for (size_t c = 0; c < n; c++)
				expect_field(f, d->sets[s].row[i].v[cols[c]], c + 1 == n);
	}
}

/* An expect file holds each case once: files of several kernels (or two
 * runs of one) would give it two outcomes. */
static int expect_once(const struct report_data *d)
{
	const struct result_row *a, *b;
	size_t sa, sb;
	char key[256];
	int got = sets_find_twice(d->sets, d->nset, &a, &sa, &b, &sb);

	if (got < 0) {
		warnx_("report: %s", strerror(-got));
		return EXIT_FAILED;
	}
	if (!got)
		return EXIT_OK;
	row_key_text(a, key, sizeof(key));
	return usage_error("report", "--expect-out: the case %s is in %s:%zu and %s:%zu: an expect "
			   "file holds each case once; give the CSV of one run", key,
			   d->sets[sa].path, a->line, d->sets[sb].path, b->line);
}

static int write_file(const char *opt, const char *path, const struct report_data *d,
		      void (*write)(FILE *, const struct report_data *))
{
	FILE *f = open_output(opt, path);

	if (!f)
		return EXIT_FAILED;
	write(f, d);
	return close_output(f, opt, path);
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	struct result_set sets[REPORT_FILES_MAX];
	struct comparison cmp[REPORT_FILES_MAX];
	struct report_data d = { .sets = sets, .cmp = cmp };
	char err[512], label[REPORT_FILES_MAX][16];
	struct term t;
	int status = report_parse(argc, argv, &o);

	memset(cmp, 0, sizeof(cmp));

	if (status != EXIT_OK || o.help) {
		if (o.help)
			help();
		return status;
	}
	for (; d.nset < o.nfiles; d.nset++) {
		if (results_load(&sets[d.nset], o.files[d.nset], err, sizeof(err))) {
			status = usage_error("report", "%s", err);
			goto out;
		}
	}
	results_unique_labels(sets, d.nset);
	short_labels(sets, d.nset, label);
	if (grids_build(sets, d.nset, &d.grids))
		goto nomem;
	for (size_t s = 0; s + 1 < d.nset; s++)
		if (compare_sets(&sets[s], &sets[s + 1], &cmp[s]))
			goto nomem;
	if (o.expect_out && (status = expect_once(&d)) != EXIT_OK)
		goto out;
	term_init(&t, o.width);
	print_report(&t, &d, label);
	if (o.html && (status = write_file("--html", o.html, &d, report_html)))
		goto out;
	if (o.expect_out)
		status = write_file("--expect-out", o.expect_out, &d, write_expect);
	goto out;
nomem:
	warnx_("report: %s", strerror(ENOMEM));
	status = EXIT_FAILED;
out:
	for (size_t s = 0; s + 1 < d.nset; s++)
		comparison_free(&cmp[s]);
	grids_free(&d.grids);
	for (size_t s = 0; s < d.nset; s++)
		results_free(&sets[s]);
	return status;
}
