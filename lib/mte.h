/* SPDX-License-Identifier: MIT */
/*
 * MTE control: does the CPU have it, which tag-check mode the thread uses,
 * and the tag instructions of arm64/mte_insn.S.
 * On other architectures the queries answer "no MTE" and the tag operations
 * are never reached (buffers refuse PROT_MTE); TCO is a no-op there.
 * The same holds on an arm64 CPU without MTE (Graviton2/3 class), where
 * every MTE instruction raises SIGILL: the tag operations are reached only
 * through tagged buffers, which refuse to exist without HWCAP2_MTE, and the
 * TCO helpers check HWCAP2_MTE themselves.
 */
#ifndef MTEPROBE_MTE_H
#define MTEPROBE_MTE_H

#include <signal.h>	/* before the si_code fallbacks below */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MTE_GRANULE		16
#define MTE_TAG_SHIFT		56
#define MTE_TAG_MASK		(UINT64_C(0xf) << MTE_TAG_SHIFT)
#define MTE_TAGS_ALL		UINT16_C(0xffff)	/* tags IRG may choose */

/* si_code values of a tag-check fault (asm-generic/siginfo.h, Linux 5.10) */
#ifndef SEGV_MTEAERR
#define SEGV_MTEAERR		8
#endif
#ifndef SEGV_MTESERR
#define SEGV_MTESERR		9
#endif
#ifndef SA_EXPOSETAGBITS
#define SA_EXPOSETAGBITS	0x00000800
#endif

enum mte_mode {
	MTE_MODE_NONE,		/* tags ignored */
	MTE_MODE_SYNC,		/* fault at the access (SEGV_MTESERR) */
	MTE_MODE_ASYNC,		/* fault reported later (SEGV_MTEAERR) */
	MTE_MODE_ASYMM,		/* reads sync, writes async (MTE3) */
};
#define MTE_MODE_COUNT		4

const char *mte_mode_name(enum mte_mode mode);
const char *mte_mode_help(enum mte_mode mode);	/* for --help */
/* Parse "sync", "async", "asymm" or "none"; -1 when unknown. */
int mte_mode_parse(const char *name);

/* HWCAP2_MTE / HWCAP2_MTE3 from the auxiliary vector. */
bool mte_cpu_has_mte(void);
bool mte_cpu_has_mte3(void);

/*
 * Set this thread's tagged-address ABI and tag-check mode. Tags are allowed
 * for IRG from include_mask. Asymmetric mode cannot be asked for directly:
 * the thread requests sync|async and each CPU's mte_tcf_preferred decides, so
 * MTE_MODE_ASYMM succeeds only when every online CPU prefers "asymm".
 * Returns 0 or -errno.
 */
int mte_set_mode(enum mte_mode mode, uint16_t include_mask);
/* The mode last requested with prctl, or -errno. */
int mte_get_mode(void);

/* /sys/devices/system/cpu/cpuN/mte_tcf_preferred: read (the mode, or -errno;
 * -ENOENT before Linux 5.14) and write (needs root, unless the CPU prefers
 * mode already: then nothing is written). */
int mte_preferred_get(int cpu);
int mte_preferred_set(int cpu, enum mte_mode mode);

static inline void *mte_tag_ptr(const void *p, unsigned tag)
{
	return (void *)(((uintptr_t)p & ~MTE_TAG_MASK) | ((uint64_t)(tag & 0xf) << MTE_TAG_SHIFT));
}

static inline unsigned mte_ptr_tag(const void *p)
{
	return ((uintptr_t)p >> MTE_TAG_SHIFT) & 0xf;
}

static inline void *mte_untag_ptr(const void *p)
{
	return mte_tag_ptr(p, 0);
}

#ifdef __aarch64__
/* arm64/mte_insn.S */
void *mte_insert_random_tag(void *ptr, uint64_t exclude_mask);
uint64_t mte_exclude_tag(const void *ptr, uint64_t exclude_mask);
void mte_set_tag(void *ptr);
void mte_set_tag_pair(void *ptr);
void mte_set_tag_zero(void *ptr);
void mte_set_tag_range(void *ptr, size_t len);
void *mte_get_tag(const void *ptr);
#define MTE_HAVE_INSNS		1
/*
 * PSTATE.TCO around fills and checks of any buffer, tagged or not. Every
 * command runs them, so they must be safe on any CPU: without MTE (where the
 * instruction is UNDEFINED) they do nothing, as decided once at start-up.
 */
void mte_tco_enable(void);
void mte_tco_disable(void);
#else
#define MTE_HAVE_INSNS		0
static inline void mte_tco_enable(void) {}
static inline void mte_tco_disable(void) {}
#endif

/* Tags can be used here: this build has the tag instructions (arm64) and the
 * CPU has MTE. */
static inline bool mte_usable(void)
{
	return MTE_HAVE_INSNS && mte_cpu_has_mte();
}

#endif
