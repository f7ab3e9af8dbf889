/* SPDX-License-Identifier: MIT */
/*
 * The matrix's cases, planned from the case axes (axis.h): the product of
 * each axis's list, in the table's order (outer axes first), where each
 * axis may hold a case to one value (only) or leave a value out (fits).
 * Without --at/--offsets that is: sync-mode mte and retag faults at every
 * position and offset, other modes at mid with offset 0, page faults (mode
 * none) at every position with offset 0, and one control without a fault
 * per mode; with them, the full product. Direct I/O takes the offsets that
 * are multiples of DIO_ALIGN only; calls run only on their filesystems and
 * I/O paths. Cases that differ only in their layout form a group.
 */
#ifndef MTEPROBE_PLAN_H
#define MTEPROBE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "axis.h"
#include "case.h"

struct plan {
	struct case_spec *c;	/* c[i].seq == i */
	size_t n, cap;
};

/* Plan the cases of set's lists into *p (empty first): base gives what no
 * axis sets (no_watchdog), dir[fs] each filesystem's directory (NULL for
 * FS_NONE). 0, or -ENOMEM (then plan_free). */
int plan_build(struct plan *p, const struct axis_set *set, const struct case_spec *base,
	       const char *const dir[FS_COUNT]);
void plan_free(struct plan *p);

/* Do a and b differ only along layout axes (where the fault sits)? After
 * one case of a group does not return, the rest of it would not either (a
 * live-lock does not care where the granule is): the matrix skips them. */
bool plan_same_group(const struct case_spec *a, const struct case_spec *b);

/* Why set plans no case on filesystems fs[0..nfs) (dir: the --dir given,
 * or NULL), in one line naming the options that left nothing. */
void plan_explain_empty(const struct axis_set *set, const enum fs_type *fs, size_t nfs,
			const char *dir, char *why, size_t size);

#endif
