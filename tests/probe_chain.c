/* SPDX-License-Identifier: MIT */
/* The probes' fault handler must not swallow other faults: a fault outside
 * a probe reaches the handler installed before it, and without one it kills
 * the process with SIGSEGV as it would have anyway. */
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "probe.h"
#include "util.h"

static sigjmp_buf back;
static volatile sig_atomic_t user_handler_ran;

static void user_handler(int sig)
{
	(void)sig;
	user_handler_ran = 1;
	siglongjmp(back, 1);
}

static void touch(void *p)
{
	(void)*(volatile char *)p;
}

int main(void)
{
	char *none = mmap(NULL, page_size(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int status;
	pid_t pid;

	CHECK(none != MAP_FAILED, "mmap");

	/* default action: the child dies of SIGSEGV */
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);	/* a sanitizer may have its own */
		CHECK(probe_read(none, 16) == 0, "probe inside the child");
		touch(none);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
	      "a fault outside a probe must kill with SIGSEGV (status %#x)", status);

	/* a handler installed before the probes' is called */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = user_handler;
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	probe_init();
	if (sigsetjmp(back, 1) == 0)
		touch(none);
	CHECK(user_handler_ran, "the earlier handler did not run");
	CHECK(probe_read(none, 16) == 0, "probes still work after chaining");
	return 0;
}
