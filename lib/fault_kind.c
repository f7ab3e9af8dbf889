/* SPDX-License-Identifier: MIT */
#include "fault_kind.h"

#include <string.h>

#include "layout.h"
#include "race.h"
#include "util.h"

static int granule_mismatch(struct layout *l)
{
	return testbuf_mismatch(&l->tb, layout_fault_byte(l));
}

static int granule_match(struct layout *l)
{
	return testbuf_match(&l->tb, layout_fault_byte(l));
}

static int page_protect(struct layout *l)
{
	size_t at = layout_fault_byte(l);
	int err = testbuf_protect_page(&l->tb, at);

	if (!err) {
		l->prot_lo = ALIGN_DOWN(at, page_size());
		l->prot_hi = l->prot_lo + page_size();
	}
	return err;
}

static int page_unprotect(struct layout *l)
{
	/* prot_lo/prot_hi stay: what was stored there before is unknown */
	return testbuf_unprotect_page(&l->tb, layout_fault_byte(l));
}

/* One case at a time per process, so one race. */
static struct race race;

static int race_begin(struct layout *l)
{
	return race_start(&race, l);
}

static unsigned long race_end(struct layout *l)
{
	(void)l;
	return race_stop(&race);	/* the granule is left matching */
}

static const struct fault_kind_ops kinds[FAULT_KIND_COUNT] = {
	[FAULT_NONE] = { .name = "none" },
	[FAULT_MTE] = { .name = "mte", .help = "a granule with a mismatching tag", .tagged = true,
			.apply = granule_mismatch, .remove = granule_match },
	[FAULT_PAGE] = { .name = "page", .help = "a PROT_NONE page", .page = true,
			 .apply = page_protect, .remove = page_unprotect },
	/* starts mismatching; the race's first flip matches it */
	[FAULT_RETAG] = { .name = "retag", .help = "a thread flips the granule's tag during the call",
			  .by_request = true, .tagged = true, .racing = true,
			  .apply = granule_mismatch, .remove = granule_match,
			  .start = race_begin, .stop = race_end,
			  .stop_note = "retag race: %lu flips during the call" },
};

const struct fault_kind_ops *fault_kind(enum fault_kind k)
{
	return (unsigned)k < FAULT_KIND_COUNT ? &kinds[k] : &kinds[FAULT_NONE];
}

const char *fault_kind_name(enum fault_kind k)
{
	return (unsigned)k < FAULT_KIND_COUNT ? kinds[k].name : "?";
}

int fault_kind_parse(const char *name)
{
	for (int k = 0; k < FAULT_KIND_COUNT; k++)
		if (!strcmp(kinds[k].name, name))
			return k;
	return -1;
}

bool fault_kind_tagged(enum fault_kind k)
{
	return fault_kind(k)->tagged;
}

bool fault_kind_checked(enum fault_kind k, enum mte_mode mode)
{
	return fault_kind(k)->page || mode != MTE_MODE_NONE;
}

bool fault_kind_tagged_buffer(enum fault_kind k, enum mte_mode mode)
{
	return !fault_kind(k)->page && (fault_kind(k)->tagged || mode != MTE_MODE_NONE);
}
