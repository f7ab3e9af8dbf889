/* SPDX-License-Identifier: MIT */
/*
 * mteprobe run: one case (a syscall, a filesystem, an I/O path, a mode, a
 * fault layout), made for real, and what the kernel did, in any output
 * format (--format: a one-line verdict by default, CSV, JSON or KTAP).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case-options.h"
#include "case.h"
#include "cli.h"
#include "parse.h"
#include "report.h"
#include "repro.h"
#include "scratch.h"
#include "trace.h"
#include "util.h"

static void help(bool trace)
{
	printf("Usage: %s %s --syscall NAME (--fs FS | --dir DIR) [options]\n\n%s"
	       "Options (numbers are decimal, or hex after 0x; k = KiB):\n",
	       program_name, trace ? "trace" : "run",
	       trace ? "Make one call whose user buffer holds a fault, counting the kernel's\n"
		       "fault-in calls, page faults and tag-check faults during it (BPF kprobes,\n"
		       "as root), and say what the kernel did and which kernel functions it hit.\n\n"
		     : "Make one call whose user buffer holds a fault and say what the kernel did.\n\n");
	axis_help(stdout, AXIS_CMD_RUN);
	printf("  -d, --dir DIR       use DIR instead of --fs; its filesystem is read from it\n"
	       "      --no-watchdog   no livelock/hang verdicts or recovery: a plain time limit\n"
	       "      --late-verdict  the watchdog judges only at the time limit (checking that\n"
	       "                      its early verdicts are right: scripts/verdict-check)\n"
	       "      --no-trace      do not count kernel events (run only; fault_ins stays empty)\n"
	       "      --format FMT    text (default: one line), csv (header and row, see\n"
	       "                      mteprobe-csv(5)), json (an object) or ktap (KTAP\n"
	       "                      version 1: ok or not ok, see KTAP in mteprobe(1))\n"
	       "      --csv, --json   the same as --format csv, --format json\n"
	       "      --expect FILE   ktap: the known outcomes (CSV); a case that matches is ok,\n"
	       "                      one that differs not ok\n"
	       "  -L, --list          list the syscalls and exit\n"
	       "  -h, --help          display this help and exit\n\n"
	       "Exit status: 0 when the case ran (whatever the kernel did), 1 writing the\n"
	       "output failed or, with --format ktap, the case is not ok, 2 usage error,\n"
	       "3 the case needs MTE and this CPU has none, 4 the platform cannot run it\n"
	       "(user-mode emulation, missing filesystem%s, or the case was skipped: the\n"
	       "reason is on standard error), 130 stopped by a signal (the case's files\n"
	       "are removed).\n", trace ? ", no tracing" : "");
}

enum { OPT_CSV = 256, OPT_JSON, OPT_FORMAT, OPT_EXPECT, OPT_NO_WATCHDOG, OPT_LATE_VERDICT,
	OPT_NO_TRACE, OPT_OUTPUT };

/* The kernel events of the call, one per line, with the functions this
 * kernel lacks or refuses to probe. */
static void print_events(const struct case_result *r)
{
	printf("kernel events during the call:\n");
	for (int e = 0; e < TRACE_EVENT_COUNT; e++) {
		if (trace_event_attached(e))
			printf("  %-30s %12llu\n", trace_event_symbol(e),
			       (unsigned long long)r->counts.n[e]);
		else
			printf("  %-30s %12s  (not probed on this kernel)\n", trace_event_name(e), "-");
	}
	printf("  %-30s %12llu\n", "fault-ins of the same address",
	       (unsigned long long)r->counts.fault_in_same_addr);
	printf("  %-30s %12llu\n", "fault_ins (all events)", (unsigned long long)r->fault_ins);
}

