/* SPDX-License-Identifier: MIT */
/* The UTF-8 helpers (util.h): cutting at a byte limit never splits a
 * character, and sanitising leaves only valid UTF-8, every valid character
 * kept. */
#include <string.h>

#include "check.h"
#include "util.h"

static void check_sanitize(const char *in, const char *want)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", in);
	utf8_sanitize(buf);
	CHECK(strcmp(buf, want) == 0, "sanitize: got '%s', want '%s'", buf, want);
}

int main(void)
{
	/* "aé€😀": 1 + 2 + 3 + 4 bytes */
	static const char s[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
	static const size_t keep[] = { 0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 10 };
	char buf[16];

	for (size_t max = 0; max < ARRAY_SIZE(keep); max++) {
		CHECK(utf8_prefix(s, max) == keep[max], "prefix of %zu: %zu, want %zu", max,
		      utf8_prefix(s, max), keep[max]);
		snprintf_utf8(buf, max + 1, "%s", s);
		CHECK(strlen(buf) == keep[max] && strncmp(buf, s, keep[max]) == 0,
		      "snprintf_utf8 into %zu bytes: '%s'", max + 1, buf);
	}
	snprintf(buf, sizeof(buf), "%.*s|", UTF8_CUT(s, 2));
	CHECK(strcmp(buf, "a|") == 0, "UTF8_CUT: '%s'", buf);
	/* what is not UTF-8 is cut like ASCII, except a last byte that looks
	 * like the start of a longer character */
	CHECK(utf8_prefix("ab\x80\x80", 3) == 3, "stray continuation bytes");
	CHECK(utf8_prefix("ab\xe9z", 4) == 4, "a Latin-1 byte inside");
	CHECK(utf8_prefix("ab\xe9z", 3) == 2, "a Latin-1 byte at the cut");

	check_sanitize("plain ascii", "plain ascii");
	check_sanitize(s, s);
	check_sanitize("cut \xc3", "cut ?");
	check_sanitize("cut \xf0\x9f\x98", "cut ???");
	check_sanitize("latin1 caf\xe9!", "latin1 caf?!");
	check_sanitize("stray \x80\xbf.", "stray ??.");
	check_sanitize("overlong \xc0\xaf \xe0\x80\xaf", "overlong ?? ???");
	check_sanitize("surrogate \xed\xa0\x80", "surrogate ???");
	check_sanitize("beyond U+10FFFF \xf4\x90\x80\x80 \xf5", "beyond U+10FFFF ???? ?");
	check_sanitize("last ones \xed\x9f\xbf \xf4\x8f\xbf\xbf", "last ones \xed\x9f\xbf \xf4\x8f\xbf\xbf");
	check_sanitize("\xc3\xa9\xc3", "\xc3\xa9?");
	return 0;
}
