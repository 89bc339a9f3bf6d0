/*
 * fsutil.c - safe file I/O (see fsutil.h): atomic writes through a temp
 * file in the destination's directory, size-capped reads that refuse
 * anything but regular files, mkdir -p, the private-directory check and
 * small path helpers.
 */
#include "core/fsutil.h"
#include "core/errbuf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#define TEMP_ATTEMPTS 32

static const char *file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISREG(m))
		return "a regular file";
	return "an unknown kind of file";
}

char *fs_join(const char *dir, const char *name)
{
	if (!dir || !name)
		return NULL;
	size_t dl = strlen(dir);
	if (dl == 0)
		return strdup(name);
	int slash = dir[dl - 1] != '/';
	char *p = NULL;
	if (asprintf(&p, "%s%s%s", dir, slash ? "/" : "", name) < 0)
		return NULL;
	return p;
}

char *fs_dirname(const char *path)
{
	if (!path)
		return NULL;
	size_t n = strlen(path);
	/* drop trailing slashes (but keep a lone "/") */
	while (n > 1 && path[n - 1] == '/')
		n--;
	/* drop the last component */
	while (n > 0 && path[n - 1] != '/')
		n--;
	if (n == 0)
		return strdup(".");
	/* drop the slashes separating it */
	while (n > 1 && path[n - 1] == '/')
		n--;
	return strndup(path, n);
}

/* Copy of path without trailing slashes (a lone "/" stays); malloc'd. */
static char *without_trailing_slashes(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	return strndup(path, n);
}

/* Last component of path (points into path; trailing slashes not allowed). */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

bool fs_exists(const char *path)
{
	struct stat st;
	return path && lstat(path, &st) == 0;
}

bool fs_is_regular(const char *path)
{
	struct stat st;
	return path && lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int fs_mode(const char *path)
{
	struct stat st;
	if (!path || lstat(path, &st) != 0)
		return -1;
	return (int)(st.st_mode & 07777);
}

void fs_free_secret(void *buf, size_t len)
{
	if (!buf)
		return;
	OPENSSL_cleanse(buf, len);
	free(buf);
}

int fs_write_all(int fd, const void *data, size_t len)
{
	const unsigned char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static unsigned long long temp_token(void)
{
	unsigned long long v = 0;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((unsigned long long)ts.tv_nsec << 20) ^
	       (unsigned long long)ts.tv_sec ^ (unsigned long long)getpid();
}

/* "<dir>/.<base of path>.tmp-<16 hex>", malloc'd; NULL (errno ENOMEM). */
static char *temp_name(const char *dir, const char *path)
{
	char *tmp = NULL;
	if (asprintf(&tmp, "%s/.%s.tmp-%016llx", dir, base_name(path),
		     temp_token()) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	return tmp;
}

/*
 * Create, fill and fsync a temp file next to path.  On success *tmp_out is
 * the malloc'd temp path (the file exists, closed).  On failure nothing is
 * left behind.
 */
static int write_temp(const char *path, const void *data, size_t len,
		      mode_t mode, char **tmp_out, char *err, size_t errlen)
{
	char *dir = fs_dirname(path);
	if (!dir) {
		errbuf_printf(err, errlen, "cannot write '%s': out of memory", path);
		return -1;
	}
	char *tmp = NULL;
	int fd = -1;
	for (int i = 0; i < TEMP_ATTEMPTS && fd < 0; i++) {
		free(tmp);
		if (!(tmp = temp_name(dir, path)))
			break;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			  O_CLOEXEC, mode & 07777);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		errbuf_printf(err, errlen,
			"cannot write '%s': cannot create a temporary file in '%s': %s",
			path, dir, strerror(errno));
		free(tmp);
		free(dir);
		return -1;
	}
	free(dir);
	const char *what = "cannot set the mode of";
	if (fchmod(fd, mode & 07777) != 0)
		goto fail;
	what = "cannot write to";
	if (fs_write_all(fd, data, len) != 0)
		goto fail;
	what = "cannot sync";
	if (fsync(fd) != 0)
		goto fail;
	what = "cannot close";
	int cr = close(fd);
	fd = -1;
	if (cr != 0)
		goto fail;
	*tmp_out = tmp;
	return 0;
fail:;
	int e = errno;
	errbuf_printf(err, errlen, "cannot write '%s': %s temporary file '%s': %s",
		path, what, tmp, strerror(e));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

/*
 * A process killed between creating its temp file (or link) and renaming
 * it leaves ".<base>.tmp-<16 hex>" behind.  The next write of the same
 * destination removes such leftovers (regular files and symbolic links we
 * own), so an interrupted run
 * leaves nothing half-written in view once it is redone.  This assumes
 * one writer per destination at a time: callers sharing a path between
 * processes lock around their writes (the lab's state does).
 */
static void remove_stale_temps(const char *path)
{
	char *dir = fs_dirname(path);
	if (!dir)
		return;
	const char *base = base_name(path);
	size_t blen = strlen(base);
	DIR *d = opendir(dir);
	if (!d) {
		free(dir);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		const char *n = e->d_name;
		if (n[0] != '.' || strncmp(n + 1, base, blen) != 0 ||
		    strncmp(n + 1 + blen, ".tmp-", 5) != 0)
			continue;
		const char *hex = n + 1 + blen + 5;
		size_t i = 0;
		while (hex[i] && isxdigit((unsigned char)hex[i]))
			i++;
		if (i != 16 || hex[i])
			continue;
		struct stat st;
		if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) &&
		    st.st_uid == geteuid())
			(void)unlinkat(dirfd(d), n, 0);
	}
	closedir(d);
	free(dir);
}

void fs_sync_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
}

