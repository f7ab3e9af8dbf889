/* SPDX-License-Identifier: MIT */
/* From what the parent saw of a case (case_report) to its result: pure. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "case_worker.h"
#include "util.h"

static void addnote(struct case_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void addnote(struct case_result *r, const char *fmt, ...)
{
	size_t n = strlen(r->note);
	va_list ap;

	if (n && n + 2 < sizeof(r->note)) {
		memcpy(r->note + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf_utf8(r->note + n, sizeof(r->note) - n, fmt, ap);
	va_end(ap);
}

static const char *errno_name(int err, char *buf, size_t size)
{
	const char *n = strerrorname_np(err);

	if (n)
		return n;
	snprintf(buf, size, "E%d", err);
	return buf;
}

static void signal_name(int sig, char *buf, size_t size)
{
	const char *n = sigabbrev_np(sig);

	if (n)
		snprintf(buf, size, "SIG%s", n);
	else
		snprintf(buf, size, "SIG%d", sig);
}

void case_result_classify(const struct case_spec *s, struct case_result *r)
{
	struct outcome_input in = {
		.raw = r->raw,
		.fault_in_range = r->fault_in_range,
		.fault_off = r->fault_off,
		.checked = fault_kind_checked(s->fault, s->mode),
		.racing = fault_kind(s->fault)->racing,
		.records = s->drv->record_end && r->has_expect,
		.record_end = r->has_expect ? (size_t)r->expect : 0,
	};

	outcome_classify(&in, &r->out);
}

void case_result_init(const struct case_spec *s, struct case_result *r)
{
	memset(r, 0, sizeof(*r));
	r->chk = (struct drv_check){ .data_ok = -1, .overshoot = -1 };
	r->fault_off = s->fault == FAULT_NONE ? s->len
		: layout_fault_offset(s->fault, s->buf_off, s->fault_at, page_size());
	if (r->fault_off > s->len)
		r->fault_off = s->len;
	r->fault_in_range = s->fault != FAULT_NONE && r->fault_off < s->len;
}

/* Which events, when the call was stuck: what it kept doing. */
static void note_events(struct case_result *r)
{
	char events[160];

	trace_format(&r->counts, events, sizeof(events));
	if (r->traced && events[0])
		addnote(r, "kernel events: %s", events);
}

/* The call was stuck: what the watchdog said, and what became of it. */
static void note_verdict(struct case_result *r, const struct case_msg *v, bool returned,
			 long ret)
{
	const char *what = v->watch == WATCH_LIVELOCK ? "livelock" :
			   v->watch == WATCH_HANG ? "hang" : "no verdict";

	r->verdict_us = v->verdict_us;
	if (v->watch == WATCH_SLOW) {
		addnote(r, "watchdog at the time limit: %s", v->note);
		return;
	}
	addnote(r, "watchdog: %s after %lu ms (%s)", what, v->verdict_us / 1000, v->note);
	note_events(r);
	if (returned)
		addnote(r, "recovered: with the fault removed the call returned %ld", ret);
	else
		addnote(r, "not recovered: no return within %u ms of removing the fault",
			CASE_RECOVER_MS);
}

/* Stopped or timed out: no result, and what became of the worker. */
static void no_result(const struct case_spec *s, const struct case_report *rep,
		      struct case_result *r)
{
	const struct case_msg *got = &rep->got;
	char buf[24];

