/* SPDX-License-Identifier: MIT */
#include "mte.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "util.h"

/* arm64 uapi values, defined here so the x86_64 build compiles the same code */
#ifndef HWCAP2_MTE
#define HWCAP2_MTE		(1UL << 18)
#endif
#ifndef HWCAP2_MTE3
#define HWCAP2_MTE3		(1UL << 22)
#endif
#ifndef PR_SET_TAGGED_ADDR_CTRL
#define PR_SET_TAGGED_ADDR_CTRL	55
#define PR_GET_TAGGED_ADDR_CTRL	56
#define PR_TAGGED_ADDR_ENABLE	(1UL << 0)
#endif
#ifndef PR_MTE_TCF_SHIFT
#define PR_MTE_TCF_SHIFT	1
#define PR_MTE_TCF_NONE		0UL
#define PR_MTE_TCF_SYNC		(1UL << PR_MTE_TCF_SHIFT)
#define PR_MTE_TCF_ASYNC	(2UL << PR_MTE_TCF_SHIFT)
#define PR_MTE_TCF_MASK		(3UL << PR_MTE_TCF_SHIFT)
#define PR_MTE_TAG_SHIFT	3
#endif

/* Each mode's name and, for --help, what it does. */
static const struct {
	const char *name, *help;
} modes[MTE_MODE_COUNT] = {
	[MTE_MODE_NONE] = { "none", "tags not checked" },
	[MTE_MODE_SYNC] = { "sync", "a fault at the access" },
	[MTE_MODE_ASYNC] = { "async", "reported later" },
	[MTE_MODE_ASYMM] = { "asymm", "reads sync, writes async" },
};

const char *mte_mode_name(enum mte_mode mode)
{
	return (unsigned)mode < MTE_MODE_COUNT ? modes[mode].name : "?";
}

const char *mte_mode_help(enum mte_mode mode)
{
	return (unsigned)mode < MTE_MODE_COUNT ? modes[mode].help : NULL;
}

int mte_mode_parse(const char *name)
{
	for (int m = 0; m < MTE_MODE_COUNT; m++)
		if (!strcmp(modes[m].name, name))
			return m;
	return -1;
}

bool mte_cpu_has_mte(void)
{
#ifdef __aarch64__
	return getauxval(AT_HWCAP2) & HWCAP2_MTE;
#else
	return false;
#endif
}

#ifdef __aarch64__
/* arm64/mte_insn.S */
void mte_tco_enable_insn(void);
void mte_tco_disable_insn(void);

/* Read before main and never written again: the TCO helpers below run in
 * fills and checks of every buffer, in every thread, with or without MTE. */
static bool tco_usable;

__attribute__((constructor)) static void detect_tco(void)
{
	tco_usable = mte_cpu_has_mte();
}

void mte_tco_enable(void)
{
	if (tco_usable)
		mte_tco_enable_insn();
}

void mte_tco_disable(void)
{
	if (tco_usable)
		mte_tco_disable_insn();
}
#endif

bool mte_cpu_has_mte3(void)
{
#ifdef __aarch64__
	return getauxval(AT_HWCAP2) & HWCAP2_MTE3;
#else
	return false;
#endif
}

/* Asymmetric mode needs every CPU to prefer it (files exist from Linux 5.14). */
static bool all_cpus_prefer(enum mte_mode mode)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	for (int cpu = 0; cpu < ncpu; cpu++)
		if (mte_preferred_get(cpu) != (int)mode)
			return false;
	return ncpu > 0;
}

int mte_set_mode(enum mte_mode mode, uint16_t include_mask)
{
	unsigned long ctrl = PR_TAGGED_ADDR_ENABLE;

	switch (mode) {
	case MTE_MODE_NONE:
		ctrl |= PR_MTE_TCF_NONE;
		break;
	case MTE_MODE_SYNC:
		ctrl |= PR_MTE_TCF_SYNC;
		break;
	case MTE_MODE_ASYNC:
		ctrl |= PR_MTE_TCF_ASYNC;
		break;
	case MTE_MODE_ASYMM:
		if (!mte_cpu_has_mte3())
			return -EOPNOTSUPP;
		if (!all_cpus_prefer(MTE_MODE_ASYMM))
			return -EAGAIN;
		ctrl |= PR_MTE_TCF_SYNC | PR_MTE_TCF_ASYNC;
		break;
	default:
		return -EINVAL;
	}
	if (mode != MTE_MODE_NONE && !mte_cpu_has_mte())
		return -EOPNOTSUPP;
	ctrl |= (unsigned long)include_mask << PR_MTE_TAG_SHIFT;
	if (prctl(PR_SET_TAGGED_ADDR_CTRL, ctrl, 0, 0, 0) != 0)
		return -errno;
	return 0;
}

int mte_get_mode(void)
{
	int ctrl = prctl(PR_GET_TAGGED_ADDR_CTRL, 0, 0, 0, 0);

	if (ctrl < 0)
		return -errno;
	switch (ctrl & PR_MTE_TCF_MASK) {
	case PR_MTE_TCF_SYNC:
		return MTE_MODE_SYNC;
	case PR_MTE_TCF_ASYNC:
		return MTE_MODE_ASYNC;
	case PR_MTE_TCF_SYNC | PR_MTE_TCF_ASYNC:
		return MTE_MODE_ASYMM;	/* the CPUs' preference decides */
	default:
		return MTE_MODE_NONE;
	}
}

static void preferred_path(char *path, size_t size, int cpu)
{
	snprintf(path, size, "/sys/devices/system/cpu/cpu%d/mte_tcf_preferred", cpu);
}

int mte_preferred_get(int cpu)
{
	char path[96], value[16];
	int mode;

	preferred_path(path, sizeof(path), cpu);
	if (read_small_file(path, value, sizeof(value)) < 0)
		return -errno;
	value[strcspn(value, "\n")] = '\0';
	mode = mte_mode_parse(value);
	return mode < 0 ? -EINVAL : mode;
}

int mte_preferred_set(int cpu, enum mte_mode mode)
{
	char path[96];

	/* a CPU that prefers mode already needs no write, and so no root */
	if (mte_preferred_get(cpu) == (int)mode)
		return 0;
	preferred_path(path, sizeof(path), cpu);
	if (write_small_file(path, mte_mode_name(mode)) < 0)
		return -errno;
	return 0;
}
