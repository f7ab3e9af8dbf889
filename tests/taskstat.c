/* SPDX-License-Identifier: MIT */
/* Thread sampling: a thread spinning in the kernel, one spinning in user
 * space and one asleep are told apart from two samples 300 ms of their own
 * time apart; a thread that is gone is -ENOENT; files kept open are read
 * anew. Only comparisons between the threads are asserted, so a loaded
 * machine does not fail it. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "spin.h"
#include "taskstat.h"

/* The activity of a thread running fn over 300 ms of its own time: on a busy
 * machine, time waiting for a CPU does not count (up to 10 s). */
static struct task_activity measure(void *(*fn)(void *), pid_t *tid)
{
	struct task_sample a, b;
	struct task_activity act;
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	pthread_t t;

	spin_stop = 0;
	spin_tid = 0;
	CHECK(pthread_create(&t, NULL, fn, NULL) == 0, "pthread_create");
	while (!spin_tid)
		sched_yield();
	*tid = spin_tid;
	CHECK(task_sample(getpid(), *tid, &a) == 0, "first sample");
	do {
		nanosleep(&pause, NULL);
		CHECK(task_sample(getpid(), *tid, &b) == 0, "second sample");
	} while (b.at_ns - a.at_ns < 10000000000u &&
		 (task_available_ns(&a, &b) < 300000000u ||
		  /* a wait still going on is not counted yet: a runnable
		   * thread must have had 100 ms on a CPU */
		  (b.state == 'R' && b.has_runs && b.cpu_ns - a.cpu_ns < 100000000u)));
	spin_stop = 1;
	if (fn == sleep_on_pipe)
		CHECK(write(spin_wake[1], "", 1) == 1, "wake the sleeper");
	pthread_join(t, NULL);
	task_activity(&a, &b, &act);
	return act;
}

/* Shares from synthetic samples: the time a thread waited for a CPU does not
 * count, and a wait counted late (it began before the first sample) cannot
 * hide the time the thread ran. */
static void shares(void)
{
	const uint64_t ms = 1000000;
	struct task_sample a = { .state = 'R', .has_runs = true, .at_ns = 1000 * ms };
	struct task_sample b = a;
	struct task_activity act;

	/* 300 ms: 60 on a CPU in the kernel, 240 waiting for one */
	b.at_ns += 300 * ms;
	b.kernel_ns += 60 * ms;
	b.cpu_ns += 60 * ms;
	b.wait_ns += 240 * ms;
	task_activity(&a, &b, &act);
	CHECK(act.kernel_share > 0.99 && act.user_share == 0, "busy: kernel %.2f", act.kernel_share);
	/* the same, with a 400 ms wait that began before the first sample */
	b.wait_ns = a.wait_ns + 400 * ms;
	task_activity(&a, &b, &act);
	CHECK(act.kernel_share > 0.99, "wait counted late: kernel %.2f", act.kernel_share);
	/* without schedstat: wall time */
	a.has_runs = b.has_runs = false;
	a.wait_ns = b.wait_ns = a.cpu_ns = b.cpu_ns = 0;
	task_activity(&a, &b, &act);
	CHECK(act.kernel_share > 0.19 && act.kernel_share < 0.21, "no schedstat: kernel %.2f",
	      act.kernel_share);
}

/* A thread's files kept open (task_files): read anew at each sample, the
 * same as task_sample's; the thread counted by task_count while it lives;
 * once it is gone, its files say so (no other thread's, even if its tid
 * comes back). */
static void kept_files(void)
{
	struct task_files f = TASK_FILES_NONE;
	struct task_sample by_path, a, b;
	int before = task_count(getpid()), err = 0;
	pthread_t t;

	CHECK(before >= 1, "this process's threads: %d", before);
	spin_stop = 0;
	spin_tid = 0;
	CHECK(pthread_create(&t, NULL, sleep_on_pipe, NULL) == 0, "pthread_create");
	while (!spin_tid)
		sched_yield();
	CHECK(task_count(getpid()) == before + 1, "one thread more: %d", task_count(getpid()));
	task_files_use(&f, getpid(), spin_tid);
	CHECK(task_files_sample(&f, &a) == 0 && task_sample(getpid(), spin_tid, &by_path) == 0 &&
	      task_files_sample(&f, &b) == 0, "samples of the sleeper");
	CHECK(strcmp(a.comm, by_path.comm) == 0 && b.state == by_path.state && b.has_runs &&
	      b.runs >= a.runs && b.at_ns > a.at_ns, "kept files read anew: %s/%s %c/%c",
	      a.comm, by_path.comm, b.state, by_path.state);
	spin_stop = 1;
	CHECK(write(spin_wake[1], "", 1) == 1, "wake the sleeper");
	pthread_join(t, NULL);
	for (int i = 0; i < 500 && (err = task_files_sample(&f, &b)) == 0; i++)
		usleep(10 * 1000);
	CHECK(err < 0, "the thread gone, its kept files say so: %d", err);
	task_files_close(&f);
	CHECK(f.stat_fd < 0 && f.schedstat_fd < 0, "closed");
}

int main(void)
{
	struct task_activity k, u, s;
	struct task_sample gone;
	pid_t tid;

	shares();
	CHECK(pipe(spin_wake) == 0, "pipe");
	kept_files();
	k = measure(spin_kernel, &tid);
	u = measure(spin_user, &tid);
	s = measure(sleep_on_pipe, &tid);
	fprintf(stderr, "kernel spin: kernel %.2f user %.2f; user spin: kernel %.2f user %.2f; "
		"sleeper: kernel %.2f user %.2f state %c\n", k.kernel_share, k.user_share,
		u.kernel_share, u.user_share, s.kernel_share, s.user_share, s.state);
	/* only comparisons: a loaded machine gives the spinners less CPU, but
	 * never more to the sleeper than to them */
	CHECK(k.kernel_share > s.kernel_share, "the syscall spinner spends time in the kernel");
	CHECK(k.kernel_share > u.kernel_share, "more kernel time for the syscall spinner");
	CHECK(u.user_share > u.kernel_share && u.user_share > s.user_share,
	      "the user spinner runs in user space");
	CHECK(s.kernel_share + s.user_share < 0.1, "the sleeper hardly runs");
	CHECK(s.state == 'S', "the sleeper sleeps: state %c", s.state);
	/* pthread_join returns when the kernel clears the thread's tid, a little
	 * before /proc forgets it (longer under qemu-user): give it up to 5 s */
	int err = 0;
	for (int i = 0; i < 500 && (err = task_sample(getpid(), tid, &gone)) != -ENOENT; i++)
		usleep(10 * 1000);
	CHECK(err == -ENOENT, "a joined thread is gone: %d, state %c", err, gone.state);
	return 0;
}
