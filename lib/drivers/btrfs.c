/* SPDX-License-Identifier: MIT */
/*
 * BTRFS_IOC_TREE_SEARCH: the 4096-byte ioctl argument is the buffer (the
 * search key, then the results); and BTRFS_IOC_TREE_SEARCH_V2: the buffer
 * is the result area of buf_size bytes that follows the key and buf_size.
 * The search covers the whole subvolume, which holds a directory of files
 * made for it, so results fill the buffer and the copy reaches any granule.
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

#include "driver.h"
#include "mte.h"

#define ITEMS_DIR	"btrfs-items"	/* a fixture in the scratch directory */
#define ITEMS_FILES	256

struct search {
	uint8_t *ref, *before;
	uint8_t *args;		/* the key: in the buffer (v1) or before it (v2) */
	uint8_t *copy;		/* what came back, read with tag checks suspended */
};

static bool is_v2(const struct drv_ctx *c)
{
	return c->drv->head != 0;
}

/* Bytes from args to the buffer's end. */
static size_t args_span(const struct drv_ctx *c)
{
	return c->lay->len + (is_v2(c) ? sizeof(struct btrfs_ioctl_search_args_v2) : 0);
}

static void set_key(struct btrfs_ioctl_search_key *k)
{
	memset(k, 0, sizeof(*k));
	k->tree_id = 0;		/* the subvolume of the fd */
	k->max_objectid = (__u64)-1;
	k->max_offset = (__u64)-1;
	k->max_transid = (__u64)-1;
	k->max_type = 255;
	k->nr_items = 65536;
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

static int prep(struct drv_ctx *c)
{
	struct btrfs_ioctl_search_key key;
	struct search *s;
	uint8_t *plain;
	size_t len = c->lay->len;
	long end;
	int err;

	/* the search covers the subvolume of the fd: the fixture's */
	c->fd = drv_fixture_dir(c, ITEMS_DIR, 'f', ITEMS_FILES);
	if (c->fd < 0)
		return c->fd;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	c->priv = s;
	set_key(&key);

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

const struct driver drv_btrfs_tree_search = {
	.name = "btrfs-tree-search", .family = "btrfs", .calls = "ioctl BTRFS_IOC_TREE_SEARCH",
	.dir = DRV_KERNEL_WRITES, .fs_mask = FS_BIT(FS_BTRFS), .io_mask = IO_BIT(IO_BUFFERED),
	.fixed_len = sizeof(struct btrfs_ioctl_search_args),
	.prepare = prep, .call = call, .verify = verify, .cleanup = cleanup,
};

const struct driver drv_btrfs_tree_search_v2 = {
	.name = "btrfs-tree-search-v2", .family = "btrfs", .calls = "ioctl BTRFS_IOC_TREE_SEARCH_V2",
	.dir = DRV_KERNEL_WRITES, .fs_mask = FS_BIT(FS_BTRFS), .io_mask = IO_BIT(IO_BUFFERED),
	.head = sizeof(struct btrfs_ioctl_search_args_v2),
	.prepare = prep, .call = call, .verify = verify, .cleanup = cleanup,
};
