/* SPDX-License-Identifier: MIT */
/*
 * mteprobe matrix: the cases of the case axes' lists (options and defaults
 * from lib/axis.h, the cases from lib/plan.h), one record per case (a CSV
 * row by default, or --format) written as soon as it is known, progress on
 * a terminal, a summary at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "case-options.h"
#include "case.h"
#include "cli.h"
#include "lanes.h"
#include "parse.h"
#include "plan.h"
#include "report.h"
#include "resume.h"
#include "scratch.h"
#include "util.h"

static void help(void)
{
	printf("Usage: %s matrix [options]\n\n"
	       "Run every combination of the lists below, one CSV row per case\n"
	       "(mteprobe-csv(5)) or --format, written as soon as the case is known.\n\n"
	       "Options (LIST is comma-separated, each item once; numbers are decimal, or hex\n"
	       "after 0x, k = KiB):\n", program_name);
	axis_help(stdout, AXIS_CMD_MATRIX);
	printf("  -d, --dir DIR        use DIR only, whatever its filesystem (instead of --fs)\n"
	       "      --no-watchdog    no livelock/hang verdicts or recovery: a plain time limit\n"
	       "      --no-trace       do not count kernel events (fault_ins stays empty)\n"
	       "  -o, --output FILE    write there (default standard output)\n"
	       "      --format FMT     csv (default), text (a line per case), json (an object\n"
	       "                       per line) or ktap (KTAP version 1, a subtest per\n"
	       "                       syscall: ok or not ok, see KTAP in mteprobe(1))\n"
	       "      --expect FILE    ktap: the known outcomes (CSV); a case that matches is\n"
	       "                       ok, one that differs not ok\n"
	       "      --resume FILE    append to FILE (CSV only), which this matrix started: the\n"
	       "                       cases it holds are not run again, a torn last row is cut off\n"
	       "      --engine ENGINE  worker (default: processes that run case after case) or\n"
	       "                       fork (a process per case; the same results, slower)\n"
	       "  -j, --jobs N         run N cases side by side (1 to %d, default 1), each\n"
	       "                       group of cases in one lane; rows keep the plan's order\n"
	       "      --stats          print where the time went: worker starts and the cases'\n"
	       "                       phases (set up, call, verify, tear down, row output)\n"
	       "      --list-plan      print the planned cases' input columns (CSV) and exit,\n"
	       "                       running nothing\n"
	       "  -h, --help           display this help and exit\n\n"
	       "Without --at/--offsets: sync-mode mte and retag faults at every position and\n"
	       "offset, other modes at mid with offset 0, page faults (mode none) at every\n"
	       "position with offset 0, and one control without a fault. With them: the full\n"
	       "product.\n"
	       "After a case does not return (a timeout, or a livelock or hang the watchdog\n"
	       "could not recover), the rest of its group (same call, filesystem, I/O path,\n"
	       "mode and fault kind) is skipped.\n"
	       "Direct I/O uses the offsets that are multiples of %d only.\n\n"
	       "Exit status: 0 when the run completed (outcomes are in the CSV), 1 an output\n"
	       "error (the file cannot be opened or written) or, with --format ktap, a case\n"
	       "is not ok, 2 usage error (also: options that leave no case, a --resume FILE\n"
	       "of another matrix, schema or kernel, a bad --expect FILE),\n"
	       "4 the platform cannot run it, 130 stopped by a signal (SIGINT, SIGTERM,\n"
	       "SIGHUP, ...: rows written so far are kept, the summary is printed, the case\n"
	       "files are removed).\n", LANES_MAX, DIO_ALIGN);
}

enum { OPT_RESUME = 256, OPT_FORMAT, OPT_EXPECT, OPT_ENGINE, OPT_STATS, OPT_LIST_PLAN,
	OPT_NO_WATCHDOG, OPT_NO_TRACE };

int matrix_parse(int argc, char **argv, struct matrix_opts *o)
{
	static const struct option own[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "resume", required_argument, NULL, OPT_RESUME },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ "no-watchdog", no_argument, NULL, OPT_NO_WATCHDOG },
		{ "no-trace", no_argument, NULL, OPT_NO_TRACE },
		{ "engine", required_argument, NULL, OPT_ENGINE },
		{ "jobs", required_argument, NULL, 'j' },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "list-plan", no_argument, NULL, OPT_LIST_PLAN },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option opts[ARRAY_SIZE(own) + AXIS_COUNT + 1];
	char shorts[64] = "d:o:j:h";
	size_t n = axis_options(AXIS_CMD_MATRIX, opts, shorts, sizeof(shorts)), v;
	int opt, st, id;
	char *end;

	memcpy(opts + n, own, sizeof(own));
	opts[n + ARRAY_SIZE(own)] = (struct option){ 0 };
	*o = (struct matrix_opts){ .jobs = 1 };
	optind = 0;	/* glibc: start afresh, whatever a previous parse left */
	while ((opt = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		if ((id = axis_of_option(AXIS_CMD_MATRIX, opt)) >= 0) {
			struct axis_list *l = &o->set.a[id];

			if (!axes[id].matrix_one) {
				st = axis_option_list("matrix", id, optarg, l);
			} else if ((st = axis_option_value("matrix", AXIS_CMD_MATRIX, id, optarg,
							    &v)) == EXIT_OK) {
				*l = (struct axis_list){ .n = 1, .v = { v }, .given = true };
			}
			if (st != EXIT_OK)
				return st;
			continue;
		}
		switch (opt) {
		case 'd':
			o->dir = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case OPT_RESUME:
			o->resume = optarg;
			break;
		case OPT_FORMAT:
			if ((st = parse_format("matrix", optarg, &o->format)) != EXIT_OK)
				return st;
			break;
		case OPT_EXPECT:
			o->expect = optarg;
			break;
		case OPT_NO_WATCHDOG:
			o->no_watchdog = true;
			break;
		case OPT_NO_TRACE:
			o->no_trace = true;
			break;
		case OPT_ENGINE:
			if ((st = case_engine_parse(optarg)) < 0)
				return usage_error("matrix", "bad --engine '%s': use worker or fork", optarg);
			o->engine = st;
			break;
		case 'j':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-' || v < 1 || v > LANES_MAX)
				return usage_error("matrix", "bad --jobs '%s': give a number from 1 to %d",
						   optarg, LANES_MAX);
			o->jobs = (unsigned)v;
			break;
		case OPT_STATS:
			o->stats = true;
			break;
		case OPT_LIST_PLAN:
			o->list_plan = true;
			break;
		case 'h':
			o->help = true;
			return EXIT_OK;
		default:
			return usage_error("matrix", "bad option");
		}
	}
	if (optind < argc)
		return usage_error("matrix", "unexpected argument '%s'", argv[optind]);
	if (o->dir && o->set.a[AXIS_FS].n)
		return usage_error("matrix", "--dir and --fs exclude each other: --dir runs on "
				   "that directory's filesystem");
	if (o->out && o->resume)
		return usage_error("matrix", "--resume FILE writes to FILE: drop -o");
	if (!o->format)
		o->format = format_find("csv");
	if (o->resume && strcmp(o->format->name, "csv"))
		return usage_error("matrix", "--resume appends CSV rows: drop --format %s, or start "
				   "a new file with -o", o->format->name);
	if ((st = check_output("matrix", o->format, o->expect)) != EXIT_OK)
		return st;
	if ((o->dir && !*o->dir) || (o->out && !*o->out) || (o->resume && !*o->resume))
		return usage_error("matrix", "%s is empty: give a %s", o->dir && !*o->dir ? "--dir"
				   : o->out && !*o->out ? "-o" : "--resume",
				   o->dir && !*o->dir ? "directory" : "file");

	/* the lists not given: their defaults (the fs of --dir is found later) */
	for (id = 0; id < AXIS_COUNT; id++)
		if (!o->set.a[id].n && !(id == AXIS_FS && o->dir))
			axis_default_list(&axes[id], &o->set.a[id]);
	return EXIT_OK;
}

