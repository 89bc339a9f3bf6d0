/*
 * state.c - the state on disk (state.h): the private state directory,
 * loading <dir>/state (a damaged file is moved aside, never silently
 * reset), atomic saving, moving it aside on "start over", and which stage
 * comes next.  The file's text form is state_format.c's.
 */
#include "core/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fsutil.h"
#include "core/privdir.h"

#define STATE_CAP (1024u * 1024u)

/* ---- files ------------------------------------------------------------- */

/*
 * Move <dir>/state to <dir>/state.<tag>-<YYYYmmddTHHMMSS>[-N].  Writes the
 * new path into out.  0, or -1 with errno set.
 */
static int move_state(const char *path, const char *tag, char *out,
		      size_t outlen)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	if (!localtime_r(&now, &tm) ||
	    strftime(ts, sizeof(ts), "%Y%m%dT%H%M%S", &tm) == 0)
		snprintf(ts, sizeof(ts), "%lld", (long long)now);
	for (int n = 1; n < 1000; n++) {
		char *to = NULL;
		int r = n == 1 ? asprintf(&to, "%s.%s-%s", path, tag, ts) :
				 asprintf(&to, "%s.%s-%s-%d", path, tag, ts, n);
		if (r < 0) {
			errno = ENOMEM;
			return -1;
		}
		if (fs_rename_noreplace(path, to) == 0) {
			snprintf(out, outlen, "%s", to);
			free(to);
			return 0;
		}
		int e = errno;
		free(to);
		if (e != EEXIST) {
			errno = e;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

/*
 * <dir>/state, and whether it
 * exists: *exists 0 when missing (ENOENT), 1 with *st filled, -1 when
 * lstat failed otherwise (errno kept).  NULL with the diagnostic
 * "<action>: out of memory".
 */
static char *state_path(const char *dir, const char *action, struct stat *st,
			int *exists, struct diag_list *dl)
{
	char *path = fs_join(dir ? dir : ".", STATE_FILE_NAME);
	if (!path) {
		diag_add(dl, DIAG_STATE, SEV_FAIL, NULL, NULL,
			 "%s: out of memory", action);
		return NULL;
	}
	if (lstat(path, st) == 0)
		*exists = 1;
	else
		*exists = errno == ENOENT ? 0 : -1;
	return path;
}

int state_dir_prepare(const char *dir, struct diag_list *dl)
{
	char err[FS_ERRLEN];
	if (!dir || !*dir) {
		diag_add(dl, DIAG_STATE, SEV_FAIL, "wizard.state_dir",
			 "give --state-dir DIR or set [wizard] state_dir",
			 "no state directory given");
		return -1;
	}
	if (fs_mkdir_p(dir, 0700, err, sizeof(err)) != 0) {
		diag_add(dl, DIAG_STATE, SEV_FAIL, "wizard.state_dir",
			 "choose another directory with --state-dir or [wizard] state_dir",
			 "%s", err);
		return -1;
	}
	if (privdir_check("state directory", dir, err, sizeof(err)) != 0) {
		diag_add(dl, DIAG_STATE, SEV_FAIL, "wizard.state_dir", NULL,
			 "%s", err);
		return -1;
	}
	return 0;
}

int state_load(struct state *s, const char *dir, struct diag_list *dl)
{
	char eb[128];
	state_release(s);
	struct stat st;
	int exists;
	char *path = state_path(dir, "cannot load the saved state", &st, &exists, dl);
	if (!path)
		return -1;
	if (exists <= 0) {
		if (exists < 0)
			diag_add(dl, DIAG_STATE, SEV_FAIL, NULL,
				 "check the permissions of the state directory",
				 "cannot read the saved state '%s': %s", path,
				 diag_errno_text(errno, eb, sizeof(eb)));
		free(path);
		return exists;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_add(dl, DIAG_STATE, SEV_FAIL, NULL,
			 "move it out of the way; the state is a plain file written by opsmgr-enroll",
			 "the saved state '%s' is not a regular file%s", path,
			 S_ISLNK(st.st_mode) ? " (it is a symbolic link)" : "");
		free(path);
		return -1;
	}

	char perrbuf[256];
	unsigned char *buf = NULL;
	size_t len = 0;
	if ((unsigned long long)st.st_size > STATE_CAP) {
		snprintf(perrbuf, sizeof(perrbuf),
			 "the file is %lld bytes, far larger than any state file",
			 (long long)st.st_size);
	} else {
		char err[FS_ERRLEN];
		if (fs_read_file(path, STATE_CAP, &buf, &len, err,
				 sizeof(err)) != 0) {
			diag_add(dl, DIAG_STATE, SEV_FAIL, NULL,
				 "check the permissions of the state file",
				 "%s", err);
			free(path);
			return -1;
		}
		if (state_parse(s, (const char *)buf, len, perrbuf,
				sizeof(perrbuf)) == 0) {
			free(buf);
			free(path);
			return 0;
		}
		free(buf);
	}

	char moved[4096];
	if (move_state(path, "corrupt", moved, sizeof(moved)) != 0) {
		diag_add(dl, DIAG_STATE, SEV_FAIL, NULL,
			 "move the file away by hand, then run again",
			 "the saved state '%s' is damaged (%s) and cannot be moved aside: %s",
			 path, perrbuf, diag_errno_text(errno, eb, sizeof(eb)));
		free(path);
		return -1;
	}
	diag_add(dl, DIAG_STATE, SEV_WARN, NULL,
		 "look in the moved file for a pending request ID if one was in progress; otherwise delete it",
		 "the saved state '%s' was damaged (%s); it was moved to '%s' and a fresh state started",
		 path, perrbuf, moved);
	free(path);
	state_release(s);
	return 1;
}

int state_save(struct state *s, const char *dir, struct diag_list *dl)
{
	s->updated = time(NULL);
	char *path = fs_join(dir ? dir : ".", STATE_FILE_NAME);
	char *buf = state_format(s);
	if (!path || !buf) {
		diag_add(dl, DIAG_STATE, SEV_FAIL, NULL, NULL,
			 "cannot save the state: out of memory");
		free(path);
		free(buf);
		return -1;
	}
	char err[FS_ERRLEN];
	int r = fs_write_atomic(path, buf, strlen(buf), 0600, err, sizeof(err));
	free(buf);
	if (r != 0) {
		diag_add(dl, DIAG_STATE, SEV_FAIL, "wizard.state_dir",
			 "check that the state directory is writable and the disk is not full; the previous state is unchanged",
			 "cannot save the state: %s", err);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

int state_move_aside(const char *dir, const char *why, char *newpath,
		     size_t newpath_len, struct diag_list *dl)
{
	char eb[128];
	if (newpath && newpath_len)
		newpath[0] = '\0';
	struct stat st;
	int exists;
	char *path = state_path(dir, "cannot move the state aside", &st, &exists, dl);
	if (!path)
		return -1;
	if (exists == 0) {
		free(path);
		return 0;       /* nothing saved yet: nothing to move */
	}
	char moved[4096];
	if (move_state(path, "old", moved, sizeof(moved)) != 0) {
		diag_add(dl, DIAG_STATE, SEV_FAIL, NULL,
			 "check the permissions of the state directory",
			 "cannot move the saved state '%s' aside: %s", path,
			 diag_errno_text(errno, eb, sizeof(eb)));
		free(path);
		return -1;
	}
	if (newpath && newpath_len)
		snprintf(newpath, newpath_len, "%s", moved);
	diag_add(dl, DIAG_STATE, SEV_INFO, NULL, NULL,
		 "the saved state was moved to '%s'%s%s%s", moved,
		 why && *why ? " (" : "", why && *why ? why : "",
		 why && *why ? ")" : "");
	free(path);
	return 0;
}

bool stage_status_finished(enum stage_status st)
{
	return st == STAGE_ST_DONE || st == STAGE_ST_WARN ||
	       st == STAGE_ST_SKIPPED;
}
