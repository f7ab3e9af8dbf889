/* SPDX-License-Identifier: MIT */
#include "scratch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define SCRATCH_MAX	16	/* working directories of one process */
#define BOOT_HEX	16	/* boot id digits in the name: enough to tell boots apart */
#define RAND_CHARS	6
#define TREE_DEPTH_MAX	8	/* deeper than anything mteprobe makes */

struct scratch {
	char dir[PATH_MAX];	/* the working directory, as given */
	char name[SCRATCH_REL_MAX];
	char path[PATH_MAX];	/* dir/name, for messages */
	int wfd;		/* the working directory */
	int fd;			/* the scratch directory, flock()ed */
	int stuck_pid;		/* a case's process stuck in the kernel, or 0 */
	/* the directory of the cases of the current worker, when it used this
	 * working directory (worker_fd >= 0) */
	int worker_fd;
	unsigned worker;
	char worker_path[PATH_MAX + 16];
};

/* Who made a scratch directory: the process, told apart from a later one
 * with the same pid by its start time, and from any process of another boot
 * by the boot id. */
struct owner {
	long pid;
	unsigned long long start;	/* /proc/PID/stat starttime, clock ticks since boot */
	char boot[BOOT_HEX + 1];
};

static struct scratch table[SCRATCH_MAX];
static unsigned ntable;
static pid_t maker;		/* the process that made them: only it removes them */
static void (*notice_fn)(const char *fmt, ...);

static void notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void notice(const char *fmt, ...)
{
	char line[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (notice_fn) {
		notice_fn("%s", line);
	} else {
		fflush(stdout);
		fprintf(stderr, "mteprobe: %s\n", line);
	}
}

void scratch_set_notice(void (*fn)(const char *fmt, ...))
{
	notice_fn = fn;
}

const char *scratch_check_dir(const char *dir, char *why, size_t size)
{
	size_t n = strlen(dir);

	if (n <= SCRATCH_DIR_MAX)
		return NULL;
	snprintf(why, size, "the directory path %.*s... is %zu bytes long, and mteprobe's scratch "
		 "files under it need it at most %d bytes: give a shorter path to the same directory "
		 "(cd there and use --dir .)", UTF8_CUT(dir, 40), n, SCRATCH_DIR_MAX);
	return why;
}

/* ---- who owns a directory ---- */

/* starttime (field 22) of /proc/PID/stat ("self" for pid 0): 0, or -errno. */
static int proc_start(long pid, unsigned long long *start)
{
	char path[64], buf[1024], *p, *end;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	else
		snprintf(path, sizeof(path), "/proc/self/stat");
	if (read_small_file(path, buf, sizeof(buf)) < 0)
		return -errno;
	/* the command name may hold spaces and parentheses: count from the last ')' */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	for (int field = 2; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EINVAL;
	}
	errno = 0;
	*start = strtoull(p + 1, &end, 10);
	return errno || end == p + 1 ? -EINVAL : 0;
}

static bool boot_id(char out[BOOT_HEX + 1])
{
	char buf[64];
	size_t n = 0;

	if (read_small_file("/proc/sys/kernel/random/boot_id", buf, sizeof(buf)) < 0)
		return false;
	for (const char *p = buf; *p && n < BOOT_HEX; p++)
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
			out[n++] = *p;
	out[n] = '\0';
	return n == BOOT_HEX;
}

/* Ourselves; false when /proc cannot say (then nothing is ever judged stale). */
static bool self_owner(struct owner *o)
{
	static struct owner self;
	static int known = -1;

	if (known < 0) {
		self.pid = getpid();
		known = proc_start(0, &self.start) == 0 && boot_id(self.boot);
	}
	*o = self;
	o->pid = getpid();
	return known;
}

static bool parse_decimal(const char **p, unsigned long long *v)
{
	const char *s = *p;
	char *end;

	if (*s < '0' || *s > '9' || (*s == '0' && s[1] >= '0' && s[1] <= '9'))
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno)
		return false;
	*p = end;
	return true;
}

/* Is name exactly SCRATCH_PREFIX PID.START.BOOT.XXXXXX? */
static bool parse_name(const char *name, struct owner *o)
{
	const char *p = name;
	unsigned long long pid;

	if (strncmp(p, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX)))
		return false;
	p += strlen(SCRATCH_PREFIX);
	if (!parse_decimal(&p, &pid) || pid == 0 || pid > INT_MAX || *p++ != '.')
		return false;
	if (!parse_decimal(&p, &o->start) || *p++ != '.')
		return false;
	for (int i = 0; i < BOOT_HEX; i++, p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
		o->boot[i] = *p;
	}
	o->boot[BOOT_HEX] = '\0';
	if (*p++ != '.')
		return false;
	for (int i = 0; i < RAND_CHARS; i++, p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			return false;
	o->pid = (long)pid;
	return *p == '\0';
}

