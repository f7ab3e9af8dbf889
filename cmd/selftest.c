/* SPDX-License-Identifier: MIT */
/*
 * mteprobe selftest: is this platform one whose MTE results can be trusted?
 * One line per check: its verdict, its name, what it saw.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "buffer.h"
#include "cli.h"
#include "fault.h"
#include "mte.h"
#include "platform.h"
#include "probe.h"
#include "util.h"

enum verdict {
	PASS,
	FAIL,
	SKIP,		/* cannot run here; does not fail the selftest */
	NOTE,		/* something to know; does not fail the selftest */
	NO_MTE,		/* the CPU has no MTE: later MTE checks are skipped */
	UNTRUSTED,	/* the platform gives wrong answers */
};

static const char *const verdict_names[] = {
	[PASS] = "pass", [FAIL] = "FAIL", [SKIP] = "skip",
	[NOTE] = "note", [NO_MTE] = "no", [UNTRUSTED] = "BAD",
};

struct result {
	enum verdict verdict;
	char msg[320];
};

struct check {
	const char *name;
	bool needs_mte;
	void (*run)(struct result *r);
};

#define FAULT_TIMEOUT_MS	10000

static void say(struct result *r, enum verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct result *r, enum verdict v, const char *fmt, ...)
{
	va_list ap;

	r->verdict = v;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
}

/* Sync mode with every tag allowed: what the checks below assume. */
static int use_sync_mode(struct result *r)
{
	int err = mte_set_mode(MTE_MODE_SYNC, MTE_TAGS_ALL);

	if (err)
		say(r, FAIL, "cannot set sync mode: %s", strerror(-err));
	return err;
}

static bool make_buffer(struct result *r, struct testbuf *b, size_t len, bool tagged)
{
	int err = testbuf_create(b, len, TESTBUF_PRIVATE, tagged);

	if (err)
		say(r, FAIL, "cannot map a %s buffer: %s", tagged ? "PROT_MTE" : "plain",
		    strerror(-err));
	return err == 0;
}

static void check_cpu(struct result *r)
{
	if (!mte_cpu_has_mte()) {
		say(r, NO_MTE, "this CPU has no MTE (HWCAP2_MTE absent on %s): MTE checks skipped; "
		    "run them on an MTE CPU or in the VM: scripts/mte-vm -- mteprobe selftest",
		    platform_build_arch());
		return;
	}
	say(r, PASS, "HWCAP2_MTE present; MTE3 (asymmetric mode) %s",
	    mte_cpu_has_mte3() ? "present" : "absent");
}

static void check_emulation(struct result *r)
{
	char arch[32];

	if (platform_user_emulation(arch, sizeof(arch)))
		say(r, NOTE, "user-mode emulation: %s binary on an %s kernel; syscalls are not "
		    "tag-checked here, so syscall results mean nothing", platform_build_arch(), arch);
	else
		say(r, PASS, "native: %s binary on an %s kernel", platform_build_arch(), arch);
}

static void check_mode(struct result *r, enum mte_mode mode)
{
	int err = mte_set_mode(mode, MTE_TAGS_ALL);
	int got = mte_get_mode();

	if (err)
		say(r, FAIL, "prctl refused %s mode: %s", mte_mode_name(mode), strerror(-err));
	else if (got != (int)mode)
		say(r, FAIL, "set %s mode, read back %s", mte_mode_name(mode),
		    got < 0 ? strerror(-got) : mte_mode_name(got));
	else
		say(r, PASS, "set and read back %s mode", mte_mode_name(mode));
	use_sync_mode(r);
}

static void check_mode_none(struct result *r) { check_mode(r, MTE_MODE_NONE); }
static void check_mode_sync(struct result *r) { check_mode(r, MTE_MODE_SYNC); }
static void check_mode_async(struct result *r) { check_mode(r, MTE_MODE_ASYNC); }

/* Asymmetric mode is chosen per CPU through sysfs: set it on every CPU,
 * check, and put the CPUs' preferences back. */