/* Best effort: make the rename durable.  Some file systems refuse fsync on
 * directories (EINVAL); the file is in place either way. */
static void sync_dir_of(const char *path)
{
	char *dir = fs_dirname(path);
	if (!dir)
		return;
	fs_sync_dir(dir);
	free(dir);
}

/*
 * The common end of fs_write_atomic and fs_write_new: a filled temp file
 * renamed over path (noreplace: only where nothing exists yet).
 */
static int write_via_temp(const char *path, const void *data, size_t len,
			  mode_t mode, int noreplace, char *err, size_t errlen)
{
	remove_stale_temps(path);
	char *tmp = NULL;
	if (write_temp(path, data, len, mode, &tmp, err, errlen) != 0)
		return -1;
	int r = noreplace ? fs_rename_noreplace(tmp, path) : rename(tmp, path);
	int e = errno;
	if (r != 0 && noreplace && e == EEXIST)
		errbuf_printf(err, errlen, "cannot write '%s': file already exists",
			path);
	else if (r != 0)
		errbuf_printf(err, errlen, "cannot write '%s': cannot rename '%s': %s",
			path, tmp, strerror(e));
	if (r != 0)
		unlink(tmp);
	else
		sync_dir_of(path);
	free(tmp);
	return r == 0 ? 0 : -1;
}

int fs_symlink_atomic(const char *target, const char *path, char *err,
		      size_t errlen)
{
	char *dir = fs_dirname(path);
	if (!dir) {
		errbuf_printf(err, errlen, "cannot create the link '%s': out of memory",
			path);
		return -1;
	}
	remove_stale_temps(path);
	char *tmp = NULL;
	int r = -1;
	for (int i = 0; i < TEMP_ATTEMPTS && r != 0; i++) {
		free(tmp);
		if (!(tmp = temp_name(dir, path)))
			break;
		r = symlink(target, tmp);
		if (r != 0 && errno != EEXIST)
			break;
	}
	if (r != 0) {
		errbuf_printf(err, errlen, "cannot create the link '%s' in '%s': %s",
			base_name(path), dir, strerror(errno));
		free(tmp);
		free(dir);
		return -1;
	}
	free(dir);
	if (rename(tmp, path) != 0) {
		errbuf_printf(err, errlen, "cannot create the link '%s': %s", path,
			strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	sync_dir_of(path);
	return 0;
}

int fs_write_atomic(const char *path, const void *data, size_t len,
		    mode_t mode, char *err, size_t errlen)
{
	if (!path || !*path || (!data && len)) {
		errbuf_printf(err, errlen, "cannot write: no path given");
		return -1;
	}
	if (path[strlen(path) - 1] == '/') {
		errbuf_printf(err, errlen, "cannot write '%s': path names a directory",
			path);
		return -1;
	}
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			errbuf_printf(err, errlen,
				"cannot write '%s': destination is a symbolic link",
				path);
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			errbuf_printf(err, errlen,
				"cannot write '%s': destination is %s, not a regular file",
				path, file_kind(st.st_mode));
			return -1;
		}
	} else if (errno != ENOENT) {
		errbuf_printf(err, errlen, "cannot write '%s': %s", path,
			strerror(errno));
		return -1;
	}
	return write_via_temp(path, data, len, mode, 0, err, errlen);
}

int fs_write_new(const char *path, const void *data, size_t len, mode_t mode,
		 char *err, size_t errlen)
{
	if (!path || !*path || (!data && len)) {
		errbuf_printf(err, errlen, "cannot write: no path given");
		return -1;
	}
	if (fs_exists(path)) {
		errbuf_printf(err, errlen, "cannot write '%s': file already exists",
			path);
		return -1;
	}
	return write_via_temp(path, data, len, mode, 1, err, errlen);
}

int fs_rename_noreplace(const char *from, const char *to)
{
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return -1;
	/* file system without RENAME_NOREPLACE: link() also refuses an
	 * existing destination */
	if (link(from, to) != 0)
		return -1;
	if (unlink(from) != 0) {
		int e = errno;
		unlink(to);
		errno = e;
		return -1;
	}
	return 0;
}

