/* SPDX-License-Identifier: MIT */
/*
 * mteprobe matrix: the cross product of syscalls, filesystems, I/O paths,
 * modes and fault layouts, one record per case (a CSV row by default, or
 * --format) written as soon as it is known, progress on a terminal, a
 * summary at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case-options.h"
#include "case.h"
#include "cli.h"
#include "parse.h"
#include "report.h"
#include "resume.h"
#include "scratch.h"
#include "util.h"

static void help(void)
{
	printf("Usage: %s matrix [options]\n\n"
	       "Run every combination of the lists below, one CSV row per case\n"
	       "(mteprobe-csv(5)) or --format, written as soon as the case is known.\n\n"
	       "Options (LIST is comma-separated, each item once; a list not given covers\n"
	       "everything but retag; numbers are decimal, or hex after 0x, k = KiB):\n"
	       "      --syscalls LIST  calls (default: every driver; 'mteprobe run --list')\n"
	       "      --fs LIST        tmpfs,ext4,xfs,btrfs,f2fs,gfs2 (default: all), each at\n"
	       "                       $MTEPROBE_FS_ROOT/FS (default root /mnt); a missing one\n"
	       "                       gives skip rows\n"
	       "  -d, --dir DIR        use DIR only, whatever its filesystem\n"
	       "      --io LIST        buffered,direct (default both)\n"
	       "      --modes LIST     sync,async,asymm,none (default all)\n"
	       "      --faults LIST    mte,retag,page,none (default mte,page,none)\n"
	       "      --at LIST        fault positions: sizes or first,mid,last,next\n"
	       "      --offsets LIST   buffer start offsets (default 0,7)\n"
	       "  -l, --len N          buffer length (default 2 pages; fixed-size calls use theirs)\n"
	       "      --iovecs N       iovecs of vectored calls (default 4)\n"
	       "  -t, --timeout SEC    time limit per case (default %d)\n"
	       "      --no-watchdog    no livelock/hang verdicts or recovery: a plain time limit\n"
	       "      --no-trace       do not count kernel events (fault_ins stays empty)\n"
	       "  -o, --output FILE    write there (default standard output)\n"
	       "      --format FMT     csv (default), text (a line per case), json (an object\n"
	       "                       per line) or ktap (KTAP version 1, a subtest per\n"
	       "                       syscall: ok or not ok, see KTAP in mteprobe(1))\n"
	       "      --expect FILE    ktap: the known outcomes (CSV); a case that matches is\n"
	       "                       ok, one that differs not ok\n"
	       "      --resume FILE    append to FILE (CSV only), which this matrix started: the\n"
	       "                       cases it holds are not run again, a torn last row is cut off\n"
	       "      --engine ENGINE  worker (default: processes that run case after case) or\n"
	       "                       fork (a process per case; the same results, slower)\n"
	       "      --stats          print where the time went: worker starts and the cases'\n"
	       "                       phases (set up, call, verify, tear down, row output)\n"
	       "  -h, --help           display this help and exit\n\n"
	       "Without --at/--offsets: sync-mode mte and retag faults at every position and\n"
	       "offset, other modes at mid with offset 0, page faults (mode none) at every\n"
	       "position with offset 0, and one control without a fault. With them: the full\n"
	       "product.\n"
	       "After a case does not return (a timeout, or a livelock or hang the watchdog\n"
	       "could not recover), the rest of its group (same call, filesystem, I/O path,\n"
	       "mode and fault kind) is skipped.\n"
	       "Direct I/O uses the offsets that are multiples of %d only.\n\n"
	       "Exit status: 0 when the run completed (outcomes are in the CSV), 1 an output\n"
	       "error (the file cannot be opened or written) or, with --format ktap, a case\n"
	       "is not ok, 2 usage error (also: options that leave no case, a --resume FILE\n"
	       "of another matrix, schema or kernel, a bad --expect FILE),\n"
	       "4 the platform cannot run it, 130 stopped by a signal (SIGINT, SIGTERM,\n"
	       "SIGHUP, ...: rows written so far are kept, the summary is printed, the case\n"
	       "files are removed).\n",
	       program_name, MATRIX_TIMEOUT_MS_DEFAULT / 1000, DIO_ALIGN);
}

enum { ITEM_OK, ITEM_BAD = -1, ITEM_TWICE = -2, ITEM_FULL = -3 };

/* Split a comma list, calling each(item) for every item: ITEM_OK, or the
 * first item's error with *bad pointing to it (in list). An empty list or
 * item is ITEM_BAD with *bad empty. */
static int each_item(const char *list, int (*each)(struct matrix_opts *, const char *),
		     struct matrix_opts *o, const char **bad, size_t *badlen)
{
	char item[256];

