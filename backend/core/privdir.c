/*
 * privdir.c - the private-directory check (privdir.h): the directory
 * itself, then every directory name resolution passes through on the way
 * to it, from / down, following symbolic links among the ancestors to
 * check their targets the same way.
 */
#include "core/privdir.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/errbuf.h"

#define PRIVDIR_MAX_LINKS 40     /* like the kernel's ELOOP limit */

/* What is being checked, for the messages. */
struct privdir_job {
	const char *what;        /* "state directory" */
	const char *dir;         /* as the caller gave it */
	char *err;
	size_t errlen;
};

static bool owner_ok(uid_t uid)
{
	return uid == geteuid() || uid == 0;
}

static unsigned perm(const struct stat *st)
{
	return (unsigned)(st->st_mode & 07777);
}

/* "<base>/<rel>" (rel absolute: rel), malloc'd. */
static char *join_abs(const char *base, size_t baselen, const char *rel)
{
	char *p = NULL;
	if (rel[0] == '/')
		return strdup(rel);
	if (asprintf(&p, "%.*s/%s", (int)baselen, base, rel) < 0)
		return NULL;
	return p;
}

/* path made absolute against the working directory, without trailing
 * slashes ("/" stays), malloc'd. */
static char *absolute(const char *path)
{
	char *p;
	if (path[0] == '/') {
		p = strdup(path);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return NULL;
		p = join_abs(cwd, strlen(cwd), path);
	}
	if (!p)
		return NULL;
	for (size_t n = strlen(p); n > 1 && p[n - 1] == '/'; n--)
		p[n - 1] = '\0';
	return p;
}

static int fail_oom(const struct privdir_job *j)
{
	errbuf_printf(j->err, j->errlen, "cannot check %s '%s': out of memory",
		      j->what, j->dir);
	return -1;
}

/* An ancestor (already lstat'ed, no symbolic link) passes?  0 / -1. */
static int ancestor_ok(const struct privdir_job *j, const char *p,
		       const struct stat *st)
{
	if (!S_ISDIR(st->st_mode)) {
		errbuf_printf(j->err, j->errlen,
			"%s '%s' cannot be used: '%s' on the way to it is not "
			"a directory (mode %04o)", j->what, j->dir, p, perm(st));
		return -1;
	}
	if (!owner_ok(st->st_uid)) {
		errbuf_printf(j->err, j->errlen,
			"%s '%s' is not private: a directory on the way to it, '%s', "
			"is owned by uid %u (mode %04o), not by you (uid %u) or "
			"root, so its owner can replace what is inside: run "
			"chown %u '%s', or choose a directory elsewhere",
			j->what, j->dir, p, (unsigned)st->st_uid, perm(st),
			(unsigned)geteuid(), (unsigned)geteuid(), p);
		return -1;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(st->st_mode & S_ISVTX)) {
		bool world = (st->st_mode & S_IWOTH) != 0;
		errbuf_printf(j->err, j->errlen,
			"%s '%s' is not private: a directory on the way to it, '%s', "
			"is %s-writable and not sticky (owner uid %u, mode "
			"%04o), so others can replace what is inside: run "
			"chmod %s '%s', or choose a directory elsewhere",
			j->what, j->dir, p, world ? "world" : "group",
			(unsigned)st->st_uid, perm(st),
			world ? "go-w" : "g-w", p);
		return -1;
	}
	return 0;
}

static int check_chain(const struct privdir_job *j, const char *abs,
		       int links);

/* An ancestor that is a symbolic link: its target is checked as a chain
 * of ancestors of its own.  0 / -1. */
static int link_ok(const struct privdir_job *j, const char *p, size_t plen,
		   int links)
{
	char target[PATH_MAX];
	ssize_t n = readlink(p, target, sizeof(target) - 1);
	if (n < 0) {
		errbuf_printf(j->err, j->errlen, "cannot check %s '%s': cannot "
			      "read the link '%s': %s", j->what, j->dir, p,
			      strerror(errno));
		return -1;
	}
	target[n] = '\0';
	if (links >= PRIVDIR_MAX_LINKS) {
		errbuf_printf(j->err, j->errlen, "cannot check %s '%s': too "
			      "many symbolic links on the way to it", j->what,
			      j->dir);
		return -1;
	}
	/* a relative target is relative to the link's directory */
	size_t dlen = plen;
	while (dlen > 1 && p[dlen - 1] != '/')
		dlen--;
	char *t = join_abs(p, dlen, target);
	if (!t)
		return fail_oom(j);
	int r = check_chain(j, t, links + 1);
	free(t);
	return r;
}