/* ---- the cases ---- */

/* --list-plan: the planned cases' input columns, as their rows would hold them */
static int list_plan(const struct plan *p)
{
	static char v[REPORT_COLUMNS_MAX][REPORT_VAL_SIZE];
	const enum report_column *key;
	size_t nkey = case_key_columns(&key);
	struct case_result r;

	for (size_t k = 0; k < nkey; k++)
		printf("%s%s", k ? "," : "", report_columns[key[k]]);
	putchar('\n');
	for (size_t i = 0; i < p->n; i++) {
		case_skip(&p->c[i], &r, "");
		report_values(NULL, &p->c[i], &r, v);
		for (size_t k = 0; k < nkey; k++)
			printf("%s%s", k ? "," : "", v[key[k]]);
		putchar('\n');
	}
	return fflush(stdout) || ferror(stdout) ? EXIT_FAILED : EXIT_OK;
}

/* --resume FILE: open it for appending (one writer at a time), mark the
 * cases its rows hold as done and cut a torn last row. EXIT_OK with *out
 * set, or the status after a one-line message. */
static int open_resume(const char *name, const struct plan *p, bool *done,
		       struct resume_scan *res, struct format_out *out)
{
	int fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0644), status, err;
	struct report_ctx ctx;
	struct stat st;
	char *text = NULL;

	if (fd < 0) {
		warnx_("matrix: cannot open %s: %s; give a writable file", name, strerror(errno));
		return EXIT_FAILED;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		warnx_("matrix: %s: %s; another mteprobe is writing it: wait for it to end",
		       name, strerror(errno));
		close(fd);
		return EXIT_FAILED;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		warnx_("matrix: %s is not a regular file: give a file", name);
		close(fd);
		return EXIT_FAILED;
	}
	if ((err = read_whole_file(fd, (size_t)st.st_size, &text))) {
		warnx_("matrix: cannot read %s: %s", name, strerror(-err));
		close(fd);
		return EXIT_FAILED;
	}
	report_init(&ctx);
	status = resume_scan(name, text, (size_t)st.st_size, &ctx, p->c, p->n, done, res);
	free(text);
	if (status != EXIT_OK) {
		close(fd);
		return status;
	}
	if (res->keep < (size_t)st.st_size && ftruncate(fd, (off_t)res->keep) != 0) {
		warnx_("matrix: cannot cut the torn row off %s: %s", name, strerror(errno));
		close(fd);
		return EXIT_FAILED;
	}
	/* rows go after the last whole one; a torn one is cut back again */
	format_attach(out, format_find("csv"), fd, name, true);
	return EXIT_OK;
}

