// SPDX-License-Identifier: MIT
/*
 * A guest that stops answering: one SCHED_FIFO busy loop per CPU, with RT throttling
 * off, so that no other task runs again (the guest's watchdog, its shipping of the
 * results disk, its results stream). tests/vm/run (stream_tests) builds it static for
 * arm64 and runs it in the guest (mte-vm --add); only the host's timeout ends the run.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	struct sched_param prio = { .sched_priority = 99 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), cpu = 0;
	cpu_set_t set;
	int fd;

	/* by default RT tasks leave 5% of each second to the others */
	fd = open("/proc/sys/kernel/sched_rt_runtime_us", O_WRONLY);
	if (fd < 0 || write(fd, "-1", 2) != 2) {
		perror("wedge: /proc/sys/kernel/sched_rt_runtime_us");
		return 1;
	}
	close(fd);
	for (long i = 1; i < cpus; i++) {
		if (fork() == 0) {
			cpu = i;
			break;
		}
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) || sched_setscheduler(0, SCHED_FIFO, &prio)) {
		perror("wedge: SCHED_FIFO");
		return 1;
	}
	for (;;)
		;
}
