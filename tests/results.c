/* SPDX-License-Identifier: MIT */
/*
 * Reading CSVs back and what reports make of them: schema 1 and 2 files
 * (tests/report/old-schema1.csv, new-schema2.csv: quoted notes with commas
 * and quotes), a later schema with an appended column, torn and malformed
 * files; each case's class and findings; the grid's cells; the diff's
 * matching and classes.
 * Usage: test_results DIR   (DIR holds the fixtures)
 */
#include <string.h>

#include "check.h"
#include "compare.h"
#include "grid.h"
#include "report.h"
#include "util.h"

/* A set keeps its path: one buffer for each of the two files. */
static struct result_set load(const char *dir, const char *name, char *path, size_t size)
{
	struct result_set s;
	char err[512];

	snprintf(path, size, "%s/%s", dir, name);
	CHECK(results_load(&s, path, err, sizeof(err)) == 0, "%s", err);
	return s;
}

static const struct result_row *find(const struct result_set *s, const char *fs,
				     const char *syscall, const char *io, const char *mode,
				     const char *at, const char *off)
{
	for (size_t i = 0; i < s->nrow; i++) {
		const struct result_row *r = &s->row[i];

		if (!strcmp(r->v[COL_FS], fs) && !strcmp(r->v[COL_SYSCALL], syscall) &&
		    !strcmp(r->v[COL_IO], io) && !strcmp(r->v[COL_MODE], mode) &&
		    !strcmp(r->v[COL_FAULT_AT], at) && !strcmp(r->v[COL_BUF_OFF], off))
			return r;
	}
	CHECK(0, "no row %s %s %s %s %s %s", fs, syscall, io, mode, at, off);
	return NULL;
}

static void test_read(const struct result_set *o, const struct result_set *n)
{
	const struct result_row *r;

	CHECK(o->nrow == 14 && o->schema == 1, "%zu rows, schema %d", o->nrow, o->schema);
	CHECK(!o->has[COL_RECOVERED] && !o->has[COL_FAULT_INS] && o->has[COL_NOTE], "schema 1 columns");
	CHECK(!strcmp(o->label, "5.10.0-32-arm64"), "%s", o->label);
	r = find(o, "ext4", "read", "buffered", "sync", "4096", "0");
	CHECK(!strcmp(r->v[COL_NOTE], "first run, note with \"quotes\", and commas"), "%s",
	      r->v[COL_NOTE]);
	CHECK(!strcmp(r->v[COL_FAULT_INS], ""), "absent column reads empty");
	CHECK(n->nrow == 14 && n->schema == 2 && n->has[COL_FAULT_INS], "%zu rows", n->nrow);
	r = find(n, "gfs2", "read", "buffered", "sync", "2048", "0");
	CHECK(!strcmp(r->v[COL_RECOVERED], "1") && !strcmp(r->v[COL_FAULT_INS], "22040"), "stuck");
	CHECK(strstr(r->v[COL_NOTE], "(on a CPU, 100% in the kernel,"), "%s", r->v[COL_NOTE]);
}

