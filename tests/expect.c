/* SPDX-License-Identifier: MIT */
/*
 * Pass or fail per case (expect.h): the policy and --expect's known outcomes
 * judged on synthetic outcomes, and --expect files read by header name
 * (comments, extra columns, any column order, CRLF) or refused with one line
 * that says what is wrong and where.
 */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "expect.h"

static const char *const judgement_names[] = { "ok", "not ok", "skip", "known", "changed" };

static struct expect_outcome oc(const char *result, const char *bypass, const char *data_ok)
{
	struct expect_outcome x;

	snprintf(x.result, sizeof(x.result), "%s", result);
	snprintf(x.bypass, sizeof(x.bypass), "%s", bypass);
	snprintf(x.data_ok, sizeof(x.data_ok), "%s", data_ok);
	return x;
}

static void judge(const char *what, struct expect_outcome got, const struct expect_outcome *want,
		  enum judgement j)
{
	enum judgement g = expect_judge(&got, want);

	CHECK(g == j, "%s: judged %s, want %s", what, judgement_names[g], judgement_names[j]);
}

static void policy(void)
{
	struct expect_outcome w;

	/* no known outcome: the policy */
	judge("full", oc("full", "", "1"), NULL, JUDGE_OK);
	judge("short", oc("short", "0", "1"), NULL, JUDGE_OK);
	judge("efault", oc("efault", "0", "1"), NULL, JUDGE_OK);
	judge("errno", oc("errno", "", ""), NULL, JUDGE_OK);
	judge("bypass", oc("full", "1", "1"), NULL, JUDGE_OK);
	judge("livelock", oc("livelock", "", ""), NULL, JUDGE_NOT_OK);
	judge("hang", oc("hang", "", ""), NULL, JUDGE_NOT_OK);
	judge("timeout", oc("timeout", "", ""), NULL, JUDGE_NOT_OK);
	judge("signal", oc("signal", "", ""), NULL, JUDGE_NOT_OK);
	judge("data wrong", oc("short", "0", "0"), NULL, JUDGE_NOT_OK);
	judge("skip", oc("skip", "", ""), NULL, JUDGE_SKIP);

	/* a known outcome: the same is ok, anything else not */
	w = oc("livelock", "", "");
	judge("known livelock", oc("livelock", "", ""), &w, JUDGE_KNOWN);
	judge("livelock fixed", oc("efault", "0", "1"), &w, JUDGE_CHANGED);
	judge("skipped now", oc("skip", "", ""), &w, JUDGE_SKIP);
	w = oc("full", "0", "1");
	judge("known full", oc("full", "0", "1"), &w, JUDGE_OK);
	judge("new bypass", oc("full", "1", "1"), &w, JUDGE_CHANGED);
	judge("data now unknown", oc("full", "0", ""), &w, JUDGE_CHANGED);
	judge("data now wrong", oc("full", "0", "0"), &w, JUDGE_CHANGED);
	w = oc("short", "0", "0");
	judge("known data wrong", oc("short", "0", "0"), &w, JUDGE_KNOWN);
	/* a case known as skipped says nothing of its outcome */
	w = oc("skip", "", "");
	judge("ran now, fine", oc("full", "", "1"), &w, JUDGE_OK);
	judge("ran now, live-locked", oc("livelock", "", ""), &w, JUDGE_NOT_OK);
}

/* The reason a failure names; none for a pass. */
static void reasons(void)
{
	struct expect_outcome x[] = { oc("livelock", "", ""), oc("signal", "", ""),
				      oc("short", "0", "0"), oc("full", "1", "1") };
	const char *why[] = { "did not return", "signal", "data came out wrong", NULL };

	for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++) {
		const char *got = expect_policy_fails(&x[i]);

		CHECK(why[i] ? got && strstr(got, why[i]) : !got, "%s: reason '%s'", x[i].result,
		      got ? got : "none");
	}
}

#define HEADER	"fs,syscall,io,mode,fault,len,fault_at,buf_off,result,bypass,data_ok\n"

/* text must be refused with a message holding every one of the words. */
static void refused(const char *text, const char *words)
{
	struct expect_set e;
	char why[512] = "", w[256];
	int err = expect_parse(&e, "known.csv", text, strlen(text), why, sizeof(why));

	CHECK(err == -EINVAL, "accepted (%d): %s", err, text);
	CHECK(!strchr(why, '\n') && strstr(why, "known.csv"), "not one line naming the file: %s", why);
	snprintf(w, sizeof(w), "%s", words);
	for (char *t = strtok(w, "|"); t; t = strtok(NULL, "|"))
		CHECK(strstr(why, t), "'%s' not in: %s", t, why);
}

/* The key of a case: its input columns (state, backing last); the CSVs
 * here lack one or both, so their rows are fresh files' and private
 * buffers' (report_column_absent). */
#define KEY	10
static const struct expect_row *row(const struct expect_set *e, const char *const key[KEY])
{
	const enum report_column *col;
	char k[REPORT_KEY_SIZE];

	CHECK(case_key_columns(&col) == KEY, "%zu key columns", case_key_columns(&col));
	CHECK(report_join_key(k, key, KEY) == 0, "key");
	return expect_find(e, k);
}

