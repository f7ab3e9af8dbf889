/* SPDX-License-Identifier: MIT */
/*
 * BTRFS_IOC_TREE_SEARCH: the 4096-byte ioctl argument is the buffer (the
 * search key, then the results); and BTRFS_IOC_TREE_SEARCH_V2: the buffer
 * is the result area of buf_size bytes that follows the key and buf_size.
 * The search covers a subvolume of files made for it (its own tree: the
 * directory's items, then its files'), so results fill the buffer and the
 * copy reaches any granule; and they are the same whatever else the
 * filesystem holds, laid out in the same leaves (the search loop faults the
 * buffer in once per leaf: fault_ins), so two runs agree.
 *
 * ret of a successful ioctl is where the results end, counted from the
 * buffer start (the key included for TREE_SEARCH); want is the same for the
 * search into a plain buffer, made just before.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/btrfs.h>
#include <linux/capability.h>

#include "driver.h"
#include "mte.h"
#include "repro.h"
#include "util.h"

#define ITEMS_DIR	"btrfs-items"	/* a fixture subvolume in the scratch directory */
#define ITEMS_FILES	256

struct search {
	uint8_t *ref, *before;
	uint8_t *args;		/* the key: in the buffer (v1) or before it (v2) */
	uint8_t *copy;		/* what came back, read with tag checks suspended */
};

/* The tree searches are for root only (btrfs_ioctl_tree_search checks
 * CAP_SYS_ADMIN before it reads the argument): without it every case
 * would be EPERM, an answer about the caller, not the buffer. */
static const char *unavailable(char *why, size_t size)
{
	if (have_capability(CAP_SYS_ADMIN))
		return NULL;
	snprintf(why, size, "BTRFS_IOC_TREE_SEARCH needs root (CAP_SYS_ADMIN); run as root");
	return why;
}

static bool is_v2(const struct drv_ctx *c)
{
	return c->drv->head != 0;
}

/* Bytes from args to the buffer's end. */
static size_t args_span(const struct drv_ctx *c)
{
	return c->lay->len + (is_v2(c) ? sizeof(struct btrfs_ioctl_search_args_v2) : 0);
}

/* Everything in the subvolume of dir from dir's own items on: 0, or -errno. */
static int set_key(struct btrfs_ioctl_search_key *k, int dir)
{
	struct stat st;

	if (fstat(dir, &st) != 0)
		return -errno;
	memset(k, 0, sizeof(*k));
	k->tree_id = 0;		/* the subvolume of the fd */
	k->min_objectid = st.st_ino;
	k->max_objectid = (__u64)-1;
	k->max_offset = (__u64)-1;
	k->max_transid = (__u64)-1;
	k->max_type = 255;
	k->nr_items = 65536;
	return 0;
}

/* Where the results end, from the buffer start, after a search: -1 when the
 * key says nothing was found that fits. */
static long results_end(const struct drv_ctx *c, const uint8_t *key_at, const uint8_t *res,
			size_t res_size)
{
	struct btrfs_ioctl_search_key k;
	size_t at = 0;

	memcpy(&k, key_at, sizeof(k));
	for (__u32 i = 0; i < k.nr_items; i++) {
		struct btrfs_ioctl_search_header h;

		if (at + sizeof(h) > res_size)
			return -1;
		memcpy(&h, res + at, sizeof(h));
		at += sizeof(h) + h.len;
	}
	if (at > res_size)
		return -1;
	return (long)(at + (is_v2(c) ? 0 : sizeof(struct btrfs_ioctl_search_key)));
}

/* The fixture: a subvolume (made by the first case, or there already) of
 * ITEMS_FILES files. Its fd, or -errno (note set). rmdir removes it with
 * the scratch directory, empty (Linux >= 4.18). */
static int items_dir(struct drv_ctx *c)
{
	struct btrfs_ioctl_vol_args args = { 0 };

	snprintf(args.name, sizeof(args.name), "%s", ITEMS_DIR);
	if (ioctl(c->scratch_fd, BTRFS_IOC_SUBVOL_CREATE, &args) != 0 && errno != EEXIST) {
		int err = -errno;

		snprintf(c->note, sizeof(c->note), "cannot make the subvolume %s: %s", ITEMS_DIR,
			 strerror(-err));
		return err;
	}
	return drv_fixture_dir(c, ITEMS_DIR, 'f', ITEMS_FILES, FIXTURE_FILES);
}