/* Is the process that made the directory gone for sure? An unreadable
 * answer counts as alive. */
static bool owner_gone(const struct owner *o)
{
	struct owner self;
	unsigned long long start;
	int err;

	if (!self_owner(&self))
		return false;
	if (strcmp(o->boot, self.boot))
		return true;		/* made before this boot */
	err = proc_start(o->pid, &start);
	if (err == -ENOENT || err == -ESRCH)
		return true;
	return !err && start != o->start;	/* the pid is someone else's now */
}

/* ---- removing ---- */

static int remove_tree_at(int parent_fd, const char *name, int depth);

/* Remove everything in the directory fd (closed). 0 or -errno. */
static int empty_dir(int fd, int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int err = 0;

	if (!d) {
		err = -errno;
		close(fd);
		return err;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		/* unlinkat never follows a symlink: it removes the link */
		if (e->d_type != DT_DIR && unlinkat(dirfd(d), e->d_name, 0) == 0)
			continue;
		if (e->d_type != DT_DIR && errno != EISDIR) {
			err = err ? err : -errno;
			continue;
		}
		if (depth >= TREE_DEPTH_MAX) {
			err = err ? err : -ELOOP;
			continue;
		}
		int r = remove_tree_at(dirfd(d), e->d_name, depth + 1);
		if (r && !err)
			err = r;
	}
	closedir(d);
	return err;
}

static int remove_tree_at(int parent_fd, const char *name, int depth)
{
	int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int err;

	if (fd < 0)
		return -errno;
	err = empty_dir(fd, depth);
	if (unlinkat(parent_fd, name, AT_REMOVEDIR) != 0 && !err)
		err = -errno;
	return err;
}

int scratch_remove_tree(int parent_fd, const char *name)
{
	return remove_tree_at(parent_fd, name, 0);
}

/* Remove the scratch directories in wfd whose makers are gone, one notice
 * each. Strict about what is ours: a real directory (never a symlink),
 * owned by our euid, named by the pattern, not locked by a live process. */
static void sweep_stale(int wfd, const char *dir)
{
	int dfd = openat(wfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *d;

	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return;
	}
	while ((e = readdir(d))) {
		struct stat st, st2;
		struct owner o;
		int fd, err;

		if (!parse_name(e->d_name, &o) || !owner_gone(&o))
			continue;
		if (fstatat(wfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode) ||
		    st.st_uid != geteuid())
			continue;
		fd = openat(wfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* the same directory as checked, and nobody alive holds it (a
		 * process in another pid namespace, a stuck case child) */
		if (fstat(fd, &st2) != 0 || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino ||
		    st2.st_uid != geteuid() ||
		    (flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)) {
			close(fd);
			continue;
		}
		err = empty_dir(fd, 1);
		if (!err && unlinkat(wfd, e->d_name, AT_REMOVEDIR) != 0)
			err = -errno;
		if (err)
			notice("cannot remove %s/%s, the scratch directory of process %ld, which is "
			       "gone: %s", dir, e->d_name, o.pid, strerror(-err));
		else
			notice("removed %s/%s, the scratch directory of process %ld, which is gone",
			       dir, e->d_name, o.pid);
	}
	closedir(d);
}

/* ---- making ---- */

static void random_chars(char *out, size_t n)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char r[RAND_CHARS];

	if (getrandom(r, n, GRND_NONBLOCK) != (ssize_t)n) {
		uint64_t t = monotonic_ns() ^ ((uint64_t)getpid() << 32);

		for (size_t i = 0; i < n; i++, t >>= 7)
			r[i] = (unsigned char)t;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = set[r[i] % (sizeof(set) - 1)];
	out[n] = '\0';
}

/* mkdtemp, relative to the working directory's fd: 0 or -errno. */
static int make_scratch(struct scratch *s)
{
	struct owner self;
	size_t at;

	self_owner(&self);
	if (!self.boot[0])
		memset(self.boot, '0', BOOT_HEX);
	self.boot[BOOT_HEX] = '\0';
	at = (size_t)snprintf(s->name, sizeof(s->name), SCRATCH_PREFIX "%ld.%llu.%s.", self.pid,
			      self.start, self.boot);
	for (int tries = 0; tries < 100; tries++) {
		random_chars(s->name + at, RAND_CHARS);
		if (mkdirat(s->wfd, s->name, 0700) == 0)
			break;
		if (errno != EEXIST)
			return -errno;
	}
	s->fd = openat(s->wfd, s->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->fd < 0) {
		int err = -errno;

		unlinkat(s->wfd, s->name, AT_REMOVEDIR);
		return err;
	}
	/* held while we live: the stale sweep of another process leaves it */
	flock(s->fd, LOCK_EX | LOCK_NB);
	/* dir/name: fits (scratch_check_dir) */
	at = strlen(s->dir);
	memcpy(s->path, s->dir, at);
	s->path[at] = '/';
	memcpy(s->path + at + 1, s->name, strlen(s->name) + 1);
	return 0;
}

struct scratch *scratch_for(const char *dir, char *why, size_t size)
{
	struct scratch *s;
	int err;

	for (unsigned i = 0; i < ntable; i++)
		if (!strcmp(table[i].dir, dir))
			return &table[i];
	if (scratch_check_dir(dir, why, size))
		return NULL;
	if (ntable == SCRATCH_MAX) {
		snprintf(why, size, "more than %d working directories in one run", SCRATCH_MAX);
		return NULL;
	}
	s = &table[ntable];
	memmove(s->dir, dir, strlen(dir) + 1);	/* fits: scratch_check_dir */
	s->stuck_pid = 0;
	s->worker_fd = -1;
	s->wfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->wfd < 0) {
		snprintf(why, size, "cannot open %s: %s", dir, strerror(errno));
		return NULL;
	}
	sweep_stale(s->wfd, dir);
	err = make_scratch(s);
	if (err) {
		snprintf(why, size, "cannot make a scratch directory in %s: %s", dir, strerror(-err));
		close(s->wfd);
		return NULL;
	}
	if (!maker) {
		maker = getpid();
		atexit(scratch_remove_all);
	}
	ntable++;
	return s;
}

