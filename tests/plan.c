/* SPDX-License-Identifier: MIT */
/*
 * The case axes (lib/axis.h) and the matrix plan made from them (lib/plan.h):
 * the table's values and defaults, the default plan's cases per driver, the
 * full product with --at/--offsets, direct I/O's aligned offsets, the groups.
 * Plans only: no case runs.
 */
#include <string.h>

#include "axis.h"
#include "check.h"
#include "driver.h"
#include "fault_kind.h"
#include "layout.h"
#include "plan.h"
#include "report.h"
#include "util.h"

static const char *const fs_dirs[FS_COUNT] = {
	"/t/tmpfs", "/t/ext4", "/t/xfs", "/t/btrfs", "/t/f2fs", "/t/gfs2", "/t/other", NULL,
};

/* The matrix's lists when no option is given: every named filesystem. */
static void default_set(struct axis_set *set)
{
	for (int id = 0; id < AXIS_COUNT; id++)
		axis_default_list(&axes[id], &set->a[id]);
}

static void only(struct axis_set *set, int id, const char *list)
{
	struct axis_list *l = &set->a[id];
	char copy[256];

	*l = (struct axis_list){ .given = true };
	snprintf(copy, sizeof(copy), "%s", list);
	for (char *t = strtok(copy, ","); t; t = strtok(NULL, ","))
		CHECK(!axis_parse(&axes[id], t, &l->v[l->n++]), "%s: %s", axes[id].name, t);
}

static void build(struct plan *p, const struct axis_set *set)
{
	struct case_spec base = { .no_watchdog = true };

	CHECK(plan_build(p, set, &base, fs_dirs) == 0, "plan_build");
	for (size_t i = 0; i < p->n; i++) {
		CHECK(p->c[i].seq == i, "seq %zu", i);
		CHECK(p->c[i].no_watchdog, "base kept");
		CHECK(p->c[i].dir == fs_dirs[p->c[i].fs], "dir of %s", fs_name(p->c[i].fs));
	}
}

static size_t count(const struct plan *p, bool (*match)(const struct case_spec *, const void *),
		    const void *arg)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += match(&p->c[i], arg);
	return n;
}

static bool of_driver(const struct case_spec *s, const void *d)
{
	return s->drv == d;
}

