/*
 * What every reproducer shares, after the case's CASE_* constants and
 * before the call's own part (setup, call, verify, cleanup, expect_of).
 * Plain libc and inline asm: it builds with `cc -static` anywhere.
 *
 * The buffer is laid out as mteprobe lays it out (lib/layout.h): map, then
 * CASE_HEAD bytes rounded up to pages, then CASE_BUF_OFF bytes, then the
 * CASE_LEN-byte buffer; the fault is the granule (mte, retag) or page (page)
 * holding byte CASE_FAULT_AT of the buffer.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#define HELPER static __attribute__((unused))

enum { FAULT_NONE, FAULT_MTE, FAULT_PAGE, FAULT_RETAG };
enum { MODE_NONE, MODE_SYNC, MODE_ASYNC, MODE_ASYMM };

#define GRANULE		16
#define BUF_TAG		3		/* the buffer's tag */
#define BAD_TAG		4		/* the fault granule's */
#define ALIGN_DOWN(x, a)	((x) & ~((size_t)(a) - 1))
#define ALIGN_UP(x, a)		ALIGN_DOWN((x) + (a) - 1, (a))

#ifndef PR_SET_TAGGED_ADDR_CTRL
#define PR_SET_TAGGED_ADDR_CTRL	55
#endif
#ifndef PR_TAGGED_ADDR_ENABLE
#define PR_TAGGED_ADDR_ENABLE	(1UL << 0)
#endif
#ifndef PR_MTE_TCF_SYNC
#define PR_MTE_TCF_SYNC		(1UL << 1)
#define PR_MTE_TCF_ASYNC	(1UL << 2)
#define PR_MTE_TAG_SHIFT	3
#endif
#ifndef PROT_MTE
#define PROT_MTE		0x20
#endif
#ifndef SEGV_MTEAERR
#define SEGV_MTEAERR		8
#endif
#define HWCAP2_MTE_BIT		(1UL << 18)

static size_t page;
static bool have_mte;
static uint8_t *map;		/* the mapping, untagged */
static size_t map_len, start;	/* start: the buffer's offset in map */
static uint8_t *buf;		/* the buffer under test, with its tag */
static int prot;

/* The call's state, for setup/call/verify/cleanup. */
static int workfd = -1;		/* the reproducer's own directory, removed at the end */
static int fd = -1, fd2 = -1;
static off_t foff;		/* file offset of buffer byte 0 */
static size_t want = CASE_LEN;	/* what a fault-free call returns (setup may change it) */
static size_t reach = CASE_LEN;	/* bytes a full call touches */
static long overshoot = -1;	/* bytes stored past the count (verify), -1 unknown */
/* Calls whose output is no pattern (records, search results): what the same
 * call stored into a plain buffer, and the buffer before the call (setup
 * makes them with snapshot(); verify then checks against them). */
static uint8_t *ref, *before;
static char note[256];

static void *tagged(const void *p, unsigned tag)
{
	return (void *)(((uintptr_t)p & ~(UINT64_C(0xf) << 56)) | ((uint64_t)(tag & 0xf) << 56));
}

HELPER void *untagged(const void *p)
{
	return tagged(p, 0);
}

#ifdef __aarch64__
/* The MTE instructions as words, so that any arm64 assembler takes them. */
/* STG x0, [x0]: the granule at p gets the tag in p's bits 56..59 (never checked) */
static void set_tag(void *p)
{
	register void *x0 asm("x0") = p;

	asm volatile(".inst 0xd9200800" : : "r"(x0) : "memory");
}

/* MSR TCO, #1 / #0: tag checks off around fills and comparisons */
static void tco(bool on)
{
	if (!have_mte)
		return;
	if (on)
		asm volatile(".inst 0xd503419f" : : : "memory");
	else
		asm volatile(".inst 0xd503409f" : : : "memory");
}
#else
static void set_tag(void *p) { (void)p; }
static void tco(bool on) { (void)on; }
#endif