static void test_schemas(void)
{
	/* a later schema: a column appended, columns by name; a torn last row */
	static const char later[] =
		"schema,kernel,arch,fs,syscall,io,mode,fault,len,fault_at,buf_off,result,ret,errno,"
		"expect,delta,overshoot,data_ok,bypass,elapsed_us,note,recovered,fault_ins,state,"
		"backing,pkey\r\n"
		"4,6.12,aarch64,ext4,read,buffered,sync,mte,8192,2048,0,short,2048,,2048,0,0,1,0,9,"
		"\"a, b\",,1,fresh,self,3\r\n"
		"4,6.12,aarch64,ext4,read,buffered,sync,mte,8192,2048,7,sho";
	/* schema 2 with the state column, and schema 3: the same case; the
	 * file without backing holds private buffers' cases */
	static const char states[] =
		"schema,fs,syscall,io,mode,fault,len,fault_at,buf_off,result,state\n"
		"2,tmpfs,read,buffered,sync,mte,8192,2048,0,efault,uncached\n"
		"2,tmpfs,read,buffered,sync,mte,8192,2048,0,efault,fresh\n";
	static const char backings[] =
		"schema,fs,syscall,io,mode,fault,len,fault_at,buf_off,result,state,backing\n"
		"3,tmpfs,read,buffered,sync,mte,8192,2048,0,short,uncached,private\n"
		"3,tmpfs,read,buffered,sync,mte,8192,2048,0,short,uncached,self\n";
	struct result_set two[2];
	struct comparison cmp;
	char key[256];
	/* columns in another order: read by name; the header again (two runs'
	 * output concatenated) is no row */
	static const char shuffled[] =
		"result,fs,syscall,io,mode,fault,len,fault_at,buf_off,kernel\n"
		"efault,xfs,write,direct,sync,mte,8192,0,0,k\n\n"
		"result,fs,syscall,io,mode,fault,len,fault_at,buf_off,kernel\n"
		"short,xfs,write,direct,sync,mte,8192,4096,0,k\n";
	static const char *const bad[][2] = {
		{ "", "is empty" },
		{ "schema,fs,syscall,io,mode,fault,len,fault_at,buf_off\n", "no column 'result'" },
		{ "fs,syscall,io,mode,fault,len,fault_at,buf_off,result\na,b,c\nd,e,f,g\n",
		  "t.csv:2: 3 fields where the header has 9" },
		{ "fs,syscall,io,mode,fault,len,fault_at,buf_off,result\nx\"y,b,c,d,e,f,g,h,i\n",
		  "t.csv:2: not CSV" },
	};
	struct result_set s;
	char err[512];

	CHECK(results_parse(&s, "l.csv", later, strlen(later), err, sizeof(err)) == 0, "%s", err);
	CHECK(s.nrow == 1 && s.torn == 1 && s.schema == 4, "%zu rows, torn %zu", s.nrow, s.torn);
	CHECK(!strcmp(s.row[0].v[COL_NOTE], "a, b") && !strcmp(s.row[0].v[COL_FAULT_INS], "1") &&
	      !strcmp(s.row[0].v[COL_BACKING], "self"), "%s", s.row[0].v[COL_NOTE]);
	CHECK(row_classify(&s.row[0]) == RCLASS_EXACT, "exact short");
	results_free(&s);
	CHECK(results_parse(&s, "s.csv", shuffled, strlen(shuffled), err, sizeof(err)) == 0, "%s",
	      err);
	CHECK(s.nrow == 2 && !strcmp(s.row[0].v[COL_FS], "xfs") &&
	      !strcmp(s.row[0].v[COL_RESULT], "efault") && s.schema == 0, "by name");
	CHECK(!strcmp(s.label, "k"), "%s", s.label);
	results_free(&s);
	CHECK(results_parse(&two[0], "2.csv", states, strlen(states), err, sizeof(err)) == 0 &&
	      results_parse(&two[1], "3.csv", backings, strlen(backings), err, sizeof(err)) == 0,
	      "%s", err);
	CHECK(!strcmp(two[0].row[0].v[COL_BACKING], "private"), "no backing column: private");
	CHECK(compare_sets(&two[0], &two[1], &cmp) == 0, "compare");
	CHECK(cmp.matched == 1 && cmp.only_old == 1 && cmp.only_new == 1 && cmp.c[0].old &&
	      !strcmp(cmp.c[0].old->v[COL_STATE], "uncached") &&
	      !strcmp(cmp.c[0].new->v[COL_BACKING], "private"),
	      "schema 2 against 3: matched %zu, only %zu %zu", cmp.matched, cmp.only_old,
	      cmp.only_new);
	/* key texts leave out fresh and private, not the rest */
	row_key_text(cmp.c[1].new, key, sizeof(key));
	CHECK(!strcmp(key, "tmpfs read buffered sync mte len 8192 fault_at 2048 buf_off 0 uncached "
		      "self"), "%s", key);
	row_key_text(&two[0].row[1], key, sizeof(key));
	CHECK(!strcmp(key, "tmpfs read buffered sync mte len 8192 fault_at 2048 buf_off 0"), "%s",
	      key);
	comparison_free(&cmp);
	results_free(&two[0]);
	results_free(&two[1]);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		CHECK(results_parse(&s, "t.csv", bad[i][0], strlen(bad[i][0]), err, sizeof(err)) == -1,
		      "%s accepted", bad[i][0]);
		CHECK(strstr(err, bad[i][1]), "%s: got '%s'", bad[i][1], err);
	}
}

