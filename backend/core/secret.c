/*
 * secret.c - passwords in memory (see secret.h): the first line of a
 * password file whose owner and mode are judged first, or typed text;
 * every copy cleansed with OPENSSL_cleanse; no core dumps of the process.
 */
#include "core/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/log.h"

/*
 * A core file would hold the CA and PFX passwords and the private key in
 * plain text, written wherever core_pattern says (a crash collector, the
 * working directory) for whoever finds it later.
 */
void secret_harden_process(void)
{
	const struct rlimit none = { 0, 0 };
	(void)setrlimit(RLIMIT_CORE, &none);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

void secret_wipe(struct secret *s)
{
	if (!s)
		return;
	if (s->buf) {
		OPENSSL_cleanse(s->buf, s->len);
		free(s->buf);
	}
	s->buf = NULL;
	s->len = 0;
}

int secret_set(struct secret *s, const char *text, size_t len)
{
	if (!s || (!text && len))
		return -1;
	char *b = malloc(len + 1);
	if (!b)
		return -1;
	if (len)
		memcpy(b, text, len);
	b[len] = '\0';
	secret_wipe(s);
	s->buf = b;
	s->len = len;
	return 0;
}

/* "uid 1000 (alice)", or "uid 1000" when the name is unknown. */
static void describe_uid(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];
	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res &&
	    res->pw_name)
		snprintf(buf, len, "uid %u (%s)", (unsigned)uid, res->pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned)uid);
}

enum diag_severity secret_file_rule(const char *path, const struct stat *st,
				    struct verdict *v)
{
	char owner[300], me[300], fix[sizeof(v->fix)];
	unsigned mode = (unsigned)(st->st_mode & 07777);
	describe_uid(st->st_uid, owner, sizeof(owner));
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		describe_uid(geteuid(), me, sizeof(me));
		snprintf(fix, sizeof(fix),
			 "run chown %u '%s' (as root) or keep the password in a file of your own with chmod 600",
			 (unsigned)geteuid(), path);
		return verdict_set(v, SEV_FAIL, fix,
			"password file '%s' is owned by %s, not by you (%s) or root (mode %04o): refused, its owner chooses the password",
			path, owner, me, mode);
	}
	snprintf(fix, sizeof(fix), "run chmod 600 '%s'", path);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return verdict_set(v, SEV_FAIL, fix,
			"password file '%s' is writable by group or others (owner %s, mode %04o): refused, whoever can change it chooses the password",
			path, owner, mode);
	if (st->st_mode & (S_IRGRP | S_IROTH))
		return verdict_set(v, SEV_WARN, fix,
			"password file '%s' is readable by group or others (owner %s, mode %04o)",
			path, owner, mode);
	return verdict_pass(v);
}

int secret_read_file(struct secret *s, const char *path, char *err,
		     size_t errlen)
{
	struct verdict v;
	int r = secret_read_file_judged(s, path, &v, err, errlen);
	if (r == 0 && v.sev == SEV_WARN)
		log_msg("warning: %s: %s", v.msg, v.fix);
	return r;
}

int secret_read_file_judged(struct secret *s, const char *path,
			    struct verdict *v, char *err, size_t errlen)
{
	struct verdict own;
	if (!v)
		v = &own;
	verdict_pass(v);
	if (!s || !path || !*path) {
		snprintf(err, errlen, "no password file given");
		return -1;
	}
	/* O_NONBLOCK + fstat: a FIFO or device must not block us */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot read password file '%s': %s",
			 path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read password file '%s': %s",
			 path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen,
			 "cannot read password file '%s': not a regular file",
			 path);
		close(fd);
		return -1;
	}
	if (secret_file_rule(path, &st, v) == SEV_FAIL) {
		snprintf(err, errlen, "%s", v->msg);
		close(fd);
		return -1;
	}

	/* the first line only, at most SECRET_MAX bytes of it */
	char buf[SECRET_MAX + 1];
	size_t n = 0;
	int rc = -1;
	char *nl = NULL;
	while (n < sizeof(buf) && !nl) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen,
				 "cannot read password file '%s': %s", path,
				 strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		nl = memchr(buf + n, '\n', (size_t)r);
		n += (size_t)r;
	}
	size_t len = nl ? (size_t)(nl - buf) : n;
	if (len > SECRET_MAX) {
		snprintf(err, errlen,
			 "password in file '%s' is longer than %d bytes: put only the password on its first line",
			 path, SECRET_MAX);
		goto out;
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0) {
		snprintf(err, errlen,
			 "password file '%s' is empty: put the password on its first line",
			 path);
		goto out;
	}
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen,
			 "password file '%s' contains a NUL byte: it must hold the password as text",
			 path);
		goto out;
	}
	if (secret_set(s, buf, len) != 0) {
		snprintf(err, errlen, "cannot read password file '%s': out of memory",
			 path);
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	close(fd);
	return rc;
}