/* ---- running ---- */

struct tally {
	unsigned long by_result[RESULT_COUNT];
	unsigned long bypass, data_wrong, recovered, done;
};

static void progress(size_t i, size_t n, const struct case_spec *s, time_t t0)
{
	fprintf(stderr, "\r\033[K[%zu/%zu %lds] %s %s %s %s %s@%zu+%zu", i, n,
		(long)(time(NULL) - t0), s->drv->name, fs_name(s->fs), io_path_name(s->io),
		mte_mode_name(s->mode), fault_kind_name(s->fault), s->fault_at, s->buf_off);
}

/* --stats: where the time went, per case run (microseconds summed in st). */
static void print_stats(FILE *f, const struct case_stats *st, unsigned long rows,
			unsigned long row_us)
{
	double n = st->cases ? (double)st->cases : 1, other;

	other = (double)st->total_us - (double)st->worker_start_us - (double)st->files_us -
		(double)st->setup_us - (double)st->call_us - (double)st->verify_us -
		(double)st->teardown_us;
	fprintf(f, "matrix: phases, ms per case over %lu cases run: worker start %.3f (%lu "
		"workers, %.3f each), files %.3f, set up %.3f, call %.3f, verify %.3f, tear down "
		"%.3f, other (messages, waiting) %.3f; row output %.3f per row over %lu rows\n",
		st->cases, (double)st->worker_start_us / n / 1000, st->workers,
		st->workers ? (double)st->worker_start_us / (double)st->workers / 1000 : 0.0,
		(double)st->files_us / n / 1000, (double)st->setup_us / n / 1000,
		(double)st->call_us / n / 1000,
		(double)st->verify_us / n / 1000, (double)st->teardown_us / n / 1000,
		other / n / 1000, rows ? (double)row_us / (double)rows / 1000 : 0.0, rows);
}

/* err (-errno) from writing the output after rows whole records. */
/* Say once, before the cases, which calls of the plan this process may not
 * make here (no root, a sysctl, a security module): one line per reason,
 * naming the calls. Their cases are skip rows with the same reason. */
static void say_unavailable(const struct plan *plan)
{
	bool *used = calloc(driver_count, sizeof(*used));

	if (!used)
		return;
	for (size_t i = 0; i < plan->n; i++)
		for (size_t d = 0; d < driver_count; d++)
			used[d] |= plan->c[i].drv == drivers[d];
	for (size_t d = 0; d < driver_count; d++) {
		const char *why = used[d] ? driver_unavailable(drivers[d]) : NULL;
		char names[512] = "";

		if (!why)
			continue;
		for (size_t e = d; e < driver_count; e++) {
			const char *other = used[e] ? driver_unavailable(drivers[e]) : NULL;

			if (other && !strcmp(other, why)) {
				snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
					 names[0] ? ", " : "", drivers[e]->name);
				used[e] = false;	/* said: not again */
			}
		}
		warnx_("matrix: %s not run: %s", names, why);
	}
	free(used);
}

