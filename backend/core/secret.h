/*
 * secret.h - passwords in memory: read from a file (first line, size
 * capped; the one rule on who may read or change a password file) or set
 * from typed text; wiped with OPENSSL_cleanse when released.  Never logged,
 * never written to state or INI files, never passed on argv.  And the one
 * place that keeps them out of core dumps (secret_harden_process).
 *
 * Ownership: struct secret owns buf; secret_wipe() cleanses and frees it.
 */
#ifndef OPSMGR_SECRET_H
#define OPSMGR_SECRET_H

#include <stddef.h>
#include <sys/stat.h>

#include "core/validate.h"

#define SECRET_MAX 1024

struct secret {
	char *buf;    /* NUL terminated, NULL when unset */
	size_t len;
};

/*
 * Who may read or change the password file path (st: its fstat):
 * SEV_FAIL when it belongs to another user than us or root, or group or
 * others may write it (whoever can change it chooses the password we send);
 * SEV_WARN when group or others may read it; SEV_PASS otherwise.  The
 * message names the file, its owner and its mode; the fix is the chmod or
 * chown that cures it.
 */
enum diag_severity secret_file_rule(const char *path, const struct stat *st,
				    struct verdict *v);

/*
 * Read the first line of path (trailing CR/LF stripped) into s.  0 / -1 +
 * err; on -1 s keeps its old value.  A file secret_file_rule fails is
 * refused (err is its message); v (may be NULL) receives that rule's
 * verdict: SEV_WARN for a file read although others may read it, SEV_FAIL
 * for a refused one, SEV_PASS otherwise (also when it could not be opened).
 * secret_read_file logs the warning instead.
 */
int secret_read_file_judged(struct secret *s, const char *path,
			    struct verdict *v, char *err, size_t errlen);
int secret_read_file(struct secret *s, const char *path, char *err,
		     size_t errlen);
/* Copy text (len bytes) into s, replacing (and wiping) any old value. */
int secret_set(struct secret *s, const char *text, size_t len);
void secret_wipe(struct secret *s);
/*
 * Keep this process's memory out of core dumps and away from other
 * processes: not dumpable (PR_SET_DUMPABLE 0, which also keeps other
 * processes of the same user from reading our memory through ptrace or
 * /proc/PID/mem) and RLIMIT_CORE 0, soft and hard, so a child between fork
 * and exec, still holding a copy of our memory, cannot dump it either.
 * Best effort: lowering a limit and dropping dumpable do not fail in
 * practice, and there is nothing better to do if they did.  Called first
 * thing in main of each binary, before any secret exists.
 */
void secret_harden_process(void);

static inline int secret_is_set(const struct secret *s)
{
	return s->buf != NULL;
}

#endif
