/* SPDX-License-Identifier: MIT */
/* --format json: one object per case and line (JSON Lines), with the CSV's
 * column names and values; numbers unquoted, null when empty. */
#include "format.h"
#include "util.h"

static void json_result(struct format_out *o, FILE *f, const struct case_spec *s,
			const struct case_result *r)
{
	static char v[REPORT_COLUMNS_MAX][REPORT_VAL_SIZE];

	report_values(&o->ctx, s, r, v);
	fputc('{', f);
	for (size_t c = 0; c < report_column_count; c++) {
		fprintf(f, "%s\"%s\":", c ? "," : "", report_columns[c]);
		if (report_column_numeric(c))
			fputs(v[c][0] ? v[c] : "null", f);
		else
			json_text(f, v[c]);
	}
	fputs("}\n", f);
}

const struct format_ops format_json = {
	.name = "json",
	.result = json_result,
};
