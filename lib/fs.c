/* SPDX-License-Identifier: MIT */
#include "fs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

static const struct {
	const char *name;
	unsigned long magic;	/* statfs f_type */
} fs_table[FS_COUNT] = {
	[FS_TMPFS] = { "tmpfs", 0x01021994 },
	[FS_EXT4] = { "ext4", 0xef53 },		/* ext2/3/4 share it */
	[FS_XFS] = { "xfs", 0x58465342 },
	[FS_BTRFS] = { "btrfs", 0x9123683e },
	[FS_F2FS] = { "f2fs", 0xf2f52010 },
	[FS_GFS2] = { "gfs2", 0x01161970 },
	[FS_OTHER] = { "other", 0 },
	[FS_NONE] = { "none", 0 },
};

const char *fs_name(enum fs_type t)
{
	return (unsigned)t < FS_COUNT ? fs_table[t].name : "?";
}

unsigned long fs_magic(enum fs_type t)
{
	return (unsigned)t < FS_COUNT ? fs_table[t].magic : 0;
}

int fs_parse(const char *name)
{
	for (int t = 0; t < FS_COUNT; t++)
		if (t != FS_OTHER && strcmp(name, fs_table[t].name) == 0)
			return t;
	return -1;
}

int fs_detect(const char *path, enum fs_type *t)
{
	struct statfs sf;

	if (statfs(path, &sf) != 0)
		return -errno;
	*t = FS_OTHER;
	for (int i = 0; i < FS_NAMED_COUNT; i++)
		if ((unsigned long)(unsigned int)sf.f_type == fs_table[i].magic)
			*t = i;
	return 0;
}

void fs_default_dir(enum fs_type t, char *buf, size_t size)
{
	const char *root = getenv("MTEPROBE_FS_ROOT");

	if (!root || !*root)
		root = "/mnt";
	snprintf(buf, size, "%s/%s", root, fs_name(t));
}

const char *fs_check_dir(const char *dir, enum fs_type t, char *why, size_t size)
{
	struct stat st;
	enum fs_type got;
	int err;

	if (stat(dir, &st) != 0) {
		snprintf(why, size, "%s: %s", dir, strerror(errno));
		return why;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, size, "%s: not a directory", dir);
		return why;
	}
	err = fs_detect(dir, &got);
	if (err) {
		snprintf(why, size, "%s: statfs: %s", dir, strerror(-err));
		return why;
	}
	if (got != t) {
		snprintf(why, size, "%s is %s, not %s", dir, fs_name(got), fs_name(t));
		return why;
	}
	return NULL;
}