HELPER long ret_of(long r)
{
	return r < 0 ? -errno : r;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* For setup: why it failed (printed by main), and the error. */
HELPER int setup_failed(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
HELPER int setup_failed(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(note, sizeof(note), fmt, ap);
	va_end(ap);
	return err;
}

/* For call: a step of its own before the call under test failed (a ring),
 * so there is no outcome; main says so and exits 4. Gives err. */
static bool call_setup_broke;
#define call_setup_failed(err, ...)	(call_setup_broke = true, setup_failed((int)(err), __VA_ARGS__))

/* ---- MTE mode ---- */

static int set_mode(int mode)
{
	unsigned long ctrl = PR_TAGGED_ADDR_ENABLE | (0xfffeUL << PR_MTE_TAG_SHIFT);

	if (!have_mte)
		return 0;
	if (mode == MODE_SYNC || mode == MODE_ASYMM)
		ctrl |= PR_MTE_TCF_SYNC;
	if (mode == MODE_ASYNC || mode == MODE_ASYMM)
		ctrl |= PR_MTE_TCF_ASYNC;
	return prctl(PR_SET_TAGGED_ADDR_CTRL, ctrl, 0, 0, 0) ? -errno : 0;
}

/* Asymmetric mode is each CPU's preference among the modes asked for: make
 * every CPU prefer it (root), and put the old preferences back at the end. */
#define CPUS_MAX	256
static char old_pref[CPUS_MAX][16];

static int cpu_pref(int cpu, char *val, size_t size, bool write_it)
{
	char path[96];
	int f, n;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/mte_tcf_preferred", cpu);
	f = open(path, write_it ? O_WRONLY : O_RDONLY);
	if (f < 0)
		return -errno;
	n = write_it ? (int)write(f, val, strlen(val)) : (int)read(f, val, size - 1);
	if (n < 0)
		n = -errno;
	close(f);
	if (!write_it && n >= 0) {
		val[n] = '\0';
		val[strcspn(val, "\n")] = '\0';
	}
	return n < 0 ? n : 0;
}

HELPER int asymm_begin(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);
	int err = 0;

	for (int c = 0; c < n && c < CPUS_MAX && !err; c++)
		if (!(err = cpu_pref(c, old_pref[c], sizeof(old_pref[c]), false)))
			err = cpu_pref(c, "asymm", 0, true);
	return err;
}

HELPER void asymm_end(void)
{
	for (int c = 0; c < CPUS_MAX; c++)
		if (old_pref[c][0])
			cpu_pref(c, old_pref[c], 0, true);
}

/* ---- the buffer and its fault ---- */

static uint8_t pattern(size_t i)
{
	/* lib/buffer.c testbuf_pattern, of the byte's map offset */
	size_t off = start + i;
	uint32_t x = 0x9e3779b9u ^ (uint32_t)(off * 2654435761u);

	x ^= x >> 15;
	return (uint8_t)(x ^ (x >> 8) ^ (off >> 16));
}

/* A read-type buffer starts as the pattern's complement */
static uint8_t complement(size_t i)
{
	return (uint8_t)(255 - pattern(i));
}

static int make_buffer(void)
{
	size_t head = ALIGN_UP((size_t)CASE_HEAD, page), extent = CASE_LEN;

	if (CASE_FAULT != FAULT_NONE && CASE_FAULT_AT + 1 > extent)
		extent = CASE_FAULT_AT + 1;
	map_len = ALIGN_UP(head + CASE_BUF_OFF + extent, page);
	prot = PROT_READ | PROT_WRITE | (CASE_TAGGED ? PROT_MTE : 0);
	map = mmap(NULL, map_len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return -errno;
	if (CASE_TAGGED)
		for (size_t g = 0; g < map_len; g += GRANULE)
			set_tag(tagged(map + g, BUF_TAG));
	start = head + CASE_BUF_OFF;
	buf = tagged(map + start, CASE_TAGGED ? BUF_TAG : 0);
	/* what the kernel reads is the pattern; where it writes, the
	 * complement, so every byte it stores shows */
	tco(true);
	for (size_t i = 0; i < CASE_LEN; i++)
		map[start + i] = CASE_KERNEL_WRITES ? complement(i) : pattern(i);
	tco(false);
	return 0;
}

static uint8_t *fault_byte(void)
{
	return map + start + CASE_FAULT_AT;
}

/* Put the fault in place (on) or take it away. */
static int fault_set(bool on)
{
	uint8_t *p = fault_byte();

	switch (CASE_FAULT) {
	case FAULT_NONE:
		break;
	case FAULT_MTE:
	case FAULT_RETAG:
		set_tag(tagged((void *)ALIGN_DOWN((uintptr_t)p, GRANULE), on ? BAD_TAG : BUF_TAG));
		return 0;
	case FAULT_PAGE:
		return mprotect((void *)ALIGN_DOWN((uintptr_t)p, page), page, on ? PROT_NONE : prot)
			? -errno : 0;
	}
	return 0;
}

static bool in_fault_page(size_t i)
{
	uintptr_t fp = ALIGN_DOWN((uintptr_t)fault_byte(), page);

	return CASE_FAULT == FAULT_PAGE && (uintptr_t)(map + start + i) >= fp &&
	       (uintptr_t)(map + start + i) < fp + page;
}

/* ---- the retag race: a thread flips the granule's tag during the call ---- */

static pthread_t race_thread;
static atomic_bool race_stop_flag;
static atomic_ulong race_flips;
static atomic_bool race_running;

static void *race(void *arg)
{
	void *g = (void *)ALIGN_DOWN((uintptr_t)fault_byte(), GRANULE);
	bool bad = true;

	(void)arg;
	while (!atomic_load_explicit(&race_stop_flag, memory_order_relaxed)) {
		bad = !bad;
		set_tag(tagged(g, bad ? BAD_TAG : BUF_TAG));
		atomic_fetch_add_explicit(&race_flips, 1, memory_order_relaxed);
	}
	return NULL;
}

HELPER int race_begin(void)
{
	pthread_attr_t a;
	cpu_set_t cpus;
	int me = sched_getcpu(), err;

	/* off the caller's CPU when there is another, so they overlap */
	pthread_attr_init(&a);
	if (me >= 0 && sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1) {
		CPU_CLR(me, &cpus);
		pthread_attr_setaffinity_np(&a, sizeof(cpus), &cpus);
	}
	err = pthread_create(&race_thread, &a, race, NULL);
	pthread_attr_destroy(&a);
	if (err)
		return -err;
	atomic_store(&race_running, true);
	while (!atomic_load(&race_flips))
		sched_yield();
	return 0;
}

/* Stop flipping, the granule matching again: the flips so far. Called by
 * the guard and after the call: whichever comes first stops it. */
static unsigned long race_end(void)
{
	if (atomic_exchange(&race_running, false)) {
		atomic_store(&race_stop_flag, true);
		pthread_join(race_thread, NULL);
		fault_set(false);
	}
	return atomic_load(&race_flips);
}

/* ---- the probe: what a byte-exact kernel can access ---- */

static sigjmp_buf probe_jmp;
static volatile sig_atomic_t probing, async_fault;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (si->si_code == SEGV_MTEAERR) {	/* after the access: note it, go on */
		async_fault = 1;
		return;
	}
	if (probing)
		siglongjmp(probe_jmp, 1);
	signal(sig, SIG_DFL);	/* anything else: the access faults again, and kills */
}

/* The first byte from buf that faults (one load per granule), at most len:
 * in sync mode, what a byte-exact kernel can copy. */
static size_t probe(size_t len)
{
	volatile size_t i = 0;

	probing = 1;
	if (sigsetjmp(probe_jmp, 1) == 0)
		while (i < len) {
			(void)*(volatile uint8_t *)(buf + i);
			i = ALIGN_DOWN(start + i, GRANULE) + GRANULE - start;
		}
	probing = 0;
	return i < len ? i : len;
}

/* ---- helpers for the call's part ---- */

/* A file of the reproducer's directory: created (never followed), or opened again. */
HELPER int create_file(const char *name, int flags)
{
	return openat(workfd, name, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
}

/* Regular-file calls: the file "data", holding the source at file offset off
 * for read-type calls, opened O_DIRECT for direct I/O. */
HELPER int file_setup(off_t off)
{
	size_t n = CASE_LEN;
	uint8_t *src = malloc(n);

	foff = off;
	fd = create_file("data", O_RDWR);
	if (fd < 0 || !src)
		return setup_failed(fd < 0 ? -errno : -ENOMEM, "cannot create the file: %s",
				    strerror(fd < 0 ? errno : ENOMEM));
	for (size_t i = 0; CASE_KERNEL_WRITES && i < n; i++)
		src[i] = pattern(i);
	if (CASE_KERNEL_WRITES && pwrite(fd, src, n, off) != (ssize_t)n) {
		free(src);
		return setup_failed(-EIO, "cannot fill the file: %s", strerror(errno));
	}
	free(src);
	if (CASE_DIRECT) {
		/* the fill went through the page cache; the call must not. On
		 * disk first: btrfs reads through the page cache while the
		 * fill's ordered extent is pending */
		if (CASE_KERNEL_WRITES && fdatasync(fd) != 0)
			return setup_failed(-errno, "cannot sync the file: %s", strerror(errno));
		close(fd);
		fd = openat(workfd, "data", O_RDWR | O_DIRECT | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return setup_failed(-errno, "O_DIRECT refused: %s", strerror(errno));
	}
	return 0;
}

/* For outputs that are no pattern: [0, ret) must equal what a fault-free
 * call stored (ref); overshoot counts bytes changed past it. */
HELPER int check_against(long ret, const uint8_t *ref, const uint8_t *before)
{
	size_t n = ret > 0 ? (size_t)ret : 0;
	int ok = 1;

	overshoot = 0;
	tco(true);
	for (size_t i = 0; i < CASE_LEN; i++) {
		if (in_fault_page(i))
			continue;
		if (i < n)
			ok &= map[start + i] == ref[i];
		else
			overshoot += map[start + i] != before[i];
	}
	tco(false);
	return ok;
}

/* Read-type calls: [0, ret) must hold the source, and overshoot counts the
 * bytes stored past it. */
HELPER int buffer_verify(long ret)
{
	uint8_t *src = malloc(CASE_LEN), *was = malloc(CASE_LEN);
	int ok = -1;

	if (src && was) {
		for (size_t i = 0; i < CASE_LEN; i++) {
			src[i] = pattern(i);
			was[i] = complement(i);
		}
		ok = check_against(ret, src, was);
	}
	free(src);
	free(was);
	return ok;
}

/* Write-type calls on the file: it must hold exactly the first ret bytes
 * of the source from foff on. */
HELPER int file_sink_verify(long ret)
{
	size_t n = ret > 0 ? (size_t)ret : 0;
	uint8_t *got = malloc(CASE_LEN + 1);
	int f = openat(workfd, "data", O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ok = -1;
	ssize_t r;

	if (f >= 0 && got && (r = pread(f, got, CASE_LEN + 1, foff)) >= 0) {
		ok = (size_t)r == n;
		for (size_t i = 0; ok && i < n; i++)
			ok = got[i] == pattern(i);
	}
	if (f >= 0)
		close(f);
	free(got);
	return ok;
}

HELPER int file_verify(long ret)
{
	return CASE_KERNEL_WRITES ? buffer_verify(ret) : file_sink_verify(ret);
}

HELPER void close_fds(void)
{
	if (fd >= 0)
		close(fd);
	if (fd2 >= 0)
		close(fd2);
	fd = fd2 = -1;
}

/* Vectored calls: the buffer in CASE_IOVECS contiguous iovecs (at most
 * max), the last taking the rest; O_DIRECT ones aligned to 512. */
HELPER int split_iov(struct iovec *iov, int max)
{
	int n = CASE_IOVECS < max ? CASE_IOVECS : max;
	size_t seg = CASE_LEN / (size_t)n, at = 0;

	if (CASE_DIRECT)
		seg = ALIGN_DOWN(seg, 512);
	for (int i = 0; i < n; i++) {
		iov[i].iov_base = buf + at;
		iov[i].iov_len = i == n - 1 ? CASE_LEN - at : seg;
		at += iov[i].iov_len;
	}
	return n;
}

/* Calls that list or search entries: directory name in the reproducer's
 * directory with count entries PREFIX0000..: empty files, or with links
 * hard links of the first (calls that see names only); opened O_RDONLY. */
HELPER int fixture_dir(const char *name, char prefix, int count, int links)
{
	char f[16], first[16];
	int d;

	if (mkdirat(workfd, name, 0700) != 0 && errno != EEXIST)
		return setup_failed(-errno, "cannot make %s: %s", name, strerror(errno));
	d = openat(workfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d < 0)
		return setup_failed(-errno, "cannot open %s: %s", name, strerror(errno));
	snprintf(first, sizeof(first), "%c%04d", prefix, 0);
	for (int i = 0; i < count; i++) {
		int e = 0;

		snprintf(f, sizeof(f), "%c%04d", prefix, i);
		if (links && i > 0) {
			if (linkat(d, first, d, f, 0) != 0 && errno != EEXIST)
				e = -1;
		} else if ((e = openat(d, f, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) >= 0) {
			close(e);
		}
		if (e < 0) {
			int err = errno;

			close(d);
			return setup_failed(-err, "cannot make %s/%s: %s", name, f, strerror(err));
		}
	}
	return d;
}

/* A copy of the buffer as it is now (tag checks suspended). */
HELPER uint8_t *snapshot(void)
{
	uint8_t *copy = malloc(CASE_LEN);

	if (!copy)
		return NULL;
	tco(true);
	memcpy(copy, map + start, CASE_LEN);
	tco(false);
	return copy;
}

/* Make the buffer's bytes [from, to) differ from r's: then every byte the
 * call stores there shows in overshoot, none equal by chance. */
HELPER void unlike(const uint8_t *r, size_t from, size_t to)
{
	tco(true);
	for (size_t i = from; i < to && i < CASE_LEN; i++)
		if (map[start + i] == r[i])
			map[start + i] ^= 0xff;
	tco(false);
}

/* ---- the call's own part follows: setup, call, verify, cleanup ---- */
