/* SPDX-License-Identifier: MIT */
/* --format text: one line per case saying what the kernel did (run's default). */
#include "format.h"
#include "util.h"

static void text_result(struct format_out *o, FILE *f, const struct case_spec *s,
			const struct case_result *r)
{
	const struct outcome *out = &r->out;

	(void)o;
	fprintf(f, "%s on %s (%s, %s mode, ", s->drv->name, fs_name(s->fs), io_path_name(s->io),
		mte_mode_name(s->mode));
	if (s->fault == FAULT_NONE)
		fprintf(f, "no fault");
	else
		fprintf(f, "%s fault at %zu%s", fault_kind_name(s->fault), r->fault_off,
			r->fault_in_range ? "" : ", outside the buffer");
	fprintf(f, ", len %zu, buf_off %zu", s->len, s->buf_off);
	if (s->state != FILE_FRESH)
		fprintf(f, ", %s file", file_state_name(s->state));
	if (s->backing != BACKING_PRIVATE)	/* the usual buffer goes unsaid */
		fprintf(f, ", %s buffer", backing_name(s->backing));
	fprintf(f, "): %s", result_name(out->result));
	if (r->raw.recovered)
		fprintf(f, ", recovered");
	if (r->raw.returned)
		fprintf(f, " %ld", r->raw.ret);
	if (r->errname[0])
		fprintf(f, " %s", r->errname);
	if (r->has_expect)
		fprintf(f, ", expected %ld", r->expect);
	if (out->has_delta)
		fprintf(f, ", delta %ld", out->delta);
	if (out->bypass == 1)
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

const struct format_ops format_text = {
	.name = "text",
	.result = text_result,
};
