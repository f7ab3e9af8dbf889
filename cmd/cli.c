/* SPDX-License-Identifier: MIT */
/* The messages and the end of every command (cli.h), apart from main() so
 * that the option parsers link into tests/fuzz. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "cli.h"

const char *program_name = "mteprobe";

void warnx_(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", program_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s%s%s --help' for more information.\n",
		program_name, cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

int close_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		fprintf(stderr, "%s: write error on standard output: %s\n", program_name,
			strerror(errno ? errno : EIO));
		return status == EXIT_OK ? EXIT_FAILED : status;
	}
	return status;
}
