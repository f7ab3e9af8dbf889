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
	else
		return parse_size(s, out);
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

/* The default plan's other modes and faults: tagged faults in a mode other
 * than sync at mid, offset 0 only. */
static bool one_tagged_layout(const struct axis_set *set, const struct case_spec *s)
{
	return !layouts_given(set) && fault_kind_tagged(s->fault) && s->mode != MTE_MODE_SYNC;
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
	return one_tagged_layout(set, s) && !parse_position("mid", v);
}

static bool buf_off_only(const struct axis_set *set, const struct case_spec *s, size_t *v)
{
	*v = set->a[AXIS_BUF_OFF].v[0];
	if (s->fault == FAULT_NONE || (!layouts_given(set) && fault_kind(s->fault)->page))
		return true;	/* controls and default page faults: the first offset */
	*v = 0;
	return one_tagged_layout(set, s);
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
	for (size_t i = 0; i < at->n && at->v[i] != s->fault_at; i++)
		if (layout_fault_offset(s->fault, s->buf_off, at->v[i], ps) == mine)
			return false;
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
		.name = "backing", .ktap = 8, FIELD(backing), .field = AXIS_FIELD_ENUM,
		.count = backing_count, .value_name = backing_value_name,
		.value_help = backing_value_help, .value_default = backing_default,
		.run_default = "private",
		.run_opt = "backing", .run_short = 'B', .run_arg = "KIND",
		.run_help = "what the buffer maps",
		.matrix_opt = "backings",
		.matrix_help = "buffer backings (default private, and self for read, write, pread "
			       "and pwrite)",
		.fits = backing_fits, .unsupported = backing_unsupported,
	},
	[AXIS_LEN] = {
		.name = "len", .ktap = 7, FIELD(len), .field = AXIS_FIELD_SIZE,
		.parse = parse_size, .min = 1, .max = len_max, .unit = "bytes",
		.fallback = len_fallback, .fallback_help = "2 pages, or what the call takes",
		.run_opt = "len", .run_short = 'l', .run_arg = "N", .run_help = "buffer length",
		.matrix_opt = "len", .matrix_short = 'l', .matrix_one = true,
		.matrix_help = "buffer length",
	},
	[AXIS_FAULT_AT] = {
		.name = "fault_at", .ktap = 5, FIELD(fault_at), .field = AXIS_FIELD_SIZE,
		.parse = parse_position, .min = 0, .max = below_len_max, .unit = "bytes",
		.names = "first, mid, last, next", .column = fault_at_column,
		.matrix_default = "first,mid,last,next", .fallback = fault_at_fallback,
		.fallback_help = "next: the next page's first granule; mid when the buffer is one "
				 "page or less",
		.run_opt = "fault-at", .run_short = 'a', .run_arg = "OFF",
		.run_help = "the faulting byte, from the buffer start: a size or first (the first "
			    "granule), mid (the middle of the first page), last (its last "
			    "granule), next",
		.matrix_opt = "at", .matrix_help = "fault positions: sizes or first,mid,last,next",
		.layout = true, .only = fault_at_only,
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
	if (a->parse(name, v) || *v < a->min || *v > a->max())
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