static void check_mode_asymm(struct result *r)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	int saved[256];
	int err = 0, cpu;

	if (!mte_cpu_has_mte3()) {
		say(r, SKIP, "the CPU has no MTE3, so no asymmetric mode");
		return;
	}
	if (ncpu > (long)ARRAY_SIZE(saved))
		ncpu = ARRAY_SIZE(saved);
	for (cpu = 0; cpu < ncpu; cpu++) {
		saved[cpu] = mte_preferred_get(cpu);
		if (saved[cpu] == -ENOENT) {
			say(r, SKIP, "no cpuN/mte_tcf_preferred in sysfs (Linux < 5.14, or user-mode emulation): asymm mode "
			    "cannot be chosen");
			return;
		}
	}
	for (cpu = 0; cpu < ncpu && !err; cpu++)
		err = mte_preferred_set(cpu, MTE_MODE_ASYMM);
	if (err == -EACCES || err == -EPERM || err == -EROFS) {
		say(r, SKIP, "setting mte_tcf_preferred needs root: run as root to check asymm mode");
	} else if (err == -EINVAL) {
		say(r, SKIP, "this kernel has no asymmetric mode (Linux < 5.18)");
	} else if (err) {
		say(r, FAIL, "cannot write cpu%d/mte_tcf_preferred: %s", cpu - 1, strerror(-err));
	} else {
		check_mode(r, MTE_MODE_ASYMM);
	}
	for (cpu = 0; cpu < ncpu; cpu++)
		if (saved[cpu] >= 0)
			mte_preferred_set(cpu, saved[cpu]);
}

#if MTE_HAVE_INSNS
/* STG, ST2G, STZG, LDG, IRG, GMI each do what the architecture says. */
static void check_tags(struct result *r)
{
	struct testbuf b;
	size_t g, granules;

	if (use_sync_mode(r) || !make_buffer(r, &b, 2 * page_size(), true))
		return;
	granules = b.len / MTE_GRANULE;
	for (g = 0; g < granules; g++)
		mte_set_tag(mte_tag_ptr(b.map + g * MTE_GRANULE, g % 15 + 1));
	for (g = 0; g < granules; g++)
		if (testbuf_tag_at(&b, g * MTE_GRANULE) != g % 15 + 1) {
			say(r, FAIL, "STG/LDG: granule %zu has tag %u, set %zu", g,
			    testbuf_tag_at(&b, g * MTE_GRANULE), g % 15 + 1);
			goto out;
		}
	mte_set_tag_pair(mte_tag_ptr(b.map + 64, 9));
	if (testbuf_tag_at(&b, 64) != 9 || testbuf_tag_at(&b, 80) != 9 ||
	    testbuf_tag_at(&b, 96) == 9) {
		say(r, FAIL, "ST2G did not tag exactly two granules");
		goto out;
	}
	testbuf_fill(&b, 0, b.len, 1);
	mte_set_tag_zero(mte_tag_ptr(b.map + 128, 4));
	mte_tco_enable();
	for (g = 128; g < 144 && b.map[g] == 0; g++)
		;
	bool zeroed = g == 144 && b.map[144] == testbuf_pattern(1, 144);
	mte_tco_disable();
	if (!zeroed || testbuf_tag_at(&b, 128) != 4) {
		say(r, FAIL, "STZG did not zero and tag exactly one granule");
		goto out;
	}
	for (unsigned tag = 0; tag < 16; tag++) {
		void *p = mte_insert_random_tag(b.map, (uint64_t)~(1u << tag) & 0xffff);
		if (mte_ptr_tag(p) != tag) {
			say(r, FAIL, "IRG with only tag %u allowed gave tag %u", tag, mte_ptr_tag(p));
			goto out;
		}
	}
	if (mte_exclude_tag(mte_tag_ptr(b.map, 7), 1) != (1u | 1u << 7)) {
		say(r, FAIL, "GMI did not add the pointer's tag to the mask");
		goto out;
	}
	say(r, PASS, "STG, ST2G, STZG, LDG, IRG, GMI on %zu granules", granules);
out:
	testbuf_destroy(&b);
}

