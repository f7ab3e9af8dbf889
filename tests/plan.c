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

/* The plan of a matrix described as "axis=list" words, each axis by its
 * name in the table ("fs=ext4 fault=mte,page"); the axes not named take
 * the matrix's default lists, as with no option ("": the default matrix,
 * every named filesystem). */
static void plan_for(struct plan *p, const char *desc)
{
	struct axis_set set;
	char copy[512], *save, *word;

	for (int id = 0; id < AXIS_COUNT; id++)
		axis_default_list(&axes[id], &set.a[id]);
	CHECK(strlen(desc) < sizeof(copy), "description too long: %s", desc);
	snprintf(copy, sizeof(copy), "%s", desc);
	for (word = strtok_r(copy, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
		char *list = strchr(word, '=');
		int id;

		CHECK(list, "%s: not axis=list", word);
		*list++ = '\0';
		id = axis_find(word);
		CHECK(id >= 0, "%s: no such axis", word);
		only(&set, id, list);
	}
	build(p, &set);
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
		"fs", "syscall", "io", "mode", "fault", "len", "fault_at", "buf_off", "state",
		"backing",
	};
	const enum report_column *col;
	size_t n = case_key_columns(&col), v;
	struct axis_list l;
	bool place[AXIS_COUNT + 1] = { 0 };

	/* the case key: the axes' columns in CSV order, as schema 3 has them:
	 * state appended in schema 2 (a CSV without it holds fresh files'
	 * rows), backing in schema 3 (without it: private buffers) */
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
	/* lengths by name; positions relative to the buffer's length */
	CHECK(axis_parse(&axes[AXIS_LEN], "granule", &v) == 0 && v == 16, "len granule");
	CHECK(axis_parse(&axes[AXIS_LEN], "page", &v) == 0 && v == page_size(), "len page");
	CHECK(axis_parse(&axes[AXIS_LEN], "4p", &v) == 0 && v == 4 * page_size(), "len 4p");
	CHECK(axis_parse(&axes[AXIS_LEN], "1M", &v) == 0 && v == LEN_MAX, "len 1M");
	CHECK(axis_parse(&axes[AXIS_LEN], "2M", &v) == -1, "len 2M");
	CHECK(axis_parse(&axes[AXIS_LEN], "0p", &v) == -1, "len 0p");
	CHECK(axis_parse(&axes[AXIS_LEN], "p", &v) == -1, "len p");
	CHECK(axis_parse(&axes[AXIS_LEN], "1kp", &v) == -1, "len 1kp");
	CHECK(axis_parse(&axes[AXIS_FAULT_AT], "half", &v) == 0 && v == POS_HALF, "half");
	CHECK(axis_parse(&axes[AXIS_FAULT_AT], "end", &v) == 0 && v == POS_END, "end");
	CHECK(axis_parse(&axes[AXIS_FAULT_AT], "0x100000", &v) == -1, "position past the longest");
	{
		struct case_spec s = { .len = LEN_MAX };

		CHECK(position_resolve(&s, POS_HALF) == LEN_MAX / 2, "half of 1M");
		CHECK(position_resolve(&s, POS_END) == LEN_MAX - 16, "end of 1M");
		CHECK(position_resolve(&s, 2048) == 2048, "a number stays");
		s.len = 100;
		CHECK(position_resolve(&s, POS_HALF) == 48 && position_resolve(&s, POS_END) == 96,
		      "half and end of 100 bytes: their granules");
	}
	CHECK(axis_parse(&axes[AXIS_STATE], "fresh", &v) == 0 && v == FILE_FRESH, "fresh");
	CHECK(axis_parse(&axes[AXIS_STATE], "extend", &v) == 0 && v == FILE_EXTEND, "extend");
	CHECK(!strcmp(report_column_absent((size_t)report_column("state")), "fresh"),
	      "a CSV without state: fresh files");
	CHECK(!report_column_absent((size_t)report_column("fs")), "fs is required");
	CHECK(axis_parse(&axes[AXIS_BUF_OFF], "010", &v) == 0 && v == 10, "decimal");
	CHECK(axis_parse(&axes[AXIS_BUF_OFF], "0x1000", &v) == -1 || page_size() > 4096,
	      "offset of a page");
	CHECK(axis_parse(&axes[AXIS_TIMEOUT], "3601", &v) == -1, "timeout above an hour");
}

