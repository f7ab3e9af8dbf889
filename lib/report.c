/* SPDX-License-Identifier: MIT */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util.h"

enum column {
	COL_SCHEMA, COL_KERNEL, COL_ARCH, COL_FS, COL_SYSCALL, COL_IO, COL_MODE, COL_FAULT,
	COL_LEN, COL_FAULT_AT, COL_BUF_OFF, COL_RESULT, COL_RET, COL_ERRNO, COL_EXPECT,
	COL_DELTA, COL_OVERSHOOT, COL_DATA_OK, COL_BYPASS, COL_ELAPSED_US, COL_NOTE,
	COL_RECOVERED, COL_FAULT_INS,
	COL_COUNT
};

const char *const report_columns[COL_COUNT] = {
	"schema", "kernel", "arch", "fs", "syscall", "io", "mode", "fault",
	"len", "fault_at", "buf_off", "result", "ret", "errno", "expect",
	"delta", "overshoot", "data_ok", "bypass", "elapsed_us", "note",
	"recovered", "fault_ins",	/* schema 2 */
};
const size_t report_column_count = COL_COUNT;

/* numeric columns: JSON numbers (or null when empty) */
static const bool numeric[COL_COUNT] = {
	[COL_SCHEMA] = true, [COL_LEN] = true, [COL_FAULT_AT] = true, [COL_BUF_OFF] = true,
	[COL_RET] = true, [COL_EXPECT] = true, [COL_DELTA] = true, [COL_OVERSHOOT] = true,
	[COL_DATA_OK] = true, [COL_BYPASS] = true, [COL_ELAPSED_US] = true,
	[COL_RECOVERED] = true, [COL_FAULT_INS] = true,
};

#define VAL_SIZE	352

void report_init(struct report_ctx *ctx)
{
	struct utsname u;

	memset(ctx, 0, sizeof(*ctx));
	if (uname(&u) == 0) {
		snprintf(ctx->kernel, sizeof(ctx->kernel), "%s", u.release);
		snprintf(ctx->arch, sizeof(ctx->arch), "%s", u.machine);
	}
}

static void values(const struct report_ctx *ctx, const struct case_spec *s,
		   const struct case_result *r, char v[COL_COUNT][VAL_SIZE])
{
	bool ran = r->raw.returned;

	for (int c = 0; c < COL_COUNT; c++)
		v[c][0] = '\0';
	snprintf(v[COL_SCHEMA], VAL_SIZE, "%d", REPORT_SCHEMA);
	snprintf(v[COL_KERNEL], VAL_SIZE, "%s", ctx ? ctx->kernel : "");
	snprintf(v[COL_ARCH], VAL_SIZE, "%s", ctx ? ctx->arch : "");
	snprintf(v[COL_FS], VAL_SIZE, "%s", fs_name(s->fs));
	snprintf(v[COL_SYSCALL], VAL_SIZE, "%s", s->drv->name);
	snprintf(v[COL_IO], VAL_SIZE, "%s", io_path_name(s->io));
	snprintf(v[COL_MODE], VAL_SIZE, "%s", mte_mode_name(s->mode));
	snprintf(v[COL_FAULT], VAL_SIZE, "%s", fault_kind_name(s->fault));
	snprintf(v[COL_LEN], VAL_SIZE, "%zu", s->len);
	if (s->fault != FAULT_NONE)
		snprintf(v[COL_FAULT_AT], VAL_SIZE, "%zu", r->fault_off);
	snprintf(v[COL_BUF_OFF], VAL_SIZE, "%zu", s->buf_off);
	snprintf(v[COL_RESULT], VAL_SIZE, "%s", result_name(r->out.result));
	if (ran)
		snprintf(v[COL_RET], VAL_SIZE, "%ld", r->raw.ret);
	snprintf(v[COL_ERRNO], VAL_SIZE, "%s", r->errname);
	if (r->has_expect)
		snprintf(v[COL_EXPECT], VAL_SIZE, "%ld", r->expect);
	if (r->out.has_delta)
		snprintf(v[COL_DELTA], VAL_SIZE, "%ld", r->out.delta);
	if (r->chk.overshoot >= 0)
		snprintf(v[COL_OVERSHOOT], VAL_SIZE, "%ld", r->chk.overshoot);
	if (r->chk.data_ok >= 0)
		snprintf(v[COL_DATA_OK], VAL_SIZE, "%d", r->chk.data_ok);
	if (r->out.bypass >= 0)
		snprintf(v[COL_BYPASS], VAL_SIZE, "%d", r->out.bypass);
	if (r->out.result != RESULT_SKIP)
		snprintf(v[COL_ELAPSED_US], VAL_SIZE, "%lu", r->elapsed_us);
	snprintf_utf8(v[COL_NOTE], VAL_SIZE, "%s", r->note);
	if (r->out.result == RESULT_LIVELOCK || r->out.result == RESULT_HANG)
		snprintf(v[COL_RECOVERED], VAL_SIZE, "%d", r->raw.recovered);
	if (r->traced)
		snprintf(v[COL_FAULT_INS], VAL_SIZE, "%llu", (unsigned long long)r->fault_ins);
	/* a note may hold a path cut anywhere, or one that is not UTF-8 */
	for (int c = 0; c < COL_COUNT; c++)
		if (!numeric[c])
			utf8_sanitize(v[c]);
}