int run_parse(int argc, char **argv, enum run_cmd which, struct run_opts *o)
{
	static const char *const names[] = { "run", "trace", "repro" };
	const char *cmd = names[which];
	bool trace = which == RUN_CMD_TRACE, repro = which == RUN_CMD_REPRO;
	static const struct option own[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "no-watchdog", no_argument, NULL, OPT_NO_WATCHDOG },
		{ "late-verdict", no_argument, NULL, OPT_LATE_VERDICT },
		{ "no-trace", no_argument, NULL, OPT_NO_TRACE },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "list", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option opts[ARRAY_SIZE(own) + AXIS_COUNT + 1];
	char shorts[64] = "d:Lh";
	size_t n = axis_options(AXIS_CMD_RUN, opts, shorts, sizeof(shorts)), v;
	struct case_spec *s = &o->s;
	bool given[AXIS_COUNT] = { 0 };
	int opt, x, id;

	memcpy(opts + n, own, sizeof(own));
	opts[n + ARRAY_SIZE(own)] = (struct option){ 0 };
	*o = (struct run_opts){ .fs = -1 };
	*s = (struct case_spec){ .fs = FS_NONE };
	optind = 0;	/* glibc: start afresh, whatever a previous parse left */
	while ((opt = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		if (opt == 'o')		/* repro's output, run's and trace's --buf-off */
			opt = repro ? OPT_OUTPUT : AXIS_OPT + AXIS_BUF_OFF;
		if ((id = axis_of_option(AXIS_CMD_RUN, opt)) >= 0) {
			if ((x = axis_option_value(cmd, AXIS_CMD_RUN, id, optarg, &v)) != EXIT_OK)
				return x;
			axis_set(&axes[id], s, v);
			given[id] = true;
			continue;
		}
		switch (opt) {
		case 'd':
			o->dir = optarg;
			break;
		case OPT_NO_WATCHDOG:
			if (repro)
				return usage_error(cmd, "a reproducer always guards its call: drop --no-watchdog");
			s->no_watchdog = true;
			break;
		case OPT_LATE_VERDICT:
			s->late_verdict = true;
			break;
		case OPT_NO_TRACE:
			if (trace || repro)
				return usage_error(cmd, "--no-trace makes no sense for %s: use run", cmd);
			o->no_trace = true;
			break;
		case OPT_CSV:
		case OPT_JSON:
		case OPT_FORMAT:
		case OPT_EXPECT:
			if (repro)
				return usage_error(cmd, "a reproducer prints its own result: drop --csv, "
						   "--json, --format and --expect (run the case with "
						   "'mteprobe run' for them)");
			if (opt == OPT_EXPECT) {
				o->expect = optarg;
				break;
			}
			x = parse_format(cmd, opt == OPT_CSV ? "csv" : opt == OPT_JSON ? "json" : optarg,
					 &o->format);
			if (x != EXIT_OK)
				return x;
			break;
		case OPT_OUTPUT:
			if (!repro)
				return usage_error(cmd, "unrecognized option '--output'");
			o->out = optarg;
			break;
		case 'L':
			o->list = true;
			return EXIT_OK;
		case 'h':
			o->help = true;
			return EXIT_OK;
		default:
			return usage_error(cmd, "bad option");
		}
	}
	if (optind < argc)
		return usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!o->format)
		o->format = format_find("text");
	if ((x = check_output(cmd, o->format, o->expect)) != EXIT_OK)
		return x;
	if (s->no_watchdog && s->late_verdict)
		return usage_error(cmd, "--no-watchdog and --late-verdict exclude each other: choose one");
	if (o->dir && !*o->dir)
		return usage_error(cmd, "--dir is empty: give a directory");
	if (!given[AXIS_SYSCALL])
		return usage_error(cmd, "no --syscall given (%s)", axes[AXIS_SYSCALL].see);
	/* the filesystem is the directory's, found when the case runs */
	o->fs = given[AXIS_FS] ? (int)s->fs : -1;
	s->fs = FS_NONE;
	/* the axes not given: run's default, or one from the rest of the case */
	for (id = 0; id < AXIS_COUNT; id++) {
		if (given[id] || id == AXIS_FS)
			continue;
		if (axes[id].run_default && !axis_parse(&axes[id], axes[id].run_default, &v))
			axis_set(&axes[id], s, v);
		else if (axes[id].fallback)
			axis_set(&axes[id], s, axes[id].fallback(s));
	}
	for (id = 0; id < AXIS_COUNT; id++)	/* fault_at half: the case's length is known */
		if (axes[id].resolve)
			axis_set(&axes[id], s, axes[id].resolve(s, axis_get(&axes[id], s)));
	if (repro && !given[AXIS_TIMEOUT])
		s->timeout_ms = REPRO_STUCK_MS_DEFAULT;
	if (s->drv->fs_mask == FS_BIT(FS_NONE)) {
		if (given[AXIS_FS] || o->dir)
			return usage_error(cmd, "%s uses no filesystem: drop --fs and --dir",
					   s->drv->name);
	} else if (!given[AXIS_FS] && !o->dir) {
		return usage_error(cmd, "%s needs a filesystem: give --fs FS or --dir DIR",
				   s->drv->name);
	}
	return EXIT_OK;
}