	for (const char *p = list;; p++) {
		size_t n = strcspn(p, ",");
		int err = n && n < sizeof(item) ? ITEM_OK : ITEM_BAD;

		if (!err) {
			memcpy(item, p, n);
			item[n] = '\0';
			err = each(o, item);
		}
		if (err) {
			*bad = p;
			*badlen = n;
			return err;
		}
		p += n;
		if (!*p)
			return ITEM_OK;
	}
}

/* Was v given before in list[0..n)? */
#define SEEN(list, n, v) ({						\
	bool seen_ = false;						\
	for (size_t i_ = 0; i_ < (n); i_++)				\
		seen_ |= (list)[i_] == (v);				\
	seen_;								\
})

static int add_syscall(struct matrix_opts *o, const char *s)
{
	const struct driver *d = driver_find(s);

	if (!d)
		return ITEM_BAD;
	if (SEEN(o->drv, o->ndrv, d))
		return ITEM_TWICE;
	if (o->ndrv >= LIST_MAX)
		return ITEM_FULL;
	o->drv[o->ndrv++] = d;
	return ITEM_OK;
}

static int add_fs(struct matrix_opts *o, const char *s)
{
	int t = fs_parse(s);

	if (t < 0 || t >= FS_NAMED_COUNT)
		return ITEM_BAD;
	if (SEEN(o->fs, o->nfs, (enum fs_type)t))
		return ITEM_TWICE;
	o->fs[o->nfs++] = t;
	return ITEM_OK;
}

static int add_io(struct matrix_opts *o, const char *s)
{
	int p = io_path_parse(s);

	if (p < 0)
		return ITEM_BAD;
	if (SEEN(o->io, o->nio, (enum io_path)p))
		return ITEM_TWICE;
	o->io[o->nio++] = p;
	return ITEM_OK;
}

static int add_mode(struct matrix_opts *o, const char *s)
{
	int m = mte_mode_parse(s);

	if (m < 0)
		return ITEM_BAD;
	if (SEEN(o->mode, o->nmode, (enum mte_mode)m))
		return ITEM_TWICE;
	o->mode[o->nmode++] = m;
	return ITEM_OK;
}

static int add_fault(struct matrix_opts *o, const char *s)
{
	int f = fault_kind_parse(s);

	if (f < 0)
		return ITEM_BAD;
	if (SEEN(o->fault, o->nfault, (enum fault_kind)f))
		return ITEM_TWICE;
	o->fault[o->nfault++] = f;
	return ITEM_OK;
}

static int add_at(struct matrix_opts *o, const char *s)
{
	size_t v;

	if (parse_position(s, &v) || v >= LEN_MAX)
		return ITEM_BAD;
	if (SEEN(o->at, o->nat, v))
		return ITEM_TWICE;
	if (o->nat >= LIST_MAX)
		return ITEM_FULL;
	o->at[o->nat++] = v;
	return ITEM_OK;
}

static int add_off(struct matrix_opts *o, const char *s)
{
	size_t v;

	if (parse_size(s, &v) || v >= page_size())
		return ITEM_BAD;
	if (SEEN(o->off, o->noff, v))
		return ITEM_TWICE;
	if (o->noff >= LIST_MAX)
		return ITEM_FULL;
	o->off[o->noff++] = v;
	return ITEM_OK;
}

enum { OPT_RESUME = 256, OPT_FORMAT, OPT_EXPECT, OPT_ENGINE, OPT_STATS };