/* One directory on the way (name: a prefix of the path).  0 / -1. */
static int check_one(const struct privdir_job *j, const char *name,
		     int links)
{
	struct stat st;
	if (lstat(name, &st) != 0) {
		if (errno == ENOENT)
			return 0;     /* the directory's own check says so */
		errbuf_printf(j->err, j->errlen, "cannot check %s '%s': "
			      "'%s': %s", j->what, j->dir, name,
			      strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode))
		return link_ok(j, name, strlen(name), links);
	return ancestor_ok(j, name, &st);
}

/* Every directory from / down to abs (included), as ancestors.  0 / -1. */
static int check_chain(const struct privdir_job *j, const char *abs,
		       int links)
{
	if (check_one(j, "/", links) != 0)
		return -1;
	char *p = strdup(abs);
	if (!p)
		return fail_oom(j);
	size_t len = strlen(p);
	int r = 0;
	/* each prefix ending a non-empty component: "/a", "/a/b", ... */
	for (size_t i = 1; r == 0 && i <= len; i++) {
		if ((i < len && p[i] != '/') || p[i - 1] == '/')
			continue;
		char saved = p[i];
		p[i] = '\0';
		r = check_one(j, p, links);
		p[i] = saved;
	}
	free(p);
	return r;
}

/* The directory itself (abs: no trailing slash).  0 / -1. */
static int dir_ok(const struct privdir_job *j, const char *abs)
{
	struct stat st;
	if (lstat(abs, &st) != 0) {
		if (errno == ENOENT)
			errbuf_printf(j->err, j->errlen,
				"%s '%s' does not exist: run mkdir -m 700 '%s'",
				j->what, j->dir, j->dir);
		else
			errbuf_printf(j->err, j->errlen, "cannot check %s '%s': %s",
				      j->what, j->dir, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		errbuf_printf(j->err, j->errlen,
			"%s '%s' is a symbolic link: use the directory it points "
			"to, or replace the link with a directory (mkdir -m 700)",
			j->what, j->dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		errbuf_printf(j->err, j->errlen,
			"%s '%s' is not a directory (mode %04o): move it away or "
			"choose another directory", j->what, j->dir, perm(&st));
		return -1;
	}
	if (!owner_ok(st.st_uid)) {
		errbuf_printf(j->err, j->errlen,
			"%s '%s' is owned by uid %u (mode %04o), not by you (uid "
			"%u) or root: run chown %u '%s', or choose another "
			"directory", j->what, j->dir, (unsigned)st.st_uid,
			perm(&st), (unsigned)geteuid(), (unsigned)geteuid(),
			j->dir);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		errbuf_printf(j->err, j->errlen,
			"%s '%s' is %s-writable (owner uid %u, mode %04o): run "
			"chmod 700 '%s'", j->what, j->dir,
			st.st_mode & S_IWOTH ? "world" : "group",
			(unsigned)st.st_uid, perm(&st), j->dir);
		return -1;
	}
	return 0;
}

int privdir_check(const char *what, const char *dir, char *err,
		  size_t errlen)
{
	struct privdir_job j = { what, dir ? dir : "", err, errlen };
	if (!dir || !*dir) {
		errbuf_printf(err, errlen, "no %s given", what);
		return -1;
	}
	char *abs = absolute(dir);
	if (!abs)
		return fail_oom(&j);
	/* the ancestors: everything before the last component */
	char *slash = strrchr(abs, '/');
	int r = 0;
	if (slash && slash != abs) {
		*slash = '\0';
		r = check_chain(&j, abs, 0);
		*slash = '/';
	} else if (slash && abs[1]) {
		r = check_one(&j, "/", 0);
	}
	if (r == 0)
		r = dir_ok(&j, abs);
	free(abs);
	return r;
}
