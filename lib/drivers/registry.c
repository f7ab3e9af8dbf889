/* SPDX-License-Identifier: MIT */
/* The driver registry, generated from list.h. */
#include <stdbool.h>
#include <string.h>

#include "driver.h"

#define DRIVER(sym) extern const struct driver drv_##sym;
#include "list.h"
#undef DRIVER

const struct driver *const drivers[] = {
#define DRIVER(sym) &drv_##sym,
#include "list.h"
#undef DRIVER
};

const size_t driver_count = sizeof(drivers) / sizeof(drivers[0]);

const char *driver_unavailable(const struct driver *d)
{
	static char why[sizeof(drivers) / sizeof(drivers[0])][256];
	static bool asked[sizeof(drivers) / sizeof(drivers[0])];

	for (size_t i = 0; i < driver_count; i++) {
		if (drivers[i] != d)
			continue;
		if (!asked[i] && d->unavailable && !d->unavailable(why[i], sizeof(why[i])))
			why[i][0] = '\0';
		asked[i] = true;
		return why[i][0] ? why[i] : NULL;
	}
	return NULL;
}

const struct driver *driver_find(const char *name)
{
	for (size_t i = 0; i < driver_count; i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}
