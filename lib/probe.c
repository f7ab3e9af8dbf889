/* SPDX-License-Identifier: MIT */
#include "probe.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>

#include "extable.h"

/* arm64/probe.S or x86_64/probe.S */
size_t probe_read_granules(const void *ptr, size_t len);
size_t probe_write_granules(void *ptr, size_t len);
#ifdef __aarch64__
int probe_access8_insn(void *ptr);
int probe_access16_insn(void *ptr);
int probe_access32_insn(void *ptr);
#endif

static const int fault_signals[] = { SIGSEGV, SIGBUS };
static struct sigaction previous[2];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static uintptr_t entry_addr(const int32_t *field)
{
	return (uintptr_t)field + *field;
}

static uintptr_t fixup_for(uintptr_t pc)
{
	for (const struct extable_entry *e = __start_probe_extable; e < __stop_probe_extable; e++)
		if (entry_addr(&e->insn) == pc)
			return entry_addr(&e->fixup);
	return 0;
}

static uintptr_t *context_pc(ucontext_t *uc)
{
#if defined(__aarch64__)
	return (uintptr_t *)&uc->uc_mcontext.pc;
#elif defined(__x86_64__)
	return (uintptr_t *)&uc->uc_mcontext.gregs[REG_RIP];
#else
#error "probes exist for aarch64 and x86_64 only"
#endif
}

/* Not ours: act as if this handler had never been installed. */
static void pass_on(int index, int sig, siginfo_t *si, void *uctx)
{
	const struct sigaction *prev = &previous[index];

	if ((prev->sa_flags & SA_SIGINFO) && prev->sa_sigaction) {
		prev->sa_sigaction(sig, si, uctx);
	} else if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
		prev->sa_handler(sig);
	} else {
		/* Returning re-runs the faulting access, which now gets the
		 * default action (a synchronous fault cannot be ignored). */
		struct sigaction dfl = { .sa_handler = SIG_DFL };
		sigaction(sig, &dfl, NULL);
	}
}

static void fault_handler(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t *pc = context_pc(uctx);
	uintptr_t fixup = fixup_for(*pc);

	if (fixup) {
		*pc = fixup;
		return;
	}
	pass_on(sig == SIGSEGV ? 0 : 1, sig, si, uctx);
}

static void install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 2; i++)
		sigaction(fault_signals[i], &sa, &previous[i]);
}

void probe_init(void)
{
	pthread_once(&init_once, install);
}

size_t probe_read(const void *ptr, size_t len)
{
	probe_init();
	return probe_read_granules(ptr, len);
}

size_t probe_write(void *ptr, size_t len)
{
	probe_init();
	return probe_write_granules(ptr, len);
}

#ifdef __aarch64__
int probe_access8(void *ptr)
{
	probe_init();
	return probe_access8_insn(ptr);
}

int probe_access16(void *ptr)
{
	probe_init();
	return probe_access16_insn(ptr);
}

int probe_access32(void *ptr)
{
	probe_init();
	return probe_access32_insn(ptr);
}
#endif
