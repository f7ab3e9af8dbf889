/* SPDX-License-Identifier: MIT */
/* Mode names round-trip; on an MTE CPU each mode is set and read back, and
 * asymm is refused unless every CPU prefers it. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "mte.h"

int main(void)
{
	for (int m = 0; m < MTE_MODE_COUNT; m++)
		CHECK(mte_mode_parse(mte_mode_name(m)) == m, "mode %d", m);
	CHECK(mte_mode_parse("SYNC") == -1 && mte_mode_parse("") == -1, "unknown names");

	if (!mte_cpu_has_mte()) {
		CHECK(mte_set_mode(MTE_MODE_SYNC, MTE_TAGS_ALL) == -EOPNOTSUPP, "no MTE: refused");
		SKIP("this CPU has no MTE");
	}
	for (int m = MTE_MODE_NONE; m <= MTE_MODE_ASYNC; m++) {
		CHECK(mte_set_mode(m, MTE_TAGS_ALL) == 0, "set %s", mte_mode_name(m));
		CHECK(mte_get_mode() == m, "read back %s", mte_mode_name(m));
	}
	if (mte_preferred_get(0) != MTE_MODE_ASYMM)
		CHECK(mte_set_mode(MTE_MODE_ASYMM, MTE_TAGS_ALL) < 0,
		      "asymm must be refused while the CPUs do not prefer it");
	return 0;
}