int matrix_parse(int argc, char **argv, struct matrix_opts *o)
{
	static const struct option opts[] = {
		{ "syscalls", required_argument, NULL, 'S' },
		{ "fs", required_argument, NULL, 'f' },
		{ "dir", required_argument, NULL, 'd' },
		{ "io", required_argument, NULL, 'i' },
		{ "modes", required_argument, NULL, 'm' },
		{ "faults", required_argument, NULL, 'F' },
		{ "at", required_argument, NULL, 'a' },
		{ "offsets", required_argument, NULL, 'O' },
		{ "len", required_argument, NULL, 'l' },
		{ "iovecs", required_argument, NULL, 'v' },
		{ "timeout", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ "no-watchdog", no_argument, NULL, 'W' },
		{ "no-trace", no_argument, NULL, 'T' },
		{ "engine", required_argument, NULL, OPT_ENGINE },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		int opt;
		const char *name, *fix;
		int (*add)(struct matrix_opts *, const char *);
	} lists[] = {
		{ 'S', "--syscalls", "'mteprobe run --list' lists them", add_syscall },
		{ 'f', "--fs", "use tmpfs, ext4, xfs, btrfs, f2fs, gfs2", add_fs },
		{ 'i', "--io", "use buffered, direct", add_io },
		{ 'm', "--modes", "use sync, async, asymm, none", add_mode },
		{ 'F', "--faults", "use mte, retag, page, none", add_fault },
		{ 'a', "--at", "use byte offsets below 1048576 or first, mid, last, next", add_at },
		{ 'O', "--offsets", "use byte offsets below the page size", add_off },
	};
	size_t v;
	int opt, st;

	*o = (struct matrix_opts){ .iovecs = 4, .timeout_ms = MATRIX_TIMEOUT_MS_DEFAULT };
	optind = 0;	/* glibc: start afresh, whatever a previous parse left */
	while ((opt = getopt_long(argc, argv, "d:l:t:o:h", opts, NULL)) != -1) {
		bool listed = false;

		for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
			const char *bad;
			size_t badlen;
			int err;

			if (lists[i].opt != opt)
				continue;
			listed = true;
			err = each_item(optarg, lists[i].add, o, &bad, &badlen);
			if (err == ITEM_BAD && !*optarg)
				return usage_error("matrix", "%s is empty: give at least one item (%s)",
						   lists[i].name, lists[i].fix);
			if (err == ITEM_BAD && !badlen)
				return usage_error("matrix", "%s '%s' has an empty item: separate items "
						   "with one comma", lists[i].name, optarg);
			if (err == ITEM_BAD)
				return usage_error("matrix", "bad %s item '%.*s': %s", lists[i].name,
						   (int)badlen, bad, lists[i].fix);
			if (err == ITEM_TWICE)
				return usage_error("matrix", "bad %s item '%.*s': given twice; give each "
						   "once", lists[i].name, (int)badlen, bad);
			if (err == ITEM_FULL)
				return usage_error("matrix", "%s has too many items: at most %d",
						   lists[i].name, LIST_MAX);
			if (opt == 'a' || opt == 'O')
				o->user_layouts = true;
		}
		if (listed)
			continue;
		switch (opt) {
		case 'd':
			o->dir = optarg;
			break;
		case 'l':
			if (parse_size(optarg, &o->len) || o->len == 0 || o->len > LEN_MAX)
				return usage_error("matrix", "bad --len '%s': give 1 to %d bytes", optarg,
						   LEN_MAX);
			break;
		case 'v':
			if (parse_size(optarg, &v) || v == 0 || v > IOVECS_MAX)
				return usage_error("matrix", "bad --iovecs '%s': give 1 to %d", optarg,
						   IOVECS_MAX);
			o->iovecs = (unsigned)v;
			break;
		case 't':
			if (parse_size(optarg, &v) || v == 0 || v > 3600)
				return usage_error("matrix", "bad --timeout '%s': give 1 to 3600 seconds",
						   optarg);
			o->timeout_ms = (unsigned)v * 1000;
			break;
		case 'o':
			o->out = optarg;
			break;
		case OPT_RESUME:
			o->resume = optarg;
			break;
		case OPT_FORMAT:
			if ((st = parse_format("matrix", optarg, &o->format)) != EXIT_OK)
				return st;
			break;
		case OPT_EXPECT:
			o->expect = optarg;
			break;
		case 'W':
			o->no_watchdog = true;
			break;
		case 'T':
			o->no_trace = true;
			break;
		case OPT_ENGINE:
			if ((st = case_engine_parse(optarg)) < 0)
				return usage_error("matrix", "bad --engine '%s': use worker or fork", optarg);
			o->engine = st;
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case 'h':
			o->help = true;
			return EXIT_OK;
		default:
			return usage_error("matrix", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("matrix", "unexpected argument '%s'", argv[optind]);
	if (o->dir && o->nfs)
		return usage_error("matrix", "--dir and --fs exclude each other: --dir runs on "
				   "that directory's filesystem");
	if (o->out && o->resume)
		return usage_error("matrix", "--resume FILE writes to FILE: drop -o");
	if (!o->format)
		o->format = format_find("csv");
	if (o->resume && strcmp(o->format->name, "csv"))
		return usage_error("matrix", "--resume appends CSV rows: drop --format %s, or start "
				   "a new file with -o", o->format->name);
	if ((st = check_output("matrix", o->format, o->expect)) != EXIT_OK)
		return st;
	if ((o->dir && !*o->dir) || (o->out && !*o->out) || (o->resume && !*o->resume))
		return usage_error("matrix", "%s is empty: give a %s", o->dir && !*o->dir ? "--dir"
				   : o->out && !*o->out ? "-o" : "--resume",
				   o->dir && !*o->dir ? "directory" : "file");

	/* defaults */
	if (!o->ndrv)
		for (size_t i = 0; i < driver_count && i < LIST_MAX; i++)
			o->drv[o->ndrv++] = drivers[i];
	if (!o->nfs && !o->dir)
		for (int i = 0; i < FS_NAMED_COUNT; i++)
			o->fs[o->nfs++] = i;
	if (!o->nio)
		add_io(o, "buffered"), add_io(o, "direct");
	if (!o->nmode)
		for (int m = 0; m < MTE_MODE_COUNT; m++)
			o->mode[o->nmode++] = (enum mte_mode[]){ MTE_MODE_SYNC, MTE_MODE_ASYNC,
								 MTE_MODE_ASYMM, MTE_MODE_NONE }[m];
	if (!o->nfault)
		add_fault(o, "mte"), add_fault(o, "page"), add_fault(o, "none");
	if (!o->nat)
		add_at(o, "first"), add_at(o, "mid"), add_at(o, "last"), add_at(o, "next");
	if (!o->noff)
		add_off(o, "0"), add_off(o, "7");
	return EXIT_OK;
}

/* ---- the cases ---- */

struct plan {
	struct case_spec *c;
	size_t n, cap;
	char (*dirs)[4096];	/* one per filesystem slot */
	const char **dir_why;	/* why a filesystem cannot be used (skip rows) */
};

static int push(struct plan *p, const struct case_spec *s)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 1024;
		struct case_spec *c = realloc(p->c, cap * sizeof(*c));

		if (!c)
			return -ENOMEM;
		p->c = c;
		p->cap = cap;
	}
	p->c[p->n] = *s;
	p->c[p->n].seq = (unsigned)p->n;
	p->n++;
	return 0;
}

