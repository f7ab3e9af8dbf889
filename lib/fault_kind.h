/* SPDX-License-Identifier: MIT */
/*
 * Fault kinds: what a case's fault is made of, each in one table entry with
 * its hooks. A kind places its fault in a layout (apply) and takes it away
 * (remove: after the call, or the watchdog's recovery while the call is
 * stuck); one that changes while the call runs has start/stop around the
 * call (retag: a thread flipping the granule's tag, race.h). The case runner
 * (case_worker.c), the layout and the classification ask the table, never a
 * kind by name.
 */
#ifndef MTEPROBE_FAULT_KIND_H
#define MTEPROBE_FAULT_KIND_H

#include <stdbool.h>
#include <stddef.h>

#include "mte.h"

enum fault_kind {
	FAULT_NONE,	/* control: no fault */
	FAULT_MTE,	/* a granule with a mismatching tag */
	FAULT_RETAG,	/* a granule whose tag flips while the call runs */
	FAULT_PAGE,	/* a PROT_NONE page */
};
#define FAULT_KIND_COUNT	4

struct layout;

struct fault_kind_ops {
	const char *name;
	const char *help;	/* for --help (NULL: none) */
	bool by_request;	/* not in the default matrix: only when asked for */
	bool tagged;	/* made of memory tags: needs PROT_MTE and an MTE CPU */
	bool page;	/* covers the whole page, in a plain (untagged) buffer,
			 * and faults in every mode; else the 16-byte granule */
	bool racing;	/* comes and goes during the call: a bypass cannot be
			 * told from a match */
	/* Place the fault / take it away (safe from another thread while a
	 * call uses the buffer). 0 or -errno. NULL: nothing to do. */
	int (*apply)(struct layout *l);
	int (*remove)(struct layout *l);
	/* Around the call (NULL: nothing). start returns 0 or -errno; stop
	 * may come from the watchdog's recovery first, then from the caller
	 * (the later one waits and returns the same count). stop_note formats
	 * stop's count for the row's note. */
	int (*start)(struct layout *l);
	unsigned long (*stop)(struct layout *l);
	const char *stop_note;
};

const struct fault_kind_ops *fault_kind(enum fault_kind k);
const char *fault_kind_name(enum fault_kind k);
int fault_kind_parse(const char *name);	/* -1 when unknown */

/* A fault made of memory tags: needs PROT_MTE and an MTE CPU. */
bool fault_kind_tagged(enum fault_kind k);
/* Does the mode check the fault's accesses? (Page faults: always.) */
bool fault_kind_checked(enum fault_kind k, enum mte_mode mode);
/* Is the case's buffer PROT_MTE: its fault is made of tags, or the mode
 * checks tags (a control in sync mode), unless the fault is a page's. */
bool fault_kind_tagged_buffer(enum fault_kind k, enum mte_mode mode);

#endif
