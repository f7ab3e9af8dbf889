/* SPDX-License-Identifier: MIT */
#include "csvread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void csv_init(struct csv_reader *r, const char *text, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->text = text;
	r->len = len;
	r->next_line = 1;
}

void csv_free(struct csv_reader *r)
{
	free(r->field);
	free(r->offs);
	free(r->buf);
	free(r->header);
	free(r->header_buf);
	memset(r, 0, sizeof(*r));
}

/* Room for one more byte of field text. */
static int buf_put(struct csv_reader *r, size_t *used, char c)
{
	char *b = array_grow(r->buf, *used, &r->buf_cap, 1, 256);

	if (!b)
		return -ENOMEM;
	r->buf = b;
	r->buf[(*used)++] = c;
	return 0;
}

/* A field starts at buf offset off. */
static int field_start(struct csv_reader *r, size_t off)
{
	/* one capacity for both arrays: it grows with the second */
	size_t cap = r->field_cap;
	size_t *o = array_grow(r->offs, r->nfield, &cap, sizeof(*o), 32);
	char **f;

	if (!o)
		return -ENOMEM;
	r->offs = o;
	f = array_grow(r->field, r->nfield, &r->field_cap, sizeof(*f), 32);
	if (!f)
		return -ENOMEM;
	r->field = f;
	r->offs[r->nfield++] = off;
	return 0;
}

/* Is text[i] a line end (LF, or CR LF)? Its length, or 0. */
static size_t line_end(const struct csv_reader *r, size_t i)
{
	if (i < r->len && r->text[i] == '\n')
		return 1;
	if (i + 1 < r->len && r->text[i] == '\r' && r->text[i + 1] == '\n')
		return 2;
	return 0;
}

int csv_next(struct csv_reader *r)
{
	const char *t = r->text;
	size_t i = r->pos, used = 0, eol;
	int err;

	r->nfield = 0;
	r->terminated = false;
	/* comment lines, whole: what they hold need not be CSV */
	while (r->comments && i < r->len && t[i] == '#') {
		const char *nl = memchr(t + i, '\n', r->len - i);

		i = nl ? (size_t)(nl - t) + 1 : r->len;
		r->next_line++;
		r->pos = i;
	}
	if (i >= r->len)
		return 0;
	r->start = i;
	r->line = r->next_line;
	for (;;) {
		if ((err = field_start(r, used)))
			return err;
		if (i < r->len && t[i] == '"') {
			for (i++;; i++) {
				if (i >= r->len) {
					/* the text ends inside the quotes: torn */
					if ((err = buf_put(r, &used, '\0')))
						return err;
					goto done;
				}
				if (t[i] == '\0')
					return -EINVAL;
				if (t[i] == '"') {
					if (i + 1 < r->len && t[i + 1] == '"')
						i++;	/* "" is one quote */
					else
						break;
				}
				if (t[i] == '\n')
					r->next_line++;
				if ((err = buf_put(r, &used, t[i])))
					return err;
			}
			i++;	/* the closing quote */
			if (i < r->len && t[i] != ',' && !line_end(r, i))
				return -EINVAL;
		} else {
			for (; i < r->len && t[i] != ',' && !line_end(r, i); i++) {
				if (t[i] == '"' || t[i] == '\0')
					return -EINVAL;
				if ((err = buf_put(r, &used, t[i])))
					return err;
			}
		}
		if ((err = buf_put(r, &used, '\0')))
			return err;
		if (i >= r->len)
			goto done;
		if ((eol = line_end(r, i))) {
			i += eol;
			r->next_line++;
			r->terminated = true;
			goto done;
		}
		i++;	/* the comma */
	}
done:
	for (size_t f = 0; f < r->nfield; f++)
		r->field[f] = r->buf + r->offs[f];
	r->end = i;
	r->pos = i;
	return 1;
}

int csv_header(struct csv_reader *r)
{
	size_t size = 0;
	char *p;
	int got = csv_next(r);

	if (got <= 0)
		return got;
	for (size_t f = 0; f < r->nfield; f++)
		size += strlen(r->field[f]) + 1;
	free(r->header);
	free(r->header_buf);
	r->header = malloc((r->nfield ? r->nfield : 1) * sizeof(*r->header));
	r->header_buf = malloc(size ? size : 1);
	if (!r->header || !r->header_buf)
		return -ENOMEM;
	p = r->header_buf;
	for (size_t f = 0; f < r->nfield; f++) {
		size_t n = strlen(r->field[f]) + 1;

		memcpy(p, r->field[f], n);
		r->header[f] = p;
		p += n;
	}
	r->nheader = r->nfield;
	return 1;
}

int csv_column(const struct csv_reader *r, const char *name)
{
	for (size_t c = 0; c < r->nheader; c++)
		if (strcmp(r->header[c], name) == 0)
			return (int)c;
	return -1;
}

const char *csv_field(const struct csv_reader *r, int col)
{
	return col >= 0 && (size_t)col < r->nfield ? r->field[col] : NULL;
}