/* Every layout of one (driver, fs, io). */
static int plan_layouts(struct plan *p, const struct matrix_opts *o, struct case_spec s)
{
	size_t mid = page_size() / 2;
	int err = 0;

	for (size_t f = 0; f < o->nfault && !err; f++) {
		s.fault = o->fault[f];
		for (size_t m = 0; m < o->nmode && !err; m++) {
			s.mode = o->mode[m];
			if (s.fault == FAULT_PAGE)
				continue;	/* page faults: mode none only, below */
			for (size_t a = 0; a < o->nat && !err; a++) {
				for (size_t b = 0; b < o->noff && !err; b++) {
					bool tagged = fault_kind_tagged(s.fault);
					bool sync_mte = tagged && s.mode == MTE_MODE_SYNC;

					s.fault_at = o->at[a];
					s.buf_off = o->off[b];
					if (s.io == IO_DIRECT && s.buf_off % DIO_ALIGN)
						continue;
					if (s.fault == FAULT_NONE && (a || b))
						continue;	/* one control per mode */
					if (!o->user_layouts && tagged && !sync_mte &&
					    (s.fault_at != mid || s.buf_off))
						continue;
					err = push(p, &s);
				}
			}
		}
		if (s.fault == FAULT_PAGE) {
			/* positions in the same page are the same page fault: once each */
			size_t seen[LIST_MAX];
			size_t nseen;

			s.mode = MTE_MODE_NONE;
			for (size_t b = 0; b < o->noff && !err; b++) {
				nseen = 0;
				s.buf_off = o->off[b];
				if (s.io == IO_DIRECT && s.buf_off % DIO_ALIGN)
					continue;
				if (!o->user_layouts && b)
					continue;
				for (size_t a = 0; a < o->nat && !err; a++) {
					size_t fo = layout_fault_offset(FAULT_PAGE, s.buf_off, o->at[a],
									page_size());
					bool dup = false;

					for (size_t k = 0; k < nseen; k++)
						dup |= seen[k] == fo;
					if (dup)
						continue;
					seen[nseen++] = fo;
					s.fault_at = o->at[a];
					err = push(p, &s);
				}
			}
		}
	}
	return err;
}

static int plan_all(struct plan *p, const struct matrix_opts *o, enum fs_type *fs, size_t nfs,
		    char (*dirs)[4096])
{
	int err = 0;

	for (size_t d = 0; d < o->ndrv && !err; d++) {
		const struct driver *drv = o->drv[d];
		struct case_spec s = {
			.drv = drv, .len = o->len ? o->len : drv->fixed_len ? drv->fixed_len
				: 2 * page_size(),
			.iovecs = o->iovecs, .timeout_ms = o->timeout_ms,
			.no_watchdog = o->no_watchdog,
		};

		if (drv->fixed_len && !o->len)
			s.len = drv->fixed_len;
		if (drv->fs_mask == FS_BIT(FS_NONE)) {
			/* no file, but the I/O paths asked for: pipes have no O_DIRECT */
			s.fs = FS_NONE;
			s.dir = NULL;
			for (size_t i = 0; i < o->nio && !err; i++) {
				if (!(drv->io_mask & IO_BIT(o->io[i])))
					continue;
				s.io = o->io[i];
				err = plan_layouts(p, o, s);
			}
			continue;
		}
		for (size_t f = 0; f < nfs && !err; f++) {
			if (!(drv->fs_mask & FS_BIT(fs[f])))
				continue;	/* btrfs-only drivers on other filesystems */
			s.fs = fs[f];
			s.dir = dirs[f];
			for (size_t i = 0; i < o->nio && !err; i++) {
				if (!(drv->io_mask & IO_BIT(o->io[i])))
					continue;
				s.io = o->io[i];
				err = plan_layouts(p, o, s);
			}
		}
	}
	return err;
}

