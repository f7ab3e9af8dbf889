/* SPDX-License-Identifier: MIT */
/*
 * mteprobe repro: one case (run's options) written as a standalone C program
 * that a kernel developer builds and runs without mteprobe (lib/repro.h).
 * It writes a file, runs nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "case-options.h"
#include "cli.h"
#include "parse.h"
#include "repro.h"

static void help(void)
{
	printf("Usage: %s repro --syscall NAME (--fs FS | --dir DIR) [options] [-o FILE]\n\n"
	       "Write one case as a standalone C program (libc and inline asm only) that sets the\n"
	       "MTE mode, builds the buffer and its fault as mteprobe does, prepares the file the\n"
	       "same way, makes the one call and prints what happened and what a byte-exact\n"
	       "kernel would return. Build it with 'aarch64-linux-gnu-gcc -static'.\n\n"
	       "Options: those of 'mteprobe run' (see its --help), except that --buf-off has no\n"
	       "short form here, and:\n"
	       "  -o, --output FILE   write the program to FILE, a new file (default: standard\n"
	       "                      output)\n"
	       "  -t, --timeout SEC   when the program calls a call still running stuck and\n"
	       "                      removes its fault (default %d)\n"
	       "  -f, --fs FS         the filesystem: the program works in $MTEPROBE_FS_ROOT/FS\n"
	       "                      (default /mnt/FS) unless given a directory\n"
	       "  -d, --dir DIR       the program works in DIR unless given another\n"
	       "  -L, --list          list the syscalls and exit\n"
	       "  -h, --help          display this help and exit\n\n"
	       "Exit status: 0 written, 1 writing failed, 2 usage error (also a case the\n"
	       "syscall cannot make: its filesystems, I/O paths, buffer length), 4 the syscall\n"
	       "has no reproducer yet.\n",
	       program_name, REPRO_STUCK_MS_DEFAULT / 1000);
}

/* The command line, for the program's comment. */
static void command_line(int argc, char **argv, char *buf, size_t size)
{
	size_t n = (size_t)snprintf(buf, size, "%s", program_name);

	for (int i = 0; i < argc && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, " %s", argv[i]);
}

/* The syscalls with a reproducer, for the refusal. */
static void with_repro(char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < driver_count && n < size; i++)
		if (drivers[i]->repro)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", drivers[i]->name);
}

/* The directory the program uses by default. */
static const char *default_dir(struct run_opts *o, char *buf, size_t size)
{
	struct case_spec *s = &o->s;
	enum fs_type got;

	if (s->drv->fs_mask == FS_BIT(FS_NONE))
		return NULL;
	if (o->dir) {
		snprintf(buf, size, "%s", o->dir);
		/* --fs names it; else what it is here, if it is here */
		s->fs = o->fs >= 0 ? (enum fs_type)o->fs : fs_detect(o->dir, &got) == 0 ? got : FS_OTHER;
	} else {
		s->fs = (enum fs_type)o->fs;
		fs_default_dir(s->fs, buf, size);
	}
	return buf;
}

int cmd_repro(int argc, char **argv)
{
	struct run_opts o;
	char dirbuf[4096], cmdline[2048], names[1024];
	const char *dir, *why;
	FILE *f = stdout;
	int status, fd, err;

	status = run_parse(argc, argv, RUN_CMD_REPRO, &o);
	if (status != EXIT_OK)
		return status;
	if (o.help) {
		help();
		return EXIT_OK;
	}
	if (o.list) {
		list_drivers(stdout);
		return EXIT_OK;
	}
	if (!o.s.drv->repro) {
		with_repro(names, sizeof(names));
		warnx_("repro: %s has no reproducer yet; these have one: %s", o.s.drv->name, names);
		return EXIT_PLATFORM;
	}
	if (o.s.state != FILE_FRESH) {
		warnx_("repro: reproducers make fresh files only, not --state %s; run the case "
		       "with 'mteprobe run' instead", file_state_name(o.s.state));
		return EXIT_PLATFORM;
	}
	if (o.s.backing != BACKING_PRIVATE) {
		warnx_("repro: reproducers map anonymous private buffers only, not %s ones: drop "
		       "--backing, or measure it with mteprobe run", backing_name(o.s.backing));
		return EXIT_PLATFORM;
	}
	dir = default_dir(&o, dirbuf, sizeof(dirbuf));
	if ((why = case_fits_driver(&o.s, names, sizeof(names))))
		return usage_error("repro", "%s: no such case", why);
	command_line(argc, argv, cmdline, sizeof(cmdline));
	if (o.out) {
		/* a new file only: never one that is there (or a link) */
		fd = open(o.out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0) {
			warnx_("repro: cannot create %s: %s; give a new file name", o.out, strerror(errno));
			return errno == EEXIST ? EXIT_USAGE : EXIT_FAILED;
		}
		f = fdopen(fd, "w");
		if (!f) {
			warnx_("repro: %s: %s", o.out, strerror(errno));
			close(fd);
			unlink(o.out);
			return EXIT_FAILED;
		}
	}
	err = repro_write(f, &o.s, dir, cmdline);
	if (!o.out)
		return err ? EXIT_FAILED : EXIT_OK;
	if (fclose(f) != 0 && !err)
		err = -errno;
	if (err) {
		warnx_("repro: writing %s failed: %s; it is removed", o.out, strerror(-err));
		unlink(o.out);	/* ours: made above */
		return EXIT_FAILED;
	}
	fprintf(stderr, "%s: repro: wrote %s; build it with: aarch64-linux-gnu-gcc -static -O2 -o repro %s\n",
		program_name, o.out, o.out);
	return EXIT_OK;
}