/* Move the first n bytes of *buf into a larger buffer, cleansing the old. */
static int grow(unsigned char **buf, size_t *cap, size_t n, size_t want)
{
	unsigned char *nb = malloc(want);
	if (!nb)
		return -1;
	if (*buf) {
		memcpy(nb, *buf, n);
		OPENSSL_cleanse(*buf, *cap);
		free(*buf);
	}
	*buf = nb;
	*cap = want;
	return 0;
}

int fs_read_file(const char *path, size_t cap, unsigned char **out,
		 size_t *outlen, char *err, size_t errlen)
{
	if (!path || !out) {
		errbuf_printf(err, errlen, "cannot read: no path given");
		return -1;
	}
	*out = NULL;
	if (outlen)
		*outlen = 0;
	/* O_NONBLOCK: opening a FIFO without a writer must not hang */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		errbuf_printf(err, errlen, "cannot read '%s': %s", path,
			strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		errbuf_printf(err, errlen, "cannot read '%s': %s", path,
			strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errbuf_printf(err, errlen, "cannot read '%s': it is %s, not a regular file",
			path, file_kind(st.st_mode));
		close(fd);
		return -1;
	}
	if (st.st_size > 0 && (unsigned long long)st.st_size > cap) {
		errbuf_printf(err, errlen,
			"cannot read '%s': file is larger than the limit of %zu bytes",
			path, cap);
		close(fd);
		return -1;
	}
	if (cap > SIZE_MAX - 2)
		cap = SIZE_MAX - 2;
	size_t bcap = 0, n = 0;
	unsigned char *buf = NULL;
	size_t first = (size_t)st.st_size + 1;
	if (first < 4096)
		first = 4096;
	if (first > cap + 1)
		first = cap + 1;
	if (grow(&buf, &bcap, 0, first + 1) != 0)
		goto oom;
	for (;;) {
		if (n + 1 >= bcap) {
			/* keep one byte for the NUL, read at most cap + 1 */
			size_t want = bcap * 2;
			if (want > cap + 2)
				want = cap + 2;
			if (want <= bcap)
				break;
			if (grow(&buf, &bcap, n, want) != 0)
				goto oom;
		}
		size_t room = bcap - 1 - n;
		ssize_t r = read(fd, buf + n, room);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			errbuf_printf(err, errlen, "cannot read '%s': %s", path,
				strerror(e));
			close(fd);
			fs_free_secret(buf, bcap);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > cap)
			break;
	}
	close(fd);
	if (n > cap) {
		errbuf_printf(err, errlen,
			"cannot read '%s': file is larger than the limit of %zu bytes",
			path, cap);
		fs_free_secret(buf, bcap);
		return -1;
	}
	buf[n] = '\0';
	*out = buf;
	if (outlen)
		*outlen = n;
	return 0;
oom:
	errbuf_printf(err, errlen, "cannot read '%s': out of memory", path);
	close(fd);
	fs_free_secret(buf, bcap);
	return -1;
}

int fs_mkdir_p(const char *path, mode_t mode, char *err, size_t errlen)
{
	if (!path || !*path) {
		errbuf_printf(err, errlen, "cannot create directory: no path given");
		return -1;
	}
	char *p = without_trailing_slashes(path);
	if (!p) {
		errbuf_printf(err, errlen, "cannot create directory '%s': out of memory",
			path);
		return -1;
	}
	for (char *s = p + 1;; s++) {
		int last = *s == '\0';
		if (!last && *s != '/')
			continue;
		if (!last && s[-1] == '/')
			continue; /* "a//b" */
		char saved = *s;
		*s = '\0';
		if (mkdir(p, mode & 07777) == 0) {
			/* umask may have narrowed it: honour the given mode */
			if (chmod(p, mode & 07777) != 0) {
				errbuf_printf(err, errlen,
					"cannot set the mode of directory '%s': %s",
					p, strerror(errno));
				free(p);
				return -1;
			}
		} else {
			int e = errno;
			struct stat st;
			if (e != EEXIST || stat(p, &st) != 0 ||
			    !S_ISDIR(st.st_mode)) {
				if (e == EEXIST)
					errbuf_printf(err, errlen,
						"cannot create directory '%s': '%s' exists and is not a directory",
						path, p);
				else
					errbuf_printf(err, errlen,
						"cannot create directory '%s': %s",
						p, strerror(e));
				free(p);
				return -1;
			}
		}
		*s = saved;
		if (last)
			break;
	}
	free(p);
	return 0;
}
int fs_copy_file(const char *src, const char *dst, mode_t mode, char *err,
		 size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	if (fs_read_file(src, FS_DEFAULT_CAP, &buf, &len, err, errlen) != 0)
		return -1;
	int r = fs_write_atomic(dst, buf, len, mode, err, errlen);
	/* copies are often keys: cleanse */
	fs_free_secret(buf, len);
	return r;
}
