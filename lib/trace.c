/* SPDX-License-Identifier: MIT */
#include "trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "taskstat.h"
#include "util.h"

static const char *const event_names[] = {
#define TRACE_NAME(ev, func, addr) [TRACE_##ev] = #func,
	TRACE_EVENT_TABLE(TRACE_NAME)
#undef TRACE_NAME
};

const char *trace_event_name(enum trace_event e)
{
	return enum_name(event_names, ARRAY_SIZE(event_names), (int)e);
}

uint64_t trace_fault_ins(const struct trace_counts *c)
{
	uint64_t sum = 0;

	for (int e = 0; e < TRACE_EVENT_COUNT; e++)
		sum += c->n[e];
	return sum;
}

void trace_format(const struct trace_counts *c, char *buf, size_t size)
{
	bool done[TRACE_EVENT_COUNT] = { false };
	size_t len = 0;

	if (!size)
		return;
	buf[0] = '\0';
	for (;;) {
		int best = -1;

		/* largest first; ties in table order */
		for (int e = 0; e < TRACE_EVENT_COUNT; e++)
			if (!done[e] && c->n[e] && (best < 0 || c->n[e] > c->n[best]))
				best = e;
		if (best < 0)
			return;
		done[best] = true;
		int n = snprintf(buf + len, size - len, "%s%s %llu", len ? ", " : "",
				 trace_event_name(best), (unsigned long long)c->n[best]);
		if (n < 0 || (size_t)n >= size - len)
			return;		/* truncated: snprintf left it terminated */
		len += (size_t)n;
	}
}

/* This process's counters (trace_slot_set) */
static unsigned slot;

void trace_slot_set(unsigned k)
{
	slot = k < TRACE_SLOTS ? k : 0;
}

#if HAVE_LIBBPF

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <bpf/libbpf.h>

#include "trace.skel.h"

/* Longest kernel symbol name (KSYM_NAME_LEN is 512 since 6.1). */
#define SYM_MAX 512
#define BPF_NEEDS_ROOT \
	"BPF needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN); run as root to count them"

static struct trace_bpf *skel;
static struct bpf_link *links[TRACE_EVENT_COUNT];
static char symbols[TRACE_EVENT_COUNT][SYM_MAX];

static struct bpf_program *event_prog(struct trace_bpf *s, enum trace_event e)
{
	switch (e) {
#define TRACE_PROG(ev, func, addr) case TRACE_##ev: return s->progs.on_##func;
	TRACE_EVENT_TABLE(TRACE_PROG)
#undef TRACE_PROG
	default:
		return NULL;
	}
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int debug = -1;

	(void)level;
	if (debug < 0)
		debug = getenv("MTEPROBE_BPF_DEBUG") != NULL;
	return debug ? vfprintf(stderr, fmt, ap) : 0;
}

/* A compiler-made clone that is still a whole function: gcc names those
 * f.isra.N (arguments dropped or passed differently: the first argument
 * register may then not be the address) and f.constprop.N. f.part.N and
 * f.cold are pieces of f, not its entry, so they do not count. */
static bool is_clone_of(const char *sym, const char *func)
{
	size_t len = strlen(func);

	return strncmp(sym, func, len) == 0 &&
	       (strncmp(sym + len, ".isra.", 6) == 0 ||
		strncmp(sym + len, ".constprop.", 11) == 0);
}

/* Fill symbols[] from /proc/kallsyms: each event's exact text symbol in
 * the kernel image (not a module), else its first clone. Returns how many
 * were found, or -errno. */
static int find_symbols(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[SYM_MAX + 128], sym[SYM_MAX];
	bool exact[TRACE_EVENT_COUNT] = { false };
	int found = 0;
	char type;

	if (!f)
		return -errno;
	memset(symbols, 0, sizeof(symbols));
	while (fgets(line, sizeof(line), f)) {
		/* "ADDRESS TYPE NAME [MODULE]": modules are not wanted */
		if (strchr(line, '[') || sscanf(line, "%*s %c %511s", &type, sym) != 2)
			continue;
		if (type != 't' && type != 'T')
			continue;
		for (int e = 0; e < TRACE_EVENT_COUNT; e++) {
			if (exact[e])
				continue;
			if (strcmp(sym, event_names[e]) == 0) {
				exact[e] = true;
				strcpy(symbols[e], sym);
			} else if (!symbols[e][0] && is_clone_of(sym, event_names[e])) {
				strcpy(symbols[e], sym);
			}
		}
	}
	fclose(f);
	for (int e = 0; e < TRACE_EVENT_COUNT; e++)
		found += symbols[e][0] != '\0';
	return found;
}