/* The access the fault checks make, through a pointer with the buffer's tag. */
struct bad_access {
	struct testbuf *b;
	size_t off;
	enum mte_mode mode;
	bool tco;
};

static void do_bad_access(void *arg)
{
	struct bad_access *a = arg;
	volatile uint8_t *p = testbuf_ptr(a->b, a->off);

	mte_set_mode(a->mode, MTE_TAGS_ALL);
	if (a->tco)
		mte_tco_enable();
	if (a->mode == MTE_MODE_ASYNC) {
		*p = 1;
		/* an async fault is reported at the next kernel entry */
		for (int i = 0; i < 100; i++)
			getppid();
	} else {
		(void)*p;
	}
	mte_tco_disable();
}

static bool catch_bad_access(struct result *r, struct bad_access *a, struct fault_report *f)
{
	int err = fault_catch(do_bad_access, a, FAULT_TIMEOUT_MS, f);

	if (err)
		say(r, FAIL, "cannot fork: %s", strerror(-err));
	else if (f->timed_out)
		say(r, FAIL, "the access did not finish in %u ms", FAULT_TIMEOUT_MS);
	return err == 0 && !f->timed_out;
}

static void check_fault(struct result *r, enum mte_mode mode)
{
	struct testbuf b;
	struct fault_report f;
	struct bad_access a = { .b = &b, .off = 2 * MTE_GRANULE + 5, .mode = mode };
	int want = mode == MTE_MODE_SYNC ? SEGV_MTESERR : SEGV_MTEAERR;
	uintptr_t want_addr;

	if (!make_buffer(r, &b, page_size(), true))
		return;
	/* async faults do not know the address: si_addr is 0 */
	want_addr = mode == MTE_MODE_SYNC ? (uintptr_t)(b.map + a.off) : 0;
	testbuf_mismatch(&b, a.off);
	if (!catch_bad_access(r, &a, &f))
		goto out;
	if (!f.faulted)
		say(r, FAIL, "a %s-mode access to a mismatching granule did not fault",
		    mte_mode_name(mode));
	else if (f.signo != SIGSEGV || f.code != want)
		say(r, FAIL, "expected SIGSEGV si_code %d, got signal %d si_code %d", want,
		    f.signo, f.code);
	else if ((uintptr_t)mte_untag_ptr((void *)f.addr) != want_addr)
		say(r, FAIL, "si_addr %#lx, expected %#lx", (unsigned long)f.addr,
		    (unsigned long)want_addr);
	else
		say(r, PASS, "SIGSEGV %s at %s", want == SEGV_MTESERR ? "SEGV_MTESERR" : "SEGV_MTEAERR",
		    want_addr ? "the exact address" : "si_addr 0, as async faults are");
out:
	testbuf_destroy(&b);
}

static void check_fault_sync(struct result *r) { check_fault(r, MTE_MODE_SYNC); }
static void check_fault_async(struct result *r) { check_fault(r, MTE_MODE_ASYNC); }

static void check_tco(struct result *r)
{
	struct testbuf b;
	struct fault_report f;
	struct bad_access a = { .b = &b, .off = 7, .mode = MTE_MODE_SYNC, .tco = true };

	if (!make_buffer(r, &b, page_size(), true))
		return;
	testbuf_mismatch(&b, a.off);
	if (catch_bad_access(r, &a, &f)) {
		if (f.faulted)
			say(r, FAIL, "an access with PSTATE.TCO set faulted (si_code %d)", f.code);
		else
			say(r, PASS, "no fault with PSTATE.TCO set");
	}
	testbuf_destroy(&b);
}

/* Every start offset in a granule, every mismatching granule in two pages:
 * the probes must stop exactly there and leave the data alone. */
