/* SPDX-License-Identifier: MIT */
#include "format.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

extern const struct format_ops format_text, format_csv, format_json, format_ktap;

static const struct format_ops *const formats[] = {
	&format_text, &format_csv, &format_json, &format_ktap,
};

const struct format_ops *format_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (!strcmp(formats[i]->name, name))
			return formats[i];
	return NULL;
}

void format_attach(struct format_out *o, const struct format_ops *ops, int fd, const char *name,
		   bool own)
{
	*o = (struct format_out){ .ops = ops, .fd = fd, .name = name, .own = own };
	report_init(&o->ctx);
	o->end = own ? lseek(fd, 0, SEEK_END) : -1;
	if (o->end < 0)
		o->own = false;
}

int format_open(struct format_out *o, const struct format_ops *ops, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct stat st;

	if (fd < 0)
		return -errno;
	/* only a regular file can be cut back; a FIFO or a device is written as is */
	format_attach(o, ops, fd, path, fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
	return 0;
}

/*
 * Appends a record, normally with one write. After a short write the rest is
 * written again, which either completes the record or tells why it stopped
 * (ENOSPC, EFBIG, EIO); then a file of ours is cut back to its last whole
 * record. SIGXFSZ is ignored meanwhile, so that a file size limit is the
 * error EFBIG, not a kill between the two writes.
 */
static int append(struct format_out *o, const char *buf, size_t len)
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

enum part { PART_HEADER, PART_RESULT, PART_FOOTER };

/* One hook's text, formatted in memory, then appended whole. */
static int emit(struct format_out *o, enum part part, const struct case_spec *s,
		const struct case_result *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int err;

	if (!f)
		return -ENOMEM;
	if (part == PART_HEADER && o->ops->header)
		o->ops->header(o, f);
	else if (part == PART_RESULT && o->ops->result)
		o->ops->result(o, f, s, r);
	else if (part == PART_FOOTER && o->ops->footer)
		o->ops->footer(o, f);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	err = len ? append(o, text, len) : 0;
	free(text);
	return err;
}

int format_header(struct format_out *o)
{
	return emit(o, PART_HEADER, NULL, NULL);
}

int format_result(struct format_out *o, const struct case_spec *s, const struct case_result *r)
{
	return emit(o, PART_RESULT, s, r);
}

int format_footer(struct format_out *o)
{
	return emit(o, PART_FOOTER, NULL, NULL);
}

int format_close(struct format_out *o)
{
	int err = 0;

	if (o->ops && o->ops->free)
		o->ops->free(o);
	o->state = NULL;
	if (o->fd > STDERR_FILENO && close(o->fd) != 0)
		err = -errno;
	o->fd = -1;
	return err;
}