static int prep(struct drv_ctx *c)
{
	struct btrfs_ioctl_search_key key;
	struct search *s;
	uint8_t *plain;
	size_t len = c->lay->len;
	long end;
	int err;

	/* the search covers the subvolume of the fd: the fixture's */
	c->fd = items_dir(c);
	if (c->fd < 0)
		return c->fd;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	c->priv = s;
	if ((err = set_key(&key, c->fd))) {
		snprintf(c->note, sizeof(c->note), "cannot stat %s: %s", ITEMS_DIR, strerror(-err));
		return err;
	}

	/* the search into a plain buffer: the reference */
	plain = calloc(1, sizeof(struct btrfs_ioctl_search_args_v2) + len);
	if (!plain)
		return -ENOMEM;
	if (is_v2(c)) {
		struct btrfs_ioctl_search_args_v2 *a = (void *)plain;

		a->key = key;
		a->buf_size = len;
		err = ioctl(c->fd, BTRFS_IOC_TREE_SEARCH_V2, a);
		end = err ? -1 : results_end(c, plain, (uint8_t *)a->buf, len);
		s->ref = malloc(len);
		if (s->ref)
			memcpy(s->ref, a->buf, len);
	} else {
		memcpy(plain, &key, sizeof(key));
		err = ioctl(c->fd, BTRFS_IOC_TREE_SEARCH, plain);
		end = err ? -1 : results_end(c, plain, plain + sizeof(key), len - sizeof(key));
		s->ref = malloc(len);
		if (s->ref)
			memcpy(s->ref, plain, len);
	}
	free(plain);
	if (err || end < 0) {
		snprintf(c->note, sizeof(c->note), "the search into a plain buffer failed: %s",
			 err ? strerror(errno) : "no results");
		return err ? -errno : -ENODATA;
	}
	c->want = c->reach = (size_t)end;

	/* the key, where the call takes it */
	s->args = is_v2(c) ? c->lay->ptr - sizeof(struct btrfs_ioctl_search_args_v2) : c->lay->ptr;
	mte_tco_enable();
	if (is_v2(c)) {
		struct btrfs_ioctl_search_args_v2 a = { .key = key, .buf_size = len };

		memcpy(mte_untag_ptr(s->args), &a, sizeof(a));
	} else {
		memcpy(mte_untag_ptr(s->args), &key, sizeof(key));
	}
	mte_tco_disable();
	drv_unlike(c, s->ref, is_v2(c) ? 0 : sizeof(key), c->want);
	s->before = drv_snapshot(c);
	s->copy = malloc(args_span(c));
	return s->ref && s->before && s->copy ? 0 : -ENOMEM;
}

static long call(struct drv_ctx *c)
{
	struct search *s = c->priv;
	uint8_t *key_copy = s->copy;
	long end;

	if (ioctl(c->fd, is_v2(c) ? BTRFS_IOC_TREE_SEARCH_V2 : BTRFS_IOC_TREE_SEARCH, s->args) != 0)
		return -errno;
	/* read what came back with tag checks suspended */
	mte_tco_enable();
	if (is_v2(c)) {
		memcpy(key_copy, mte_untag_ptr(s->args), sizeof(struct btrfs_ioctl_search_args_v2));
		memcpy(key_copy + sizeof(struct btrfs_ioctl_search_args_v2),
		       mte_untag_ptr(c->lay->ptr), c->lay->len);
	} else {
		memcpy(key_copy, mte_untag_ptr(c->lay->ptr), c->lay->len);
	}
	mte_tco_disable();
	if (is_v2(c))
		end = results_end(c, key_copy, key_copy + sizeof(struct btrfs_ioctl_search_args_v2),
				  c->lay->len);
	else
		end = results_end(c, key_copy, key_copy + sizeof(struct btrfs_ioctl_search_key),
				  c->lay->len - sizeof(struct btrfs_ioctl_search_key));
	if (end < 0) {
		snprintf(c->note, sizeof(c->note), "the ioctl returned 0 with unreadable results");
		return 0;
	}
	return end;
}