static void check_probe_mte(struct result *r)
{
	struct testbuf b;
	size_t cases = 0;

	if (use_sync_mode(r) || !make_buffer(r, &b, 2 * page_size(), true))
		return;
	testbuf_fill(&b, 0, b.len, 7);
	for (size_t start = 0; start < MTE_GRANULE; start++) {
		uint8_t *p = testbuf_ptr(&b, start);
		size_t len = b.len - start;

		for (size_t g = 0; g < b.len; g += MTE_GRANULE, cases++) {
			size_t want = g <= start ? 0 : g - start;
			size_t rd, wr, upto = want;

			testbuf_mismatch(&b, g);
			rd = probe_read(p, len);
			wr = probe_write(p, len);
			if (want)	/* a range that ends right at the fault */
				upto = probe_read(p, want);
			testbuf_match(&b, g);
			if (rd != want || wr != want || upto != want) {
				say(r, FAIL, "start %zu, mismatch at %zu: read %zu, write %zu, "
				    "read to the fault %zu; expected %zu", start, g, rd, wr, upto, want);
				goto out;
			}
		}
	}
	if (testbuf_check(&b, 0, b.len, 7) != b.len) {
		say(r, FAIL, "probe_write changed the buffer at offset %zu",
		    testbuf_check(&b, 0, b.len, 7));
		goto out;
	}
	say(r, PASS, "read and write probes stop at the exact granule (%zu layouts)", cases);
out:
	testbuf_destroy(&b);
}

/* Accesses that cross a 32-byte boundary on matching tags. */
static void check_emulator(struct result *r)
{
	static const struct {
		int (*access)(void *);
		const char *what;
		size_t off;
	} accesses[] = {
		{ probe_access8, "8-byte", 28 }, { probe_access16, "16-byte", 24 },
		{ probe_access32, "32-byte", 16 }, { probe_access8, "8-byte", 92 },
		{ probe_access16, "16-byte", 120 }, { probe_access32, "32-byte", 48 },
	};
	struct testbuf b;

	if (use_sync_mode(r) || !make_buffer(r, &b, page_size(), true))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(accesses); i++)
		if (accesses[i].access(testbuf_ptr(&b, accesses[i].off)) != 0) {
			say(r, UNTRUSTED, "a %s access at offset %zu with matching tags faulted: this "
			    "emulator reports false tag faults: results are not trustworthy "
			    "(QEMU 7.2 does; use QEMU >= 8)", accesses[i].what, accesses[i].off);
			goto out;
		}
	say(r, PASS, "no false faults on 8-, 16- and 32-byte accesses across 32-byte boundaries");
out:
	testbuf_destroy(&b);
}

/* The kernel checks tags when it copies from user memory (sync mode). */
static void check_uaccess(struct result *r)
{
	char arch[32];
	struct testbuf b;
	int fds[2];
	ssize_t ret;
	const size_t len = 64;

	if (platform_user_emulation(arch, sizeof(arch))) {
		say(r, SKIP, "user-mode emulation: the host kernel does not check tags");
		return;
	}
	if (use_sync_mode(r) || !make_buffer(r, &b, page_size(), true))
		return;
	if (pipe(fds) != 0) {
		say(r, FAIL, "pipe: %s", strerror(errno));
		goto out;
	}
	testbuf_mismatch(&b, 0);
	ret = write(fds[1], testbuf_ptr(&b, 0), len);
	if (ret < 0 && errno == EFAULT)
		say(r, PASS, "write() from a mismatching granule: EFAULT");
	else if (ret >= 0 && (size_t)ret < len)
		say(r, PASS, "write() from a mismatching granule: short, %zd of %zu", ret, len);
	else
		say(r, UNTRUSTED, "write() from a mismatching granule returned %zd%s%s: this kernel "
		    "does not check tags on uaccess", ret, ret < 0 ? ", " : "",
		    ret < 0 ? strerror(errno) : "");
	close(fds[0]);
	close(fds[1]);
out:
	testbuf_destroy(&b);
}
#endif /* MTE_HAVE_INSNS */