static void table(void)
{
	static const char *const key[] = {
		"fs", "syscall", "io", "mode", "fault", "len", "fault_at", "buf_off", "backing",
	};
	const enum report_column *col;
	size_t n = case_key_columns(&col), v;
	struct axis_list l;
	bool place[AXIS_COUNT + 1] = { 0 };

	/* the case key: the axes' columns in CSV order, as schema 3 has them */
	CHECK(n == ARRAY_SIZE(key), "%zu key columns", n);
	for (size_t k = 0; k < n; k++)
		CHECK(!strcmp(report_columns[col[k]], key[k]), "key %zu: %s", k, report_columns[col[k]]);

	for (int id = 0; id < AXIS_COUNT; id++) {
		const struct axis *a = &axes[id];
		struct case_spec s = { .drv = drivers[0] };

		/* a value of each axis reads back from the case and by its name */
		axis_default_list(a, &l);
		CHECK(l.n > 0 || a->fallback, "%s: no default", a->name);
		for (size_t i = 0; i < l.n; i++) {
			axis_set(a, &s, l.v[i]);
			CHECK(axis_get(a, &s) == l.v[i], "%s: %zu round trip", a->name, l.v[i]);
		}
		for (size_t i = 0; axis_enumerated(a) && i < axis_value_count(a); i++) {
			CHECK(!axis_parse(a, a->value_name(i), &v) && v == i, "%s: %s", a->name,
			      a->value_name(i));
			CHECK(axis_rank(a, a->value_name(axis_listed(a, i))) == (int)i, "%s rank",
			      a->name);
		}
		CHECK(axis_parse(a, "", &v) == -1, "%s: empty value taken", a->name);
		CHECK(!place[a->ktap] || !a->ktap, "%s: KTAP place %d twice", a->name, a->ktap);
		place[a->ktap] = true;
		CHECK(!a->ktap || axis_has_column(a), "%s: in KTAP names without a column", a->name);
		CHECK(a->run_opt || a->matrix_opt, "%s: no option", a->name);
	}
	/* the values come from their tables, listed with none last */
	CHECK(axis_rank(&axes[AXIS_MODE], "sync") == 0 && axis_rank(&axes[AXIS_MODE], "none") == 3,
	      "modes listed sync first, none last");
	CHECK(axis_rank(&axes[AXIS_FAULT], "mte") == 0 && axis_rank(&axes[AXIS_FAULT], "retag") == 1 &&
	      axis_rank(&axes[AXIS_FAULT], "page") == 2 && axis_rank(&axes[AXIS_FAULT], "none") == 3,
	      "faults listed mte, retag, page, none");
	CHECK(axis_rank(&axes[AXIS_FAULT], "bogus") == 5, "unknown names last");
	axis_default_list(&axes[AXIS_FAULT], &l);
	CHECK(l.n == 3 && l.v[0] == FAULT_MTE && l.v[1] == FAULT_PAGE && l.v[2] == FAULT_NONE,
	      "default faults mte,page,none");
	CHECK(axis_value_count(&axes[AXIS_SYSCALL]) == driver_count, "every driver");
	CHECK(axis_parse(&axes[AXIS_FS], "none", &v) == -1, "fs none chosen");
	CHECK(axis_parse(&axes[AXIS_FS], "gfs2", &v) == 0 && v == FS_GFS2, "gfs2");
	/* numbers: their range, names and suffixes */
	CHECK(axis_parse(&axes[AXIS_LEN], "0", &v) == -1, "len 0");
	CHECK(axis_parse(&axes[AXIS_LEN], "1k", &v) == 0 && v == 1024, "len 1k");
	CHECK(axis_parse(&axes[AXIS_LEN], "1024k", &v) == 0 && v == LEN_MAX, "len max");
	CHECK(axis_parse(&axes[AXIS_LEN], "1025k", &v) == -1, "len above max");
	CHECK(axis_parse(&axes[AXIS_FAULT_AT], "next", &v) == 0 && v == page_size(), "next");
	CHECK(axis_parse(&axes[AXIS_BUF_OFF], "010", &v) == 0 && v == 10, "decimal");
	CHECK(axis_parse(&axes[AXIS_BUF_OFF], "0x1000", &v) == -1 || page_size() > 4096,
	      "offset of a page");
	CHECK(axis_parse(&axes[AXIS_TIMEOUT], "3601", &v) == -1, "timeout above an hour");
}

/* The default plan, driver by driver: per filesystem and I/O path it runs
 * on, sync mte faults at 4 positions and the offsets its I/O path takes (0
 * and 7; direct: 0), the 3 other modes once (mid, 0), page faults at the
 * 2 pages the positions fall in (mode none, offset 0) and 4 controls; the
 * rw calls again with the self backing. */
static void default_plan(void)
{
	struct axis_set set = { 0 };
	struct plan p;
	size_t total = 0;

	default_set(&set);
	build(&p, &set);
	for (size_t d = 0; d < driver_count; d++) {
		const struct driver *drv = drivers[d];
		size_t want = 0, got = count(&p, of_driver, drv);

		for (int f = 0; f < FS_COUNT; f++) {
			bool fs_ok = drv->fs_mask == FS_BIT(FS_NONE) ? f == FS_NONE
				: f < FS_NAMED_COUNT && (drv->fs_mask & FS_BIT(f));

			for (int io = 0; io < IO_PATH_COUNT && fs_ok; io++) {
				size_t cases = 4 * (io == IO_DIRECT ? 1 : 2) + 3 + 2 + 4;

				if (!(drv->io_mask & IO_BIT(io)))
					continue;
				want += cases;
				/* read, write, pread and pwrite with their file's own
				 * mmap: its page faults and a control without tags,
				 * every case on tmpfs (shmem takes PROT_MTE) */
				if (!strcmp(drv->family, "rw"))
					want += f == FS_TMPFS ? cases : 2 + 1;
			}
		}
		CHECK(got == want, "%s: %zu cases, want %zu", drv->name, got, want);
		total += got;
	}
	CHECK(total == p.n, "every case has a driver");
	/* the count the default matrix has had since it was last changed */
	if (page_size() == 4096)
		CHECK(p.n == 3015, "default matrix: %zu cases", p.n);
	plan_free(&p);
}

