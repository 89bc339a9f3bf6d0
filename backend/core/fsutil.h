/*
 * fsutil.h - safe file I/O every module uses: atomic writes with a given
 * mode that refuse to follow a symlink at the destination, size-capped
 * reads (input can be hostile and huge), private directories.
 *
 * Errors follow redis anet.c's habit: return 0 on success, -1 on failure
 * with a specific, lowercase message in err ("cannot write '/x/key.pem':
 * destination is a symbolic link").
 * Ownership: buffers returned by fs_read_file are malloc'd and NUL
 * terminated (one extra byte, not counted in len); the caller frees them
 * (fs_free_secret() for buffers that held secrets).
 */
#ifndef OPSMGR_FSUTIL_H
#define OPSMGR_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FS_ERRLEN 512
#define FS_DEFAULT_CAP (16u * 1024u * 1024u)

/*
 * Write data to path atomically: temp file in the same directory (O_EXCL,
 * created with `mode`), write, fsync, rename over path, fsync the
 * directory.  Refuses when path is a symlink or not a regular file.  On any
 * failure the old file is left untouched and the temp file removed.
 */
int fs_write_atomic(const char *path, const void *data, size_t len,
		    mode_t mode, char *err, size_t errlen);

/* Write all len bytes to fd, retrying short writes and EINTR; 0, or -1
 * with errno set (EIO when write makes no progress). */
int fs_write_all(int fd, const void *data, size_t len);

/*
 * Create or replace the symbolic link path -> target atomically: a
 * temporary link beside it (named like fs_write_atomic's temp files, so a
 * leftover of an interrupted run is removed by the next write of path)
 * renamed over path.  0, or -1 with err.
 */
int fs_symlink_atomic(const char *target, const char *path, char *err,
		      size_t errlen);

/* Like fs_write_atomic but fails when path already exists (any type). */
int fs_write_new(const char *path, const void *data, size_t len, mode_t mode,
		 char *err, size_t errlen);

/*
 * Read a whole regular file, at most cap bytes (more: error naming the cap).
 * Follows symlinks (inputs may be links); refuses directories, devices and
 * FIFOs so a hostile path cannot block the read.
 */
int fs_read_file(const char *path, size_t cap, unsigned char **out,
		 size_t *outlen, char *err, size_t errlen);

/* Cleanse then free a buffer that held a secret (NULL allowed). */
void fs_free_secret(void *buf, size_t len);

/* rename() that never replaces an existing destination (EEXIST), also on
 * file systems without RENAME_NOREPLACE (link + unlink).  0 / -1, errno. */
int fs_rename_noreplace(const char *from, const char *to);

/* fsync a directory so the renames, links and removals in it are durable
 * (best effort: some file systems refuse it, nothing is reported). */
void fs_sync_dir(const char *dir);

/* mkdir -p with mode for each created component (0700 for private). */
int fs_mkdir_p(const char *path, mode_t mode, char *err, size_t errlen);


bool fs_exists(const char *path);          /* lstat succeeds */
bool fs_is_regular(const char *path);      /* lstat: regular file */

/* Mode bits (& 07777) of path via lstat, or -1. */
int fs_mode(const char *path);

/* Join dir and name into a malloc'd path; caller frees. */
char *fs_join(const char *dir, const char *name);

/* Directory part of path, malloc'd ("." when none); caller frees. */
char *fs_dirname(const char *path);

/* Copy src to dst atomically with mode (size cap FS_DEFAULT_CAP). */
int fs_copy_file(const char *src, const char *dst, mode_t mode, char *err,
		 size_t errlen);

#endif