static bool have_kprobes(void)
{
	/* the kprobe PMU (4.17+), or the tracefs interface libbpf falls back on */
	return access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0 ||
	       access("/sys/kernel/tracing/kprobe_events", F_OK) == 0 ||
	       access("/sys/kernel/debug/tracing/kprobe_events", F_OK) == 0;
}

static int fail(char *why, size_t size, int err, const char *fmt, ...)
{
	va_list ap;

	if (size) {
		va_start(ap, fmt);
		vsnprintf(why, size, fmt, ap);
		va_end(ap);
	}
	trace_close();
	return err;
}

static int fail_load(char *why, size_t size, int err)
{
	if (err == -EPERM || err == -EACCES)
		return fail(why, size, err, BPF_NEEDS_ROOT);
	return fail(why, size, err, "loading the BPF program failed (%s); set MTEPROBE_BPF_DEBUG=1 to see why",
		    strerror(-err));
}

int trace_open(char *why, size_t size)
{
	int err, found, attached = 0, attach_err = 0;
	struct rlimit rlim;
	bool have_rlim;

	if (skel)
		return 0;
	libbpf_set_print(libbpf_quiet);

	/* kprobe programs need CAP_BPF and CAP_PERFMON (5.8+), or CAP_SYS_ADMIN,
	 * whatever kernel.unprivileged_bpf_disabled says: without them nothing
	 * else matters (an adb shell, an ordinary user) */
	if (!have_capability(CAP_SYS_ADMIN) &&
	    !(have_capability(CAP_BPF) && have_capability(CAP_PERFMON)))
		return fail(why, size, -EPERM, BPF_NEEDS_ROOT);
	/* an unknown command tells a missing bpf() (ENOSYS) and a refused
	 * one (EPERM; EACCES from a security module) from a working one
	 * (EINVAL) without loading anything */
	if (syscall(SYS_bpf, -1, NULL, 0) < 0 && (errno == ENOSYS || errno == EPERM || errno == EACCES)) {
		if (errno == ENOSYS)
			return fail(why, size, -ENOSYS, "the kernel has no BPF syscall (CONFIG_BPF_SYSCALL)");
		return fail(why, size, -errno, "bpf(2) is refused (%s) even with CAP_BPF: a security "
			    "module (SELinux) or a seccomp filter forbids it", strerror(errno));
	}
	if (!have_kprobes())
		return fail(why, size, -EOPNOTSUPP, "the kernel has no kprobes (CONFIG_KPROBES)");
	found = find_symbols();
	if (found < 0)
		return fail(why, size, found, "cannot read /proc/kallsyms (%s); mount /proc", strerror(-found));
	if (found == 0)
		return fail(why, size, -ENOENT, "none of the fault-in functions is in /proc/kallsyms");

	skel = trace_bpf__open();
	if (!skel)
		return fail_load(why, size, -errno);
	for (int e = 0; e < TRACE_EVENT_COUNT; e++)
		if (!symbols[e][0])
			bpf_program__set_autoload(event_prog(skel, e), false);
	/* Before 5.11 the kernel charges BPF memory to RLIMIT_MEMLOCK (64 KiB by
	 * default) and libbpf raises it to unlimited for the load. Put it back
	 * afterwards: what is loaded stays, and the cases forked later run under
	 * the limit they would have had without tracing. */
	have_rlim = getrlimit(RLIMIT_MEMLOCK, &rlim) == 0;
	err = trace_bpf__load(skel);
	if (have_rlim)
		setrlimit(RLIMIT_MEMLOCK, &rlim);
	if (err)
		return fail_load(why, size, err);
	if (!skel->bss)
		return fail(why, size, -EOPNOTSUPP, "the kernel cannot mmap BPF maps (5.5+ needed)");

	for (int e = 0; e < TRACE_EVENT_COUNT; e++) {
		if (!symbols[e][0])
			continue;
		links[e] = bpf_program__attach_kprobe(event_prog(skel, e), false, symbols[e]);
		if (!links[e]) {
			/* blacklisted for kprobes, or notrace (lib/iov_iter.c
			 * on Debian arm64): not this event */
			attach_err = -errno;
			symbols[e][0] = '\0';
			continue;
		}
		attached++;
	}
	if (!attached) {
		if (attach_err == -EPERM || attach_err == -EACCES)
			return fail_load(why, size, attach_err);
		return fail(why, size, attach_err ? attach_err : -ENOENT,
			    "no fault-in function accepts a kprobe (%s); set MTEPROBE_BPF_DEBUG=1 to see why",
			    strerror(attach_err ? -attach_err : ENOENT));
	}
	return 0;
}

