/* SPDX-License-Identifier: MIT */
/* Test buffers: every kind maps, fills and checks; page protection; tags
 * (on an MTE CPU) set and read back; PROT_MTE refused without MTE. */
#include <errno.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buffer.h"
#include "check.h"
#include "mte.h"
#include "platform.h"
#include "probe.h"
#include "util.h"

static void plain(enum testbuf_kind kind)
{
	struct testbuf b;

	CHECK(testbuf_create(&b, 3 * page_size() - 5, kind, false) == 0, "create kind %d", kind);
	CHECK(b.len == 3 * page_size(), "length rounded to pages: %zu", b.len);
	CHECK((kind == TESTBUF_MEMFD) == (b.fd >= 0), "a file only for memfd buffers");
	testbuf_fill(&b, 0, b.len, 42);
	CHECK(testbuf_check(&b, 0, b.len, 42) == b.len, "pattern");
	CHECK(testbuf_check(&b, 0, b.len, 43) < 8, "another seed differs at once");
	b.map[1000] ^= 1;
	CHECK(testbuf_check(&b, 0, b.len, 42) == 1000, "first difference");
	CHECK(testbuf_protect_page(&b, page_size() + 1) == 0, "protect");
	CHECK(probe_read(b.map, b.len) == page_size(), "protected page stops a probe");
	CHECK(testbuf_unprotect_page(&b, page_size()) == 0, "unprotect");
	CHECK(probe_write(b.map, b.len) == b.len, "unprotected again");
	CHECK(testbuf_protect_page(&b, b.len) == -ERANGE, "offset past the end");
	testbuf_destroy(&b);
}

static void tagged(enum testbuf_kind kind)
{
	struct testbuf b;
	char arch[32];
	int err = testbuf_create(&b, 2 * page_size(), kind, true);

	/* user-mode qemu keeps tags only on anonymous memory */
	if (err == -EOPNOTSUPP && kind == TESTBUF_MEMFD && platform_user_emulation(arch, sizeof(arch)))
		return;
	CHECK(err == 0, "tagged kind %d: %d", kind, err);
	CHECK(b.tag == TESTBUF_TAG && mte_ptr_tag(testbuf_ptr(&b, 5)) == TESTBUF_TAG, "buffer tag");
	for (size_t off = 0; off < b.len; off += MTE_GRANULE)
		CHECK(testbuf_tag_at(&b, off) == TESTBUF_TAG, "kind %d granule %zu", kind, off);
	CHECK(testbuf_mismatch(&b, 100) == 0, "mismatch");
	CHECK(testbuf_tag_at(&b, 96) == TESTBUF_MISMATCH_TAG(TESTBUF_TAG), "mismatch tag");
	CHECK(testbuf_tag_at(&b, 80) == TESTBUF_TAG && testbuf_tag_at(&b, 112) == TESTBUF_TAG,
	      "neighbours untouched");
	/* fills and checks ignore the mismatch */
	testbuf_fill(&b, 0, b.len, 9);
	CHECK(testbuf_check(&b, 0, b.len, 9) == b.len, "fill across a mismatching granule");
	CHECK(testbuf_match(&b, 100) == 0 && testbuf_tag_at(&b, 96) == TESTBUF_TAG, "match");
	CHECK(testbuf_tag_all(&b, 12) == 0 && testbuf_tag_at(&b, b.len - 1) == 12, "tag_all");
	CHECK(mte_ptr_tag(testbuf_ptr(&b, 0)) == 12, "pointer follows the buffer's tag");
	testbuf_destroy(&b);
}

/* testbuf_reuse: a buffer of the same kind, length and tagging comes back
 * zeroed (and tagged) as a new one would; one with a page left PROT_NONE,
 * another length or kind, or a parent's, does not come back. */
