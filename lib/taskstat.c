/* SPDX-License-Identifier: MIT */
#include "taskstat.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* stat's text (NUL-terminated) into s: state, name, CPU times. */
static int parse_stat(const char *buf, struct task_sample *s)
{
	static long ticks_per_s;
	unsigned long long utime, stime;
	const char *p, *name;
	size_t len;

	if (!ticks_per_s)
		ticks_per_s = sysconf(_SC_CLK_TCK);
	/* the command name may hold spaces and parentheses: fields start
	 * after the last ')'; state is field 3, utime 14, stime 15 */
	p = strrchr(buf, ')');
	name = strchr(buf, '(');
	if (!p || !name || name > p)
		return -EINVAL;
	len = (size_t)(p - name - 1);
	if (len >= sizeof(s->comm))
		len = sizeof(s->comm) - 1;
	memcpy(s->comm, name + 1, len);
	s->comm[len] = '\0';
	if (sscanf(p + 1, " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu",
			 &s->state, &utime, &stime) != 3)
		return -EINVAL;
	s->user_ns = utime * (1000000000u / (uint64_t)ticks_per_s);
	s->kernel_ns = stime * (1000000000u / (uint64_t)ticks_per_s);
	return 0;
}

int task_sample(pid_t pid, pid_t tid, struct task_sample *s)
{
	char path[64], buf[1024];
	int err;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	if (read_small_file(path, buf, sizeof(buf)) < 0)
		return -errno;
	if ((err = parse_stat(buf, s)))
		return err;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	task_schedstat(read_small_file(path, buf, sizeof(buf)) > 0 ? buf : NULL, s);
	s->at_ns = monotonic_ns();
	return 0;
}

/* The text of the thread's file name (opened into *fd unless it is open),
 * made anew: a seq_file read at offset 0. 0 or -errno. */
static int read_task_file(const struct task_files *f, const char *name, int *fd, char *buf,
			  size_t size)
{
	char path[64];
	ssize_t n;

	if (*fd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)f->pid, (int)f->tid, name);
		if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return -errno;
	}
	if ((n = pread(*fd, buf, size - 1, 0)) <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	return 0;
}

void task_files_use(struct task_files *f, pid_t pid, pid_t tid)
{
	if (f->pid == pid && f->tid == tid)
		return;
	task_files_close(f);
	f->pid = pid;
	f->tid = tid;
}

/* schedstat alone into s (has_runs, runs, cpu_ns, wait_ns): 0 or -errno. */
static int task_files_schedstat(struct task_files *f, struct task_sample *s)
{
	char buf[128];
	int err = read_task_file(f, "schedstat", &f->schedstat_fd, buf, sizeof(buf));

	if (err)
		return err;
	return task_schedstat(buf, s) ? 0 : -EINVAL;
}

int task_files_sample(struct task_files *f, struct task_sample *s)
{
	char buf[1024];
	int err = read_task_file(f, "stat", &f->stat_fd, buf, sizeof(buf));

	if (err || (err = parse_stat(buf, s)))
		return err;
	if (task_files_schedstat(f, s))
		task_schedstat(NULL, s);
	s->at_ns = monotonic_ns();
	return 0;
}

void task_files_close(struct task_files *f)
{
	if (f->stat_fd >= 0)
		close(f->stat_fd);
	if (f->schedstat_fd >= 0)
		close(f->schedstat_fd);
	*f = (struct task_files){ .stat_fd = -1, .schedstat_fd = -1 };
}

bool task_schedstat(const char *text, struct task_sample *s)
{
	unsigned long long cpu, wait, runs;

	/* on a CPU, waiting for one (ns), put on one (times) */
	s->has_runs = text && sscanf(text, "%llu %llu %llu", &cpu, &wait, &runs) == 3;
	s->runs = s->has_runs ? runs : 0;
	s->cpu_ns = s->has_runs ? cpu : 0;
	s->wait_ns = s->has_runs ? wait : 0;
	return s->has_runs;
}

void task_io_wq_name(pid_t tid, char *buf, size_t size)
{
	snprintf(buf, size, "iou-wrk-%d", (int)tid);
}

int task_count(pid_t pid)
{
	static int fd = -1;
	static pid_t fd_pid;
	struct stat st;
	char path[32];

	if (fd >= 0 && fd_pid != pid) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		fd_pid = pid;
	}
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_nlink < 3)
		return 0;
	return (int)st.st_nlink - 2;
}

int task_threads(pid_t pid, pid_t *tids, unsigned max)
{
	char path[32];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		long tid = strtol(e->d_name, NULL, 10);

		if (tid <= 0)
			continue;	/* . and .. */
		if (n < max)
			tids[n] = (pid_t)tid;
		n++;
	}
	closedir(d);
	return (int)n;
}

static double share(uint64_t before, uint64_t after, uint64_t elapsed)
{
	double x = after > before && elapsed ? (double)(after - before) / (double)elapsed : 0.0;

	return x > 1.0 ? 1.0 : x;
}

uint64_t task_available_ns(const struct task_sample *before, const struct task_sample *after)
{
	uint64_t elapsed = after->at_ns - before->at_ns;
	uint64_t waited = after->wait_ns > before->wait_ns ? after->wait_ns - before->wait_ns : 0;
	uint64_t ran = after->cpu_ns > before->cpu_ns ? after->cpu_ns - before->cpu_ns : 0;
	uint64_t available = waited < elapsed ? elapsed - waited : 0;

	/* a long wait counted late cannot hide the time the thread ran */
	if (available < ran)
		available = ran;
	return available < elapsed ? available : elapsed;
}

void task_activity(const struct task_sample *before, const struct task_sample *after,
		   struct task_activity *a)
{
	uint64_t elapsed = task_available_ns(before, after);

	a->kernel_share = share(before->kernel_ns, after->kernel_ns, elapsed);
	a->user_share = share(before->user_ns, after->user_ns, elapsed);
	a->state = after->state;
}
