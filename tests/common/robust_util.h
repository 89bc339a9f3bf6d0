/*
 * robust_util.h - helpers for the survival tests (kill points, secrets,
 * permissions): answers files with replaced keys, a child process whose
 * output goes to a file (so the test can watch it, kill it and sample its
 * /proc entries), bounded waits, directory walks and byte searches.
 *
 * Ownership: every char * returned is malloc'd; the caller frees it.
 */
#ifndef OPSMGR_ROBUST_UTIL_H
#define OPSMGR_ROBUST_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Copy the answers file `src` to `dst` (0600) with "key = value" lines
 * replaced or added.  repl: rows {section, key, value} ended by a row whose
 * section is NULL; a NULL value removes the key.  Returns 0 / -1.
 */
int ru_answers_write(const char *src, const char *dst,
		     const char *const repl[][3]);

/*
 * Start argv[0] (execv, no shell) with stdin from /dev/null and stdout and
 * stderr appended to out_path (created 0600).  Returns the pid or -1.
 */
pid_t ru_spawn(const char *const argv[], const char *out_path);

/*
 * Wait for pid at most timeout_ms (SIGKILL and reap after that).  Returns
 * the exit status, 128+signal when it died of a signal, -1 on time-out.
 */
int ru_wait(pid_t pid, int timeout_ms);

/* Is pid still running (not yet reaped and not a zombie)? */
int ru_alive(pid_t pid);

/* Monotonic milliseconds. */
long long ru_now_ms(void);
void ru_sleep_ms(int ms);

/*
 * Call fn(path, ud) for every non-directory entry below dir (recursively,
 * symlinks not followed; fn may be NULL to count).  Returns the number of
 * entries visited, -1 when
 * dir cannot be read.
 */
int ru_walk(const char *dir, void (*fn)(const char *path, void *ud),
	    void *ud);

/* Whole file (up to 64 MiB), malloc'd with a NUL after *len bytes; NULL
 * when it cannot be read. */
unsigned char *ru_read(const char *path, size_t *len);

/* Does the buffer contain needle (bytes)? */
int ru_mem_has(const void *buf, size_t len, const char *needle);

/* Does the file contain needle?  1 yes, 0 no, -1 unreadable. */
int ru_file_has(const char *path, const char *needle);

/* Random lowercase hex string of n characters (n < 128), malloc'd. */
char *ru_random_hex(size_t n);

/* Is base (the last path component) a temporary file of fs_write_atomic
 * (".NAME.tmp-XXXX") or of the trust store ("NAME.tmp-PID")? */
int ru_is_temp_name(const char *base);

#endif
