/* SPDX-License-Identifier: MIT */
/* The CSV reader: quoting, line ends, torn last records, columns by name. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "csvread.h"

/* Read all of text: the records' fields joined with '|', records with ';',
 * a torn record marked with '~'. Returns csv_next's last status. */
static int read_all(const char *text, char *out, size_t size)
{
	struct csv_reader r;
	int got;

	out[0] = '\0';
	csv_init(&r, text, strlen(text));
	while ((got = csv_next(&r)) == 1) {
		for (size_t f = 0; f < r.nfield; f++)
			snprintf(out + strlen(out), size - strlen(out), "%s%s", f ? "|" : "", r.field[f]);
		snprintf(out + strlen(out), size - strlen(out), "%s;", r.terminated ? "" : "~");
		CHECK(r.start < r.end && r.end <= r.len, "record bounds %zu..%zu", r.start, r.end);
	}
	csv_free(&r);
	return got;
}

static void expect(const char *text, const char *want)
{
	char got[512];
	int st = read_all(text, got, sizeof(got));

	CHECK(st == 0, "'%s': status %d", text, st);
	CHECK(strcmp(got, want) == 0, "'%s': got '%s', want '%s'", text, got, want);
}

static void expect_bad(const char *text, size_t line)
{
	struct csv_reader r;
	int got;

	csv_init(&r, text, strlen(text));
	while ((got = csv_next(&r)) == 1)
		;
	CHECK(got == -EINVAL, "'%s': status %d, want -EINVAL", text, got);
	CHECK(r.line == line, "'%s': error on line %zu, want %zu", text, r.line, line);
	csv_free(&r);
}

int main(void)
{
	struct csv_reader r;
	const char *text;

	expect("", "");
	expect("a,b\n1,2\n", "a|b;1|2;");
	expect("a,b\r\n1,2\r\n", "a|b;1|2;");			/* CRLF */
	expect("a,b\n1,2", "a|b;1|2~;");			/* no final line end: torn */
	expect("a,b\n1,", "a|b;1|~;");
	expect("a\n\n", "a;;");					/* an empty line: one empty field */
	expect("\"x,y\",\"say \"\"hi\"\"\"\n", "x,y|say \"hi\";");
	expect("\"two\nlines\",z\n", "two\nlines|z;");
	expect("\"cr\r\nlf\"\n", "cr\r\nlf;");
	expect("a,\"\"\n", "a|;");
	expect("a,\"open", "a|open~;");			/* torn inside the quotes */
	expect("a,\"", "a|~;");
	expect("a,\"x\"\"", "a|x\"~;");
	expect("x\ry\n", "x\ry;");				/* a lone CR is text */
	expect_bad("a,b\n1,x\"y\n", 2);				/* a quote in an unquoted field */
	expect_bad("a\n\"q\"z,1\n", 2);				/* text after the closing quote */
	expect_bad("a\n\"x\ny\"\n1,\"q\"q\n", 4);		/* lines counted inside quotes */
	{
		static const char nul[] = "a,b\n1\0,2\n";

		csv_init(&r, nul, sizeof(nul) - 1);
		CHECK(csv_next(&r) == 1 && csv_next(&r) == -EINVAL, "a NUL byte is no CSV");
		csv_free(&r);
	}

	/* by header name, whatever the order; short rows have no such field */
	text = "ret,note,syscall\r\n7,\"a, \"\"b\"\"\",read\r\n9\r\n";
	csv_init(&r, text, strlen(text));
	CHECK(csv_header(&r) == 1 && r.nheader == 3, "header");
	CHECK(csv_column(&r, "syscall") == 2 && csv_column(&r, "note") == 1, "columns");
	CHECK(csv_column(&r, "nosuch") == -1, "no such column");
	CHECK(csv_next(&r) == 1, "row 1");
	CHECK(strcmp(csv_field(&r, csv_column(&r, "syscall")), "read") == 0, "syscall");
	CHECK(strcmp(csv_field(&r, csv_column(&r, "note")), "a, \"b\"") == 0, "note");
	CHECK(r.line == 2 && r.start == 18 && r.terminated, "row 1 at line %zu, %zu", r.line, r.start);
	CHECK(csv_next(&r) == 1 && r.nfield == 1, "row 2");
	CHECK(csv_field(&r, csv_column(&r, "syscall")) == NULL, "a short row");
	CHECK(csv_field(&r, -1) == NULL, "no column");
	CHECK(strcmp(r.header[0], "ret") == 0, "the header outlives the rows");
	CHECK(csv_next(&r) == 0 && csv_next(&r) == 0, "the end, twice");
	csv_free(&r);

	/* many fields and long ones */
	{
		static char big[200000];
		size_t n = 0;

		for (int i = 0; i < 20000; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n, "%s%d", i ? "," : "", i);
		big[n++] = '\n';
		csv_init(&r, big, n);
		CHECK(csv_next(&r) == 1 && r.nfield == 20000, "%zu fields", r.nfield);
		CHECK(strcmp(r.field[19999], "19999") == 0, "last field");
		csv_free(&r);
	}
	return 0;
}
