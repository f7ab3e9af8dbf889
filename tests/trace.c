/* SPDX-License-Identifier: MIT */
/*
 * The BPF tracer. Everywhere: the event table, trace_format and
 * trace_fault_ins, and, when trace_open fails (no libbpf, no kprobes, not
 * root, user-mode qemu), a one-line reason and a safe no-op API; the rest is
 * then skipped (77).
 *
 * Where kprobes work (the MTE VM, as root): a forked child armed for its own
 * thread counts a file write's page faults and fault-ins (a second write from
 * one address as a same-address one), not its own page faults in user space;
 * the parent reads the counts while the child sleeps in the kernel;
 * disarming stops counting; another thread of the child is not counted, one
 * named as its io-wq worker is; threads counted in two slots count apart;
 * on an MTE CPU, a tag-check fault in a syscall
 * (a pipe write, a file write) counts as do_tag_check_fault; trace_open
 * leaves RLIMIT_MEMLOCK as it found it. It prints what each kernel attached
 * and counted, so it is also the proof on a kernel:
 *   scripts/mte-vm --kernel 6.1 --fs none --binary build/aarch64/tests/test_trace -- mteprobe
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "buffer.h"
#include "check.h"
#include "config.h"
#include "mte.h"
#include "taskstat.h"
#include "trace.h"
#include "util.h"

#define PAGES	256

static void check_table(void)
{
	for (int e = 0; e < TRACE_EVENT_COUNT; e++) {
		const char *name = trace_event_name(e);

		CHECK(strcmp(name, "?") != 0, "event %d has no name", e);
		for (int f = 0; f < e; f++)
			CHECK(strcmp(name, trace_event_name(f)) != 0, "%s twice", name);
	}
	CHECK(strcmp(trace_event_name(TRACE_EVENT_COUNT), "?") == 0, "past the table");
	CHECK(strcmp(trace_event_name(TRACE_TAG_CHECK_FAULT), "do_tag_check_fault") == 0, "name");
	CHECK(strcmp(trace_event_name(TRACE_PAGE_FAULT), "handle_mm_fault") == 0, "name");
}

static void check_format(void)
{
	struct trace_counts c = { { 0 }, 0 };
	char buf[256], small[12];

	trace_format(&c, buf, sizeof(buf));
	CHECK(buf[0] == '\0', "nothing counted gives \"%s\"", buf);
	CHECK(trace_fault_ins(&c) == 0, "sum of nothing");

	c.n[TRACE_PAGE_FAULT] = 3;
	c.n[TRACE_TAG_CHECK_FAULT] = 41230;
	c.n[TRACE_FAULT_IN_WRITEABLE] = 3;
	trace_format(&c, buf, sizeof(buf));
	/* largest first, ties in table order */
	CHECK(strcmp(buf, "do_tag_check_fault 41230, fault_in_writeable 3, handle_mm_fault 3") == 0,
	      "got \"%s\"", buf);
	CHECK(trace_fault_ins(&c) == 41236, "sum %llu", (unsigned long long)trace_fault_ins(&c));

	memset(small, 'x', sizeof(small));
	trace_format(&c, small, sizeof(small));
	CHECK(memchr(small, '\0', sizeof(small)) != NULL, "truncated output is terminated");
	trace_format(&c, small, 0);	/* must not write */
}

/* When trace_open fails: the reason is one line, and the API does nothing. */
static void check_off(int ret, const char *why)
{
	struct trace_counts c;
	char again[256];

	fprintf(stderr, "%s\n", why);
	CHECK(ret < 0, "trace_open %d", ret);
	CHECK(strlen(why) > 20, "reason \"%s\"", why);
	CHECK(!strchr(why, '\n'), "one line");
	if (!HAVE_LIBBPF)
		CHECK(ret == -EOPNOTSUPP && strstr(why, "libbpf"), "no-libbpf reason \"%s\"", why);
	else if (!have_capability(CAP_SYS_ADMIN) && !have_capability(CAP_BPF))
		CHECK(ret == -EPERM && strstr(why, "needs root") && strstr(why, "run as root"),
		      "unprivileged reason \"%s\"", why);
	CHECK(!trace_on(), "off");
	for (int e = 0; e < TRACE_EVENT_COUNT; e++) {
		CHECK(!trace_event_attached(e), "%s attached", trace_event_name(e));
		CHECK(trace_event_symbol(e)[0] == '\0', "symbol");
	}
	trace_arm((pid_t)syscall(SYS_gettid));
	trace_disarm();
	memset(&c, 0xff, sizeof(c));
	trace_read(&c);
	CHECK(trace_fault_ins(&c) == 0 && c.fault_in_same_addr == 0, "zeros when off");
	trace_close();
	CHECK(trace_open(again, sizeof(again)) == ret && strcmp(again, why) == 0, "twice: \"%s\"", again);
	trace_close();
}