static void test_classes(const struct result_set *o, const struct result_set *n)
{
	static const struct {
		const char *fs, *syscall, *io, *mode, *at, *off;
		enum row_class cls;
		unsigned find;
	} want_new[] = {
		{ "gfs2", "read", "buffered", "sync", "2048", "0", RCLASS_LIVELOCK, FIND_BIT(FIND_STUCK) },
		{ "ext4", "read", "buffered", "sync", "2041", "7", RCLASS_EXACT, 0 },
		{ "ext4", "write", "direct", "sync", "4096", "0", RCLASS_EFAULT, 0 },
		{ "ext4", "uring-read-fixed", "buffered", "sync", "2048", "0", RCLASS_BYPASS,
		  FIND_BIT(FIND_BYPASS) },
		{ "ext4", "read", "direct", "none", "4096", "0", RCLASS_OVERSHOOT, FIND_BIT(FIND_OVERSHOOT) },
		{ "none", "pipe-read", "buffered", "sync", "2048", "0", RCLASS_SIGNAL, FIND_BIT(FIND_SIGNAL) },
		{ "ext4", "read", "buffered", "none", "", "0", RCLASS_FULL, 0 },
		{ "ext4", "pwrite", "buffered", "sync", "4096", "0", RCLASS_ERRNO, 0 },
	}, want_old[] = {
		{ "ext4", "read", "buffered", "sync", "2041", "7", RCLASS_OVERSHOOT,
		  FIND_BIT(FIND_OVERSHOOT) | FIND_BIT(FIND_INEXACT) },
		{ "ext4", "write", "direct", "sync", "0", "0", RCLASS_DATA_WRONG,
		  FIND_BIT(FIND_DATA_WRONG) | FIND_BIT(FIND_BYPASS) },
		{ "ext4", "read", "buffered", "asymm", "2048", "0", RCLASS_SKIP, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(want_new) + ARRAY_SIZE(want_old); i++) {
		bool is_new = i < ARRAY_SIZE(want_new);
		__typeof__(want_new[0]) w = is_new ? want_new[i] : want_old[i - ARRAY_SIZE(want_new)];
		const struct result_row *r = find(is_new ? n : o, w.fs, w.syscall, w.io, w.mode, w.at,
						  w.off);

		CHECK(row_classify(r) == w.cls, "%s %s %s: class %s, want %s", w.fs, w.syscall, w.at,
		      row_classes[row_classify(r)].name, row_classes[w.cls].name);
		CHECK(row_findings(r) == w.find, "%s %s %s: findings %#x, want %#x", w.fs, w.syscall,
		      w.at, row_findings(r), w.find);
	}
}

static void test_grid(const struct result_set *sets)
{
	struct grids gs;
	const struct grid *g = NULL;
	const struct grid_cell *c;
	char text[64];

	CHECK(grids_build(sets, 2, &gs) == 0, "grids");
	/* faults first (mte before page, the control last), checking modes before none */
	CHECK(gs.n == 4, "%zu grids", gs.n);
	CHECK(!strcmp(gs.g[0].mode, "sync") && !strcmp(gs.g[0].fault, "mte") &&
	      !strcmp(gs.g[1].mode, "asymm") && !strcmp(gs.g[2].fault, "page") &&
	      !strcmp(gs.g[3].fault, "none"), "order: %s/%s %s/%s", gs.g[0].mode, gs.g[0].fault,
	      gs.g[1].mode, gs.g[1].fault);
	g = &gs.g[0];
	/* lines in the files' order of calls, buffered before direct; filesystems in table order */
	CHECK(g->nline == 6 && !strcmp(g->line[0].syscall, "read") && !strcmp(g->line[1].syscall, "write") &&
	      !strcmp(g->line[1].io, "buffered") && !strcmp(g->line[2].io, "direct") &&
	      !strcmp(g->line[3].syscall, "uring-read-fixed") && !strcmp(g->line[5].syscall, "pwrite"),
	      "%zu lines", g->nline);
	CHECK(g->nfs == 4 && !strcmp(g->fs[0], "ext4") && !strcmp(g->fs[1], "xfs") &&
	      !strcmp(g->fs[2], "gfs2") && !strcmp(g->fs[3], "none"), "%zu fs", g->nfs);
	/* read buffered on ext4: the old run's overshoot and three exact shorts */
	c = grid_cell(g, 0, 0, 0);
	CHECK(c->n == 4 && c->worst == RCLASS_OVERSHOOT, "%zu cases", c->n);
	cell_summary(c, CELL_COUNTS, text, sizeof(text));
	CHECK(!strcmp(text, "1O 3s"), "%s", text);
	cell_summary(c, CELL_WORST_COUNT, text, sizeof(text));
	CHECK(!strcmp(text, "1O+"), "%s", text);
	cell_summary(c, CELL_WORST, text, sizeof(text));
	CHECK(!strcmp(text, "O+"), "%s", text);
	c = grid_cell(g, 0, 0, 1);
	cell_summary(c, CELL_COUNTS, text, sizeof(text));
	CHECK(!strcmp(text, "3s"), "%s", text);
	c = grid_cell(g, 0, 2, 1);
	cell_summary(c, CELL_COUNTS, text, sizeof(text));
	CHECK(!strcmp(text, "L") && c->rows[0]->line == 3, "one case, its letter: %s", text);
	/* xfs ran only in the new file */
	CHECK(grid_cell(g, 0, 1, 0)->n == 0 && grid_cell(g, 0, 1, 1)->n == 1, "xfs");
	CHECK(cell_summary(grid_cell(g, 1, 1, 1), CELL_COUNTS, text, sizeof(text)) == 0 && !text[0],
	      "an empty cell");
	grids_free(&gs);
}

static void test_diff(const struct result_set *o, const struct result_set *n)
{
	static const struct {
		const char *fs, *syscall, *io, *mode, *at, *off;
		enum change_class cls;
		unsigned worse, better;
	} want[] = {
		{ "ext4", "read", "buffered", "sync", "2048", "0", CHANGE_NONE, 0, 0 },
		{ "gfs2", "read", "buffered", "sync", "2048", "0", CHANGE_REGRESSION, CR_BIT(FIND_STUCK), 0 },
		{ "ext4", "read", "buffered", "sync", "2041", "7", CHANGE_IMPROVEMENT, 0,
		  CR_BIT(FIND_OVERSHOOT) | CR_BIT(FIND_INEXACT) },
		{ "ext4", "write", "buffered", "sync", "4096", "0", CHANGE_IMPROVEMENT, 0, CR_BIT(CR_EFAULT) },
		{ "ext4", "write", "direct", "sync", "4096", "0", CHANGE_REGRESSION, CR_BIT(CR_EFAULT), 0 },
		{ "ext4", "uring-read-fixed", "buffered", "sync", "2048", "0", CHANGE_REGRESSION,
		  CR_BIT(FIND_BYPASS), 0 },
		{ "ext4", "read", "buffered", "asymm", "2048", "0", CHANGE_NEUTRAL, 0, 0 },
		{ "ext4", "read", "direct", "none", "4096", "0", CHANGE_REGRESSION,
		  CR_BIT(FIND_OVERSHOOT) | CR_BIT(CR_EFAULT), 0 },
		{ "ext4", "write", "direct", "sync", "0", "0", CHANGE_IMPROVEMENT, 0, CR_BIT(FIND_DATA_WRONG) },
		{ "none", "pipe-read", "buffered", "sync", "2048", "0", CHANGE_REGRESSION,
		  CR_BIT(FIND_SIGNAL), CR_BIT(FIND_OVERSHOOT) },
		{ "ext4", "read", "buffered", "none", "", "0", CHANGE_NONE, 0, 0 },
		{ "ext4", "read", "buffered", "sync", "4096", "0", CHANGE_NONE, 0, 0 },
		{ "ext4", "pwrite", "buffered", "sync", "4096", "0", CHANGE_NEUTRAL, 0, 0 },
	};
	struct comparison cmp;
	char key[256];

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		unsigned worse, better;
		enum change_class cls = change_classify(
			find(o, want[i].fs, want[i].syscall, want[i].io, want[i].mode, want[i].at, want[i].off),
			find(n, want[i].fs, want[i].syscall, want[i].io, want[i].mode, want[i].at, want[i].off),
			&worse, &better);

		CHECK(cls == want[i].cls && worse == want[i].worse && better == want[i].better,
		      "%s %s %s %s: %s worse %#x better %#x", want[i].fs, want[i].syscall, want[i].mode,
		      want[i].at, change_class_names[cls], worse, better);
	}
	CHECK(compare_sets(o, n, &cmp) == 0, "compare");
	CHECK(cmp.matched == 13 && cmp.count[CHANGE_REGRESSION] == 5 &&
	      cmp.count[CHANGE_IMPROVEMENT] == 3 && cmp.count[CHANGE_NEUTRAL] == 2 &&
	      cmp.count[CHANGE_NONE] == 3 && cmp.only_old == 1 && cmp.only_new == 1,
	      "matched %zu: %zu %zu %zu %zu, only %zu %zu", cmp.matched, cmp.count[CHANGE_REGRESSION],
	      cmp.count[CHANGE_IMPROVEMENT], cmp.count[CHANGE_NEUTRAL], cmp.count[CHANGE_NONE],
	      cmp.only_old, cmp.only_new);
	/* listed: the new file's order, then what only the old one has */
	CHECK(cmp.n == 12 && !strcmp(cmp.c[9].new->v[COL_FS], "xfs") && !cmp.c[9].old &&
	      !cmp.c[11].new && !strcmp(cmp.c[11].old->v[COL_BUF_OFF], "7"), "%zu listed", cmp.n);
	row_key_text(cmp.c[11].old, key, sizeof(key));
	CHECK(!strcmp(key, "ext4 read buffered sync mte len 8192 fault_at 2048 buf_off 7"), "%s", key);
	/* files older than the state column: their cases are fresh files' (and
	 * say nothing of it, as before) */
	CHECK(!strcmp(cmp.c[11].old->v[COL_STATE], "fresh") &&
	      !strcmp(cmp.c[0].new->v[COL_STATE], "fresh"), "state %s", cmp.c[11].old->v[COL_STATE]);
	CHECK(!strcmp(cmp.c[11].old->v[COL_BACKING], "private") &&
	      !strcmp(cmp.c[0].new->v[COL_BACKING], "private"), "backing %s",
	      cmp.c[11].old->v[COL_BACKING]);
	comparison_free(&cmp);
	/* each case once: in one file yes, in both (or one file twice) no */
	{
		const struct result_row *a, *b;
		size_t sa, sb;
		struct result_set twice[2] = { *n, *n };

		CHECK(sets_find_twice(n, 1, &a, &sa, &b, &sb) == 0, "one file");
		CHECK(sets_find_twice(o, 1, &a, &sa, &b, &sb) == 0, "one file");
		CHECK(sets_find_twice(twice, 2, &a, &sa, &b, &sb) == 1 && sa != sb &&
		      !strcmp(a->v[COL_FS], b->v[COL_FS]) && a->line == b->line, "the same file twice");
		CHECK(sets_find_twice((struct result_set[]){ *o, *n }, 2, &a, &sa, &b, &sb) == 1 &&
		      sa == 0 && sb == 1, "old and new");
	}
	/* a file against itself: nothing changed */
	CHECK(compare_sets(n, n, &cmp) == 0 && cmp.n == 0 && cmp.count[CHANGE_NONE] == n->nrow, "self");
	comparison_free(&cmp);
}

int main(int argc, char **argv)
{
	static char paths[2][4096];
	struct result_set sets[2];

	CHECK(argc == 2, "usage: test_results DIR");
	sets[0] = load(argv[1], "old-schema1.csv", paths[0], sizeof(paths[0]));
	sets[1] = load(argv[1], "new-schema2.csv", paths[1], sizeof(paths[1]));
	test_read(&sets[0], &sets[1]);
	test_schemas();
	test_classes(&sets[0], &sets[1]);
	test_grid(sets);
	test_diff(&sets[0], &sets[1]);
	results_free(&sets[0]);
	results_free(&sets[1]);
	return 0;
}