/* A row, quoted: at worst every character doubled, plus quotes and commas. */
#define CSV_ROW_MAX	(COL_COUNT * (2 * VAL_SIZE + 1) + 2)

/* Appends field s, quoted when it holds a comma, quote or line break, at *n. */
static void csv_field(char *buf, size_t *n, const char *s)
{
	bool quote = strpbrk(s, ",\"\n\r") != NULL;

	if (quote)
		buf[(*n)++] = '"';
	for (; *s; s++) {
		if (*s == '"')
			buf[(*n)++] = '"';
		buf[(*n)++] = *s;
	}
	if (quote)
		buf[(*n)++] = '"';
}

/* The whole line of these fields, newline included, in buf (CSV_ROW_MAX bytes);
 * returns its length. */
static size_t csv_line(char *buf, const char *const field[COL_COUNT])
{
	size_t n = 0;

	for (size_t c = 0; c < COL_COUNT; c++) {
		if (c)
			buf[n++] = ',';
		csv_field(buf, &n, field[c]);
	}
	buf[n++] = '\n';
	return n;
}

/* The header, or the row of a case when s is not NULL, in buf; its length. */
static size_t csv_format(char *buf, const struct report_ctx *ctx, const struct case_spec *s,
			 const struct case_result *r)
{
	static char v[COL_COUNT][VAL_SIZE];
	const char *field[COL_COUNT];

	if (!s)
		return csv_line(buf, report_columns);
	values(ctx, s, r, v);
	for (size_t c = 0; c < COL_COUNT; c++)
		field[c] = v[c];
	return csv_line(buf, field);
}

void report_csv_header(FILE *f)
{
	static char buf[CSV_ROW_MAX];

	fwrite(buf, 1, csv_format(buf, NULL, NULL, NULL), f);
}

void report_csv_row(FILE *f, const struct report_ctx *ctx, const struct case_spec *s,
		    const struct case_result *r)
{
	static char buf[CSV_ROW_MAX];

	fwrite(buf, 1, csv_format(buf, ctx, s, r), f);
}

void csv_out_attach(struct csv_out *o, int fd, const char *name, bool own)
{
	o->fd = fd;
	o->name = name;
	o->own = own;
	o->end = own ? lseek(fd, 0, SEEK_END) : -1;
	if (o->end < 0)
		o->own = false;
}