/* Why a plan came out empty: which options left nothing, in one line. */
static void explain_empty(const struct matrix_opts *o, const enum fs_type *fs, size_t nfs,
			  char *why, size_t size)
{
	unsigned io_left = 0, fs_fit = 0;
	char where[160] = "", ios[32] = "";

	for (size_t f = 0; f < nfs; f++)
		snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s%s",
			 f ? "," : "", fs_name(fs[f]));
	for (size_t i = 0; i < o->nio; i++)
		snprintf(ios + strlen(ios), sizeof(ios) - strlen(ios), "%s%s", i ? "," : "",
			 io_path_name(o->io[i]));
	for (size_t d = 0; d < o->ndrv; d++) {
		const struct driver *drv = o->drv[d];
		bool fits = drv->fs_mask == FS_BIT(FS_NONE);

		for (size_t f = 0; f < nfs; f++)
			fits |= (drv->fs_mask & FS_BIT(fs[f])) != 0;
		if (!fits)
			continue;
		fs_fit++;
		for (size_t i = 0; i < o->nio; i++)
			if (drv->io_mask & IO_BIT(o->io[i]))
				io_left |= IO_BIT(o->io[i]);
	}
	if (!fs_fit)
		snprintf(why, size, "no call of --syscalls runs on %s%s%s%s (see 'mteprobe run --list')",
			 o->dir ? "--dir " : "--fs ", o->dir ? o->dir : where, o->dir ? ", which is " : "",
			 o->dir ? where : "");
	else if (!io_left)
		snprintf(why, size, "no call of --syscalls that runs there has an --io %s path "
			 "(see 'mteprobe run --list')", ios);
	else if (io_left == IO_BIT(IO_DIRECT))
		snprintf(why, size, "--io direct takes the --offsets that are multiples of %d only, "
			 "and --offsets has none", DIO_ALIGN);
	else
		snprintf(why, size, "--syscalls, --fs, --io, --modes, --faults, --at and --offsets "
			 "leave no case");
}

/* --resume FILE: open it for appending (one writer at a time), mark the
 * cases its rows hold as done and cut a torn last row. EXIT_OK with *out
 * set, or the status after a one-line message. */
static int open_resume(const char *name, const struct plan *p, bool *done,
		       struct resume_scan *res, struct format_out *out)
{
	int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0644), status, err;
	struct report_ctx ctx;
	struct stat st;
	char *text = NULL;

	if (fd < 0) {
		warnx_("matrix: cannot open %s: %s; give a writable file", name, strerror(errno));
		return EXIT_FAILED;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		warnx_("matrix: %s: %s; another mteprobe is writing it: wait for it to end",
		       name, strerror(errno));
		close(fd);
		return EXIT_FAILED;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		warnx_("matrix: %s is not a regular file: give a file", name);
		close(fd);
		return EXIT_FAILED;
	}
	if ((err = read_whole_file(fd, (size_t)st.st_size, &text))) {
		warnx_("matrix: cannot read %s: %s", name, strerror(-err));
		close(fd);
		return EXIT_FAILED;
	}
	report_init(&ctx);
	status = resume_scan(name, text, (size_t)st.st_size, &ctx, p->c, p->n, done, res);
	free(text);
	if (status != EXIT_OK) {
		close(fd);
		return status;
	}
	if (res->keep < (size_t)st.st_size && ftruncate(fd, (off_t)res->keep) != 0) {
		warnx_("matrix: cannot cut the torn row off %s: %s", name, strerror(errno));
		close(fd);
		return EXIT_FAILED;
	}
	/* rows go after the last whole one; a torn one is cut back again */
	format_attach(out, format_find("csv"), fd, name, true);
	return EXIT_OK;
}

/* ---- running ---- */

struct tally {
	unsigned long by_result[RESULT_COUNT];
	unsigned long bypass, data_wrong, recovered, done;
};

/* Cases that left an unkillable child behind. It may hold the filesystem's
 * locks (btrfs search_ioctl on 5.10 spins inside a tree search), so every
 * later case on that filesystem is skipped; without a filesystem, only the
 * same driver's. */
struct stuck_mark {
	const struct driver *drv;
	enum fs_type fs;
	pid_t pid;
};

/* A group of cases that differ only in their layout: after one times out,
 * the rest would too (a live-lock does not care where the granule is), so
 * they are skipped and the run stays bounded. */
static bool same_group(const struct case_spec *a, const struct case_spec *b)
{
	return a->drv == b->drv && a->fs == b->fs && a->io == b->io && a->mode == b->mode &&
	       a->fault == b->fault;
}

static void progress(size_t i, size_t n, const struct case_spec *s, time_t t0)
{
	fprintf(stderr, "\r\033[K[%zu/%zu %lds] %s %s %s %s %s@%zu+%zu", i + 1, n,
		(long)(time(NULL) - t0), s->drv->name, fs_name(s->fs), io_path_name(s->io),
		mte_mode_name(s->mode), fault_kind_name(s->fault), s->fault_at, s->buf_off);
}