static void files(void)
{
	/* a matrix CSV: more columns, another order, quoted notes, CRLF */
	static const char matrix[] =
		"schema,kernel,arch,fs,syscall,io,mode,fault,len,fault_at,buf_off,result,ret,errno,"
		"expect,delta,overshoot,data_ok,bypass,elapsed_us,note\r\n"
		"2,6.1,aarch64,gfs2,pread,buffered,sync,mte,8192,4096,0,livelock,,,4096,,,,,3000000,"
		"\"watchdog: livelock, recovered\"\r\n"
		"2,6.1,aarch64,tmpfs,read,buffered,none,none,8192,,0,full,8192,,8192,0,,1,,20,\r\n";
	static const char commented[] =
		"# known outcomes of 6.1, pinned 2026-12-01\n"
		HEADER
		"# gfs2 live-locks: reported upstream\n"
		"gfs2,pread,buffered,sync,mte,8192,4096,0,livelock,,\n"
		"\n"
		"btrfs,read,direct,sync,mte,8192,4096,0,full,1,1\n"
		"#\"unbalanced quote in a comment\n";
	static const char states[] =
		"fs,syscall,io,mode,fault,len,fault_at,buf_off,result,bypass,data_ok,state\n"
		"gfs2,pread,buffered,sync,mte,8192,4096,0,livelock,,,fresh\n"
		"tmpfs,read,buffered,sync,mte,8192,2048,0,efault,,,uncached\n";
	static const char backings[] =
		"fs,syscall,io,mode,fault,len,fault_at,buf_off,state,backing,result,bypass,data_ok\n"
		"tmpfs,read,buffered,sync,mte,8192,2048,0,uncached,self,short,,1\n"
		"tmpfs,read,buffered,sync,mte,8192,2048,0,fresh,self,short,,1\n";
	const char *uncached[KEY] = { "tmpfs", "read", "buffered", "sync", "mte", "8192", "2048",
				      "0", "uncached", "private" };
	const char *self[KEY] = { "tmpfs", "read", "buffered", "sync", "mte", "8192", "2048", "0",
				  "uncached", "self" };
	const char *gfs2[KEY] = { "gfs2", "pread", "buffered", "sync", "mte", "8192", "4096", "0",
				  "fresh", "private" };
	const char *tmpfs[KEY] = { "tmpfs", "read", "buffered", "none", "none", "8192", "", "0",
				   "fresh", "private" };
	const char *btrfs[KEY] = { "btrfs", "read", "direct", "sync", "mte", "8192", "4096", "0",
				   "fresh", "private" };
	const struct expect_row *r;
	struct expect_set e;
	char why[512] = "";

	CHECK(expect_parse(&e, "m.csv", matrix, strlen(matrix), why, sizeof(why)) == 0, "%s", why);
	CHECK(e.n == 2, "%zu rows", e.n);
	r = row(&e, gfs2);
	CHECK(r && !strcmp(r->want.result, "livelock") && !*r->want.data_ok && r->line == 2,
	      "gfs2 pread: %s line %zu", r ? r->want.result : "missing", r ? r->line : 0);
	r = row(&e, tmpfs);
	CHECK(r && !strcmp(r->want.result, "full") && !strcmp(r->want.data_ok, "1") &&
	      !*r->want.bypass, "tmpfs read");
	CHECK(!row(&e, btrfs), "a case the file lacks is found");
	expect_free(&e);

	CHECK(expect_parse(&e, "c.csv", commented, strlen(commented), why, sizeof(why)) == 0,
	      "%s", why);
	CHECK(e.n == 2, "%zu rows with comments and a blank line", e.n);
	r = row(&e, btrfs);
	CHECK(r && !strcmp(r->want.bypass, "1") && r->line == 6, "btrfs direct read");
	expect_free(&e);

	/* a state column but no backing (schema 2, written after the state
	 * axis came): private buffers; then schema 3, with both */
	CHECK(expect_parse(&e, "s.csv", states, strlen(states), why, sizeof(why)) == 0, "%s", why);
	CHECK(e.n == 2, "%zu rows with a state column", e.n);
	r = row(&e, gfs2);
	CHECK(r && !strcmp(r->want.result, "livelock"), "gfs2 pread, fresh and private");
	r = row(&e, uncached);
	CHECK(r && !strcmp(r->want.result, "efault"), "tmpfs read of an uncached file, private");
	expect_free(&e);
	CHECK(expect_parse(&e, "b.csv", backings, strlen(backings), why, sizeof(why)) == 0, "%s",
	      why);
	r = row(&e, self);
	CHECK(e.n == 2 && r && !strcmp(r->want.result, "short"), "self-backed read");
	CHECK(!row(&e, uncached), "a row of another backing is not the private one's");
	expect_free(&e);

	CHECK(expect_parse(&e, "h.csv", HEADER, strlen(HEADER), why, sizeof(why)) == 0 && e.n == 0,
	      "a header alone: %s", why);
	expect_free(&e);

	refused("", "empty");
	refused("# only a comment\n", "empty");
	refused("fs,syscall,io,mode,fault,len,fault_at,buf_off,result,data_ok\n", "'bypass'|header");
	refused(HEADER "tmpfs,read,buffered,none,none,8192,,0,fine,,1\n", "line 2|unknown result 'fine'");
	refused(HEADER "tmpfs,read,buffered,none,none,8192,,0,full,yes,1\n", "line 2|bypass 'yes'");
	refused(HEADER "tmpfs,read,buffered,none,none,8192,,0,full,,2\n", "line 2|data_ok '2'");
	refused(HEADER "tmpfs,read,buffered,none,none,8192,,0,full\n", "line 2|9 of the header's 11");
	refused(HEADER "tmpfs,read,buffered,none,none,8192,,0,full,,1\n"
		"tmpfs,read,buffered,none,none,8192,,0,short,0,1\n", "lines 2 and 3|same case");
	refused(HEADER "tmpfs,read,buff\"ered,none,none,8192,,0,full,,1\n", "not CSV|line 2");
}

int main(void)
{
	policy();
	reasons();
	files();
	return 0;
}
