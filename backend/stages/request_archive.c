/*
 * request_archive.c - stage 2 moves what a new request replaces into
 * <state_dir>/archive/<UTC yyyymmddThhmmssZ>-req<ID|none>/ (0700, files
 * 0600) with a manifest saying what it was and why, never deleting it.
 * A renewal (state.h: renewal) also copies the PFX of stage 4 there as
 * export.pfx; it stays in place until stage 4 writes the new one.
 *
 * Crash safety: the files are hard-linked (the CSR of a kept key copied)
 * into a temp folder ".<name>.tmp-<hex>" beside it, the manifest written,
 * the folder fsynced and renamed into place, the archive folder fsynced;
 * only then is the state that no longer holds the request saved
 * (ctx_checkpoint), and only then are the old files removed.  A kill
 * before the rename leaves the old state whole (the next run removes the
 * temp folder and archives again); a kill after it finds the request's
 * archive by its identity (ID, CA, CSR digest) and goes on from there, so
 * no request is archived twice; files left after the state was saved are
 * links into the archive and are removed by req_archive_leftovers.
 */
#include "stages/request_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/fsutil.h"
#include "core/privdir.h"
#include "core/log.h"
#include "core/stage_inputs.h"
#include "core/strbuf.h"
#include "pki/csr.h"
#include "pki/x509util.h"
#include "stages/request_history.h"

/* The files a request is made of, in the state directory, and the PFX a
 * renewal archives (F_PFX: wherever [export] pfx put it). */
enum { F_KEY, F_CSR, F_CERT, F_CHAIN, F_PFX, F_COUNT };
#define F_REQUEST_FILES F_PFX   /* the ones in the state directory */
static const char *const FILE_NAMES[F_COUNT] = {
	REQUEST_KEY_FILE, REQUEST_CSR_FILE, REQUEST_CERT_FILE,
	REQUEST_CHAIN_FILE, REQUEST_ARCHIVED_PFX,
};

/* One archive in the making. */
struct archive {
	struct run *r;
	const struct req_decision *d;
	char *root;                  /* <state_dir>/archive */
	char *path[F_COUNT];         /* the request's files (existing) */
	bool moved[F_COUNT];         /* removed from the state dir after */
	char identity[1200];
	char name[64];               /* <stamp>-req<ID|none> */
	char *dir;                   /* the folder, once in place */
};

static void archive_release(struct archive *a)
{
	free(a->root);
	for (int i = 0; i < F_COUNT; i++)
		free(a->path[i]);
	free(a->dir);
}

/* Is file i part of the archive (a kept key is not)?  Copied, not moved:
 * the CSR of a kept key and the PFX of a renewal. */
static bool archived(const struct archive *a, int i)
{
	return a->path[i] && (a->moved[i] || i == F_CSR || i == F_PFX);
}

static void utc_text(time_t t, const char *fmt, char *buf, size_t n)
{
	struct tm tm;
	if (!t || !gmtime_r(&t, &tm) || !strftime(buf, n, fmt, &tm))
		snprintf(buf, n, "%s", "");
}

/* The path of file i of the request now, or NULL when there is none (the
 * PFX only for a renewal). */
static char *file_path(struct run *r, const struct req_decision *d, int i)
{
	if (i == F_PFX)
		return d->renewal && r->st->pfx_path &&
				       fs_is_regular(r->st->pfx_path)
			       ? strdup(r->st->pfx_path) : NULL;
	const char *p = i == F_KEY ? r->key_path : i == F_CSR ? r->csr_path :
			i == F_CERT ? r->st->cert_path : r->st->chain_path;
	char *path = p ? strdup(p) : ctx_path(r->c, FILE_NAMES[i]);
	if (path && !fs_is_regular(path)) {
		free(path);
		path = NULL;
	}
	return path;
}

/* "<id>|<CA URL>|<sent at>|<CSR SHA-256>": one request, the same however
 * often a killed run archives it. */
static void make_identity(struct archive *a)
{
	const struct state *st = a->r->st;
	char hex[DIGEST_HEX_LEN + 1] = "";
	unsigned char *buf = NULL;
	size_t len = 0;
	char err[FS_ERRLEN];
	if (a->path[F_CSR] && fs_read_file(a->path[F_CSR], FS_DEFAULT_CAP, &buf,
					   &len, err, sizeof(err)) == 0 &&
	    digest_sha256_hex(buf, len, hex) != 0)
		hex[0] = '\0';
	free(buf);
	snprintf(a->identity, sizeof(a->identity), "%ld|%s|%lld|%s",
		 st->request_id, st->request_ca_url ? st->request_ca_url : "",
		 (long long)st->submitted_at, hex);
}