bool trace_on(void)
{
	return skel != NULL;
}

bool trace_event_attached(enum trace_event e)
{
	return skel && (unsigned)e < TRACE_EVENT_COUNT && links[e];
}

const char *trace_event_symbol(enum trace_event e)
{
	return trace_event_attached(e) ? symbols[e] : "";
}

void trace_arm(pid_t tid)
{
	struct trace_bpf__bss *bss = skel ? skel->bss : NULL;
	char name[sizeof(bss->worker_comm[0])] = "";

	if (!bss)
		return;
	/* stop counting, zero, then name the thread: the BPF side reads
	 * target_tid first, so it never adds to half-zeroed counters of a
	 * thread it no longer counts */
	__atomic_store_n(&bss->target_tid[slot], 0, __ATOMIC_SEQ_CST);
	for (int e = 0; e < TRACE_EVENT_COUNT; e++)
		__atomic_store_n(&bss->counts[slot][e], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&bss->same_addr[slot], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&bss->last_addr[slot], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&bss->target_tgid[slot], (__u32)getpid(), __ATOMIC_RELAXED);
	task_io_wq_name(tid, name, sizeof(name));
	memcpy((char *)bss->worker_comm[slot], name, sizeof(name));
	__atomic_store_n(&bss->target_tid[slot], (__u32)tid, __ATOMIC_SEQ_CST);
}

void trace_disarm(void)
{
	if (skel && skel->bss)
		__atomic_store_n(&skel->bss->target_tid[slot], 0, __ATOMIC_SEQ_CST);
}

void trace_read(struct trace_counts *c)
{
	struct trace_bpf__bss *bss = skel ? skel->bss : NULL;

	memset(c, 0, sizeof(*c));
	if (!bss)
		return;
	for (int e = 0; e < TRACE_EVENT_COUNT; e++)
		c->n[e] = __atomic_load_n(&bss->counts[slot][e], __ATOMIC_RELAXED);
	c->fault_in_same_addr = __atomic_load_n(&bss->same_addr[slot], __ATOMIC_RELAXED);
}

void trace_close(void)
{
	for (int e = 0; e < TRACE_EVENT_COUNT; e++) {
		bpf_link__destroy(links[e]);
		links[e] = NULL;
	}
	trace_bpf__destroy(skel);
	skel = NULL;
}

#else /* !HAVE_LIBBPF */

int trace_open(char *why, size_t size)
{
	if (size)
		snprintf(why, size, "this build has no libbpf; rebuild with -Dlibbpf=enabled to count them");
	return -EOPNOTSUPP;
}

bool trace_on(void)
{
	return false;
}

bool trace_event_attached(enum trace_event e)
{
	(void)e;
	return false;
}

const char *trace_event_symbol(enum trace_event e)
{
	(void)e;
	return "";
}

void trace_arm(pid_t tid)
{
	(void)tid;
}

void trace_disarm(void)
{
}

void trace_read(struct trace_counts *c)
{
	memset(c, 0, sizeof(*c));
}

void trace_close(void)
{
}

#endif
