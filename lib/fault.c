/* SPDX-License-Identifier: MIT */
#include "fault.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mte.h"
#include "util.h"

static int report_fd = -1;

static void report_and_exit(int sig, siginfo_t *si, void *uctx)
{
	struct fault_report r = {
		.faulted = true,
		.signo = sig,
		.code = si->si_code,
		.addr = (uintptr_t)si->si_addr,
	};

	(void)uctx;
	if (write(report_fd, &r, sizeof(r)) != sizeof(r))
		_exit(2);
	_exit(0);
}

static void child(void (*fn)(void *), void *arg, int fd)
{
	struct sigaction sa;
	struct fault_report none = { 0 };

	report_fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = report_and_exit;
	/* SA_EXPOSETAGBITS (Linux 5.11+) keeps the tag in si_addr; older
	 * kernels ignore the flag and clear the tag */
	sa.sa_flags = SA_SIGINFO | SA_EXPOSETAGBITS;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	fn(arg);
	if (write(fd, &none, sizeof(none)) != sizeof(none))
		_exit(2);
	_exit(0);
}

int fault_catch(void (*fn)(void *arg), void *arg, unsigned timeout_ms, struct fault_report *r)
{
	struct pollfd pfd;
	int fd, status;
	pid_t pid;
	ssize_t n = 0;

	memset(r, 0, sizeof(*r));
	pid = fork_with_pipe(&fd);
	if (pid < 0)
		return pid;
	if (pid == 0)
		child(fn, arg, fd);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, (int)timeout_ms) == 1)
		n = read(fd, r, sizeof(*r));
	close(fd);
	if (n != sizeof(*r)) {
		r->timed_out = (n == 0 && pfd.revents == 0);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n != sizeof(*r))
		r->status = status;
	return 0;
}