/* With --at and --offsets: every mode, position and offset of each
 * tagged fault (direct I/O: the aligned offsets), one control per mode,
 * and page faults at each distinct page at every offset. */
static void full_product(void)
{
	static const size_t at[] = { 0, 100, 4096 }, off[] = { 0, 512, 3 };
	struct axis_set set = { 0 };
	struct plan p;

	default_set(&set);
	only(&set, AXIS_SYSCALL, "read");
	only(&set, AXIS_FS, "ext4");
	only(&set, AXIS_FAULT, "mte,retag,page,none");
	only(&set, AXIS_FAULT_AT, "0,100,4096");
	only(&set, AXIS_BUF_OFF, "0,512,3");
	only(&set, AXIS_BACKING, "private");
	build(&p, &set);
	for (int io = 0; io < IO_PATH_COUNT; io++)
		for (int fk = 0; fk < FAULT_KIND_COUNT; fk++)
			for (int m = 0; m < MTE_MODE_COUNT; m++)
				for (size_t a = 0; a < ARRAY_SIZE(at); a++)
					for (size_t b = 0; b < ARRAY_SIZE(off); b++) {
						size_t n = 0;
						bool want;

						for (size_t i = 0; i < p.n; i++) {
							const struct case_spec *s = &p.c[i];

							n += s->io == (enum io_path)io && s->fault == (enum fault_kind)fk &&
							     s->mode == (enum mte_mode)m && s->fault_at == at[a] &&
							     s->buf_off == off[b];
						}
						want = !(io == IO_DIRECT && off[b] % DIO_ALIGN);
						if (fk == FAULT_NONE)
							want &= a == 0 && b == 0;
						if (fk == FAULT_PAGE)	/* 0 and 100: the same page */
							want &= m == MTE_MODE_NONE && a != 1;
						CHECK(n == want, "io %d fault %s mode %d at %zu off %zu: %zu cases",
						      io, fault_kind_name(fk), m, at[a], off[b], n);
					}
	plan_free(&p);

	/* --faults alone keeps the default layouts: async at mid, offset 0 only */
	default_set(&set);
	only(&set, AXIS_SYSCALL, "read");
	only(&set, AXIS_FS, "tmpfs");
	only(&set, AXIS_FAULT, "retag");
	only(&set, AXIS_MODE, "async");
	only(&set, AXIS_IO, "buffered");
	only(&set, AXIS_BACKING, "private");
	build(&p, &set);
	CHECK(p.n == 1 && p.c[0].fault_at == page_size() / 2 && p.c[0].buf_off == 0,
	      "async retag: %zu cases", p.n);
	plan_free(&p);
}

static void direct_io(void)
{
	struct axis_set set = { 0 };
	struct plan p;

	default_set(&set);
	build(&p, &set);
	for (size_t i = 0; i < p.n; i++)
		CHECK(p.c[i].io != IO_DIRECT || p.c[i].buf_off % DIO_ALIGN == 0,
		      "%s direct at offset %zu", p.c[i].drv->name, p.c[i].buf_off);
	plan_free(&p);

	/* unaligned offsets only: buffered cases, no direct ones */
	only(&set, AXIS_SYSCALL, "pread");
	only(&set, AXIS_BUF_OFF, "7,9");
	build(&p, &set);
	CHECK(p.n > 0, "buffered cases");
	for (size_t i = 0; i < p.n; i++)
		CHECK(p.c[i].io == IO_BUFFERED, "a direct case at offset %zu", p.c[i].buf_off);
	plan_free(&p);

	/* calls without files: fs none, no directory, only their I/O paths */
	default_set(&set);
	only(&set, AXIS_SYSCALL, "pipe-read");
	build(&p, &set);
	CHECK(p.n == 17, "pipe-read: %zu cases", p.n);
	for (size_t i = 0; i < p.n; i++)
		CHECK(p.c[i].fs == FS_NONE && !p.c[i].dir && p.c[i].io == IO_BUFFERED, "pipe-read");
	plan_free(&p);
}