/* A PROT_NONE or read-only page: the probes stop at its first byte. */
static void check_probe_page(struct result *r)
{
	const size_t ps = page_size();
	struct testbuf b;
	size_t cases = 0;

	if (!make_buffer(r, &b, 3 * ps, false))
		return;
	testbuf_fill(&b, 0, b.len, 3);
	for (size_t page = 1; page < 3; page++) {
		for (size_t start = 0; start < MTE_GRANULE; start++, cases++) {
			uint8_t *p = testbuf_ptr(&b, ps - MTE_GRANULE + start);
			size_t len = b.len - (ps - MTE_GRANULE + start);
			size_t want = page * ps - (ps - MTE_GRANULE + start);
			size_t rd, wr, ro_rd, ro_wr;

			testbuf_protect_page(&b, page * ps);
			rd = probe_read(p, len);
			wr = probe_write(p, len);
			mprotect(b.map + page * ps, ps, PROT_READ);
			ro_rd = probe_read(p, len);
			ro_wr = probe_write(p, len);
			testbuf_unprotect_page(&b, page * ps);
			if (rd != want || wr != want || ro_rd != len || ro_wr != want) {
				say(r, FAIL, "page %zu, start %zu: PROT_NONE read %zu write %zu, "
				    "read-only read %zu write %zu; expected %zu %zu %zu %zu", page,
				    start, rd, wr, ro_rd, ro_wr, want, want, len, want);
				goto out;
			}
		}
	}
	if (probe_read(b.map + ps, 0) != 0 || testbuf_check(&b, 0, b.len, 3) != b.len) {
		say(r, FAIL, "probes changed the buffer or read past a zero length");
		goto out;
	}
	say(r, PASS, "read and write probes stop at PROT_NONE and read-only pages (%zu layouts)",
	    cases);
out:
	testbuf_destroy(&b);
}

static const struct check checks[] = {
	{ "cpu-mte", false, check_cpu },
	{ "emulation", false, check_emulation },
	{ "probe-page", false, check_probe_page },
	{ "mode-none", true, check_mode_none },
	{ "mode-sync", true, check_mode_sync },
	{ "mode-async", true, check_mode_async },
	{ "mode-asymm", true, check_mode_asymm },
#if MTE_HAVE_INSNS
	{ "tags", true, check_tags },
	{ "fault-sync", true, check_fault_sync },
	{ "fault-async", true, check_fault_async },
	{ "tco", true, check_tco },
	{ "probe-mte", true, check_probe_mte },
	{ "emulator-32b", true, check_emulator },
	{ "uaccess-tags", true, check_uaccess },
#endif
};

static void usage(void)
{
	printf("Usage: %s selftest [--list]\n\n"
	       "Check that this platform gives trustworthy MTE results: MTE present,\n"
	       "modes settable, tags set and read, tag faults reported exactly, probes\n"
	       "exact, no false faults from the emulator. One line per check.\n\n"
	       "Options:\n"
	       "  -l, --list  list the checks and exit\n"
	       "  -h, --help  display this help and exit\n\n"
	       "Exit status: 0 every check passed or was skipped, 1 a check failed,\n"
	       "2 usage error, 3 this CPU has no MTE (the checks that need none passed),\n"
	       "5 the platform gives wrong answers (results are not trustworthy).\n",
	       program_name);
}

int cmd_selftest(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool mte = mte_cpu_has_mte();
	int counts[UNTRUSTED + 1] = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "lh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			for (size_t i = 0; i < ARRAY_SIZE(checks); i++)
				printf("%s\n", checks[i].name);
			return EXIT_OK;
		case 'h':
			usage();
			return EXIT_OK;
		default:
			return usage_error("selftest", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("selftest", "unexpected argument '%s'", argv[optind]);

	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		struct result r = { .verdict = FAIL, .msg = "" };

		if (checks[i].needs_mte && !mte)
			say(&r, SKIP, "needs MTE");
		else
			checks[i].run(&r);
		counts[r.verdict]++;
		printf("%-4s %-13s %s\n", verdict_names[r.verdict], checks[i].name, r.msg);
		fflush(stdout);
	}
	printf("selftest: %d passed, %d failed, %d skipped%s\n", counts[PASS],
	       counts[FAIL] + counts[UNTRUSTED], counts[SKIP],
	       counts[UNTRUSTED] ? "; results from this platform are not trustworthy" : "");
	if (counts[FAIL])
		return EXIT_FAILED;
	if (counts[UNTRUSTED])
		return EXIT_UNTRUSTED;
	return mte ? EXIT_OK : EXIT_NO_MTE;
}