/* --stats: where the time went, per case run (microseconds summed in st). */
static void print_stats(FILE *f, const struct case_stats *st, unsigned long rows,
			unsigned long row_us)
{
	double n = st->cases ? (double)st->cases : 1, other;

	other = (double)st->total_us - (double)st->worker_start_us - (double)st->files_us -
		(double)st->setup_us - (double)st->call_us - (double)st->verify_us -
		(double)st->teardown_us;
	fprintf(f, "matrix: phases, ms per case over %lu cases run: worker start %.3f (%lu "
		"workers, %.3f each), files %.3f, set up %.3f, call %.3f, verify %.3f, tear down "
		"%.3f, other (messages, waiting) %.3f; row output %.3f per row over %lu rows\n",
		st->cases, (double)st->worker_start_us / n / 1000, st->workers,
		st->workers ? (double)st->worker_start_us / (double)st->workers / 1000 : 0.0,
		(double)st->files_us / n / 1000, (double)st->setup_us / n / 1000,
		(double)st->call_us / n / 1000,
		(double)st->verify_us / n / 1000, (double)st->teardown_us / n / 1000,
		other / n / 1000, rows ? (double)row_us / (double)rows / 1000 : 0.0, rows);
}

/* err (-errno) from writing the output after rows whole records. */
/* Say once, before the cases, which calls of the plan this process may not
 * make here (no root, a sysctl, a security module): one line per reason,
 * naming the calls. Their cases are skip rows with the same reason. */
static void say_unavailable(const struct plan *plan)
{
	bool *used = calloc(driver_count, sizeof(*used));

	if (!used)
		return;
	for (size_t i = 0; i < plan->n; i++)
		for (size_t d = 0; d < driver_count; d++)
			used[d] |= plan->c[i].drv == drivers[d];
	for (size_t d = 0; d < driver_count; d++) {
		const char *why = used[d] ? driver_unavailable(drivers[d]) : NULL;
		char names[512] = "";

		if (!why)
			continue;
		for (size_t e = d; e < driver_count; e++) {
			const char *other = used[e] ? driver_unavailable(drivers[e]) : NULL;

			if (other && !strcmp(other, why)) {
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
					 names[0] ? ", " : "", drivers[e]->name);
				used[e] = false;	/* said: not again */
			}
		}
		warnx_("matrix: %s not run: %s", names, why);
	}
	free(used);
}

static void write_error(const struct format_out *out, int err, unsigned long rows)
{
	const char *name = strerrorname_np(-err), *fix = "check its disk";

	if (err == -ENOSPC || err == -EDQUOT)
		fix = "free space there";
	else if (err == -EFBIG)
		fix = "raise the file size limit (ulimit -f)";
	if (out->own && !strcmp(out->ops->name, "csv"))
		warnx_("matrix: cannot write %s: %s (%s); it keeps the %lu whole rows written "
		       "before; %s, then add the rest with the same options and --resume %s",
		       out->name, strerror(-err), name ? name : "?", rows, fix, out->name);
	else if (out->own)
		warnx_("matrix: cannot write %s: %s (%s); it keeps the %lu whole cases written "
		       "before; %s, then run the matrix again", out->name, strerror(-err),
		       name ? name : "?", rows, fix);
	else
		warnx_("matrix: cannot write %s: %s (%s) after %lu rows", out->name, strerror(-err),
		       name ? name : "?", rows);
}

