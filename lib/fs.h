/* SPDX-License-Identifier: MIT */
/*
 * Filesystems mteprobe knows by name, recognised by statfs(2) f_type, in one
 * table. A directory on any other filesystem is "other" (drivers that accept
 * any filesystem still run there).
 */
#ifndef MTEPROBE_FS_H
#define MTEPROBE_FS_H

#include <stddef.h>

enum fs_type {
	FS_TMPFS,
	FS_EXT4,
	FS_XFS,
	FS_BTRFS,
	FS_F2FS,
	FS_GFS2,
	FS_OTHER,	/* a filesystem without a name here */
	FS_NONE,	/* the case uses no filesystem (pipes, sockets...) */
};
#define FS_COUNT	8
#define FS_NAMED_COUNT	6	/* FS_TMPFS .. FS_GFS2 */

#define FS_BIT(t)	(1u << (t))
#define FS_MASK_FILES	(FS_BIT(FS_TMPFS) | FS_BIT(FS_EXT4) | FS_BIT(FS_XFS) | FS_BIT(FS_BTRFS) | \
			 FS_BIT(FS_F2FS) | FS_BIT(FS_GFS2) | FS_BIT(FS_OTHER))

const char *fs_name(enum fs_type t);
/* A name of the table ("tmpfs", ... "gfs2", "none"); -1 when unknown. */
int fs_parse(const char *name);

/* Its statfs(2) f_type (0 for other and none). */
unsigned long fs_magic(enum fs_type t);

/* The filesystem holding path: 0 with *t set, or -errno (statfs). */
int fs_detect(const char *path, enum fs_type *t);

/* The directory mteprobe uses for a filesystem: $MTEPROBE_FS_ROOT/<name>
 * (default root /mnt). */
void fs_default_dir(enum fs_type t, char *buf, size_t size);

/* Is dir usable as a directory on filesystem t? NULL when it is, else a
 * reason ("/mnt/xfs: no such directory", "/mnt/xfs is ext4, not xfs"). */
const char *fs_check_dir(const char *dir, enum fs_type t, char *why, size_t size);

#endif
