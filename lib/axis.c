/* SPDX-License-Identifier: MIT */
#include "axis.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "case.h"
#include "driver.h"
#include "fault_kind.h"
#include "fs.h"
#include "layout.h"
#include "mte.h"
#include "report.h"
#include "util.h"

#define STR_(x)	#x
#define STR(x)	STR_(x)

int parse_size(const char *s, size_t *out)
{
	bool hex = s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	unsigned base = hex ? 16 : 10;
	unsigned long long v = 0;
	const char *p = hex ? s + 2 : s;
	const char *digits = p;

	/* by hand: strtoull would read a leading 0 as octal and accept
	 * spaces, signs and "0x" without digits */
	if (!s)
		return -1;
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (hex && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (hex && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (v > (ULLONG_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	if (p == digits)
		return -1;
	if (*p == 'k' || *p == 'K') {
		if (v > (unsigned long long)LEN_MAX)
			return -1;
		v *= 1024;
		p++;
	}
	if (*p || v > SIZE_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

int parse_position(const char *s, size_t *out)
{
	size_t ps = page_size();

	if (!strcmp(s, "first"))
		*out = 0;
	else if (!strcmp(s, "mid"))
		*out = ps / 2;
	else if (!strcmp(s, "last"))
		*out = ps - MTE_GRANULE;
	else if (!strcmp(s, "next"))
		*out = ps;
	else if (!strcmp(s, "half"))
		*out = POS_HALF;
	else if (!strcmp(s, "end"))
		*out = POS_END;
	else
		return parse_size(s, out);
	return 0;
}

size_t position_resolve(const struct case_spec *s, size_t v)
{
	if (v == POS_HALF)
		return ALIGN_DOWN(s->len / 2, MTE_GRANULE);
	if (v == POS_END)
		return s->len ? ALIGN_DOWN(s->len - 1, MTE_GRANULE) : 0;
	return v;
}

int parse_length(const char *s, size_t *out)
{
	size_t n = strlen(s), unit = 0, v;
	char digits[32];

	if (!strcmp(s, "granule") || !strcmp(s, "page")) {
		*out = s[0] == 'g' ? MTE_GRANULE : page_size();
		return 0;
	}
	if (n > 1 && n < sizeof(digits) && (s[n - 1] == 'p' || s[n - 1] == 'M'))
		unit = s[n - 1] == 'p' ? page_size() : 1024 * 1024;
	if (!unit)
		return parse_size(s, out);
	snprintf(digits, sizeof(digits), "%.*s", (int)(n - 1), s);
	if (parse_size(digits, &v) || strpbrk(digits, "kK") || v > LEN_MAX / unit)
		return -1;
	*out = v * unit;
	return 0;
}

/* ---- the values, from the tables they live in ---- */

static size_t syscall_count(void)
{
	return driver_count;
}

static const char *syscall_name(size_t v)
{
	return v < driver_count ? drivers[v]->name : NULL;
}

static size_t fs_count(void)
{
	return FS_NAMED_COUNT;	/* other and none are found, never chosen */
}

static const char *fs_value_name(size_t v)
{
	return v < FS_COUNT ? fs_name((enum fs_type)v) : NULL;
}

static size_t io_count(void)
{
	return IO_PATH_COUNT;
}

static const char *io_name(size_t v)
{
	return v < IO_PATH_COUNT ? io_path_name((enum io_path)v) : NULL;
}

static const char *io_help(size_t v)
{
	return io_path_help((enum io_path)v);
}

static size_t fault_count(void)
{
	return FAULT_KIND_COUNT;
}

static const char *fault_name(size_t v)
{
	return v < FAULT_KIND_COUNT ? fault_kind_name((enum fault_kind)v) : NULL;
}

static const char *fault_help(size_t v)
{
	return fault_kind((enum fault_kind)v)->help;
}

static bool fault_default(size_t v)
{
	return !fault_kind((enum fault_kind)v)->by_request;
}

static size_t mode_count(void)
{
	return MTE_MODE_COUNT;
}

static const char *mode_name(size_t v)
{
	return v < MTE_MODE_COUNT ? mte_mode_name((enum mte_mode)v) : NULL;
}

static const char *mode_help(size_t v)
{
	return mte_mode_help((enum mte_mode)v);
}

static size_t backing_count(void)
{
	return BACKING_COUNT;
}

static const char *backing_value_name(size_t v)
{
	return backing_name((enum backing)v);
}

static const char *backing_value_help(size_t v)
{
	return backing_help((enum backing)v);
}

/* the default matrix: today's buffer, and the mapping of the call's own file */
static bool backing_default(size_t v)
{
	return v == BACKING_PRIVATE || v == BACKING_SELF;
}

static size_t len_max(void)
{
	return LEN_MAX;
}

static size_t below_len_max(void)
{
	return LEN_MAX - 1;
}

static size_t below_page(void)
{
	return page_size() - 1;
}

static size_t state_count(void)
{
	return FILE_STATE_COUNT;
}

static const char *state_name(size_t v)
{
	return v < FILE_STATE_COUNT ? file_state_name((enum file_state)v) : NULL;
}

static const char *state_help(size_t v)
{
	return file_state_help((enum file_state)v);
}

static size_t iovecs_max(void)
{
	return IOVECS_MAX;
}

static size_t timeout_max(void)
{
	return TIMEOUT_MAX_S;
}

/* ---- defaults that depend on the rest of the case ---- */

static size_t mode_fallback(const struct case_spec *s)
{
	return fault_kind_tagged(s->fault) ? MTE_MODE_SYNC : MTE_MODE_NONE;
}

static size_t len_fallback(const struct case_spec *s)
{
	return s->drv->fixed_len ? s->drv->fixed_len : 2 * page_size();
}

/* next: the next page's first granule; mid when the buffer is one page or less */
static size_t fault_at_fallback(const struct case_spec *s)
{
	size_t v;

	parse_position(s->len > page_size() ? "next" : "mid", &v);
	return v;
}

/* ---- the plan's rules (plan.h) ---- */

/* --at or --offsets given: the full product of the layouts */
static bool layouts_given(const struct axis_set *set)
{
	for (int a = 0; a < AXIS_COUNT; a++)
		if (axes[a].layout && set->a[a].given)
			return true;
	return false;
}

/* The default plan's other modes, faults and file states: tagged faults in
 * a mode other than sync, and files not fresh, at mid, offset 0 only. */
static bool one_layout(const struct axis_set *set, const struct case_spec *s)
{
	return !layouts_given(set) && ((fault_kind_tagged(s->fault) && s->mode != MTE_MODE_SYNC) ||
				       s->state != FILE_FRESH);
}

/* The calls whose lengths and file states the default plan varies: the
 * plain read, write, pread and pwrite */
static bool plain_rw(const struct case_spec *s)
{
	return !strcmp(s->drv->family, "rw");
}

/* fixed-size calls keep theirs, whatever the list */
static bool len_only(const struct axis_set *set, const struct case_spec *s, size_t *v)
{
	(void)set;
	*v = s->drv->fixed_len;
	return *v != 0;
}

/* The default's lengths other than its first (2 pages): buffered read and
 * write (pread and pwrite copy the same way), with sync mte faults, page
 * faults and, up to 4 pages, a control in sync mode, at offset 0
 * (buf_off_only); the private buffer's only, so that the backings add cases
 * to them, not multiply them. A 1 MiB case costs ten 2-page ones: few of
 * them. */
static bool len_fits(const struct axis_set *set, const struct case_spec *s)
{
	bool sync = s->mode == MTE_MODE_SYNC;

	return set->a[AXIS_LEN].given || s->len == len_fallback(s) ||
	       (s->backing == BACKING_PRIVATE &&
		(!strcmp(s->drv->name, "read") || !strcmp(s->drv->name, "write")) &&
		s->io == IO_BUFFERED && ((s->fault == FAULT_MTE && sync) ||
					 fault_kind(s->fault)->page ||
					 (s->fault == FAULT_NONE && sync && s->len <= 4 * page_size())));
}

/* The default's file states other than fresh: plain reads and writes of the
 * default length into the private buffer, sync mte faults (at mid, offset 0:
 * one_layout). */
static bool state_only(const struct axis_set *set, const struct case_spec *s, size_t *v)
{
	*v = FILE_FRESH;
	if (!s->drv->file_states)
		return true;
	if (set->a[AXIS_STATE].given)
		return false;
	return !(plain_rw(s) && s->fault == FAULT_MTE && s->mode == MTE_MODE_SYNC &&
		 s->len == len_fallback(s) && s->backing == BACKING_PRIVATE);
}

static const char *state_unsupported(const struct case_spec *s, char *why, size_t size)
{
	if (s->state != FILE_FRESH && !s->drv->file_states)
		snprintf(why, size, "unsupported: --state %s: %s makes no file of its own "
			 "(fresh only)", file_state_name(s->state), s->drv->name);
	else if (s->state == FILE_EXTEND && s->drv->dir == DRV_KERNEL_WRITES)
		snprintf(why, size, "unsupported: --state extend is a write past the end of the "
			 "file, and %s reads", s->drv->name);
	else if (s->state == FILE_EXTEND && s->backing == BACKING_SELF)
		snprintf(why, size, "unsupported: --state extend with --backing self: the "
			 "buffer's mapping makes the file reach past the range already");
	else
		return NULL;
	return why;
}

/* extend is a write past the end of the file (not one a self-backed
 * buffer's mapping made longer) */
static bool state_fits(const struct axis_set *set, const struct case_spec *s)
{
	char why[160];

	(void)set;
	return !state_unsupported(s, why, sizeof(why));
}

/* The default positions: first, mid, last and next in buffers of up to 2
 * pages (those inside the buffer, but for the call's own length), first,
 * half and end up to 4 pages, half and end in longer ones (their first
 * granule is any buffer's). */
static bool fault_at_fits(const struct axis_set *set, const struct case_spec *s)
{
	size_t ps = page_size(), p = s->fault_at;

	if (set->a[AXIS_FAULT_AT].given || s->fault == FAULT_NONE)
		return true;
	if (s->len > 2 * ps)
		return (p == 0 && s->len <= 4 * ps) || p == position_resolve(s, POS_HALF) ||
		       p == position_resolve(s, POS_END);
	if (p != 0 && p != ps / 2 && p != ps - MTE_GRANULE && p != ps)
		return false;
	return p < s->len || s->len == len_fallback(s);
}

static bool fs_only(const struct axis_set *set, const struct case_spec *s, size_t *v)
{
	(void)set;
	*v = FS_NONE;
	return s->drv->fs_mask == FS_BIT(FS_NONE);	/* pipes, sockets */
}

static bool fs_fits(const struct axis_set *set, const struct case_spec *s)
{
	(void)set;
	return s->drv->fs_mask & FS_BIT(s->fs);		/* btrfs-only calls */
}

static bool io_fits(const struct axis_set *set, const struct case_spec *s)
{
	(void)set;
	return s->drv->io_mask & IO_BIT(s->io);		/* pipes have no O_DIRECT */
}

static bool mode_only(const struct axis_set *set, const struct case_spec *s, size_t *v)
{
	(void)set;
	*v = MTE_MODE_NONE;
	return fault_kind(s->fault)->page;	/* a page fault faults in every mode */
}

static bool fault_at_only(const struct axis_set *set, const struct case_spec *s, size_t *v)
{
	if (s->fault == FAULT_NONE) {
		*v = set->a[AXIS_FAULT_AT].v[0];	/* one control per mode */
		return true;
	}
	if (!one_layout(set, s))
		return false;
	if (fault_kind(s->fault)->page)
		*v = fault_at_fallback(s);	/* the next page: some bytes move */
	else
		parse_position("mid", v);
	return true;
}

static bool buf_off_only(const struct axis_set *set, const struct case_spec *s, size_t *v)
{
	*v = set->a[AXIS_BUF_OFF].v[0];
	if (s->fault == FAULT_NONE || (!layouts_given(set) && fault_kind(s->fault)->page))
		return true;	/* controls and default page faults: the first offset */
	*v = 0;
	return one_layout(set, s) || (!layouts_given(set) && s->len != len_fallback(s));
}

/* Direct I/O takes aligned buffers only; and at this offset, positions in
 * the same page are the same page fault: the first of them only. */
static bool buf_off_fits(const struct axis_set *set, const struct case_spec *s)
{
	const struct axis_list *at = &set->a[AXIS_FAULT_AT];
	size_t ps = page_size(), mine;

	if (s->io == IO_DIRECT && s->buf_off % DIO_ALIGN)
		return false;
	if (!fault_kind(s->fault)->page)
		return true;
	mine = layout_fault_offset(s->fault, s->buf_off, s->fault_at, ps);
	for (size_t i = 0; i < at->n; i++) {
		size_t p = position_resolve(s, at->v[i]);

		if (p == s->fault_at)
			return true;
		if (layout_fault_offset(s->fault, s->buf_off, p, ps) == mine)
			return false;
	}
	return true;
}

/* File backings need the case's directory; self, a call whose file is the
 * one drivers make (DRV_FILE_HOOKS). */
static const char *backing_unsupported(const struct case_spec *s, char *why, size_t size)
{
	if (backing_is_file(s->backing) && s->fs == FS_NONE)
		snprintf(why, size, "unsupported: %s uses no filesystem, so no file to map", s->drv->name);
	else if (s->backing == BACKING_SELF && s->drv->verify != drv_file_verify)
		snprintf(why, size, "unsupported: %s makes no file of its own to map", s->drv->name);
	else
		return NULL;
	return why;
}

/* Unasked, the default matrix maps the call's own file for read, write,
 * pread and pwrite only, and tags it only where such a mapping takes
 * PROT_MTE (tmpfs: shmem). */
static bool backing_fits(const struct axis_set *set, const struct case_spec *s)
{
	char why[128];

	if (!backing_is_file(s->backing))
		return true;
	if (backing_unsupported(s, why, sizeof(why)))
		return false;
	if (set->a[AXIS_BACKING].given)
		return true;
	return !strcmp(s->drv->family, "rw") &&
	       (s->fs == FS_TMPFS || !fault_kind_tagged_buffer(s->fault, s->mode));
}

static const char *syscall_unsupported(const struct case_spec *s, char *why, size_t size)
{
	if (!s->drv->build_unsupported)
		return NULL;
	snprintf(why, size, "unsupported: %s", s->drv->build_unsupported);
	return why;
}

/* where the fault landed (the buffer's offset normalised, layout.h); none without one */
static void fault_at_column(const struct case_spec *s, const struct case_result *r, char *buf,
			    size_t size)
{
	if (s->fault != FAULT_NONE)
		snprintf(buf, size, "%zu", r->fault_off);
	else
		buf[0] = '\0';
}

#define FIELD(f)	.offset = offsetof(struct case_spec, f)

const struct axis axes[AXIS_COUNT] = {
	[AXIS_SYSCALL] = {
		.name = "syscall", FIELD(drv), .field = AXIS_FIELD_DRIVER,
		.count = syscall_count, .value_name = syscall_name,
		.see = "'mteprobe run --list' lists them",
		.run_opt = "syscall", .run_short = 's', .run_arg = "NAME", .run_help = "the call",
		.matrix_opt = "syscalls", .matrix_help = "calls",
		.unsupported = syscall_unsupported,
	},
	[AXIS_FS] = {
		.name = "fs", .ktap = 1, FIELD(fs), .field = AXIS_FIELD_ENUM,
		.count = fs_count, .value_name = fs_value_name,
		.run_opt = "fs", .run_short = 'f', .run_arg = "FS",
		.run_help = "the filesystem, at $MTEPROBE_FS_ROOT/FS (default root /mnt)",
		.matrix_opt = "fs",
		.matrix_help = "filesystems, each at $MTEPROBE_FS_ROOT/FS (default root /mnt); "
			       "a missing one gives skip rows",
		.only = fs_only, .fits = fs_fits,
	},
	[AXIS_IO] = {
		.name = "io", .ktap = 2, FIELD(io), .field = AXIS_FIELD_ENUM,
		.count = io_count, .value_name = io_name, .value_help = io_help,
		.run_default = "buffered",
		.run_opt = "io", .run_short = 'i', .run_arg = "PATH", .run_help = "the I/O path",
		.matrix_opt = "io", .matrix_help = "I/O paths",
		.fits = io_fits,
	},
	[AXIS_FAULT] = {
		.name = "fault", .ktap = 4, FIELD(fault), .field = AXIS_FIELD_ENUM,
		.count = fault_count, .value_name = fault_name, .value_help = fault_help,
		.value_default = fault_default, .zero_last = true,
		.run_default = "mte",
		.run_opt = "fault", .run_short = 'F', .run_arg = "KIND", .run_help = "the fault",
		.matrix_opt = "faults", .matrix_help = "faults",
	},
	[AXIS_MODE] = {
		.name = "mode", .ktap = 3, FIELD(mode), .field = AXIS_FIELD_ENUM,
		.count = mode_count, .value_name = mode_name, .value_help = mode_help,
		.zero_last = true, .fallback = mode_fallback,
		.fallback_help = "sync for mte and retag faults, else none",
		.run_opt = "mode", .run_short = 'm', .run_arg = "MODE",
		.run_help = "the tag-check mode",
		.matrix_opt = "modes", .matrix_help = "tag-check modes (page faults: none only)",
		.only = mode_only,
	},
	[AXIS_BACKING] = {
		.name = "backing", .ktap = 9, FIELD(backing), .field = AXIS_FIELD_ENUM,
		.count = backing_count, .value_name = backing_value_name,
		.value_help = backing_value_help, .value_default = backing_default,
		.run_default = "private", .absent = "private",
		.run_opt = "backing", .run_short = 'B', .run_arg = "KIND",
		.run_help = "what the buffer maps",
		.matrix_opt = "backings",
		.matrix_help = "buffer backings (default private, and self for the 2-page "
			       "fresh-file cases of read, write, pread and pwrite)",
		.fits = backing_fits, .unsupported = backing_unsupported,
	},
	[AXIS_LEN] = {
		.name = "len", .ktap = 7, FIELD(len), .field = AXIS_FIELD_SIZE,
		.parse = parse_length, .min = 1, .max = len_max, .unit = "bytes",
		.names = "granule, page, Np (N pages), NM (MiB)",
		.matrix_default = "2p,granule,page,4p,1M",
		.fallback = len_fallback, .fallback_help = "2 pages, or what the call takes",
		.run_opt = "len", .run_short = 'l', .run_arg = "N",
		.run_help = "buffer length: a size, granule, page, Np (N pages) or NM (MiB)",
		.matrix_opt = "len", .matrix_short = 'l',
		.matrix_help = "buffer lengths: sizes, granule, page, Np (N pages), NM (MiB); "
			       "without it, 2 pages (or what the call takes), and the others for "
			       "buffered read and write with sync mte faults, page faults and (up "
			       "to 4 pages) a control, private buffers only",
		.only = len_only, .fits = len_fits,
	},
	[AXIS_STATE] = {
		.name = "state", .ktap = 8, FIELD(state), .field = AXIS_FIELD_ENUM,
		.count = state_count, .value_name = state_name, .value_help = state_help,
		.run_default = "fresh", .absent = "fresh",
		.run_opt = "state", .run_arg = "STATE",
		.run_help = "the file before the call (calls with a file of their own: "
			    "read, write, their vectored and io_uring forms)",
		.matrix_opt = "states",
		.matrix_help = "file states before the call; without it, all for read, write, pread "
			       "and pwrite with sync mte faults at mid into private buffers (extend: "
			       "writes only), fresh for the rest",
		.only = state_only, .fits = state_fits, .unsupported = state_unsupported,
	},
	[AXIS_FAULT_AT] = {
		.name = "fault_at", .ktap = 5, FIELD(fault_at), .field = AXIS_FIELD_SIZE,
		.parse = parse_position, .min = 0, .max = below_len_max, .unit = "bytes",
		.names = "first, mid, last, next, half, end", .column = fault_at_column,
		.resolve = position_resolve,
		.matrix_default = "first,mid,last,next,half,end", .fallback = fault_at_fallback,
		.fallback_help = "next: the next page's first granule; mid when the buffer is one "
				 "page or less",
		.run_opt = "fault-at", .run_short = 'a', .run_arg = "OFF",
		.run_help = "the faulting byte, from the buffer start: a size or first (the first "
			    "granule), mid (the middle of the first page), last (its last "
			    "granule), next (the next page's first), half (the buffer's middle "
			    "granule), end (its last granule)",
		.matrix_opt = "at", .matrix_help = "fault positions: sizes or first,mid,last,next,"
			       "half,end; without it, first to next in buffers of up to 2 pages, "
			       "first, half and end up to 4 pages, half and end in longer ones",
		.layout = true, .only = fault_at_only, .fits = fault_at_fits,
	},
	[AXIS_BUF_OFF] = {
		.name = "buf_off", .ktap = 6, FIELD(buf_off), .field = AXIS_FIELD_SIZE,
		.parse = parse_size, .min = 0, .max = below_page, .unit = "bytes",
		.matrix_default = "0,7", .run_default = "0",
		/* run's and trace's -o; repro's -o is its output (run_parse) */
		.run_opt = "buf-off", .run_short = 'o', .run_arg = "N",
		.run_help = "buffer start offset in its granule/page (0..15 moves the start inside "
			    "a granule)",
		.matrix_opt = "offsets", .matrix_help = "buffer start offsets; direct I/O takes "
			       "the multiples of " STR(DIO_ALIGN) " only",
		.layout = true, .only = buf_off_only, .fits = buf_off_fits,
	},
	[AXIS_IOVECS] = {
		.name = "iovecs", FIELD(iovecs), .field = AXIS_FIELD_UINT, .scale = 1,
		.parse = parse_size, .min = 1, .max = iovecs_max,
		.matrix_default = "4", .run_default = "4",
		.run_opt = "iovecs", .run_arg = "N",
		.run_help = "vectored calls: iovecs the buffer is split into",
		.matrix_opt = "iovecs", .matrix_one = true, .matrix_help = "iovecs of vectored calls",
	},
	[AXIS_TIMEOUT] = {
		.name = "timeout", FIELD(timeout_ms), .field = AXIS_FIELD_UINT, .scale = 1000,
		.parse = parse_size, .min = 1, .max = timeout_max, .unit = "seconds",
		.matrix_default = STR(MATRIX_TIMEOUT_S_DEFAULT),
		.run_default = STR(CASE_TIMEOUT_S_DEFAULT),
		.run_opt = "timeout", .run_short = 't', .run_arg = "SEC",
		.run_help = "time limit of the case",
		.matrix_opt = "timeout", .matrix_short = 't', .matrix_one = true,
		.matrix_help = "time limit per case",
	},
};

/* ---- using the table ---- */

int axis_find(const char *name)
{
	for (int id = 0; id < AXIS_COUNT; id++)
		if (!strcmp(axes[id].name, name))
			return id;
	return -1;
}

size_t axis_value_count(const struct axis *a)
{
	return a->count ? a->count() : 0;
}

int axis_parse(const struct axis *a, const char *name, size_t *v)
{
	if (axis_enumerated(a)) {
		for (size_t i = 0; i < axis_value_count(a); i++)
			if (!strcmp(a->value_name(i), name)) {
				*v = i;
				return 0;
			}
		return -1;
	}
	if (a->parse(name, v))
		return -1;
	if (a->resolve && *v > a->max() && a->resolve(&(struct case_spec){ .len = 1 }, *v) != *v)
		return 0;	/* named relative to the case */
	if (*v < a->min || *v > a->max())
		return -1;
	return 0;
}

size_t axis_listed(const struct axis *a, size_t i)
{
	size_t n = axis_value_count(a);

	return a->zero_last ? (i + 1) % n : i;
}

int axis_rank(const struct axis *a, const char *name)
{
	size_t n = axis_value_count(a);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(a->value_name(axis_listed(a, i)), name))
			return (int)i;
	return (int)n + 1;
}

void axis_default_list(const struct axis *a, struct axis_list *l)
{
	*l = (struct axis_list){ 0 };
	if (a->matrix_default) {
		const char *p = a->matrix_default;

		while (*p && l->n < AXIS_LIST_MAX) {
			char item[32];
			size_t n = strcspn(p, ",");

			snprintf(item, sizeof(item), "%.*s", (int)n, p);
			if (!axis_parse(a, item, &l->v[l->n]))
				l->n++;
			p += n + (p[n] == ',');
		}
		return;
	}
	for (size_t i = 0; axis_enumerated(a) && i < axis_value_count(a); i++) {
		size_t v = axis_listed(a, i);

		if (l->n < AXIS_LIST_MAX && (!a->value_default || a->value_default(v)))
			l->v[l->n++] = v;
	}
}

static void *field_of(const struct axis *a, const struct case_spec *s)
{
	return (char *)s + a->offset;
}

size_t axis_get(const struct axis *a, const struct case_spec *s)
{
	void *f = field_of(a, s);

	switch (a->field) {
	case AXIS_FIELD_ENUM:
		return (size_t)*(int *)f;
	case AXIS_FIELD_SIZE:
		return *(size_t *)f;
	case AXIS_FIELD_UINT:
		return *(unsigned *)f / a->scale;
	case AXIS_FIELD_DRIVER:
		for (size_t i = 0; i < driver_count; i++)
			if (drivers[i] == *(const struct driver **)f)
				return i;
		return driver_count;
	}
	return 0;
}

void axis_set(const struct axis *a, struct case_spec *s, size_t v)
{
	void *f = field_of(a, s);

	switch (a->field) {
	case AXIS_FIELD_ENUM:
		*(int *)f = (int)v;
		break;
	case AXIS_FIELD_SIZE:
		*(size_t *)f = v;
		break;
	case AXIS_FIELD_UINT:
		*(unsigned *)f = (unsigned)(v * a->scale);
		break;
	case AXIS_FIELD_DRIVER:
		*(const struct driver **)f = v < driver_count ? drivers[v] : NULL;
		break;
	}
}

bool axis_has_column(const struct axis *a)
{
	return report_column(a->name) >= 0;
}

void axis_column_text(const struct axis *a, const struct case_spec *s,
		      const struct case_result *r, char *buf, size_t size)
{
	const char *name;

	if (a->column)
		a->column(s, r, buf, size);
	else if (axis_enumerated(a))
		snprintf(buf, size, "%s", (name = a->value_name(axis_get(a, s))) ? name : "?");
	else
		snprintf(buf, size, "%zu", axis_get(a, s));
}

const char *axis_unsupported(const struct case_spec *s, char *why, size_t size)
{
	for (int a = 0; a < AXIS_COUNT; a++)
		if (axes[a].unsupported && axes[a].unsupported(s, why, size))
			return why;
	return NULL;
}