static void write_error(const struct format_out *out, int err, unsigned long rows)
{
	const char *name = strerrorname_np(-err), *fix = "check its disk";

	if (err == -ENOSPC || err == -EDQUOT)
		fix = "free space there";
	else if (err == -EFBIG)
		fix = "raise the file size limit (ulimit -f)";
	if (out->own && !strcmp(out->ops->name, "csv"))
		warnx_("matrix: cannot write %s: %s (%s); it keeps the %lu whole rows written "
		       "before; %s, then add the rest with the same options and --resume %s",
		       out->name, strerror(-err), name ? name : "?", rows, fix, out->name);
	else if (out->own)
		warnx_("matrix: cannot write %s: %s (%s); it keeps the %lu whole cases written "
		       "before; %s, then run the matrix again", out->name, strerror(-err),
		       name ? name : "?", rows, fix);
	else
		warnx_("matrix: cannot write %s: %s (%s) after %lu rows", out->name, strerror(-err),
		       name ? name : "?", rows);
}

/* A run's fixed skips (a directory that cannot be used, asymm mode
 * unavailable) and where its rows go. */
struct matrix_run {
	char (*dirs)[4096];
	const char **dir_why;
	size_t nfs;
	const char *asymm_why;
	struct format_out *out;
	struct tally t;
	unsigned long row_us, rows_before;
	size_t todo;		/* cases to run (not resumed) */
	bool tty;
	time_t start;
	int err;		/* writing failed: -errno */
};

static const char *fixed_skip(void *arg, const struct case_spec *s)
{
	const struct matrix_run *m = arg;

	for (size_t f = 0; f < m->nfs && s->dir; f++)
		if (s->dir == m->dirs[f] && m->dir_why[f])
			return m->dir_why[f];
	if (s->mode == MTE_MODE_ASYMM && m->asymm_why)
		return m->asymm_why;
	return NULL;
}

/* A case's row, written as soon as the rows before it are: 0 or -errno. */
static int emit_row(void *arg, size_t i, const struct case_result *r)
{
	struct matrix_run *m = arg;
	const struct case_spec *s = &m->out->plan[i];
	unsigned long t0 = monotonic_us();

	m->err = format_result(m->out, s, r);
	m->row_us += monotonic_us() - t0;
	if (m->err) {
		write_error(m->out, m->err, m->rows_before + m->t.done);
		return m->err;
	}
	m->t.by_result[r->out.result]++;
	m->t.bypass += r->out.bypass == 1;
	m->t.data_wrong += r->chk.data_ok == 0;
	m->t.recovered += r->raw.recovered;
	m->t.done++;
	if (m->tty)
		progress(m->t.done, m->todo, s, m->start);
	return 0;
}