/* ---- the live part: parent and child talk over two pipes -------------- */

static int up[2], down[2];	/* child -> parent, parent -> child */

static void say(char c)
{
	CHECK(write(up[1], &c, 1) == 1, "write: %s", strerror(errno));
}

static char hear(int fd)
{
	char c = 0;
	ssize_t n;

	while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	return n == 1 ? c : 0;
}

/* Fresh anonymous pages, each touched once: PAGES page faults of user space
 * (not counted: trace.bpf.c own_fault). */
static void touch_pages(void)
{
	size_t ps = page_size();
	volatile char *p = mmap(NULL, PAGES * ps, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
	for (size_t i = 0; i < PAGES; i++)
		p[i * ps] = 1;
	munmap((void *)p, PAGES * ps);
}

/* write() to a file from pages never touched: the kernel faults them in
 * (generic_perform_write's fault-in before each page, then the copy). */
static void write_fresh(void)
{
	size_t ps = page_size(), len = 16 * ps;
	char path[] = "/tmp/mteprobe-trace-XXXXXX";
	int fd = mkstemp(path);
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(fd >= 0 && p != MAP_FAILED, "mkstemp/mmap: %s", strerror(errno));
	unlink(path);
	CHECK(write(fd, p, len) == (ssize_t)len, "write: %s", strerror(errno));
	/* twice from one address: a fault-in at the previous call's address.
	 * The page is zapped before each, so the copy faults on every kernel:
	 * 7.x faults in only after a copy fails (generic_perform_write's slow
	 * path), older kernels before every copy. */
	for (int i = 0; i < 2; i++)
		CHECK(madvise(p, ps, MADV_DONTNEED) == 0 && write(fd, p, 100) == 100,
		      "write: %s", strerror(errno));
	close(fd);
	munmap(p, len);
}

static int go[2];
static pid_t other_tid;

static void *other_thread(void *arg)
{
	(void)arg;
	other_tid = (pid_t)syscall(SYS_gettid);
	hear(go[0]);
	write_fresh();
	return NULL;
}

/* A thread named as io_uring names the armed thread's io-wq workers (what
 * io_uring/io-wq.c io_wq_worker does): counted with it. */
static pid_t armed_tid;

static void *io_wq_worker_thread(void *arg)
{
	char name[16];

	(void)arg;
	task_io_wq_name(armed_tid, name, sizeof(name));
	CHECK(prctl(PR_SET_NAME, name) == 0, "PR_SET_NAME: %s", strerror(errno));
	write_fresh();
	return NULL;
}

/* On an MTE CPU in sync mode: write() to a pipe from a buffer whose
 * granule at 96 has the wrong tag. The kernel's copy takes a tag-check
 * fault there and returns short (or EFAULT). */
static void tag_fault(void)
{
	struct testbuf b;
	int p[2];
	ssize_t n;

	if (!mte_cpu_has_mte() || mte_set_mode(MTE_MODE_SYNC, MTE_TAGS_ALL) != 0 ||
	    testbuf_create(&b, 4096, TESTBUF_PRIVATE, true) != 0) {
		say('-');
		return;
	}
	testbuf_fill(&b, 0, b.len, 1);
	CHECK(testbuf_mismatch(&b, 96) == 0, "mismatch");
	CHECK(pipe(p) == 0, "pipe");
	n = write(p[1], testbuf_ptr(&b, 0), 4096);
	fprintf(stderr, "write across a mismatching granule at 96: %zd%s%s\n", n,
		n < 0 ? " " : "", n < 0 ? strerror(errno) : "");
	close(p[0]);
	close(p[1]);
	say('4');
	hear(down[0]);

	/* the same into a file, faulting at the first byte: generic_perform_write
	 * faults the page in (per page: it is fine), the copy fails, again */
	char path[] = "/tmp/mteprobe-trace-XXXXXX";
	int fd = mkstemp(path);

	CHECK(fd >= 0, "mkstemp: %s", strerror(errno));
	unlink(path);
	CHECK(testbuf_mismatch(&b, 0) == 0, "mismatch");
	trace_arm((pid_t)syscall(SYS_gettid));
	n = write(fd, testbuf_ptr(&b, 0), 4096);
	trace_disarm();
	fprintf(stderr, "file write from a mismatching granule at 0: %zd%s%s\n", n,
		n < 0 ? " " : "", n < 0 ? strerror(errno) : "");
	close(fd);
	testbuf_destroy(&b);
	mte_set_mode(MTE_MODE_NONE, 0);
	say('5');
}

static void child(void)
{
	pthread_t t;

	/* 1: armed, counting; sleeps in read() while the parent looks */
	trace_arm((pid_t)syscall(SYS_gettid));
	touch_pages();
	write_fresh();
	say('1');
	hear(down[0]);
	/* 2: disarmed, nothing more counts */
	trace_disarm();
	touch_pages();
	say('2');
	hear(down[0]);
	/* 3: armed for this thread while another one faults */
	CHECK(pipe(go) == 0 && pthread_create(&t, NULL, other_thread, NULL) == 0, "thread");
	while (!__atomic_load_n(&other_tid, __ATOMIC_SEQ_CST))
		usleep(1000);
	trace_arm((pid_t)syscall(SYS_gettid));
	CHECK(write(go[1], "g", 1) == 1, "go");
	pthread_join(t, NULL);
	trace_disarm();
	say('3');
	hear(down[0]);
	/* 3w: armed for this thread while its io-wq "worker" faults */
	armed_tid = (pid_t)syscall(SYS_gettid);
	trace_arm(armed_tid);
	CHECK(pthread_create(&t, NULL, io_wq_worker_thread, NULL) == 0, "thread");
	pthread_join(t, NULL);
	trace_disarm();
	say('w');
	hear(down[0]);
	/* 4: a tag-check fault inside a syscall */
	trace_arm((pid_t)syscall(SYS_gettid));
	tag_fault();
	trace_disarm();
	hear(down[0]);
	_exit(0);
}

static void show(const char *what, const struct trace_counts *c)
{
	char line[512];

	trace_format(c, line, sizeof(line));
	printf("%s: fault_ins %llu (same address %llu): %s\n", what,
	       (unsigned long long)trace_fault_ins(c), (unsigned long long)c->fault_in_same_addr,
	       line[0] ? line : "nothing");
	fflush(stdout);
}

static void live(void)
{
	struct trace_counts c1, c2, c3, c4;
	pid_t pid;
	int status;
	char c;

	for (int e = 0; e < TRACE_EVENT_COUNT; e++)
		printf("%-28s %s\n", trace_event_name(e),
		       trace_event_attached(e) ? trace_event_symbol(e) : "(not attached)");
	CHECK(trace_event_attached(TRACE_PAGE_FAULT), "handle_mm_fault is always there");

	CHECK(pipe(up) == 0 && pipe(down) == 0, "pipe");
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		child();

	CHECK(hear(up[0]) == '1', "child step 1");
	trace_read(&c1);	/* the child sleeps in read(), still armed */
	show("armed child, 256 fresh pages, a 16-page file write, 2 writes from one address", &c1);
	/* the write's, not the 256 pages' (user space's own faults) */
	CHECK(c1.n[TRACE_PAGE_FAULT] >= 16 && c1.n[TRACE_PAGE_FAULT] < PAGES,
	      "handle_mm_fault %llu: want the write's 16, not the %d user-space faults",
	      (unsigned long long)c1.n[TRACE_PAGE_FAULT], PAGES);
	/* 5.16+: generic_perform_write faults each page in with fault_in_readable
	 * (called by fault_in_iov_iter_readable, which is notrace on arm64) */
	if (trace_event_attached(TRACE_FAULT_IN_READABLE)) {
		CHECK(c1.n[TRACE_FAULT_IN_READABLE] >= 16, "fault_in_readable %llu < 16",
		      (unsigned long long)c1.n[TRACE_FAULT_IN_READABLE]);
		CHECK(c1.fault_in_same_addr >= 1, "two writes from one address, no same-address fault-in");
	}

	CHECK(write(down[1], "n", 1) == 1, "next");
	CHECK(hear(up[0]) == '2', "child step 2");
	trace_read(&c2);
	show("disarmed child, 256 more pages", &c2);
	CHECK(memcmp(&c1, &c2, sizeof(c1)) == 0, "counted after disarm");

	CHECK(write(down[1], "n", 1) == 1, "next");
	CHECK(hear(up[0]) == '3', "child step 3");
	trace_read(&c3);
	show("armed thread waits while another thread writes 16 fresh pages", &c3);
	CHECK(c3.n[TRACE_PAGE_FAULT] < 16, "the other thread was counted: %llu",
	      (unsigned long long)c3.n[TRACE_PAGE_FAULT]);

	CHECK(write(down[1], "n", 1) == 1, "next");
	CHECK(hear(up[0]) == 'w', "child step 3w");
	trace_read(&c3);
	show("armed thread waits while its io-wq worker (iou-wrk-<tid>) writes 16 fresh pages", &c3);
	CHECK(c3.n[TRACE_PAGE_FAULT] >= 16, "the io-wq worker was not counted: %llu",
	      (unsigned long long)c3.n[TRACE_PAGE_FAULT]);

	CHECK(write(down[1], "n", 1) == 1, "next");
	c = hear(up[0]);
	trace_read(&c4);
	if (c == '4') {
		show("pipe write() across a mismatching granule (MTE sync)", &c4);
		if (trace_event_attached(TRACE_TAG_CHECK_FAULT))
			CHECK(c4.n[TRACE_TAG_CHECK_FAULT] > 0, "no tag-check fault counted");
		CHECK(write(down[1], "n", 1) == 1, "next");
		CHECK(hear(up[0]) == '5', "child step 5");
		trace_read(&c4);
		show("file write() from a mismatching granule at 0 (MTE sync)", &c4);
		if (trace_event_attached(TRACE_TAG_CHECK_FAULT))
			CHECK(c4.n[TRACE_TAG_CHECK_FAULT] > 0, "no tag-check fault counted");
	} else {
		CHECK(c == '-', "child step 4");
		printf("no MTE: tag-check fault not tried\n");
	}
	CHECK(write(down[1], "n", 1) == 1, "next");
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child status %#x", status);
}

/* Lanes count apart (trace_slot_set): a child counted in slot 1 writes 16
 * fresh pages while this thread, counted in slot 2, waits; then this thread
 * writes while the child's slot keeps its figures. */
static void slots(void)
{
	struct trace_counts c1, c2, again;
	pid_t pid;
	int status;

	trace_slot_set(2);
	trace_arm((pid_t)syscall(SYS_gettid));
	fflush(NULL);
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		trace_slot_set(1);
		trace_arm((pid_t)syscall(SYS_gettid));
		write_fresh();
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "slot child status %#x", status);
	trace_slot_set(1);
	trace_read(&c1);
	trace_slot_set(2);
	trace_read(&c2);
	show("slot 1: a child's 16-page file write", &c1);
	show("slot 2: the parent, waiting meanwhile", &c2);
	CHECK(c1.n[TRACE_PAGE_FAULT] >= 16, "slot 1 missed its child's faults: %llu",
	      (unsigned long long)c1.n[TRACE_PAGE_FAULT]);
	CHECK(c2.n[TRACE_PAGE_FAULT] < 16, "slot 2 counted the child of slot 1: %llu",
	      (unsigned long long)c2.n[TRACE_PAGE_FAULT]);

	write_fresh();	/* counted in slot 2 only */
	trace_read(&c2);
	trace_disarm();
	trace_slot_set(1);
	trace_read(&again);
	show("slot 2: the parent's own 16-page file write", &c2);
	CHECK(c2.n[TRACE_PAGE_FAULT] >= 16, "slot 2 missed its thread's faults: %llu",
	      (unsigned long long)c2.n[TRACE_PAGE_FAULT]);
	CHECK(memcmp(&c1, &again, sizeof(c1)) == 0, "slot 1 changed by slot 2's thread");
	trace_slot_set(0);
}

int main(void)
{
	struct rlimit before, after;
	char why[256];
	int ret;

	CHECK(getrlimit(RLIMIT_MEMLOCK, &before) == 0, "getrlimit");
	check_table();
	check_format();
	ret = trace_open(why, sizeof(why));
	if (ret < 0) {
		check_off(ret, why);
		SKIP("%s", why);
	}
	CHECK(trace_on(), "on after trace_open");
	CHECK(getrlimit(RLIMIT_MEMLOCK, &after) == 0 && after.rlim_cur == before.rlim_cur,
	      "RLIMIT_MEMLOCK %llu, was %llu", (unsigned long long)after.rlim_cur,
	      (unsigned long long)before.rlim_cur);
	CHECK(trace_open(why, sizeof(why)) == 0, "twice");
	live();
	slots();
	trace_close();
	CHECK(!trace_on(), "off after trace_close");
	return 0;
}