int csv_out_open(struct csv_out *o, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct stat st;

	if (fd < 0)
		return -errno;
	/* only a regular file can be cut back; a FIFO or a device is written as is */
	csv_out_attach(o, fd, path, fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
	return 0;
}

/*
 * Appends a line, normally with one write. After a short write the rest is
 * written again, which either completes the line or tells why it stopped
 * (ENOSPC, EFBIG, EIO); then a file of ours is cut back to its last whole line.
 * SIGXFSZ is ignored meanwhile, so that a file size limit is the error EFBIG,
 * not a kill between the two writes.
 */
static int csv_out_append(struct csv_out *o, const char *buf, size_t len)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN }, old;
	size_t done = 0;
	int err = 0;

	sigemptyset(&ignore.sa_mask);
	sigaction(SIGXFSZ, &ignore, &old);
	while (done < len) {
		ssize_t n = write(o->fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)n;
	}
	sigaction(SIGXFSZ, &old, NULL);
	if (!err) {
		if (o->own)
			o->end += (off_t)len;
		return 0;
	}
	if (done && o->own && ftruncate(o->fd, o->end) == 0)
		lseek(o->fd, o->end, SEEK_SET);
	return err;
}

int csv_out_header(struct csv_out *o)
{
	static char buf[CSV_ROW_MAX];

	return csv_out_append(o, buf, csv_format(buf, NULL, NULL, NULL));
}

int csv_out_row(struct csv_out *o, const struct report_ctx *ctx, const struct case_spec *s,
		const struct case_result *r)
{
	static char buf[CSV_ROW_MAX];

	return csv_out_append(o, buf, csv_format(buf, ctx, s, r));
}

int csv_out_close(struct csv_out *o)
{
	int err = 0;

	if (o->fd > STDERR_FILENO && close(o->fd) != 0)
		err = -errno;
	o->fd = -1;
	return err;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

void report_json(FILE *f, const struct report_ctx *ctx, const struct case_spec *s,
		 const struct case_result *r)
{
	static char v[COL_COUNT][VAL_SIZE];

	values(ctx, s, r, v);
	fputc('{', f);
	for (size_t c = 0; c < COL_COUNT; c++) {
		fprintf(f, "%s\"%s\":", c ? "," : "", report_columns[c]);
		if (numeric[c])
			fputs(v[c][0] ? v[c] : "null", f);
		else
			json_string(f, v[c]);
	}
	fputs("}\n", f);
}

void report_verdict(FILE *f, const struct case_spec *s, const struct case_result *r)
{
	const struct outcome *o = &r->out;

	fprintf(f, "%s on %s (%s, %s mode, ", s->drv->name, fs_name(s->fs), io_path_name(s->io),
		mte_mode_name(s->mode));
	if (s->fault == FAULT_NONE)
		fprintf(f, "no fault");
	else
		fprintf(f, "%s fault at %zu%s", fault_kind_name(s->fault), r->fault_off,
			r->fault_in_range ? "" : ", outside the buffer");
	fprintf(f, ", len %zu, buf_off %zu): %s", s->len, s->buf_off, result_name(o->result));
	if (r->raw.recovered)
		fprintf(f, ", recovered");
	if (r->raw.returned)
		fprintf(f, " %ld", r->raw.ret);
	if (r->errname[0])
		fprintf(f, " %s", r->errname);
	if (r->has_expect)
		fprintf(f, ", expected %ld", r->expect);
	if (o->has_delta)
		fprintf(f, ", delta %ld", o->delta);
	if (o->bypass == 1)
		fprintf(f, ", BYPASS: the kernel went past the fault unreported");
	if (r->chk.data_ok == 0)
		fprintf(f, ", DATA WRONG");
	else if (r->chk.data_ok == 1)
		fprintf(f, ", data ok");
	if (r->chk.overshoot > 0)
		fprintf(f, ", %ld bytes stored past ret", r->chk.overshoot);
	if (r->traced)
		fprintf(f, ", fault_ins %llu", (unsigned long long)r->fault_ins);
	if (r->note[0]) {
		char note[sizeof(r->note)];

		snprintf(note, sizeof(note), "%s", r->note);
		utf8_sanitize(note);
		fprintf(f, " (%s)", note);
	}
	fputc('\n', f);
}