/* The default plan's file states other than fresh, per filesystem and I/O
 * path: read, write, pread and pwrite, sync mte at mid, offset 0; extend for
 * writes only. */
static size_t extra_states(const struct driver *d)
{
	if (strcmp(d->family, "rw"))
		return 0;
	return FILE_STATE_COUNT - 1 - (d->dir == DRV_KERNEL_WRITES);
}

/* Its lengths other than 2 pages, buffered: read and write, offset 0; per
 * length sync mte faults at the positions inside it (granule: first; page:
 * first, mid, last; 4 pages: first, half, end; 1 MiB: half, end), page
 * faults at the pages those fall in (1, 1, 3, 2) and, up to 4 pages, one
 * control. */
static size_t extra_lengths(const struct driver *d)
{
	if (strcmp(d->name, "read") && strcmp(d->name, "write"))
		return 0;
	return (1 + 1 + 1) + (3 + 1 + 1) + (3 + 3 + 1) + (2 + 2);
}

/* The default plan, driver by driver: per filesystem and I/O path it runs
 * on, sync mte faults at 4 positions and the offsets its I/O path takes (0
 * and 7; direct: 0), the 3 other modes once (mid, 0), page faults at the
 * 2 pages the positions fall in (mode none, offset 0) and 4 controls; the
 * lengths and file states above; and the rw calls' 2-page cases again
 * with the self backing. */
static void default_plan(void)
{
	struct plan p;
	size_t total = 0;

	plan_for(&p, "");
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
				want += cases + extra_states(drv) +
					(io == IO_BUFFERED ? extra_lengths(drv) : 0);
				/* read, write, pread and pwrite with their file's own
				 * mmap, fresh and 2 pages long: its page faults and a
				 * control without tags, every case on tmpfs (shmem
				 * takes PROT_MTE) */
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
		CHECK(p.n == 3507, "default matrix: %zu cases", p.n);
	plan_free(&p);
}

/* With --at and --offsets: every mode, position and offset of each
 * tagged fault (direct I/O: the aligned offsets), one control per mode,
 * and page faults at each distinct page at every offset. */
static void full_product(void)
{
	static const size_t at[] = { 0, 100, 4096 }, off[] = { 0, 512, 3 };
	struct plan p;

	plan_for(&p, "syscall=read fs=ext4 fault=mte,retag,page,none fault_at=0,100,4096 "
		 "buf_off=0,512,3 backing=private len=2p state=fresh");
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
	plan_for(&p, "syscall=read fs=tmpfs fault=retag mode=async io=buffered backing=private");
	CHECK(p.n == 1 && p.c[0].fault_at == page_size() / 2 && p.c[0].buf_off == 0,
	      "async retag: %zu cases", p.n);
	plan_free(&p);
}

