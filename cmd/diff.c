/* SPDX-License-Identifier: MIT */
/*
 * mteprobe diff OLD.csv NEW.csv: the cases of two runs matched by their
 * input columns, every change classified (lib/compare.h), a summary and the
 * list, as text or JSON; the exit status says whether anything regressed.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "util.h"

static void help(void)
{
	printf("Usage: %s diff [--json] OLD.csv NEW.csv\n\n"
	       "Compare two runs (mteprobe-csv(5), any schema; for example a baseline and a\n"
	       "patched kernel) case by case. Cases are matched by their input columns\n"
	       "(fs, syscall, io, mode, fault, len, fault_at, buf_off); a case in one file only\n"
	       "is listed as such. A change is a regression when the new run has a livelock,\n"
	       "hang or signal the old one had not, wrong data, a new overshoot or bypass, an\n"
	       "exact short that became inexact, or a short that moved bytes and became\n"
	       "EFAULT; an improvement when one of those went away; else neutral.\n\n"
	       "Options:\n"
	       "      --json   the summary and every change as one JSON object\n"
	       "  -h, --help   display this help and exit\n\n"
	       "Exit status: 0 no regression, 1 regressions, 2 usage error (also: a file that\n"
	       "cannot be read or is not mteprobe's CSV).\n", program_name);
}

static void print_case(const struct change *c)
{
	const struct result_row *r = c->new ? c->new : c->old;
	char key[256], out[256];

	row_key_text(r, key, sizeof(key));
	printf("%-11s %s: ", !c->old ? "only-new" : !c->new ? "only-old" : change_class_names[c->cls],
	       key);
	if (c->old && c->new) {
		row_outcome_text(c->old, out, sizeof(out));
		printf("%s -> ", out);
	}
	row_outcome_text(r, out, sizeof(out));
	fputs(out, stdout);
	for (unsigned k = 0; k < CR_COUNT; k++)
		if ((c->worse | c->better) & CR_BIT(k))
			printf("; %s", change_reason(k, c->worse & CR_BIT(k)));
	putchar('\n');
}

static void json_row(const struct result_row *r)
{
	if (!r) {
		fputs("null", stdout);
		return;
	}
	putchar('{');
	for (int c = 0; c < COL_COUNT; c++) {
		long v;

		printf("%s\"%s\":", c ? "," : "", report_columns[c]);
		if (c == COL_KERNEL || c == COL_ARCH || c == COL_FS || c == COL_SYSCALL || c == COL_IO ||
		    c == COL_MODE || c == COL_FAULT || c == COL_RESULT || c == COL_ERRNO || c == COL_NOTE)
			json_text(stdout, r->v[c]);
		else if (row_num(r, c, &v))
			printf("%ld", v);
		else
			fputs("null", stdout);
	}
	putchar('}');
}

static void json_file(const char *name, const struct result_set *s)
{
	printf("\"%s\":{\"file\":", name);
	json_text(stdout, s->path);
	fputs(",\"kernel\":", stdout);
	json_text(stdout, s->kernel);
	printf(",\"schema\":%d,\"cases\":%zu}", s->schema, s->nrow);
}

static void print_json(const struct result_set *old, const struct result_set *new,
		       const struct comparison *cmp)
{
	putchar('{');
	json_file("old", old);
	putchar(',');
	json_file("new", new);
	printf(",\"summary\":{\"matched\":%zu", cmp->matched);
	for (int k = 0; k < CHANGE_CLASS_COUNT; k++)
		printf(",\"%s\":%zu", change_class_names[k], cmp->count[k]);
	printf(",\"only_old\":%zu,\"only_new\":%zu},\"changes\":[", cmp->only_old, cmp->only_new);
	for (size_t i = 0; i < cmp->n; i++) {
		const struct change *c = &cmp->c[i];
		bool first = true;

		printf("%s\n{\"class\":\"%s\",\"reasons\":[", i ? "," : "",
		       !c->old ? "only-new" : !c->new ? "only-old" : change_class_names[c->cls]);
		for (unsigned k = 0; k < CR_COUNT; k++) {
			if (!((c->worse | c->better) & CR_BIT(k)))
				continue;
			printf("%s", first ? "" : ",");
			json_text(stdout, change_reason(k, c->worse & CR_BIT(k)));
			first = false;
		}
		fputs("],\"old\":", stdout);
		json_row(c->old);
		fputs(",\"new\":", stdout);
		json_row(c->new);
		putchar('}');
	}
	puts("]}");
}

int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct result_set sets[2];
	struct comparison cmp;
	bool json = false;
	char err[512];
	int opt, status;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			help();
			return EXIT_OK;
		default:
			return usage_error("diff", "bad option");
		}
	}
	if (argc - optind != 2)
		return usage_error("diff", "%s: give two CSV files, OLD and NEW",
				   argc - optind < 2 ? "too few files" : "too many files");
	if (results_load(&sets[0], argv[optind], err, sizeof(err)))
		return usage_error("diff", "%s", err);
	if (results_load(&sets[1], argv[optind + 1], err, sizeof(err))) {
		results_free(&sets[0]);
		return usage_error("diff", "%s", err);
	}
	if (compare_sets(&sets[0], &sets[1], &cmp)) {
		warnx_("diff: out of memory");
		status = EXIT_USAGE;
		goto out;
	}
	if (json) {
		print_json(&sets[0], &sets[1], &cmp);
	} else {
		printf("%s (%s) -> %s (%s): %zu cases in both: %zu regressions, %zu improvements, "
		       "%zu neutral, %zu unchanged; %zu only in the old, %zu only in the new\n",
		       sets[0].path, sets[0].kernel, sets[1].path, sets[1].kernel, cmp.matched,
		       cmp.count[CHANGE_REGRESSION], cmp.count[CHANGE_IMPROVEMENT],
		       cmp.count[CHANGE_NEUTRAL], cmp.count[CHANGE_NONE], cmp.only_old, cmp.only_new);
		/* regressions first, then the rest */
		for (int cls = CHANGE_REGRESSION; cls >= CHANGE_NEUTRAL; cls--)
			for (size_t i = 0; i < cmp.n; i++)
				if (cmp.c[i].old && cmp.c[i].new && (int)cmp.c[i].cls == cls)
					print_case(&cmp.c[i]);
		for (size_t i = 0; i < cmp.n; i++)
			if (!cmp.c[i].old || !cmp.c[i].new)
				print_case(&cmp.c[i]);
	}
	status = cmp.count[CHANGE_REGRESSION] ? EXIT_FAILED : EXIT_OK;
	comparison_free(&cmp);
out:
	results_free(&sets[0]);
	results_free(&sets[1]);
	return status;
}
