/* SPDX-License-Identifier: MIT */
#include "case-options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "driver.h"
#include "mte.h"
#include "platform.h"
#include "trace.h"
#include "util.h"
#include "watchdog.h"

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

/* ---- the case axes' options (axis.h) ---- */

static const char *opt_name(const struct axis *a, enum axis_cmd cmd)
{
	return cmd == AXIS_CMD_MATRIX ? a->matrix_opt : a->run_opt;
}

static int opt_short(const struct axis *a, enum axis_cmd cmd)
{
	return cmd == AXIS_CMD_MATRIX ? a->matrix_short : a->run_short;
}

size_t axis_options(enum axis_cmd cmd, struct option *opts, char *shorts, size_t size)
{
	size_t n = 0;

	for (int id = 0; id < AXIS_COUNT; id++) {
		const char *name = opt_name(&axes[id], cmd);
		int c = opt_short(&axes[id], cmd);

		if (!name)
			continue;
		opts[n++] = (struct option){ name, required_argument, NULL, AXIS_OPT + id };
		if (c)
			snprintf(shorts + strlen(shorts), size - strlen(shorts), "%c:", c);
	}
	return n;
}

int axis_of_option(enum axis_cmd cmd, int opt)
{
	for (int id = 0; id < AXIS_COUNT; id++)
		if (opt_name(&axes[id], cmd) &&
		    (opt == AXIS_OPT + id || (opt_short(&axes[id], cmd) == opt && opt)))
			return id;
	return -1;
}

/* What the axis takes, for messages: "use a, b or c", "give 1 to 64 bytes, or first, ...". */
static void valid_values(const struct axis *a, char *buf, size_t size)
{
	size_t n = axis_value_count(a), used;

	if (a->see) {
		snprintf(buf, size, "%s", a->see);
		return;
	}
	if (!axis_enumerated(a)) {
		snprintf(buf, size, "give %zu to %zu%s%s%s%s", a->min, a->max(), a->unit ? " " : "",
			 a->unit ? a->unit : "", a->names ? ", or " : "", a->names ? a->names : "");
		return;
	}
	used = (size_t)snprintf(buf, size, "use");
	for (size_t i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", !i ? " " : i + 1 < n ? ", "
					 : " or ", a->value_name(axis_listed(a, i)));
}

int axis_option_value(const char *cmd, enum axis_cmd which, int id, const char *arg, size_t *v)
{
	const struct axis *a = &axes[id];
	char valid[256];

	if (!axis_parse(a, arg, v))
		return EXIT_OK;
	valid_values(a, valid, sizeof(valid));
	return usage_error(cmd, "%s --%s '%s': %s", axis_enumerated(a) ? "unknown" : "bad",
			   opt_name(a, which), arg, valid);
}

int axis_option_list(const char *cmd, int id, const char *arg, struct axis_list *l)
{
	const struct axis *a = &axes[id];
	const char *opt = a->matrix_opt;
	char valid[256], item[256];

	valid_values(a, valid, sizeof(valid));
	if (!*arg)
		return usage_error(cmd, "--%s is empty: give at least one item (%s)", opt, valid);
	for (const char *p = arg;; p++) {
		size_t n = strcspn(p, ","), v;
		bool twice = false;

		if (!n)
			return usage_error(cmd, "--%s '%s' has an empty item: separate items with one "
					   "comma", opt, arg);
		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		if (n >= sizeof(item) || axis_parse(a, item, &v))
			return usage_error(cmd, "bad --%s item '%.*s': %s", opt, (int)n, p, valid);
		for (size_t i = 0; i < l->n; i++)
			twice |= l->v[i] == v;
		if (twice)
			return usage_error(cmd, "bad --%s item '%.*s': given twice; give each once", opt,
					   (int)n, p);
		if (l->n >= AXIS_LIST_MAX)
			return usage_error(cmd, "--%s has too many items: at most %d", opt,
					   AXIS_LIST_MAX);
		l->v[l->n++] = v;
		l->given = true;
		p += n;
		if (!*p)
			return EXIT_OK;
	}
}

/* Print text from column col (where the cursor is at), wrapped at 80
 * columns; "(default" stays with the word after it. */
static void wrapped(FILE *f, const char *text, int col, int at)
{
	const char *p = text;

	while (*p) {
		size_t word = strcspn(p, " ");

		if (!strncmp(p, "(default", word) && word == strlen("(default") && p[word])
			word += 1 + strcspn(p + word + 1, " ");

		if (at > col && at + 1 + (int)word > 80) {
			fprintf(f, "\n%*s", col, "");
			at = col;
		} else if (at > col) {
			fputc(' ', f);
			at++;
		}
		fprintf(f, "%.*s", (int)word, p);
		at += (int)word;
		p += word;
		p += strspn(p, " ");
	}
	fputc('\n', f);
}

void axis_help(FILE *f, enum axis_cmd cmd)
{
	int col = cmd == AXIS_CMD_MATRIX ? 23 : 22;

	for (int id = 0; id < AXIS_COUNT; id++) {
		const struct axis *a = &axes[id];
		const char *name = opt_name(a, cmd), *def = cmd == AXIS_CMD_MATRIX ?
			a->matrix_default : a->run_default;
		bool list = cmd == AXIS_CMD_MATRIX && !a->matrix_one;
		char text[1024], head[64];
		size_t n = axis_value_count(a);
		int c = opt_short(a, cmd);

		if (!name)
			continue;
		snprintf(text, sizeof(text), "%s", cmd == AXIS_CMD_MATRIX ? a->matrix_help :
			 a->run_help);
		if (axis_enumerated(a) && a->see) {
			snprintf(text + strlen(text), sizeof(text) - strlen(text), " (%s)", a->see);
		} else if (axis_enumerated(a)) {
			strcat(text, ":");
			for (size_t i = 0; i < n; i++) {
				size_t v = axis_listed(a, i);
				const char *h = a->value_help ? a->value_help(v) : NULL;

				snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s%s%s%s",
					 !i ? " " : i + 1 < n ? ", " : list ? ", " : " or ",
					 a->value_name(v), h ? " (" : "", h ? h : "", h ? ")" : "");
			}
		}
		if (list && axis_enumerated(a) && !def) {
			struct axis_list l;

			axis_default_list(a, &l);
			strcat(text, l.n == n ? " (default: all" : " (default: ");
			for (size_t i = 0; l.n < n && i < l.n; i++)
				snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s",
					 i ? "," : "", a->value_name(l.v[i]));
			strcat(text, ")");
		} else if (def || a->fallback_help) {
			snprintf(text + strlen(text), sizeof(text) - strlen(text), " (default %s)",
				 def ? def : a->fallback_help);
		}
		snprintf(head, sizeof(head), "  %c%c%c --%s %s", c ? '-' : ' ', c ? c : ' ',
			 c ? ',' : ' ', name, list ? "LIST" : a->run_arg);
		fprintf(f, "%-*s", col, head);
		if ((int)strlen(head) >= col - 1)
			fprintf(f, "\n%*s", col, "");
		wrapped(f, text, col, col);
	}
}