static void direct_io(void)
{
	struct plan p;

	plan_for(&p, "");
	for (size_t i = 0; i < p.n; i++)
		CHECK(p.c[i].io != IO_DIRECT || p.c[i].buf_off % DIO_ALIGN == 0,
		      "%s direct at offset %zu", p.c[i].drv->name, p.c[i].buf_off);
	plan_free(&p);

	/* unaligned offsets only: buffered cases, no direct ones */
	plan_for(&p, "syscall=pread buf_off=7,9");
	CHECK(p.n > 0, "buffered cases");
	for (size_t i = 0; i < p.n; i++)
		CHECK(p.c[i].io == IO_BUFFERED, "a direct case at offset %zu", p.c[i].buf_off);
	plan_free(&p);

	/* calls without files: fs none, no directory, only their I/O paths */
	plan_for(&p, "syscall=pipe-read");
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
	static size_t first[4096];	/* each group's first case */
	struct case_spec a, b;
	struct plan p;
	size_t groups = 0;

	plan_for(&p, "");
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
	struct plan p;
	size_t n_self = 0, n_other = 0;

	plan_for(&p, "syscall=read,uring-read,getdents64,pipe-read fs=ext4 fault=page "
		 "backing=shared,self,other");
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

static bool at_len(const struct case_spec *s, const void *len)
{
	return s->len == *(const size_t *)len;
}

/* Lengths: where the default puts the faults in each, the call's own
 * length for fixed-size calls, the positions named relative to the length. */
static void lengths(void)
{
	const size_t ps = page_size(), granule = 16, page = ps, four = 4 * ps, mib = LEN_MAX;
	struct plan p;

	plan_for(&p, "syscall=read fs=ext4 io=buffered fault=mte mode=sync state=fresh");
	CHECK(count(&p, at_len, &granule) == 1 && p.c[8].len == 16 && p.c[8].fault_at == 0,
	      "granule: first only");
	CHECK(count(&p, at_len, &page) == 3 && p.c[9].fault_at == 0 && p.c[10].fault_at == ps / 2 &&
	      p.c[11].fault_at == ps - 16, "page: first, mid, last");
	CHECK(count(&p, at_len, &four) == 3 && p.c[12].fault_at == 0 &&
	      p.c[13].fault_at == 2 * ps && p.c[14].fault_at == four - 16, "4 pages: first, half, end");
	CHECK(count(&p, at_len, &mib) == 2 && p.c[15].fault_at == mib / 2 &&
	      p.c[16].fault_at == mib - 16, "1 MiB: half, end");
	for (size_t i = 8; i < p.n; i++)
		CHECK(p.c[i].buf_off == 0, "other lengths at offset 0: %zu", p.c[i].buf_off);
	CHECK(p.n == 17, "read: %zu cases (8 of 2 pages)", p.n);
	plan_free(&p);

	/* the default's other lengths are read and write's; fixed-size calls
	 * keep theirs */
	plan_for(&p, "");
	for (size_t i = 0; i < p.n; i++) {
		const struct case_spec *s = &p.c[i];

		if (s->drv->fixed_len)
			CHECK(s->len == s->drv->fixed_len, "%s len %zu", s->drv->name, s->len);
		else if (s->len != 2 * ps)
			CHECK((!strcmp(s->drv->name, "read") || !strcmp(s->drv->name, "write")) &&
			      s->io == IO_BUFFERED && s->fault_at < s->len, "%s len %zu at %zu",
			      s->drv->name, s->len, s->fault_at);
	}
	plan_free(&p);

	/* a list given: fixed-size calls still keep theirs */
	plan_for(&p, "syscall=btrfs-tree-search len=2p,1M");
	CHECK(p.n > 0, "btrfs-tree-search planned");
	for (size_t i = 0; i < p.n; i++)
		CHECK(p.c[i].len == p.c[i].drv->fixed_len, "btrfs-tree-search len %zu", p.c[i].len);
	plan_free(&p);

	/* given: every length, half and end of each; half of 2 pages is next,
	 * planned once */
	plan_for(&p, "syscall=pwrite fs=xfs io=direct fault=mte mode=sync len=2p,1M "
		 "fault_at=next,half,end buf_off=0 state=fresh");
	CHECK(p.n == 5 && p.c[0].fault_at == ps && p.c[1].fault_at == 2 * ps - 16 &&
	      p.c[2].fault_at == ps && p.c[3].fault_at == mib / 2 && p.c[4].fault_at == mib - 16,
	      "2p: next, end; 1M: next, half, end (%zu cases)", p.n);
	plan_free(&p);
}

static bool in_state(const struct case_spec *s, const void *st)
{
	return s->state == *(const enum file_state *)st;
}

/* File states: the default's are plain reads and writes at sync mte mid;
 * extend is for writes; calls without a file of their own are fresh only,
 * and say why when asked for another. */
static void states(void)
{
	const enum file_state fresh = FILE_FRESH, hole = FILE_HOLE, extend = FILE_EXTEND;
	struct case_spec s;
	struct plan p;
	char why[160];

	plan_for(&p, "");
	for (size_t i = 0; i < p.n; i++) {
		const struct case_spec *c = &p.c[i];

		if (c->state == FILE_FRESH)
			continue;
		CHECK(!strcmp(c->drv->family, "rw") && c->fault == FAULT_MTE &&
		      c->mode == MTE_MODE_SYNC && c->fault_at == page_size() / 2 && !c->buf_off &&
		      c->len == 2 * page_size(), "%s %s", c->drv->name, file_state_name(c->state));
		CHECK(c->state != FILE_EXTEND || c->drv->dir == DRV_KERNEL_READS, "%s extends",
		      c->drv->name);
	}
	/* each state of each: 6 filesystems, 2 I/O paths */
	CHECK(count(&p, in_state, &hole) == 4 * 6 * 2, "hole: %zu cases", count(&p, in_state, &hole));
	CHECK(count(&p, in_state, &extend) == 2 * 6 * 2, "extend: %zu", count(&p, in_state, &extend));
	plan_free(&p);

	/* given: every file driver takes them, at the default layouts */
	plan_for(&p, "syscall=uring-readv,pipe-read,read fs=f2fs fault=page state=hole,extend "
		 "len=2p backing=private");
	for (size_t i = 0; i < p.n; i++)
		CHECK(p.c[i].drv->file_states ? p.c[i].state == FILE_HOLE : p.c[i].state == fresh,
		      "%s %s", p.c[i].drv->name, file_state_name(p.c[i].state));
	CHECK(count(&p, in_state, &hole) == 2 * 2 && count(&p, in_state, &fresh) == 2,
	      "uring-readv and read, buffered and direct, one page fault; pipe-read fresh, its "
	      "two: %zu cases", p.n);
	plan_free(&p);

	s = (struct case_spec){ .drv = driver_find("pipe-read"), .state = FILE_DIRTY };
	CHECK(axis_unsupported(&s, why, sizeof(why)) && strstr(why, "pipe-read makes no file"),
	      "pipe-read dirty: %s", why);
	s = (struct case_spec){ .drv = driver_find("preadv2"), .state = FILE_EXTEND };
	CHECK(axis_unsupported(&s, why, sizeof(why)) && strstr(why, "preadv2 reads"),
	      "preadv2 extend");
	s.state = FILE_PREALLOC;
	CHECK(!axis_unsupported(&s, why, sizeof(why)), "preadv2 prealloc");
}

/* The backings meet the lengths and file states: unasked, those are the
 * private buffer's (self adds the rw calls' fresh 2-page cases); asked, a
 * self-backed write takes every state but extend (its mapping made the file
 * longer already). */
static void backed_lengths_states(void)
{
	const enum file_state hole = FILE_HOLE, extend = FILE_EXTEND;
	struct case_spec s;
	struct plan p;
	char why[160];

	plan_for(&p, "");
	for (size_t i = 0; i < p.n; i++)
		if (p.c[i].backing != BACKING_PRIVATE)
			CHECK(p.c[i].len == 2 * page_size() && p.c[i].state == FILE_FRESH,
			      "%s %s: len %zu, %s", p.c[i].drv->name, backing_name(p.c[i].backing),
			      p.c[i].len, file_state_name(p.c[i].state));
	plan_free(&p);

	plan_for(&p, "syscall=write,read fs=tmpfs fault=mte mode=sync fault_at=half buf_off=0 "
		 "backing=self state=hole,extend len=2p,1M");
	CHECK(count(&p, in_state, &hole) == 2 * 2 * 2 && count(&p, in_state, &extend) == 0,
	      "self: hole for both, buffered and direct, 2 lengths; extend for none: %zu cases", p.n);
	plan_free(&p);
	s = (struct case_spec){ .drv = driver_find("write"), .fs = FS_TMPFS,
				.backing = BACKING_SELF, .state = FILE_EXTEND };
	CHECK(axis_unsupported(&s, why, sizeof(why)) && strstr(why, "--backing self"),
	      "self-backed write extend: %s", why);
}

int main(void)
{
	table();
	default_plan();
	lengths();
	states();
	full_product();
	direct_io();
	groups();
	backings();
	backed_lengths_states();
	return 0;
}
