/* SPDX-License-Identifier: MIT */
#include "taskstat.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int task_sample(pid_t pid, pid_t tid, struct task_sample *s)
{
	static long ticks_per_s;
	char path[64], buf[1024], *p, *name;
	unsigned long long utime, stime;
	size_t len;

	if (!ticks_per_s)
		ticks_per_s = sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	if (read_small_file(path, buf, sizeof(buf)) < 0)
		return -errno;
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
	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	task_schedstat(read_small_file(path, buf, sizeof(buf)) > 0 ? buf : NULL, s);
	s->at_ns = monotonic_ns();
	return 0;
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
