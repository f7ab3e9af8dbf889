/* SPDX-License-Identifier: MIT */
#include "case-options.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "driver.h"
#include "mte.h"
#include "platform.h"
#include "trace.h"
#include "util.h"
#include "watchdog.h"

int parse_size(const char *s, size_t *out)
{
	bool hex = s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	unsigned base = hex ? 16 : 10;
	unsigned long long v = 0;
	const char *p = hex ? s + 2 : s;
	const char *digits = p;

	/* by hand: strtoull would read a leading 0 as octal and accept
	 * spaces, signs and "0x" without digits */
	if (!s)
		return -1;
	for (; *p; p++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (hex && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (hex && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (v > (ULLONG_MAX - d) / base)
			return -1;
		v = v * base + d;
	}
	if (p == digits)
		return -1;
	if (*p == 'k' || *p == 'K') {
		if (v > (unsigned long long)LEN_MAX)
			return -1;
		v *= 1024;
		p++;
	}
	if (*p || v > SIZE_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

int parse_position(const char *s, size_t *out)
{
	size_t ps = page_size();

	if (!strcmp(s, "first"))
		*out = 0;
	else if (!strcmp(s, "mid"))
		*out = ps / 2;
	else if (!strcmp(s, "last"))
		*out = ps - MTE_GRANULE;
	else if (!strcmp(s, "next"))
		*out = ps;
	else
		return parse_size(s, out);
	return 0;
}

int parse_format(const char *cmd, const char *name, const struct format_ops **f)
{
	const struct format_ops *got = format_find(name);

	if (!got)
		return usage_error(cmd, "unknown --format '%s': use %s", name, FORMAT_NAMES);
	if (*f && *f != got)
		return usage_error(cmd, "two output formats, %s and %s: give one --format", (*f)->name,
				   got->name);
	*f = got;
	return EXIT_OK;
}

int check_output(const char *cmd, const struct format_ops *f, const char *expect)
{
	if (expect && !*expect)
		return usage_error(cmd, "--expect is empty: give a file");
	if (expect && (!f || !f->judges))
		return usage_error(cmd, "--expect FILE judges cases in KTAP: add --format ktap");
	return EXIT_OK;
}

int load_expect(const char *cmd, const char *path, struct expect_set *e)
{
	char why[512] = "";
	int err = expect_load(e, path, why, sizeof(why));

	if (err == -EINVAL || err == -EISDIR)
		return usage_error(cmd, "--expect: %s", why);
	if (err == -ENOMEM)
		warnx_("%s: out of memory reading --expect %s", cmd, path);
	else if (err)
		return usage_error(cmd, "--expect: cannot read %s: %s; give a CSV of known outcomes "
				   "(mteprobe report --expect-out writes one)", path, strerror(-err));
	return err ? EXIT_FAILED : EXIT_OK;
}

int refuse_emulation(const char *cmd)
{
	char arch[32];

	if (!platform_user_emulation(arch, sizeof(arch)))
		return 0;
	warnx_("%s: refusing to run under user-mode emulation (%s binary on an %s kernel): "
	       "syscalls are not tag-checked here; run it in the VM: scripts/mte-vm -- mteprobe %s ...",
	       cmd, platform_build_arch(), arch, cmd);
	return EXIT_PLATFORM;
}

void tracing_start(const char *cmd, bool off)
{
	char why[256];

	if (off || trace_open(why, sizeof(why)) == 0)
		return;
	warnx_("%s: fault_ins not counted: %s", cmd, why);
}

void hang_verdicts_check(const char *cmd, bool off)
{
	char why[256];

	if (!off && watchdog_no_hangs(why, sizeof(why)))
		warnx_("%s: hang verdicts off: %s", cmd, why);
}

const char *fs_dir_for(enum fs_type t, char *dir, size_t size, char *why, size_t wsize)
{
	fs_default_dir(t, dir, size);
	return fs_check_dir(dir, t, why, wsize);
}

void list_drivers(FILE *f)
{
	fprintf(f, "%-22s %-9s %-14s %-16s %s\n", "SYSCALL", "FAMILY", "BUFFER", "IO", "FILESYSTEMS");
	for (size_t i = 0; i < driver_count; i++) {
		const struct driver *d = drivers[i];
		char fsl[96] = "", iol[32] = "";
		const char *why = d->build_unsupported;

		if (d->fs_mask == FS_BIT(FS_NONE))
			snprintf(fsl, sizeof(fsl), "none");
		else if ((d->fs_mask & FS_MASK_FILES) == FS_MASK_FILES)
			snprintf(fsl, sizeof(fsl), "any");
		else
			for (int t = 0; t < FS_NAMED_COUNT; t++)
				if (d->fs_mask & FS_BIT(t))
					snprintf(fsl + strlen(fsl), sizeof(fsl) - strlen(fsl), "%s%s",
						 fsl[0] ? "," : "", fs_name(t));
		for (int p = 0; p < IO_PATH_COUNT; p++)
			if (d->io_mask & IO_BIT(p))
				snprintf(iol + strlen(iol), sizeof(iol) - strlen(iol), "%s%s",
					 iol[0] ? "," : "", io_path_name(p));
		fprintf(f, "%-22s %-9s %-14s %-16s %s%s%s\n", d->name, d->family,
			d->dir == DRV_KERNEL_READS ? "kernel reads" : "kernel writes", iol, fsl,
			why ? "  unsupported: " : "", why ? why : "");
	}
}
