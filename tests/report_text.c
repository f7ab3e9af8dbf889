/* SPDX-License-Identifier: MIT */
/*
 * What mteprobe writes is valid UTF-8 whatever a note holds: a note cut at
 * its size limit keeps whole characters, and every output format (text,
 * CSV, JSON, KTAP) turns bytes that are not UTF-8 (a directory name in Latin-1, a cut
 * character) into something valid; JSON escapes control characters. Checked
 * with iconv(3), which refuses invalid input.
 */
#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case.h"
#include "check.h"
#include "format.h"

static bool valid_utf8(const char *s, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", "UTF-8");
	char *in = (char *)s, out[4096], *o;
	size_t left = n, room;
	bool ok = true;

	CHECK(cd != (iconv_t)-1, "iconv_open: %s", strerror(errno));
	while (left && ok) {
		o = out;
		room = sizeof(out);
		if (iconv(cd, &in, &left, &o, &room) == (size_t)-1 && errno != E2BIG)
			ok = false;
	}
	iconv_close(cd);
	return ok;
}

/* Write r through one format into memory; the text must be valid UTF-8. */
static char *written(const char *format, const struct case_spec *s, const struct case_result *r)
{
	struct format_out o = { .ops = format_find(format), .plan = s, .nplan = 1,
				.ctx = { .kernel = "6.1.0-test", .arch = "aarch64" } };
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	CHECK(f && o.ops, "open_memstream, format %s", format);
	if (o.ops->header)
		o.ops->header(&o, f);
	o.ops->result(&o, f, s, r);
	if (o.ops->footer)
		o.ops->footer(&o, f);
	if (o.ops->free)
		o.ops->free(&o);
	CHECK(fclose(f) == 0, "fclose");
	CHECK(valid_utf8(text, size), "%s output is not UTF-8: %s", format, text);
	return text;
}

int main(void)
{
	struct case_spec s = {
		.drv = driver_find("read"), .dir = "/tmp", .fs = FS_TMPFS, .io = IO_BUFFERED,
		.mode = MTE_MODE_SYNC, .fault = FAULT_MTE, .len = 8192, .fault_at = 4096,
	};
	struct case_result r;
	char why[512] = "", *text;
	size_t n;

	CHECK(s.drv, "no read driver");
	/* a skip whose reason is longer than a note: cut between characters */
	for (n = 0; n + 2 < sizeof(why); n += 2)
		memcpy(why + n, "\xc3\xa9", 3);
	case_skip(&s, &r, why);
	n = strlen(r.note);
	CHECK(n + 2 >= sizeof(r.note) - 1 && valid_utf8(r.note, n),
	      "a note cut at its limit (%zu bytes) splits a character", n);

	/* a note holding what is not UTF-8 and control characters */
	snprintf(r.note, sizeof(r.note), "cannot create /tmp/caf\xe9/a\xc3: tab\there, bell\a, "
		 "esc\x1b[1m, del\x7f, \"quoted\", back\\slash, half \xe2\x82");
	for (int how = 0; how < 4; how++) {
		text = written((const char *[]){ "csv", "json", "text", "ktap" }[how], &s, &r);
		if (how == 1) {
			for (const char *p = text; *p && p[1]; p++)
				CHECK((unsigned char)*p >= 0x20, "JSON holds control character %#x",
				      (unsigned char)*p);
			CHECK((strstr(text, "\\t") || strstr(text, "\\u0009")) && strstr(text, "\\u0007") && strstr(text, "\\u001b")
			      && strstr(text, "\\\"quoted\\\"") && strstr(text, "back\\\\slash"),
			      "JSON escapes: %s", text);
		}
		free(text);
	}
	return 0;
}