static void reused(bool tagged)
{
	const size_t len = 3 * page_size();
	struct testbuf b;
	uint8_t *kept;
	unsigned char vec[1];
	pid_t pid;
	int status;

	testbuf_reuse(true);
	CHECK(testbuf_create(&b, len, TESTBUF_PRIVATE, tagged) == 0, "create");
	testbuf_fill(&b, 0, b.len, 4);
	if (tagged)
		CHECK(testbuf_mismatch(&b, 33) == 0, "mismatch");
	kept = b.map;
	testbuf_destroy(&b);
	CHECK(testbuf_create(&b, len, TESTBUF_PRIVATE, tagged) == 0 && b.map == kept, "reused");
	for (size_t i = 0; i < b.len; i++)	/* through the buffer's tag: every granule has it */
		CHECK(((uint8_t *)testbuf_ptr(&b, 0))[i] == 0, "byte %zu zeroed", i);
	for (size_t off = 0; tagged && off < b.len; off += MTE_GRANULE)
		CHECK(testbuf_tag_at(&b, off) == TESTBUF_TAG, "granule %zu tagged", off);
	/* a page left PROT_NONE: not kept, the next is a new mapping */
	CHECK(testbuf_protect_page(&b, page_size()) == 0, "protect");
	testbuf_destroy(&b);
	CHECK(testbuf_create(&b, len, TESTBUF_PRIVATE, tagged) == 0, "create after a protected one");
	testbuf_fill(&b, 0, b.len, 5);	/* every page accessible */
	CHECK(testbuf_check(&b, 0, b.len, 5) == b.len, "filled");
	CHECK(testbuf_protect_page(&b, 0) == 0 && testbuf_unprotect_page(&b, 0) == 0, "put back");
	kept = b.map;
	testbuf_destroy(&b);
	/* (the spare stays mapped meanwhile: a new mapping cannot have its address) */
	CHECK(testbuf_create(&b, len, TESTBUF_SHARED, tagged) == 0 && b.map != kept, "another kind");
	kept = b.map;
	testbuf_destroy(&b);	/* now the spare: the private one is unmapped */
	CHECK(testbuf_create(&b, 2 * page_size(), TESTBUF_SHARED, tagged) == 0 && b.map != kept,
	      "another length");
	testbuf_fill(&b, 0, b.len, 6);
	kept = b.map;
	testbuf_destroy(&b);
	pid = fork();
	if (pid == 0) {
		/* the parent's shared memory is not the child's to use */
		testbuf_reuse(true);
		if (testbuf_create(&b, 2 * page_size(), TESTBUF_SHARED, tagged) != 0)
			_exit(1);
		testbuf_fill(&b, 0, b.len, 8);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "the child's buffer");
	{
		struct testbuf spare_view = { .map = kept, .len = 2 * page_size(), .fd = -1 };

		CHECK(testbuf_check(&spare_view, 0, spare_view.len, 6) == spare_view.len,
		      "a child takes no spare of its parent's: its shared memory unchanged");
	}
	/* off: the spare is unmapped, and so is each buffer destroyed */
	testbuf_reuse(false);
	CHECK(mincore(kept, page_size(), vec) != 0 && errno == ENOMEM, "reuse off: the spare unmapped");
	CHECK(testbuf_create(&b, 2 * page_size(), TESTBUF_SHARED, tagged) == 0, "create");
	kept = b.map;
	testbuf_destroy(&b);
	CHECK(mincore(kept, page_size(), vec) != 0 && errno == ENOMEM, "reuse off: none kept");
}

int main(void)
{
	struct testbuf b;

	for (int kind = TESTBUF_PRIVATE; kind <= TESTBUF_MEMFD; kind++)
		plain(kind);
	reused(false);
	if (!mte_cpu_has_mte()) {
		CHECK(testbuf_create(&b, 4096, TESTBUF_PRIVATE, true) == -EOPNOTSUPP,
		      "PROT_MTE without MTE must be refused");
		return 0;
	}
	CHECK(mte_set_mode(MTE_MODE_SYNC, MTE_TAGS_ALL) == 0, "sync mode");
	for (int kind = TESTBUF_PRIVATE; kind <= TESTBUF_MEMFD; kind++)
		tagged(kind);
	reused(true);
	return 0;
}
