/* SPDX-License-Identifier: MIT */
#include "repro.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "util.h"

/* lib/repro/head.c and main.c, embedded at build time (lib/repro/embed.py) */
extern const char repro_head[];
extern const char repro_main[];

void repro_printf(struct repro *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(r->f, fmt, ap);
	va_end(ap);
}

/* s as a C string literal */
static void c_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* s inside a C comment: never its end, nothing unprintable */
static void c_comment_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '*' && s[1] == '/')
			fputs("*\\", f);
		else
			fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
	}
}

void repro_file_call(struct repro *r, long foff, const char *call_c)
{
	bool vec = r->s->drv->vectored;

	repro_printf(r, "static int setup(void)\n{\n\treturn file_setup(%ld);\n}\n\n", foff);
	repro_printf(r, "static long call(void)\n{\n");
	if (vec)
		repro_printf(r, "\tstruct iovec iov[64];\n\tint n = split_iov(iov, 64);\n\n");
	repro_printf(r, "\treturn ret_of(%s);\n}\n", call_c);
}

static bool uses_mte(const struct case_spec *s)
{
	return fault_kind_tagged(s->fault) || s->mode != MTE_MODE_NONE;
}

int repro_write(FILE *f, const struct case_spec *s, const char *dir, const char *cmdline)
{
	const struct driver *d = s->drv;
	struct repro r = { .f = f, .s = s };
	char title[256];
	size_t fault_off = layout_fault_offset(s->fault, s->buf_off, s->fault_at, page_size());

	if (!d->repro)
		return -ENOSYS;
	snprintf(title, sizeof(title), "%s on %s, %s I/O, %s mode, %s fault at byte %zu of a %zu-byte "
		 "buffer (buf_off %zu)", d->name, fs_name(s->fs), io_path_name(s->io),
		 mte_mode_name(s->mode), fault_kind_name(s->fault),
		 s->fault == FAULT_NONE ? (size_t)0 : fault_off, s->len, s->buf_off);

	fprintf(f, "/*\n * mteprobe reproducer: ");
	c_comment_text(f, title);
	fprintf(f, ".\n * Made by: ");
	c_comment_text(f, cmdline);
	fprintf(f, "\n *\n"
		" * Build: aarch64-linux-gnu-gcc -static -O2 -o repro repro.c (or cc on arm64;\n"
		" *        page faults also build and run on x86_64)\n"
		" * Run:   ./repro [-t SECONDS] [DIR]   (as root for asymm mode)\n"
		" * It prints what the call did and, as its last line, key=value pairs named as\n"
		" * mteprobe's CSV columns (mteprobe-csv(5)); result \"stuck\" is mteprobe's\n"
		" * livelock or hang. A call still running after SECONDS gets its fault removed\n"
		" * (the granule retagged, the page made accessible) so it can return.\n"
		" */\n");
	fprintf(f, "#define CASE_TITLE\t");
	c_string(f, title);
	fprintf(f, "\n#define CASE_LEN\t%zu\n#define CASE_FAULT_AT\t%zu\n#define CASE_BUF_OFF\t%zu\n"
		"#define CASE_HEAD\t%zu\n#define CASE_PAGE\t%zu\n",
		s->len, s->fault == FAULT_NONE ? (size_t)0 : s->fault_at, s->buf_off, d->head,
		page_size());
	fprintf(f, "#define CASE_FAULT\tFAULT_%s\n#define CASE_MODE\tMODE_%s\n",
		s->fault == FAULT_NONE ? "NONE" : s->fault == FAULT_MTE ? "MTE" :
		s->fault == FAULT_PAGE ? "PAGE" : "RETAG",
		s->mode == MTE_MODE_NONE ? "NONE" : s->mode == MTE_MODE_SYNC ? "SYNC" :
		s->mode == MTE_MODE_ASYNC ? "ASYNC" : "ASYMM");
	fprintf(f, "#define CASE_TAGGED\t%d\n#define CASE_NEEDS_MTE\t%d\n#define CASE_DIRECT\t%d\n"
		"#define CASE_KERNEL_WRITES\t%d\n#define CASE_IOVECS\t%u\n#define CASE_STUCK_S\t%u\n",
		s->fault != FAULT_PAGE && uses_mte(s), uses_mte(s), s->io == IO_DIRECT,
		d->dir == DRV_KERNEL_WRITES, s->iovecs ? s->iovecs : 1,
		((s->timeout_ms ? s->timeout_ms : REPRO_STUCK_MS_DEFAULT) + 999) / 1000);
	fprintf(f, "#define CASE_USES_DIR\t%d\n#define CASE_DIR\t", dir != NULL);
	c_string(f, dir ? dir : ".");
	fprintf(f, "\n#define CASE_FS\t\t\"%s\"\n#define CASE_FS_MAGIC\t0x%lxUL\n"
		"#define DRIVER_RECORDS\t%d\n\n",
		fs_name(s->fs), dir ? fs_magic(s->fs) : 0ul, d->record_end != NULL);
	fputs(repro_head, f);
	fprintf(f, "\n/* ---- %s ---- */\n\n", d->name);
	d->repro(&r);
	fputs(repro_main, f);
	return ferror(f) ? -EIO : 0;
}
