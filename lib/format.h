/* SPDX-License-Identifier: MIT */
/*
 * Output formats: one table of hooks per format (nvme-cli's print_ops), one
 * file each (format_text.c, format_csv.c, format_json.c, format_ktap.c),
 * chosen by name (--format). Adding a format is adding its file and its line
 * in format.c's list.
 *
 * Whatever the format, the output never ends in a torn record: each hook's
 * text is formatted whole in memory and appended with one write. When a
 * write fails (a full disk, a file size limit, an I/O error) a file of ours
 * ("own": a regular file that mteprobe writes) is cut back to the end of its
 * last whole record; on anything else (a pipe, a terminal, a file the shell
 * opened) the torn record stays. Functions return 0 or -errno.
 */
#ifndef MTEPROBE_FORMAT_H
#define MTEPROBE_FORMAT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "case.h"
#include "expect.h"
#include "report.h"

struct format_out;

struct format_ops {
	const char *name;
	bool judges;		/* says ok or not ok per case: counts in format_out */
	/* Each prints to f; NULL prints nothing. header comes before the first
	 * case, footer after the last (o->stopped says why the run ended early). */
	void (*header)(struct format_out *o, FILE *f);
	void (*result)(struct format_out *o, FILE *f, const struct case_spec *s,
		       const struct case_result *r);
	void (*footer)(struct format_out *o, FILE *f);
	void (*free)(struct format_out *o);	/* frees o->state */
};

#define FORMAT_NAMES	"text, csv, json or ktap"
/* The format called name, or NULL. */
const struct format_ops *format_find(const char *name);

struct format_out {
	const struct format_ops *ops;
	struct report_ctx ctx;		/* uname, filled by format_open/attach */
	/* set before the header: what the output covers */
	const struct case_spec *plan;	/* every case, in the order they run */
	size_t nplan;
	const struct expect_set *expect;	/* known outcomes (--expect), or NULL */
	const char *stopped;		/* before the footer: why the run ended early */
	/* formats that judge: how many cases were ok, not ok, skipped */
	unsigned long passed, failed, skipped;
	void *state;			/* the format's own, freed by ops->free */
	/* where it goes */
	int fd;
	const char *name;	/* for messages: the path, or "standard output" */
	bool own;		/* a torn record may be cut off */
	off_t end;		/* own: where the last whole record ends */
};

/* Creates or truncates path (0644). */
int format_open(struct format_out *o, const struct format_ops *ops, const char *path);
/* An open fd: records are appended at its end; own as above. */
void format_attach(struct format_out *o, const struct format_ops *ops, int fd, const char *name,
		   bool own);
int format_header(struct format_out *o);
int format_result(struct format_out *o, const struct case_spec *s, const struct case_result *r);
int format_footer(struct format_out *o);
/* Frees the format's state and closes what format_open opened (never
 * standard output or error). */
int format_close(struct format_out *o);

#endif
