/* SPDX-License-Identifier: MIT */
/*
 * Reading CSV text (RFC 4180) held in memory, columns by header name:
 * quoted fields with commas, double quotes and line ends inside, LF or CRLF
 * line ends, a last record without one. Each record comes with where it
 * starts and ends in the text and whether a line end closed it, so a writer
 * that appends (matrix --resume) can cut a torn last record.
 */
#ifndef MTEPROBE_CSVREAD_H
#define MTEPROBE_CSVREAD_H

#include <stdbool.h>
#include <stddef.h>

struct csv_reader {
	const char *text;
	size_t len;
	size_t pos;		/* where the next record starts */
	size_t line;		/* the current record's first line, from 1 */
	size_t start, end;	/* the current record: text[start, end), its line end included */
	bool terminated;	/* a line end closed it (else the text ended first) */
	bool comments;		/* set after csv_init: lines starting with # between
				 * records are skipped (--expect files) */
	char **field;		/* its fields, unquoted, NUL-terminated */
	size_t nfield;
	char **header;		/* the header's fields (csv_header) */
	size_t nheader;
	/* storage */
	size_t next_line, field_cap, buf_cap;
	size_t *offs;
	char *buf, *header_buf;
};

void csv_init(struct csv_reader *r, const char *text, size_t len);
void csv_free(struct csv_reader *r);

/* Read the next record: 1, 0 at the end of the text, -EINVAL when the text
 * is not CSV (a quote inside an unquoted field, text after a closing quote,
 * a NUL byte; r->line says where), -ENOMEM. A quoted field still open at
 * the end of the text ends the record, not terminated. */
int csv_next(struct csv_reader *r);

/* Read the next record as the header: 1, 0 when the text is empty, or
 * csv_next's error. */
int csv_header(struct csv_reader *r);

/* The header's column called name, or -1. */
int csv_column(const struct csv_reader *r, const char *name);

/* Field col of the current record, or NULL when it has no such field. */
const char *csv_field(const struct csv_reader *r, int col);

#endif