	r->elapsed_us = rep->waited_us;
	r->unkillable = rep->unkillable;
	r->pid = rep->unkillable || rep->oops ? rep->pid : 0;
	if (rep->stopped) {
		signal_name(rep->stopped, buf, sizeof(buf));
		r->stopped = rep->stopped;
		r->raw.skipped = true;
		snprintf(r->note, sizeof(r->note), "stopped by %s before the case gave its result",
			 buf);
		return;
	}
	r->raw.timed_out = true;
	if (rep->stage < MSG_CALLED && rep->verdict.stage) {
		r->raw.watch = rep->verdict.watch;
		note_verdict(r, &rep->verdict, false, 0);
	} else {
		note_events(r);
	}
	if (rep->unkillable)
		addnote(r, "no result within %u ms; SIGKILL did not end it in %u ms: pid %d "
			"left running", case_limit_ms(s), CASE_KILL_GRACE_MS, (int)rep->pid);
	else
		addnote(r, "no result within %u ms; killed", case_limit_ms(s));
	if (rep->stage == MSG_CALLED)
		addnote(r, "the call had returned %ld", got->ret);
}

/* The call returned: what it returned, and what the watchdog had said. */
static void returned(const struct case_report *rep, struct case_result *r)
{
	const struct case_msg *got = &rep->got;
	char buf[24];

	r->raw.returned = true;
	r->raw.ret = got->ret;
	r->raw.want = got->want;
	r->raw.reach = got->reach;
	r->has_expect = true;
	r->expect = got->expect;
	r->elapsed_us = got->elapsed_us;
	if (got->note[0])
		addnote(r, "%s", got->note);
	if (got->kind_note[0])
		addnote(r, "%s", got->kind_note);
	if (got->ret < 0)
		snprintf(r->errname, sizeof(r->errname), "%s",
			 errno_name((int)-got->ret, buf, sizeof(buf)));
	if (got->watch_return == WATCH_RECOVERED) {
		r->raw.watch = got->watch;
		r->raw.recovered = true;
		note_verdict(r, &rep->verdict, true, got->ret);
	} else if (got->watch_return == WATCH_RETURNED_ALONE) {
		addnote(r, "the watchdog judged it at %lu ms (%s), but it returned on its own "
			"before the fault was removed", got->verdict_us / 1000, rep->verdict.note);
	}
}

void case_result_build(const struct case_spec *s, const struct case_report *rep,
		       struct case_result *r)
{
	const struct case_msg *got = &rep->got;
	int status = rep->status;

	case_result_init(s, r);
	if (rep->stage != MSG_SKIP && rep->traced) {
		r->traced = true;
		r->counts = rep->counts;
		r->fault_ins = trace_fault_ins(&r->counts);
	}
	if (rep->stopped || rep->timed_out) {
		no_result(s, rep, r);
		case_result_classify(s, r);
		return;
	}
	if (rep->stage == MSG_SKIP) {
		r->raw.skipped = true;
		addnote(r, "%s", got->note);
		case_result_classify(s, r);
		return;
	}
	if (rep->stage >= MSG_CALLED)
		returned(rep, r);
	else
		r->elapsed_us = rep->waited_us;
	if (rep->stage == MSG_DONE) {
		r->chk = got->chk;
		if (got->sicode) {
			r->raw.signo = SIGSEGV;
			r->sicode = got->sicode;
			snprintf(r->errname, sizeof(r->errname), "SIGSEGV");
			addnote(r, "SIGSEGV si_code %d (SEGV_MTEAERR: asynchronous tag-check fault) "
				"after the call returned %ld", got->sicode, got->ret);
		}
	} else if (WIFSIGNALED(status)) {
		r->raw.signo = WTERMSIG(status);
		signal_name(r->raw.signo, r->errname, sizeof(r->errname));
		if (rep->stage == MSG_CALLED)
			addnote(r, "killed by %s after the call returned %ld", r->errname, got->ret);
		else
			addnote(r, "killed by %s before the call returned", r->errname);
	} else {
		/* not a kernel outcome: mteprobe itself failed in the worker */
		r->raw.skipped = true;
		addnote(r, "internal error: the case exited (status %d) without a result",
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	case_result_classify(s, r);
}

void case_skip(const struct case_spec *s, struct case_result *r, const char *why)
{
	case_result_init(s, r);
	r->raw.skipped = true;
	snprintf_utf8(r->note, sizeof(r->note), "%s", why);
	case_result_classify(s, r);
}