int cmd_matrix(int argc, char **argv)
{
	struct matrix_opts o;
	enum fs_type fs[FS_COUNT];
	static char dirs[FS_COUNT][4096];
	const char *dir_why[FS_COUNT] = { 0 }, *dir_of[FS_COUNT] = { 0 };
	char whybuf[FS_COUNT][512], asymm_buf[512];
	size_t nfs = 0;
	struct plan plan = { 0 };
	struct case_spec base = { 0 };
	struct resume_scan resumed = { 0 };
	bool *done = NULL;
	static struct expect_set expect;	/* held to the end, whatever path it takes */
	struct format_out out;
	struct matrix_run m = { .dirs = dirs, .dir_why = dir_why, .out = &out };
	struct lanes_run lr;
	struct lanes_end le = { 0 };
	char stopped[160] = "";
	FILE *sum;
	bool asymm_on = false;
	struct timespec ts0, ts1;
	double secs;
	int err, status;

	status = matrix_parse(argc, argv, &o);
	if (status != EXIT_OK)
		return status;
	if (o.help) {
		help();
		return EXIT_OK;
	}
	if (o.expect && (status = load_expect("matrix", o.expect, &expect)) != EXIT_OK)
		return status;

	/* filesystems and their directories */
	if (o.dir) {
		if (scratch_check_dir(o.dir, whybuf[0], sizeof(whybuf[0]))) {
			warnx_("matrix: --dir: %s", whybuf[0]);
			return EXIT_PLATFORM;
		}
		err = fs_detect(o.dir, &fs[0]);
		if (err) {
			warnx_("matrix: --dir %s: %s; give an existing directory", o.dir, strerror(-err));
			return EXIT_PLATFORM;
		}
		snprintf(dirs[0], sizeof(dirs[0]), "%s", o.dir);
		dir_why[0] = fs_check_dir(o.dir, fs[0], whybuf[0], sizeof(whybuf[0]));
		if (dir_why[0]) {
			warnx_("matrix: %s; give a directory", dir_why[0]);
			return EXIT_PLATFORM;
		}
		nfs = 1;
		o.set.a[AXIS_FS] = (struct axis_list){ .n = 1, .v = { fs[0] } };
	} else {
		for (size_t i = 0; i < o.set.a[AXIS_FS].n; i++) {
			fs[nfs] = o.set.a[AXIS_FS].v[i];
			dir_why[nfs] = fs_dir_for(fs[nfs], dirs[nfs], sizeof(dirs[nfs]), whybuf[nfs],
						  sizeof(whybuf[nfs]));
			if (scratch_check_dir(dirs[nfs], whybuf[nfs], sizeof(whybuf[nfs]))) {
				warnx_("matrix: --fs %s: %s", fs_name(fs[nfs]), whybuf[nfs]);
				return EXIT_PLATFORM;
			}
			nfs++;
		}
	}
	for (size_t f = 0; f < nfs; f++)
		dir_of[fs[f]] = dirs[f];
	base.no_watchdog = o.no_watchdog;
	if (plan_build(&plan, &o.set, &base, dir_of)) {
		plan_free(&plan);
		warnx_("matrix: out of memory");
		return EXIT_FAILED;
	}
	if (!plan.n) {
		plan_explain_empty(&o.set, fs, nfs, o.dir, asymm_buf, sizeof(asymm_buf));
		return usage_error("matrix", "nothing to run: %s", asymm_buf);
	}
	if (o.list_plan) {
		status = list_plan(&plan);
		plan_free(&plan);
		return status;
	}
	if ((err = refuse_emulation("matrix"))) {
		plan_free(&plan);
		return err;
	}
	/* a stop signal ends the run after the current case, with the summary;
	 * the scratch directories (after the stale sweep) of the directories
	 * the cases use; one that cannot be made gives skip rows, like a
	 * missing filesystem */
	case_stop_catch();
	scratch_set_notice(warnx_);
	for (size_t f = 0; f < nfs; f++) {
		bool used = false;

		for (size_t i = 0; i < plan.n && !used && !dir_why[f]; i++)
			used = plan.c[i].dir == dirs[f];
		if (used && !scratch_for(dirs[f], whybuf[f], sizeof(whybuf[f]))) {
			if (o.dir) {
				warnx_("matrix: %s; give a directory you can write to", whybuf[f]);
				plan_free(&plan);
				return EXIT_PLATFORM;
			}
			dir_why[f] = whybuf[f];
			/* mounted but not writable: an ordinary user's /mnt */
			warnx_("matrix: %s not run: %s; give a directory you can write to (--dir)",
			       fs_name(fs[f]), whybuf[f]);
		}
	}
	if (o.resume) {
		done = calloc(plan.n, sizeof(*done));
		status = done ? open_resume(o.resume, &plan, done, &resumed, &out) : EXIT_FAILED;
		if (status != EXIT_OK) {
			if (!done)
				warnx_("matrix: out of memory");
			free(done);
			plan_free(&plan);
			return status;
		}
	} else if (!o.out) {
		format_attach(&out, o.format, STDOUT_FILENO, "standard output", false);
	} else if ((err = format_open(&out, o.format, o.out))) {
		warnx_("matrix: cannot write %s: %s; give a writable file", o.out, strerror(-err));
		plan_free(&plan);
		return EXIT_FAILED;
	}
	out.plan = plan.c;
	out.nplan = plan.n;
	out.expect = o.expect ? &expect : NULL;
	sum = o.out || o.resume ? stdout : stderr;
	tracing_start("matrix", o.no_trace);
	hang_verdicts_check("matrix", o.no_watchdog);
	say_unavailable(&plan);

	for (size_t k = 0; k < o.set.a[AXIS_MODE].n; k++)
		if (o.set.a[AXIS_MODE].v[k] == MTE_MODE_ASYMM && mte_cpu_has_mte()) {
			m.asymm_why = case_asymm_begin(asymm_buf, sizeof(asymm_buf));
			asymm_on = !m.asymm_why;
			if (m.asymm_why)
				warnx_("matrix: asymm mode not run: %s", m.asymm_why);
		}

	if (!resumed.has_header && (err = format_header(&out))) {
		write_error(&out, err, resumed.rows);
		status = EXIT_FAILED;
	}
	case_engine_set(o.engine);
	m.nfs = nfs;
	m.rows_before = resumed.rows;
	m.todo = plan.n - resumed.rows;
	m.tty = isatty(STDERR_FILENO);
	m.start = time(NULL);
	lr = (struct lanes_run){ .plan = &plan, .done = done, .jobs = o.jobs, .skip = fixed_skip,
				 .emit = emit_row, .arg = &m };
	clock_gettime(CLOCK_MONOTONIC, &ts0);
	if (status == EXIT_OK && lanes_run(&lr, &le)) {
		if (le.emit_err) {
			status = EXIT_FAILED;
		} else if (le.lane_died) {
			warnx_("matrix: a lane of cases ended without its results (%s); the rows it "
			       "sent are kept: add the rest with --resume", le.lane_died < 0 ?
			       sigabbrev_np(-le.lane_died) ?: "a signal" : "no end message");
			snprintf(stopped, sizeof(stopped), "a lane of cases died");
			status = EXIT_PLATFORM;
		} else {
			warnx_("matrix: cannot start a case: %s", strerror(-le.err));
			snprintf(stopped, sizeof(stopped), "cannot start a case: %s", strerror(-le.err));
			status = EXIT_PLATFORM;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &ts1);
	if (m.tty)
		fputs("\r\033[K", stderr);
	if (asymm_on)
		case_asymm_end();
	scratch_remove_all();
	case_stop_release();

	/* the footer, unless writing failed already; KTAP says why it ends early */
	if (case_stop_signal && !*stopped)
		snprintf(stopped, sizeof(stopped), "stopped by %s",
			 sigabbrev_np(case_stop_signal) ? sigabbrev_np(case_stop_signal) : "a signal");
	out.stopped = *stopped ? stopped : NULL;
	if (status != EXIT_FAILED && (err = format_footer(&out))) {
		write_error(&out, err, resumed.rows + m.t.done);
		status = EXIT_FAILED;
	}

	secs = (double)(ts1.tv_sec - ts0.tv_sec) + (double)(ts1.tv_nsec - ts0.tv_nsec) / 1e9;
	fprintf(sum, "matrix: %lu of %zu cases in %.1f s (%.1f cases/s)%s:", m.t.done,
		plan.n - resumed.rows, secs,
		secs > 0 ? (double)m.t.done / secs : 0.0, case_stop_signal ? ", interrupted" : "");
	for (int rr = 0; rr < RESULT_COUNT; rr++)
		if (m.t.by_result[rr])
			fprintf(sum, " %s %lu", result_name(rr), m.t.by_result[rr]);
	fprintf(sum, "; bypass %lu; data wrong %lu", m.t.bypass, m.t.data_wrong);
	if (m.t.by_result[RESULT_LIVELOCK] || m.t.by_result[RESULT_HANG])
		fprintf(sum, "; recovered by removing the fault %lu of %lu stuck", m.t.recovered,
			m.t.by_result[RESULT_LIVELOCK] + m.t.by_result[RESULT_HANG]);
	fprintf(sum, "; stuck tasks left running %u", le.stuck);
	if (out.ops->judges)
		fprintf(sum, "; %s: ok %lu, not ok %lu, skip %lu", out.ops->name, out.passed,
			out.failed, out.skipped);
	if (o.resume)
		fprintf(sum, "; resumed: %zu cases already in %s, %zu torn row%s repaired",
			resumed.rows, o.resume, resumed.torn, resumed.torn == 1 ? "" : "s");
	fputc('\n', sum);
	if (o.stats)
		print_stats(sum, &le.stats, m.t.done, m.row_us);
	plan_free(&plan);
	free(done);
	if ((err = format_close(&out)) && status == EXIT_OK) {
		write_error(&out, err, resumed.rows + m.t.done);
		status = EXIT_FAILED;
	}
	expect_free(&expect);
	if (case_stop_signal && status == EXIT_OK)
		status = EXIT_INTERRUPTED;
	if (out.failed && status == EXIT_OK)
		status = EXIT_FAILED;	/* a case is not ok (KTAP) */
	return status;
}
