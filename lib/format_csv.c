/* SPDX-License-Identifier: MIT */
/* --format csv: the header, then one row per case (mteprobe-csv(5)). */
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* Field s, quoted when it holds a comma, quote or line break. */
static void csv_field(FILE *f, const char *s)
{
	bool quote = strpbrk(s, ",\"\n\r") != NULL;

	if (quote)
		fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
}

static void csv_header(struct format_out *o, FILE *f)
{
	(void)o;
	for (size_t c = 0; c < report_column_count; c++) {
		if (c)
			fputc(',', f);
		csv_field(f, report_columns[c]);
	}
	fputc('\n', f);
}

static void csv_result(struct format_out *o, FILE *f, const struct case_spec *s,
		       const struct case_result *r)
{
	static char v[REPORT_COLUMNS_MAX][REPORT_VAL_SIZE];

	report_values(&o->ctx, s, r, v);
	for (size_t c = 0; c < report_column_count; c++) {
		if (c)
			fputc(',', f);
		csv_field(f, v[c]);
	}
	fputc('\n', f);
}

const struct format_ops format_csv = {
	.name = "csv",
	.header = csv_header,
	.result = csv_result,
};