/* Cases differing only in where the fault sits form a group, and a group's
 * cases follow each other in the plan (a case that does not return skips
 * the rest of its group). */
static void groups(void)
{
	struct axis_set set = { 0 };
	static size_t first[4096];	/* each group's first case */
	struct case_spec a, b;
	struct plan p;
	size_t groups = 0;

	default_set(&set);
	build(&p, &set);
	for (size_t i = 0; i < p.n; i++) {
		if (i && plan_same_group(&p.c[i - 1], &p.c[i]))
			continue;
		for (size_t g = 0; g < groups; g++)
			CHECK(!plan_same_group(&p.c[first[g]], &p.c[i]),
			      "case %zu's group came before, at %zu", i, first[g]);
		CHECK(groups < ARRAY_SIZE(first), "groups");
		first[groups++] = i;
	}
	CHECK(groups > 1 && groups < p.n, "%zu groups of %zu cases", groups, p.n);
	a = p.c[0];
	b = a;
	b.fault_at += 16;
	b.buf_off += 7;
	CHECK(plan_same_group(&a, &b), "layout only");
	b = a;
	b.mode = a.mode == MTE_MODE_SYNC ? MTE_MODE_ASYNC : MTE_MODE_SYNC;
	CHECK(!plan_same_group(&a, &b), "another mode");
	b = a;
	b.io = a.io == IO_DIRECT ? IO_BUFFERED : IO_DIRECT;
	CHECK(!plan_same_group(&a, &b), "another I/O path");
	plan_free(&p);
}

static bool backed_by(const struct case_spec *s, const void *b)
{
	return s->backing == *(const enum backing *)b;
}

/* --backings given: every backing where it can be: file backings only with
 * a directory, self only for calls whose file is DRV_FILE. */
static void backings(void)
{
	static const enum backing self = BACKING_SELF, other = BACKING_OTHER,
				  shared = BACKING_SHARED;
	struct axis_set set = { 0 };
	struct plan p;
	size_t n_self = 0, n_other = 0;

	default_set(&set);
	only(&set, AXIS_SYSCALL, "read,uring-read,getdents64,pipe-read");
	only(&set, AXIS_FS, "ext4");
	only(&set, AXIS_FAULT, "page");
	only(&set, AXIS_BACKING, "shared,self,other");
	build(&p, &set);
	for (size_t i = 0; i < p.n; i++) {
		const struct case_spec *s = &p.c[i];

		CHECK(s->backing != BACKING_PRIVATE, "a backing not asked for");
		if (s->backing == BACKING_SELF) {
			n_self++;
			CHECK(s->drv->verify == drv_file_verify, "self for %s", s->drv->name);
		}
		if (s->backing == BACKING_OTHER) {
			n_other++;
			CHECK(s->fs != FS_NONE, "other for %s without a directory", s->drv->name);
		}
	}
	/* read and uring-read: buffered and direct, 2 pages each; getdents64: 2 */
	CHECK(n_self == 2 * 2 * 2, "%zu self cases", n_self);
	CHECK(n_other == 2 * 2 * 2 + 2, "%zu other cases", n_other);
	CHECK(count(&p, backed_by, &shared) == n_other + 2, "shared for all, pipe-read too");
	CHECK(count(&p, backed_by, &self) == n_self && count(&p, backed_by, &other) == n_other,
	      "counted");
	plan_free(&p);
}

int main(void)
{
	table();
	default_plan();
	full_product();
	direct_io();
	groups();
	backings();
	return 0;
}