/* mteprobe run and mteprobe trace: one parser, one case. */
static int run_case(int argc, char **argv, bool trace)
{
	const char *cmd = trace ? "trace" : "run";
	struct run_opts o;
	struct case_spec *s = &o.s;
	const char *why;
	struct case_result r;
	static struct expect_set expect;	/* held to the end, whatever path it takes */
	struct format_out out;
	char dir[4096], whybuf[512];
	int err, status;

	status = run_parse(argc, argv, trace ? RUN_CMD_TRACE : RUN_CMD_RUN, &o);
	if (status != EXIT_OK)
		return status;
	if (o.help) {
		help(trace);
		return EXIT_OK;
	}
	if (o.list) {
		list_drivers(stdout);
		return EXIT_OK;
	}
	if (o.expect && (status = load_expect(cmd, o.expect, &expect)) != EXIT_OK)
		return status;

	if (o.dir) {
		enum fs_type got;

		if ((why = scratch_check_dir(o.dir, whybuf, sizeof(whybuf)))) {
			warnx_("%s: --dir: %s", cmd, why);
			return EXIT_PLATFORM;
		}
		err = fs_detect(o.dir, &got);
		if (err) {
			warnx_("%s: --dir %s: %s; give an existing directory", cmd, o.dir, strerror(-err));
			return EXIT_PLATFORM;
		}
		if (o.fs >= 0 && o.fs != (int)got)
			return usage_error(cmd, "--dir %s is %s, not %s: drop --fs or pick a directory "
					   "on %s", o.dir, fs_name(got), fs_name(o.fs), fs_name(o.fs));
		if ((why = fs_check_dir(o.dir, got, whybuf, sizeof(whybuf)))) {
			warnx_("%s: %s; give a directory", cmd, why);
			return EXIT_PLATFORM;
		}
		snprintf(dir, sizeof(dir), "%s", o.dir);
		s->fs = got;
		s->dir = dir;
	} else if (o.fs >= 0) {
		s->fs = o.fs;
		if ((why = fs_dir_for(s->fs, dir, sizeof(dir), whybuf, sizeof(whybuf)))) {
			warnx_("%s: %s; mount %s there, set MTEPROBE_FS_ROOT, or use --dir DIR", cmd,
			       why, fs_name(s->fs));
			return EXIT_PLATFORM;
		}
		if ((why = scratch_check_dir(dir, whybuf, sizeof(whybuf)))) {
			warnx_("%s: --fs %s: %s", cmd, fs_name(s->fs), why);
			return EXIT_PLATFORM;
		}
		s->dir = dir;
	}

	if ((err = refuse_emulation(cmd)))
		return err;
	if (trace) {
		if (trace_open(whybuf, sizeof(whybuf))) {
			warnx_("trace: cannot count kernel events: %s", whybuf);
			return EXIT_PLATFORM;
		}
	} else {
		tracing_start(cmd, o.no_trace);
	}
	hang_verdicts_check(cmd, s->no_watchdog);

	/* from here on a stop signal ends the case, removes its files and
	 * exits 130; the scratch directory (after the stale sweep) first */
	case_stop_catch();
	scratch_set_notice(warnx_);
	if (s->dir && !scratch_for(s->dir, whybuf, sizeof(whybuf))) {
		warnx_("%s: %s; give a directory you can write to", cmd, whybuf);
		return EXIT_PLATFORM;
	}
	if (s->mode == MTE_MODE_ASYMM && mte_cpu_has_mte() &&
	    (why = case_asymm_begin(whybuf, sizeof(whybuf)))) {
		case_skip(s, &r, why);
	} else {
		err = case_run(s, &r);
		if (s->mode == MTE_MODE_ASYMM)
			case_asymm_end();
		if (err) {
			warnx_("%s: cannot start the case: %s", cmd, strerror(-err));
			return EXIT_PLATFORM;
		}
	}
	case_worker_end();
	scratch_remove_all();
	case_stop_release();
	if (r.stopped) {
		warnx_("%s: %s; its files are removed", cmd, r.note);
		return EXIT_INTERRUPTED;
	}

	format_attach(&out, o.format, STDOUT_FILENO, "standard output", false);
	out.plan = s;
	out.nplan = 1;
	out.expect = o.expect ? &expect : NULL;
	fflush(stdout);
	if ((err = format_header(&out)) || (err = format_result(&out, s, &r)) ||
	    (err = format_footer(&out)))
		warnx_("%s: cannot write standard output: %s", cmd, strerror(-err));
	format_close(&out);
	expect_free(&expect);
	if (err)
		return EXIT_FAILED;
	if (trace && r.traced)
		print_events(&r);
	if (case_stop_signal)
		return EXIT_INTERRUPTED;
	if (r.out.result == RESULT_SKIP) {
		/* the one case asked for did not run: that is no success */
		warnx_("%s: the case was skipped: %s", cmd, r.note);
		return strcmp(r.note, CASE_NO_MTE_NOTE) ? EXIT_PLATFORM : EXIT_NO_MTE;
	}
	return out.failed ? EXIT_FAILED : EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
	return run_case(argc, argv, false);
}

int cmd_trace(int argc, char **argv)
{
	return run_case(argc, argv, true);
}