static void verify(struct drv_ctx *c, long ret, struct drv_check *chk)
{
	struct search *s = c->priv;

	drv_check_against(c, ret, s->ref, s->before, chk);
}

static void cleanup(struct drv_ctx *c)
{
	struct search *s = c->priv;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (s) {
		free(s->ref);
		free(s->before);
		free(s->copy);
		free(s);
	}
	c->priv = NULL;
}

/* The reproducer's part (lib/repro.h): the same steps in its C. */
static void repro(struct repro *r)
{
	repro_printf(r, "#define SEARCH_V2\t%d\n%s", r->s->drv->head != 0,
	"/* BTRFS_IOC_TREE_SEARCH(_V2) of a subvolume of 256 files (its own tree);\n"
	" * the reference is the same search into a plain buffer, made just before.\n"
	" * ret is where the results end, counted from the buffer start (the key\n"
	" * included for TREE_SEARCH). */\n"
	"#include <linux/btrfs.h>\n"
	"\n"
	"#define V2_HEAD		sizeof(struct btrfs_ioctl_search_args_v2)\n"
	"static uint8_t *args;\n"
	"static uint8_t copy[V2_HEAD + CASE_LEN];	/* what came back */\n"
	"\n"
	"static int set_key(struct btrfs_ioctl_search_key *k, int dir)\n"
	"{\n"
	"	struct stat st;\n"
	"\n"
	"	if (fstat(dir, &st) != 0)\n"
	"		return -errno;\n"
	"	memset(k, 0, sizeof(*k));\n"
	"	k->tree_id = 0;		/* the subvolume of the fd */\n"
	"	k->min_objectid = st.st_ino;	/* from the directory's own items on */\n"
	"	k->max_objectid = (__u64)-1;\n"
	"	k->max_offset = (__u64)-1;\n"
	"	k->max_transid = (__u64)-1;\n"
	"	k->max_type = 255;\n"
	"	k->nr_items = 65536;\n"
	"	return 0;\n"
	"}\n"
	"\n"
	"/* Where the results end, from the buffer start; -1 when they do not fit. */\n"
	"static long results_end(const uint8_t *key_at, const uint8_t *res, size_t res_size)\n"
	"{\n"
	"	struct btrfs_ioctl_search_key k;\n"
	"	size_t at = 0;\n"
	"\n"
	"	memcpy(&k, key_at, sizeof(k));\n"
	"	for (__u32 i = 0; i < k.nr_items; i++) {\n"
	"		struct btrfs_ioctl_search_header h;\n"
	"\n"
	"		if (at + sizeof(h) > res_size)\n"
	"			return -1;\n"
	"		memcpy(&h, res + at, sizeof(h));\n"
	"		at += sizeof(h) + h.len;\n"
	"	}\n"
	"	if (at > res_size)\n"
	"		return -1;\n"
	"	return (long)(at + (SEARCH_V2 ? 0 : sizeof(struct btrfs_ioctl_search_key)));\n"
	"}\n"
	"\n"
	"/* The results of the args at a (V2_HEAD or the key before them) */\n"
	"static long end_of(const uint8_t *a)\n"
	"{\n"
	"	return SEARCH_V2 ? results_end(a, a + V2_HEAD, CASE_LEN)\n"
	"			 : results_end(a, a + sizeof(struct btrfs_ioctl_search_key),\n"
	"				       CASE_LEN - sizeof(struct btrfs_ioctl_search_key));\n"
	"}\n"
	"\n"
	"static int setup(void)\n"
	"{\n"
	"	struct btrfs_ioctl_search_args_v2 a2 = { .buf_size = CASE_LEN };\n"
	"	struct btrfs_ioctl_vol_args sv = { .name = \"btrfs-items\" };\n"
	"	uint8_t *plain;\n"
	"	long end;\n"
	"	int err;\n"
	"\n"
	"	/* a subvolume: a tree of these items only, the same leaves in every run */\n"
	"	if (ioctl(workfd, BTRFS_IOC_SUBVOL_CREATE, &sv) != 0 && errno != EEXIST)\n"
	"		return setup_failed(-errno, \"cannot make the subvolume btrfs-items: %s\", strerror(errno));\n"
	"	fd = fixture_dir(\"btrfs-items\", 'f', 256, 0);\n"
	"	if (fd < 0)\n"
	"		return fd;\n"
	"	if ((err = set_key(&a2.key, fd)))\n"
	"		return setup_failed(err, \"cannot stat btrfs-items: %s\", strerror(-err));\n"
	"	plain = calloc(1, V2_HEAD + CASE_LEN);\n"
	"	ref = malloc(CASE_LEN);\n"
	"	if (!plain || !ref)\n"
	"		return setup_failed(-ENOMEM, \"out of memory\");\n"
	"	memcpy(plain, SEARCH_V2 ? (void *)&a2 : (void *)&a2.key,\n"
	"	       SEARCH_V2 ? V2_HEAD : sizeof(a2.key));\n"
	"	err = ioctl(fd, SEARCH_V2 ? BTRFS_IOC_TREE_SEARCH_V2 : BTRFS_IOC_TREE_SEARCH, plain);\n"
	"	end = err ? -1 : end_of(plain);\n"
	"	memcpy(ref, plain + (SEARCH_V2 ? V2_HEAD : 0), CASE_LEN);\n"
	"	free(plain);\n"
	"	if (err || end < 0)\n"
	"		return setup_failed(err ? -errno : -ENODATA, \"the search into a plain buffer failed: %s\",\n"
	"				    err ? strerror(errno) : \"no results\");\n"
	"	want = reach = (size_t)end;\n"
	"	/* the key, where the call takes it: in the buffer, or before it */\n"
	"	args = SEARCH_V2 ? buf - V2_HEAD : buf;\n"
	"	tco(true);\n"
	"	memcpy(untagged(args), SEARCH_V2 ? (void *)&a2 : (void *)&a2.key,\n"
	"	       SEARCH_V2 ? V2_HEAD : sizeof(a2.key));\n"
	"	tco(false);\n"
	"	/* every byte of the results differs from the buffer's: overshoot sees it */\n"
	"	unlike(ref, SEARCH_V2 ? 0 : sizeof(a2.key), want);\n"
	"	before = snapshot();\n"
	"	return before ? 0 : setup_failed(-ENOMEM, \"out of memory\");\n"
	"}\n"
	"\n"
	"static long call(void)\n"
	"{\n"
	"	size_t span = CASE_LEN + (SEARCH_V2 ? V2_HEAD : 0);\n"
	"	long end;\n"
	"\n"
	"	if (ioctl(fd, SEARCH_V2 ? BTRFS_IOC_TREE_SEARCH_V2 : BTRFS_IOC_TREE_SEARCH, args) != 0)\n"
	"		return -errno;\n"
	"	/* read what came back with tag checks suspended */\n"
	"	tco(true);\n"
	"	memcpy(copy, untagged(args), span);\n"
	"	tco(false);\n"
	"	end = end_of(copy);\n"
	"	if (end < 0) {\n"
	"		snprintf(note, sizeof(note), \"the ioctl returned 0 with unreadable results\");\n"
	"		return 0;\n"
	"	}\n"
	"	return end;\n"
	"}\n"
	);
}

const struct driver drv_btrfs_tree_search = {
	.name = "btrfs-tree-search", .family = "btrfs", .calls = "ioctl BTRFS_IOC_TREE_SEARCH",
	.dir = DRV_KERNEL_WRITES, .fs_mask = FS_BIT(FS_BTRFS), .io_mask = IO_BIT(IO_BUFFERED),
	.fixed_len = sizeof(struct btrfs_ioctl_search_args),
	.unavailable = unavailable,
	.prepare = prep, .call = call, .verify = verify, .cleanup = cleanup,
	.repro = repro,
};

const struct driver drv_btrfs_tree_search_v2 = {
	.name = "btrfs-tree-search-v2", .family = "btrfs", .calls = "ioctl BTRFS_IOC_TREE_SEARCH_V2",
	.dir = DRV_KERNEL_WRITES, .fs_mask = FS_BIT(FS_BTRFS), .io_mask = IO_BIT(IO_BUFFERED),
	.head = sizeof(struct btrfs_ioctl_search_args_v2),
	.unavailable = unavailable,
	.prepare = prep, .call = call, .verify = verify, .cleanup = cleanup,
	.repro = repro,
};
