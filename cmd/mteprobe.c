/* SPDX-License-Identifier: MIT */
/* mteprobe: what syscalls do when their user buffer holds an MTE fault. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "util.h"

/* Every command, in the order --help lists them. A command this build
 * cannot run stays listed, with the reason. */
static const struct command commands[] = {
	{ "selftest", "check that this platform gives trustworthy MTE results", cmd_selftest, NULL },
	{ "run", "make one call with a fault in its buffer and say what the kernel did", cmd_run, NULL },
	{ "matrix", "run many cases and write one CSV row per case", cmd_matrix, NULL },
	{ "repro", "write one case as a standalone C reproducer", cmd_repro, NULL },
	{ "trace", "run one case and show the kernel's fault-in events during it (BPF)", cmd_trace,
	  HAVE_LIBBPF ? NULL : "built without libbpf" },
	{ "report", "summarise matrix CSVs: grids, findings, kernels compared, HTML", cmd_report, NULL },
	{ "diff", "compare two matrix CSVs case by case: regressions, improvements", cmd_diff, NULL },
};

static void print_help(void)
{
	printf("Usage: %s [--help | --version] COMMAND [ARGS]\n\n"
	       "Find out what syscalls do when their user buffer holds a memory-tagging\n"
	       "(MTE) fault: full count, short count, EFAULT, live-lock, hang or bypass.\n\n"
	       "Commands:\n", program_name);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct command *c = &commands[i];
		printf("  %-10s %s", c->name, c->summary);
		if (c->unsupported)
			printf(" (unsupported: %s)", c->unsupported);
		putchar('\n');
	}
	printf("\nOptions:\n"
	       "  -h, --help     display this help and exit\n"
	       "  -V, --version  display version and build features and exit\n\n"
	       "Run '%s COMMAND --help' for a command's options; see mteprobe(1).\n",
	       program_name);
}

static void print_version(void)
{
	printf("%s %s (%s)\nfeatures: %s\n", program_name, MTEPROBE_VERSION, MTEPROBE_ARCH,
	       MTEPROBE_FEATURES);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2)
		return usage_error(NULL, "no command given");
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		print_help();
		return close_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		print_version();
		return close_stdout(EXIT_OK);
	}
	if (argv[1][0] == '-')
		return usage_error(NULL, "unknown option '%s'", argv[1]);
	cmd = find_command(argv[1]);
	if (!cmd)
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	if (cmd->unsupported) {
		warnx_("%s: unsupported in this build: %s", cmd->name, cmd->unsupported);
		return EXIT_PLATFORM;
	}
	return close_stdout(cmd->run(argc - 1, argv + 1));
}