int cmd_matrix(int argc, char **argv)
{
	struct matrix_opts o;
	enum fs_type fs[FS_COUNT];
	static char dirs[FS_COUNT][4096];
	const char *dir_why[FS_COUNT] = { 0 };
	char whybuf[FS_COUNT][512], asymm_buf[512];
	const char *asymm_why = NULL;
	struct stuck_mark marks[64];
	const struct case_spec *unreturned = NULL;
	size_t nmarks = 0, nfs = 0;
	struct plan plan = { 0 };
	struct resume_scan resumed = { 0 };
	bool *done = NULL;
	struct tally t = { 0 };
	static struct expect_set expect;	/* held to the end, whatever path it takes */
	struct format_out out;
	char stopped[160] = "";
	FILE *sum;
	bool tty = isatty(STDERR_FILENO), asymm_on = false;
	struct timespec ts0, ts1;
	struct case_stats st;
	unsigned long row_us = 0, t_row;
	time_t start;
	double secs;
	int err, status;

	status = matrix_parse(argc, argv, &o);
	if (status != EXIT_OK)
		return status;
	if (o.help) {
		help();
		return EXIT_OK;
	}
	if (o.expect && (status = load_expect("matrix", o.expect, &expect)) != EXIT_OK)
		return status;

	/* filesystems and their directories */
	if (o.dir) {
		if (scratch_check_dir(o.dir, whybuf[0], sizeof(whybuf[0]))) {
			warnx_("matrix: --dir: %s", whybuf[0]);
			return EXIT_PLATFORM;
		}
		err = fs_detect(o.dir, &fs[0]);
		if (err) {
			warnx_("matrix: --dir %s: %s; give an existing directory", o.dir, strerror(-err));
			return EXIT_PLATFORM;
		}
		snprintf(dirs[0], sizeof(dirs[0]), "%s", o.dir);
		dir_why[0] = fs_check_dir(o.dir, fs[0], whybuf[0], sizeof(whybuf[0]));
		if (dir_why[0]) {
			warnx_("matrix: %s; give a directory", dir_why[0]);
			return EXIT_PLATFORM;
		}
		nfs = 1;
	} else {
		for (size_t i = 0; i < o.nfs; i++) {
			fs[nfs] = o.fs[i];
			dir_why[nfs] = fs_dir_for(fs[nfs], dirs[nfs], sizeof(dirs[nfs]), whybuf[nfs],
						  sizeof(whybuf[nfs]));
			if (scratch_check_dir(dirs[nfs], whybuf[nfs], sizeof(whybuf[nfs]))) {
				warnx_("matrix: --fs %s: %s", fs_name(fs[nfs]), whybuf[nfs]);
				return EXIT_PLATFORM;
			}
			nfs++;
		}
	}
	if (plan_all(&plan, &o, fs, nfs, dirs)) {
		warnx_("matrix: out of memory");
		return EXIT_FAILED;
	}
	if (!plan.n) {
		explain_empty(&o, fs, nfs, asymm_buf, sizeof(asymm_buf));
		return usage_error("matrix", "nothing to run: %s", asymm_buf);
	}
	if ((err = refuse_emulation("matrix"))) {
		free(plan.c);
		return err;
	}
	/* a stop signal ends the run after the current case, with the summary;
	 * the scratch directories (after the stale sweep) of the directories
	 * the cases use; one that cannot be made gives skip rows, like a
	 * missing filesystem */
	case_stop_catch();
	scratch_set_notice(warnx_);
	for (size_t f = 0; f < nfs; f++) {
		bool used = false;

		for (size_t i = 0; i < plan.n && !used && !dir_why[f]; i++)
			used = plan.c[i].dir == dirs[f];
		if (used && !scratch_for(dirs[f], whybuf[f], sizeof(whybuf[f]))) {
			if (o.dir) {
				warnx_("matrix: %s; give a directory you can write to", whybuf[f]);
				free(plan.c);
				return EXIT_PLATFORM;
			}
			dir_why[f] = whybuf[f];
			/* mounted but not writable: an ordinary user's /mnt */
			warnx_("matrix: %s not run: %s; give a directory you can write to (--dir)",
			       fs_name(fs[f]), whybuf[f]);
		}
	}
	if (o.resume) {
		done = calloc(plan.n, sizeof(*done));
		status = done ? open_resume(o.resume, &plan, done, &resumed, &out) : EXIT_FAILED;
		if (status != EXIT_OK) {
			if (!done)
				warnx_("matrix: out of memory");
			free(done);
			free(plan.c);
			return status;
		}
	} else if (!o.out) {
		format_attach(&out, o.format, STDOUT_FILENO, "standard output", false);
	} else if ((err = format_open(&out, o.format, o.out))) {
		warnx_("matrix: cannot write %s: %s; give a writable file", o.out, strerror(-err));
		free(plan.c);
		return EXIT_FAILED;
	}
	out.plan = plan.c;
	out.nplan = plan.n;
	out.expect = o.expect ? &expect : NULL;
	sum = o.out || o.resume ? stdout : stderr;
	tracing_start("matrix", o.no_trace);
	hang_verdicts_check("matrix", o.no_watchdog);
	say_unavailable(&plan);

	for (size_t m = 0; m < o.nmode; m++)
		if (o.mode[m] == MTE_MODE_ASYMM && mte_cpu_has_mte()) {
			asymm_why = case_asymm_begin(asymm_buf, sizeof(asymm_buf));
			asymm_on = !asymm_why;
			if (asymm_why)
				warnx_("matrix: asymm mode not run: %s", asymm_why);
		}

	if (!resumed.has_header && (err = format_header(&out))) {
		write_error(&out, err, resumed.rows);
		status = EXIT_FAILED;
	}
	case_engine_set(o.engine);
	clock_gettime(CLOCK_MONOTONIC, &ts0);
	start = time(NULL);

	for (size_t i = 0; i < plan.n && !case_stop_signal && status == EXIT_OK; i++) {
		const struct case_spec *s = &plan.c[i];
		struct case_result r;
		const char *skip = NULL;
		char buf[256];

		if (done && done[i])
			continue;	/* its row is in the file already */
		if (tty)
			progress(i, plan.n, s, start);
		for (size_t f = 0; f < nfs && s->dir; f++)
			if (s->dir == dirs[f] && dir_why[f])
				skip = dir_why[f];
		for (size_t k = 0; k < nmarks && !skip; k++)
			if (marks[k].fs == s->fs && (s->fs != FS_NONE || marks[k].drv == s->drv)) {
				snprintf(buf, sizeof(buf), "not run: an earlier %s case on %s left pid %d "
					 "running after SIGKILL", marks[k].drv->name, fs_name(s->fs),
					 (int)marks[k].pid);
				skip = buf;
			}
		if (!skip && unreturned && same_group(s, unreturned)) {
			snprintf(buf, sizeof(buf), "not run: the case of this group with the fault at "
				 "%zu, buf_off %zu did not return", unreturned->fault_at,
				 unreturned->buf_off);
			skip = buf;
		}
		if (!skip && s->mode == MTE_MODE_ASYMM && asymm_why)
			skip = asymm_why;
		if (skip) {
			case_skip(s, &r, skip);
		} else if ((err = case_run(s, &r))) {
			warnx_("matrix: cannot start a case: %s", strerror(-err));
			snprintf(stopped, sizeof(stopped), "cannot start a case: %s", strerror(-err));
			status = EXIT_PLATFORM;
			break;
		}
		if (r.stopped)
			break;		/* no result: not a row */
		if ((r.out.result == RESULT_TIMEOUT || r.out.result == RESULT_LIVELOCK ||
		     r.out.result == RESULT_HANG) && !r.raw.recovered)
			unreturned = s;
		if (r.unkillable && nmarks < ARRAY_SIZE(marks))
			marks[nmarks++] = (struct stuck_mark){ s->drv, s->fs, r.pid };
		t_row = monotonic_us();
		err = format_result(&out, s, &r);
		row_us += monotonic_us() - t_row;
		if (err) {
			write_error(&out, err, resumed.rows + t.done);
			status = EXIT_FAILED;
			break;
		}
		t.by_result[r.out.result]++;
		t.bypass += r.out.bypass == 1;
		t.data_wrong += r.chk.data_ok == 0;
		t.recovered += r.raw.recovered;
		t.done++;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts1);
	if (tty)
		fputs("\r\033[K", stderr);
	if (asymm_on)
		case_asymm_end();
	case_worker_end();
	scratch_remove_all();
	case_stop_release();

	/* the footer, unless writing failed already; KTAP says why it ends early */
	if (case_stop_signal && !*stopped)
		snprintf(stopped, sizeof(stopped), "stopped by %s",
			 sigabbrev_np(case_stop_signal) ? sigabbrev_np(case_stop_signal) : "a signal");
	out.stopped = *stopped ? stopped : NULL;
	if (status != EXIT_FAILED && (err = format_footer(&out))) {
		write_error(&out, err, resumed.rows + t.done);
		status = EXIT_FAILED;
	}

	secs = (double)(ts1.tv_sec - ts0.tv_sec) + (double)(ts1.tv_nsec - ts0.tv_nsec) / 1e9;
	fprintf(sum, "matrix: %lu of %zu cases in %.1f s (%.1f cases/s)%s:", t.done,
		plan.n - resumed.rows, secs,
		secs > 0 ? (double)t.done / secs : 0.0, case_stop_signal ? ", interrupted" : "");
	for (int rr = 0; rr < RESULT_COUNT; rr++)
		if (t.by_result[rr])
			fprintf(sum, " %s %lu", result_name(rr), t.by_result[rr]);
	fprintf(sum, "; bypass %lu; data wrong %lu", t.bypass, t.data_wrong);
	if (t.by_result[RESULT_LIVELOCK] || t.by_result[RESULT_HANG])
		fprintf(sum, "; recovered by removing the fault %lu of %lu stuck", t.recovered,
			t.by_result[RESULT_LIVELOCK] + t.by_result[RESULT_HANG]);
	fprintf(sum, "; stuck tasks left running %u", case_stuck_count());
	if (out.ops->judges)
		fprintf(sum, "; %s: ok %lu, not ok %lu, skip %lu", out.ops->name, out.passed,
			out.failed, out.skipped);
	if (o.resume)
		fprintf(sum, "; resumed: %zu cases already in %s, %zu torn row%s repaired",
			resumed.rows, o.resume, resumed.torn, resumed.torn == 1 ? "" : "s");
	fputc('\n', sum);
	if (o.stats) {
		case_stats_get(&st);
		print_stats(sum, &st, t.done, row_us);
	}
	free(plan.c);
	free(done);
	if ((err = format_close(&out)) && status == EXIT_OK) {
		write_error(&out, err, resumed.rows + t.done);
		status = EXIT_FAILED;
	}
	expect_free(&expect);
	if (case_stop_signal && status == EXIT_OK)
		status = EXIT_INTERRUPTED;
	if (out.failed && status == EXIT_OK)
		status = EXIT_FAILED;	/* a case is not ok (KTAP) */
	return status;
}