/* The folder an earlier, interrupted run made for this request, or NULL. */
static char *already_archived(struct archive *a)
{
	struct request_history h;
	char err[FS_ERRLEN], *dir = NULL;
	const char *sd = a->r->c->state_dir;
	if (request_history_load(sd ? sd : ".", &h, err, sizeof(err)) < 0)
		return NULL;
	for (size_t i = 0; i < h.n && !dir; i++)
		if (h.items[i].identity &&
		    strcmp(h.items[i].identity, a->identity) == 0)
			dir = strdup(h.items[i].dir);
	request_history_release(&h);
	return dir;
}

/* Remove the temp folders a killed run left (links and copies only: the
 * originals stay until the archive is in place). */
static void remove_temp_folders(const char *root)
{
	DIR *d = opendir(root);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.' || !strstr(e->d_name, ".tmp-"))
			continue;
		int fd = openat(dirfd(d), e->d_name,
				O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *t = fd >= 0 ? fdopendir(fd) : NULL;
		struct dirent *f;
		while (t && (f = readdir(t)) != NULL)
			if (f->d_name[0] != '.' || strstr(f->d_name, ".tmp-"))
				(void)unlinkat(fd, f->d_name, 0);
		if (t)
			closedir(t);
		else if (fd >= 0)
			close(fd);
		(void)unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

/* The name on the certificate, else the CSR's CN. */
static char *subject_of(struct archive *a)
{
	char err[REQ_ERRLEN];
	STACK_OF(X509) *certs = NULL;
	char *s = NULL;
	if (a->path[F_CERT] && x509_load_certs_file(a->path[F_CERT], &certs, err,
						    sizeof(err)) == 0) {
		X509 *x = sk_X509_value(certs, 0);
		s = x ? x509_name_text(X509_get_subject_name(x)) : NULL;
		OSSL_STACK_OF_X509_free(certs);
	}
	if (!s && a->path[F_CSR]) {
		X509_REQ *q = csr_load_file(a->path[F_CSR], err, sizeof(err));
		char *cn = q ? csr_subject_cn(q) : NULL;
		if (cn && asprintf(&s, "CN=%s", cn) < 0)
			s = NULL;
		free(cn);
		X509_REQ_free(q);
	}
	return s;
}

/* name=value, the value on one line. */
static void put(struct strbuf *b, const char *name, const char *v)
{
	strbuf_printf(b, "%s=", name);
	for (const char *p = v ? v : ""; *p; p++)
		strbuf_put(b, *p == '\n' || *p == '\r' ? " " : p, 1);
	strbuf_put(b, "\n", 1);
}

static char *manifest_text(struct archive *a, time_t now, const char *files)
{
	const struct state *st = a->r->st;
	struct strbuf b = STRBUF_INIT;
	char when[32], sent[32], id[24];
	char *why = stage_inputs_explain(a->r->c, STAGE_REQUEST, "->");
	char *subject = subject_of(a);
	utc_text(now, "%Y-%m-%dT%H:%M:%SZ", when, sizeof(when));
	utc_text(st->submitted_at, "%Y-%m-%dT%H:%M:%SZ", sent, sizeof(sent));
	snprintf(id, sizeof(id), "%ld", st->request_id);
	strbuf_printf(&b, "%s\n", REQUEST_MANIFEST_HEADER);
	put(&b, "archived", when);
	put(&b, "request_id", id);
	put(&b, "ca_url", st->request_ca_url);
	put(&b, "template", st->request_template);
	put(&b, "phase", request_phase_name(st->req_phase));
	put(&b, "disposition", st->disposition);
	char fqdn[300];   /* the name the request was made for */
	char renewed[160] = "";
	if (a->d->renewal)
		snprintf(renewed, sizeof(renewed),
			 "renewal of the certificate in use (serial %.100s)",
			 st->previous_serial ? st->previous_serial : "unknown");
	put(&b, "fqdn", stage_input_recorded(st, STAGE_REQUEST, "computer.fqdn",
					     fqdn, sizeof(fqdn))
				? fqdn : st->fqdn);
	put(&b, "subject", subject);
	put(&b, "submitted", sent);
	put(&b, "key", a->moved[F_KEY] ? "archived" : "kept");
	put(&b, "files", files);
	strbuf_printf(&b, "reason=%s%s\n",
		      a->d->renewal ? renewed : why ? why : "answers changed",
		      a->d->change == REQ_CHANGE_KEY && a->r->c->request_new_key
			      ? "; a new key was asked for" : "");
	put(&b, "identity", a->identity);
	free(why);
	free(subject);
	return strbuf_take(&b);
}

/* Put file i into the folder: a hard link when it leaves the state
 * directory, a copy when it stays in use; 0600 either way. */
static int add_file(struct archive *a, const char *tmp, int i,
		    struct strbuf *files, char *err, size_t errlen)
{
	char *dst = fs_join(tmp, FILE_NAMES[i]);
	int r = -1;
	if (!dst) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (a->moved[i] && link(a->path[i], dst) == 0)
		r = chmod(dst, 0600);
	else if (a->moved[i] && errno != EPERM && errno != EXDEV)
		snprintf(err, errlen, "cannot link '%s' into '%s': %s",
			 a->path[i], tmp, strerror(errno));
	else
		r = fs_copy_file(a->path[i], dst, 0600, err, errlen);
	if (r == 0)
		strbuf_printf(files, "%s%s", files->n ? " " : "", FILE_NAMES[i]);
	free(dst);
	return r;
}

/* Fill the temp folder and rename it into place as a->dir. */
static int publish(struct archive *a, char *err, size_t errlen)
{
	time_t now = time(NULL);
	char stamp[32], id[24] = "none", tmpname[128];
	struct strbuf files = STRBUF_INIT;
	utc_text(now, "%Y%m%dT%H%M%SZ", stamp, sizeof(stamp));
	if (a->r->st->request_id > 0)
		snprintf(id, sizeof(id), "%ld", a->r->st->request_id);
	snprintf(a->name, sizeof(a->name), "%s-req%s", stamp, id);
	snprintf(tmpname, sizeof(tmpname), ".%s.tmp-%08lx%08lx", a->name,
		 (unsigned long)getpid(), (unsigned long)now);
	char *tmp = fs_join(a->root, tmpname);
	int r = -1;
	if (!tmp || mkdir(tmp, 0700) != 0) {
		snprintf(err, errlen, "cannot create a folder in '%s': %s",
			 a->root, tmp ? strerror(errno) : "out of memory");
		goto out;
	}
	for (int i = 0; i < F_COUNT; i++)
		if (archived(a, i) && add_file(a, tmp, i, &files, err, errlen) < 0)
			goto out;
	char *mtext = manifest_text(a, now, files.p ? files.p : "");
	char *mpath = fs_join(tmp, REQUEST_MANIFEST_FILE);
	r = mtext && mpath ? fs_write_atomic(mpath, mtext, strlen(mtext), 0600,
					     err, errlen) : -1;
	free(mtext);
	free(mpath);
	if (r < 0)
		goto out;
	fs_sync_dir(tmp);
	for (int n = 1; n < 100 && r == 0; n++) {
		free(a->dir);
		a->dir = NULL;
		char name[80];
		snprintf(name, sizeof(name), n == 1 ? "%s" : "%s-%d", a->name, n);
		if (!(a->dir = fs_join(a->root, name)))
			r = -1;
		else if (fs_rename_noreplace(tmp, a->dir) == 0)
			break;
		else if (errno != EEXIST || n == 99)
			r = -1;
	}
	if (r < 0)
		snprintf(err, errlen, "cannot move the archive into place in "
			 "'%s': %s", a->root, strerror(errno));
	fs_sync_dir(a->root);
out:
	strbuf_release(&files);
	free(tmp);
	return r;
}

/* The state without the replaced request: a new one follows. */
static void forget_request(struct run *r, const struct req_decision *d)
{
	struct state *st = r->st;
	st->req_phase = d->change == REQ_CHANGE_KEY ? REQ_NONE : REQ_KEY_WRITTEN;
	st->request_id = 0;
	st->submitted_at = 0;
	state_set_str(&st->request_ca_url, NULL);
	state_set_str(&st->request_template, NULL);
	state_set_str(&st->disposition, NULL);
	state_set_str(&st->cert_path, NULL);
	state_set_str(&st->chain_path, NULL);
	state_set_str(&st->cert_sha256, NULL);
	st->stage[STAGE_REQUEST] = STAGE_ST_NONE;
	if (d->renewal)
		req_renewal_started(r);
	req_set_phase(r, st->req_phase);
}

static void say_archived(struct archive *a, const char *was_id)
{
	static const char *const WORDS[F_COUNT] = { "key", "request",
						    "certificate", "chain",
						    "PFX" };
	struct run *r = a->r;
	struct strbuf what = STRBUF_INIT;
	int n = 0, last = -1;
	for (int i = 0; i < F_COUNT; i++)
		if (archived(a, i))
			last = i;
	for (int i = 0; i < F_COUNT; i++)
		if (archived(a, i))
			strbuf_printf(&what, "%s%s", !n++ ? "its " :
				      i == last ? " and " : ", ", WORDS[i]);
	char renewal[160];
	snprintf(renewal, sizeof(renewal), "the renewal's new key and request "
		 "follow; the agent keeps the certificate in use until %s "
		 "installs the new one", stage_ref(STAGE_SERIAL));
	diag_add(r->dl, DIAG_REQ_ARCHIVE, SEV_INFO, NULL,
		 "'opsmgr-enroll history' lists the archived requests",
		 "archived request %s (%s, template '%s') to '%s': %s; %s",
		 was_id, request_phase_name(r->st->req_phase),
		 r->st->request_template ? r->st->request_template : "",
		 a->dir, what.p ? what.p : "its record",
		 a->d->renewal ? renewal
		 : a->d->change == REQ_CHANGE_KEY
			 ? "a new key and request follow"
			 : "a new request with the same key follows");
	log_msg("request: archived request %s to %s", was_id, a->dir);
	strbuf_release(&what);
}

enum status req_archive(struct run *r, const struct req_decision *d)
{
	struct archive a = { .r = r, .d = d };
	char err[REQ_ERRLEN], was_id[24] = "(no ID)";
	enum status s = ST_FAIL;
	a.root = ctx_path(r->c, REQUEST_ARCHIVE_DIR);
	for (int i = 0; i < F_COUNT; i++) {
		a.path[i] = file_path(r, d, i);
		a.moved[i] = i == F_CERT || i == F_CHAIN ||
			     (i <= F_CSR && d->change == REQ_CHANGE_KEY);
	}
	if (!a.root || fs_mkdir_p(a.root, 0700, err, sizeof(err)) < 0 ||
	    privdir_check("archive folder", a.root, err, sizeof(err)) < 0)
		goto fail;
	make_identity(&a);
	if (!(a.dir = already_archived(&a))) {
		remove_temp_folders(a.root);
		if (publish(&a, err, sizeof(err)) < 0)
			goto fail;
	}
	if (r->st->request_id > 0)
		snprintf(was_id, sizeof(was_id), "%ld", r->st->request_id);
	say_archived(&a, was_id);
	forget_request(r, d);
	if (req_checkpoint(r, "removing the archived files") < 0)
		goto out;
	for (int i = 0; i < F_COUNT; i++)
		if (a.path[i] && a.moved[i])
			(void)unlink(a.path[i]);
	fs_sync_dir(r->c->state_dir ? r->c->state_dir : ".");
	s = ST_OK;
	goto out;
fail:
	diag_add(r->dl, DIAG_REQ_ARCHIVE, SEV_FAIL, NULL,
		 "make sure the state directory is writable, then run again: "
		 "nothing was removed",
		 "cannot archive the request the new answers replace: %s", err);
out:
	archive_release(&a);
	return s;
}

/* Is the file sb a link of a file in one of root's archive folders? */
static bool linked_into_archive(const char *root, const struct stat *sb)
{
	DIR *d = opendir(root);
	struct dirent *e;
	bool found = false;
	while (d && !found && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		for (int i = 0; i < F_COUNT && !found; i++) {
			char rel[600];
			struct stat as;
			snprintf(rel, sizeof(rel), "%s/%s", e->d_name, FILE_NAMES[i]);
			found = fstatat(dirfd(d), rel, &as, AT_SYMLINK_NOFOLLOW) == 0 &&
				as.st_dev == sb->st_dev && as.st_ino == sb->st_ino;
		}
	}
	if (d)
		closedir(d);
	return found;
}

void req_archive_leftovers(struct run *r)
{
	const struct state *st = r->st;
	char *root = ctx_path(r->c, REQUEST_ARCHIVE_DIR);
	for (int i = 0; root && i < F_REQUEST_FILES; i++) {
		/* only what the state no longer uses */
		bool unused = i <= F_CSR ? st->req_phase == REQ_NONE
			      : i == F_CERT ? !st->cert_path : !st->chain_path;
		char *p = unused ? ctx_path(r->c, FILE_NAMES[i]) : NULL;
		struct stat sb;
		if (p && lstat(p, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    sb.st_nlink > 1 && linked_into_archive(root, &sb) &&
		    unlink(p) == 0)
			log_msg("request: removed '%s', left behind by an "
				"interrupted archive", p);
		free(p);
	}
	free(root);
}