int scratch_fd(const struct scratch *s)
{
	return s->fd;
}

const char *scratch_path(const struct scratch *s)
{
	return s->path;
}

int scratch_worker_dir(struct scratch *s, unsigned worker, const char **path)
{
	char name[16];

	if (s->worker_fd >= 0 && s->worker == worker) {
		*path = s->worker_path;
		return s->worker_fd;
	}
	if (s->worker_fd >= 0)
		scratch_worker_end(s->worker, 0);
	snprintf(name, sizeof(name), "%u", worker);
	if (mkdirat(s->fd, name, 0700) != 0) {
		if (errno != EEXIST)
			return -errno;
		scratch_remove_tree(s->fd, name);
		if (mkdirat(s->fd, name, 0700) != 0)
			return -errno;
	}
	s->worker_fd = openat(s->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->worker_fd < 0)
		return -errno;
	s->worker = worker;
	snprintf(s->worker_path, sizeof(s->worker_path), "%s/%s", s->path, name);
	*path = s->worker_path;
	return s->worker_fd;
}

void scratch_worker_end(unsigned worker, int stuck_pid)
{
	char name[16];

	for (unsigned i = 0; i < ntable; i++) {
		struct scratch *s = &table[i];

		if (s->worker_fd < 0 || s->worker != worker)
			continue;
		close(s->worker_fd);
		s->worker_fd = -1;
		snprintf(name, sizeof(name), "%u", worker);
		/* a worker stuck in the kernel may hold its files' locks:
		 * removing them would block us too (unlink takes the inode lock);
		 * so may one of another lane in the same scratch directory */
		if (stuck_pid)
			scratch_keep(s, stuck_pid);
		if (!s->stuck_pid)
			scratch_remove_tree(s->fd, name);
	}
}

void scratch_keep(struct scratch *s, int pid)
{
	s->stuck_pid = pid;
}

void scratch_remove_all(void)
{
	if (getpid() != maker)
		return;
	for (unsigned i = 0; i < ntable; i++) {
		struct scratch *s = &table[i];

		if (s->worker_fd >= 0)
			close(s->worker_fd);
		s->worker_fd = -1;
		close(s->fd);
		if (s->stuck_pid)
			notice("left %s: process %d of a case is stuck in the kernel and may hold "
			       "its files; the next mteprobe in %s removes it once that process is gone",
			       s->path, s->stuck_pid, s->dir);
		else
			scratch_remove_tree(s->wfd, s->name);
		close(s->wfd);
	}
	ntable = 0;
}
