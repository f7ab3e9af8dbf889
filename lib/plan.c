/* SPDX-License-Identifier: MIT */
#include "plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "fs.h"
#include "util.h"

static int push(struct plan *p, const struct case_spec *s)
{
	struct case_spec *c = array_grow(p->c, p->n, &p->cap, sizeof(*c), 1024);

	if (!c)
		return -ENOMEM;
	p->c = c;
	p->c[p->n] = *s;
	p->c[p->n].seq = (unsigned)p->n;
	p->n++;
	return 0;
}

struct planner {
	struct plan *p;
	const struct axis_set *set;
	const char *const *dir;
};

static int expand(const struct planner *pl, struct case_spec *s, int id);

/* Axis id holds v: on to the next axis, if the case still fits. */
static int take(const struct planner *pl, struct case_spec *s, int id, size_t v)
{
	const struct axis *a = &axes[id];

	axis_set(a, s, a->resolve ? a->resolve(s, v) : v);
	if (a->fits && !a->fits(pl->set, s))
		return 0;
	return expand(pl, s, id + 1);
}

/* Does the list's value i name, in this case, what an earlier one does
 * (fault_at half of a 2-page buffer is next)? */
static bool named_before(const struct axis *a, const struct case_spec *s,
			 const struct axis_list *l, size_t i)
{
	for (size_t j = 0; a->resolve && j < i; j++)
		if (a->resolve(s, l->v[j]) == a->resolve(s, l->v[i]))
			return true;
	return false;
}

static int expand(const struct planner *pl, struct case_spec *s, int id)
{
	const struct axis *a = &axes[id];
	const struct axis_list *l;
	size_t v;
	int err = 0;

	if (id == AXIS_COUNT) {
		s->dir = pl->dir[s->fs];
		return push(pl->p, s);
	}
	l = &pl->set->a[id];
	if (a->only && a->only(pl->set, s, &v))
		return take(pl, s, id, v);
	if (!l->n)
		return take(pl, s, id, a->fallback(s));
	for (size_t i = 0; i < l->n && !err; i++)
		if (!named_before(a, s, l, i))
			err = take(pl, s, id, l->v[i]);
	return err;
}

int plan_build(struct plan *p, const struct axis_set *set, const struct case_spec *base,
	       const char *const dir[FS_COUNT])
{
	struct planner pl = { p, set, dir };
	struct case_spec s = *base;

	*p = (struct plan){ 0 };
	return expand(&pl, &s, 0);
}

void plan_free(struct plan *p)
{
	free(p->c);
	*p = (struct plan){ 0 };
}

bool plan_same_group(const struct case_spec *a, const struct case_spec *b)
{
	for (int id = 0; id < AXIS_COUNT; id++)
		if (!axes[id].layout && axis_get(&axes[id], a) != axis_get(&axes[id], b))
			return false;
	return true;
}

/* "--syscalls, --fs, ... and --offsets": the matrix's list options */
static void list_options(char *buf, size_t size)
{
	size_t n = 0, k = 0;

	for (int id = 0; id < AXIS_COUNT; id++)
		n += axes[id].matrix_opt && !axes[id].matrix_one;
	buf[0] = '\0';
	for (int id = 0; id < AXIS_COUNT; id++) {
		if (!axes[id].matrix_opt || axes[id].matrix_one)
			continue;
		k++;
		snprintf(buf + strlen(buf), size - strlen(buf), "%s--%s",
			 k == 1 ? "" : k == n ? " and " : ", ", axes[id].matrix_opt);
	}
}

void plan_explain_empty(const struct axis_set *set, const enum fs_type *fs, size_t nfs,
			const char *dir, char *why, size_t size)
{
	const struct axis_list *drv = &set->a[AXIS_SYSCALL], *io = &set->a[AXIS_IO];
	unsigned io_left = 0, fs_fit = 0;
	char where[160] = "", ios[32] = "", opts[160];

	for (size_t f = 0; f < nfs; f++)
		snprintf(where + strlen(where), sizeof(where) - strlen(where), "%s%s",
			 f ? "," : "", fs_name(fs[f]));
	for (size_t i = 0; i < io->n; i++)
		snprintf(ios + strlen(ios), sizeof(ios) - strlen(ios), "%s%s", i ? "," : "",
			 io_path_name(io->v[i]));
	for (size_t d = 0; d < drv->n; d++) {
		const struct driver *dv = drivers[drv->v[d]];
		bool fits = dv->fs_mask == FS_BIT(FS_NONE);

		for (size_t f = 0; f < nfs; f++)
			fits |= (dv->fs_mask & FS_BIT(fs[f])) != 0;
		if (!fits)
			continue;
		fs_fit++;
		for (size_t i = 0; i < io->n; i++)
			if (dv->io_mask & IO_BIT(io->v[i]))
				io_left |= IO_BIT(io->v[i]);
	}
	list_options(opts, sizeof(opts));
	if (!fs_fit)
		snprintf(why, size, "no call of --syscalls runs on %s%s%s%s (see 'mteprobe run --list')",
			 dir ? "--dir " : "--fs ", dir ? dir : where, dir ? ", which is " : "",
			 dir ? where : "");
	else if (!io_left)
		snprintf(why, size, "no call of --syscalls that runs there has an --io %s path "
			 "(see 'mteprobe run --list')", ios);
	else if (io_left == IO_BIT(IO_DIRECT))
		snprintf(why, size, "--io direct takes the --offsets that are multiples of %d only, "
			 "and --offsets has none", DIO_ALIGN);
	else
		snprintf(why, size, "%s leave no case", opts);
}
