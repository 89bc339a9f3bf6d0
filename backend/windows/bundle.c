/*
 * bundle.c - the Windows bundle's layout and its atomic write (bundle.h):
 * the files' names, a staging folder beside the old bundle swapped in as a
 * whole, the zip written with fs_write_atomic, leftovers of a killed run
 * removed.  The texts come from regfile.c, bundle_readme.c and the caller
 * (install.cmd); the zip from bundle_zip.c.
 */
#include "windows/bundle.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/diag.h"
#include "core/fsutil.h"
#include "windows/regfile.h"

#define FIELD_FQDN "computer.fqdn"
#define FIELD_DIR "agent.bundle_dir"
#define STAGING_NEW ".new-"
#define STAGING_OLD ".old-"

/* ---- names --------------------------------------------------------------- */

int bundle_check_name(const char *fqdn, char *err, size_t errlen)
{
	if (!fqdn || !*fqdn) {
		snprintf(err, errlen, "no computer name to name the bundle");
		return -1;
	}
	if (fqdn[0] == '.' || fqdn[0] == '-') {
		snprintf(err, errlen, "'%s' cannot name the bundle's files: it "
			 "starts with '%c'", fqdn, fqdn[0]);
		return -1;
	}
	for (const char *p = fqdn; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.')
			continue;
		if (c >= 0x20 && c < 0x7f)
			snprintf(err, errlen, "'%s' cannot name the bundle's "
				 "files: '%c' is not a letter, digit, '-' or "
				 "'.'", fqdn, c);
		else
			snprintf(err, errlen, "the computer name cannot name "
				 "the bundle's files: byte 0x%02X is not a "
				 "letter, digit, '-' or '.'", c);
		return -1;
	}
	return 0;
}

char *bundle_pfx_name(const char *fqdn)
{
	char *s = NULL;
	return asprintf(&s, "%s.pfx", fqdn) < 0 ? NULL : s;
}

char *bundle_intermediate_name(size_t i)
{
	char *s = NULL;
	return asprintf(&s, BUNDLE_INTERMEDIATE_FMT, i + 1) < 0 ? NULL : s;
}

char *bundle_folder_path(const char *dir, const char *fqdn)
{
	char *s = NULL;
	return asprintf(&s, "%s/%s" BUNDLE_SUFFIX, dir, fqdn) < 0 ? NULL : s;
}

char *bundle_zip_path(const char *dir, const char *fqdn)
{
	char *s = NULL;
	return asprintf(&s, "%s/%s" BUNDLE_SUFFIX ".zip", dir, fqdn) < 0 ? NULL
									 : s;
}

char *bundle_todo_text(const char *zip, const char *fqdn)
{
	char *s = NULL;
	return asprintf(&s, "copy %s to %s, extract, right-click "
			BUNDLE_INSTALL_NAME " > Run as administrator", zip,
			fqdn) < 0 ? NULL : s;
}

/* ---- out ------------------------------------------------------------------ */

void bundle_out_init(struct bundle_out *o)
{
	memset(o, 0, sizeof(*o));
}

void bundle_out_release(struct bundle_out *o)
{
	free(o->folder);
	free(o->zip);
	for (size_t i = 0; i < o->n_files; i++) {
		free(o->files[i].name);
		free(o->files[i].path);
	}
	bundle_out_init(o);
}

/* ---- the contents --------------------------------------------------------- */

/* What goes into the folder: blobs pointing at the caller's bytes and at
 * the texts made here (owned[]), freed by contents_release. */
struct contents {
	struct bundle_blob f[BUNDLE_MAX_FILES];
	size_t n;
	char *owned[BUNDLE_MAX_FILES];
	size_t n_owned;
};

static void contents_release(struct contents *c)
{
	for (size_t i = 0; i < c->n_owned; i++)
		free(c->owned[i]);
	memset(c, 0, sizeof(*c));
}

/* Add a file; name owned when own_name, data owned when own_data. */
static void add(struct contents *c, char *name, bool own_name,
		const void *data, size_t len, unsigned mode, char *own_data)
{
	c->f[c->n++] = (struct bundle_blob){ name, data, len, mode };
	if (own_name)
		c->owned[c->n_owned++] = name;
	if (own_data)
		c->owned[c->n_owned++] = own_data;
}

static int check_in(const struct bundle_in *in, const char **field,
		    char *err, size_t errlen)
{
	if (bundle_check_name(in->fqdn, err, errlen) != 0) {
		*field = FIELD_FQDN;
		return -1;
	}
	const char *missing =
		!in->dir || !*in->dir ? "the folder to write it in"
		: !in->root.der || !in->root.len ? "the root certificate"
		: !in->root.thumbprint ? "the root's thumbprint"
		: !in->pfx || !in->pfx_len ? "the PFX"
		: !in->serial_hex || !in->serial_reversed ? "the serial"
		: !in->thumbprint ? "the thumbprint"
		: !in->install_cmd ? "install.cmd"
		: in->n_intermediates > BUNDLE_MAX_INTERMEDIATES
			? "room for more than 8 intermediate certificates"
			: NULL;
	for (size_t i = 0; !missing && i < in->n_intermediates; i++)
		if (!in->intermediates[i].der || !in->intermediates[i].len ||
		    !in->intermediates[i].thumbprint)
			missing = "an intermediate certificate";
	if (missing) {
		snprintf(err, errlen, "cannot write the bundle: %s is missing",
			 missing);
		return -1;
	}
	return 0;
}

/* collect.cmd testing the agent's management server; a server name it
 * cannot carry leaves the test to the one the agent has configured. */
static char *collect_text(const struct bundle_in *in)
{
	char err[256];
	struct collectcmd_in ci = { .server = in->server_role ? NULL
							     : in->server,
				    .port = in->server_role ? 0 : in->port };
	char *t = collectcmd_text(&ci, NULL, err, sizeof(err));
	if (!t) {
		ci = (struct collectcmd_in){ 0 };
		t = collectcmd_text(&ci, NULL, err, sizeof(err));
	}
	return t;
}

/* Fill c with every file.  0 / -1 with err. */
static int contents_make(const struct bundle_in *in, struct contents *c,
			 char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	char rerr[256];
	size_t reg_len = 0;
	char *reg = regfile_format(in->serial_reversed, in->thumbprint,
				   &reg_len, rerr, sizeof(rerr));
	if (!reg) {
		snprintf(err, errlen, "cannot write %s: %s", BUNDLE_REG_NAME,
			 rerr);
		return -1;
	}
	char *readme = bundle_readme_text(in);
	char *collect = collect_text(in);
	char *pfx_name = bundle_pfx_name(in->fqdn);
	add(c, BUNDLE_ROOT_NAME, false, in->root.der, in->root.len, 0644,
	    NULL);
	for (size_t i = 0; i < in->n_intermediates; i++) {
		char *name = bundle_intermediate_name(i);
		if (name)
			add(c, name, true, in->intermediates[i].der,
			    in->intermediates[i].len, 0644, NULL);
	}
	if (pfx_name)
		add(c, pfx_name, true, in->pfx, in->pfx_len, 0600, NULL);
	add(c, BUNDLE_REG_NAME, false, reg, reg_len, 0644, reg);
	add(c, BUNDLE_INSTALL_NAME, false, in->install_cmd,
	    strlen(in->install_cmd), 0644, NULL);
	if (collect)
		add(c, BUNDLE_COLLECT_NAME, false, collect, strlen(collect),
		    0644, collect);
	if (readme)
		add(c, BUNDLE_README_NAME, false, readme, strlen(readme), 0644,
		    readme);
	if (!readme || !pfx_name || !collect ||
	    c->n != in->n_intermediates + 6) {
		snprintf(err, errlen, "cannot write the bundle: out of memory");
		contents_release(c);
		return -1;
	}
	return 0;
}

/* ---- the folder ------------------------------------------------------------ */

/* Remove a folder this module made (files only, no subfolders). */
static int remove_folder(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
	return rmdir(path);
}

/* Remove "<dir>/.<base>.new-*" and ".<base>.old-*" of a killed run. */
static void remove_leftovers(const char *dir, const char *base)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	size_t bl = strlen(base);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		const char *n = e->d_name;
		if (n[0] != '.' || strncmp(n + 1, base, bl) != 0)
			continue;
		const char *rest = n + 1 + bl;
		if (strncmp(rest, STAGING_NEW, strlen(STAGING_NEW)) != 0 &&
		    strncmp(rest, STAGING_OLD, strlen(STAGING_OLD)) != 0)
			continue;
		char *p = fs_join(dir, n);
		if (p && remove_folder(p) != 0 && errno == ENOTDIR)
			unlink(p);   /* a zip not yet renamed into place */
		free(p);
	}
	closedir(d);
}

/* "<dir>/.<base><kind>XXXXXX" made as a new empty 0700 folder. */
static char *make_staging(const char *dir, const char *base,
			  const char *kind, char *err, size_t errlen)
{
	char *tmpl = NULL;
	if (asprintf(&tmpl, "%s/.%s%sXXXXXX", dir, base, kind) < 0) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!mkdtemp(tmpl)) {
		char eb[128];
		snprintf(err, errlen, "cannot create a folder in '%s': %s", dir,
			 diag_errno_text(errno, eb, sizeof(eb)));
		free(tmpl);
		return NULL;
	}
	return tmpl;
}

/* The zip's bytes in a new 0600 file "<dir>/.<base>.new-zip-XXXXXX",
 * fsync'd; its path (malloc'd) or NULL with err. */
static char *write_zip_temp(const char *dir, const char *base,
			    const unsigned char *buf, size_t len, char *err,
			    size_t errlen)
{
	char eb[128];
	char *tmpl = NULL;
	if (asprintf(&tmpl, "%s/.%s" STAGING_NEW "zip-XXXXXX", dir, base) < 0) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	int fd = mkstemp(tmpl);
	if (fd < 0 || fchmod(fd, 0600) != 0 || fs_write_all(fd, buf, len) != 0 ||
	    fsync(fd) != 0) {
		snprintf(err, errlen, "cannot write the zip in '%s': %s", dir,
			 diag_errno_text(errno, eb, sizeof(eb)));
		if (fd >= 0) {
			close(fd);
			unlink(tmpl);
		}
		free(tmpl);
		return NULL;
	}
	close(fd);
	return tmpl;
}

/* Put staging in place of final; the old one (if any) removed. */
static int swap_in(const char *dir, const char *base, const char *staging,
		   const char *final, char *err, size_t errlen)
{
	char eb[128];
	struct stat sb;
	if (lstat(final, &sb) != 0) {
		if (rename(staging, final) == 0)
			return 0;
		snprintf(err, errlen, "cannot put the bundle at '%s': %s", final,
			 diag_errno_text(errno, eb, sizeof(eb)));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "cannot put the bundle at '%s': something "
			 "that is not a folder is there", final);
		return -1;
	}
	if (renameat2(AT_FDCWD, staging, AT_FDCWD, final,
		      RENAME_EXCHANGE) == 0)
		return remove_folder(staging), 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
		snprintf(err, errlen, "cannot replace the bundle '%s': %s",
			 final, diag_errno_text(errno, eb, sizeof(eb)));
		return -1;
	}
	/* no RENAME_EXCHANGE here: old aside, new in, old removed */
	char *aside = make_staging(dir, base, STAGING_OLD, err, errlen);
	if (!aside)
		return -1;
	int rc = rename(final, aside);
	if (rc == 0 && rename(staging, final) != 0) {
		rc = -1;
		rename(aside, final);
	}
	if (rc != 0)
		snprintf(err, errlen, "cannot replace the bundle '%s': %s",
			 final, diag_errno_text(errno, eb, sizeof(eb)));
	remove_folder(aside);
	free(aside);
	return rc;
}

/* Write every file into a new staging folder, then swap it in and
 * rename the zip (already written to zip_tmp) into place right after. */
static int write_folder(const char *dir, const char *base,
			const char *final, const struct contents *c,
			const char *zip_tmp, const char *zip, char *err,
			size_t errlen)
{
	char *staging = make_staging(dir, base, STAGING_NEW, err, errlen);
	if (!staging)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < c->n; i++) {
		char *p = fs_join(staging, c->f[i].name);
		rc = p ? fs_write_new(p, c->f[i].data, c->f[i].len,
				      (mode_t)c->f[i].mode, err, errlen)
		       : -1;
		free(p);
	}
	if (rc == 0) {
		fs_sync_dir(staging);
		rc = swap_in(dir, base, staging, final, err, errlen);
	}
	if (rc == 0 && rename(zip_tmp, zip) != 0) {
		char eb[128];
		snprintf(err, errlen, "cannot put the zip at '%s': %s", zip,
			 diag_errno_text(errno, eb, sizeof(eb)));
		rc = -1;
	}
	if (rc != 0)
		remove_folder(staging);
	fs_sync_dir(dir);
	free(staging);
	return rc;
}

static int fill_out(struct bundle_out *out, const char *folder,
		    const char *zip, const struct contents *c)
{
	out->folder = strdup(folder);
	out->zip = strdup(zip);
	for (size_t i = 0; i < c->n; i++) {
		struct bundle_file *f = &out->files[out->n_files++];
		f->name = strdup(c->f[i].name);
		f->path = fs_join(folder, c->f[i].name);
		f->mode = c->f[i].mode;
		if (!f->name || !f->path)
			return -1;
	}
	return out->folder && out->zip ? 0 : -1;
}

int bundle_write(const struct bundle_in *in, struct bundle_out *out,
		 const char **field, char *err, size_t errlen)
{
	const char *fld = NULL;
	struct contents c = { 0 };
	char *folder = NULL, *zip = NULL, *base = NULL, *zip_tmp = NULL;
	unsigned char *zbuf = NULL;
	size_t zlen = 0;
	int rc = -1;
	bundle_out_init(out);
	if (check_in(in, &fld, err, errlen) != 0)
		goto out;
	fld = FIELD_DIR;
	folder = bundle_folder_path(in->dir, in->fqdn);
	zip = bundle_zip_path(in->dir, in->fqdn);
	if (asprintf(&base, "%s" BUNDLE_SUFFIX, in->fqdn) < 0)
		base = NULL;
	if (!folder || !zip || !base) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (fs_mkdir_p(in->dir, 0700, err, errlen) != 0 ||
	    contents_make(in, &c, err, errlen) != 0)
		goto out;
	if (bundle_zip_build(base, c.f, c.n, &zbuf, &zlen, err, errlen) != 0)
		goto out;
	remove_leftovers(in->dir, base);
	zip_tmp = write_zip_temp(in->dir, base, zbuf, zlen, err, errlen);
	if (!zip_tmp ||
	    write_folder(in->dir, base, folder, &c, zip_tmp, zip, err,
			 errlen) != 0)
		goto out;
	if (fill_out(out, folder, zip, &c) != 0) {
		snprintf(err, errlen, "out of memory");
		bundle_out_release(out);
		goto out;
	}
	fld = NULL;
	rc = 0;
out:
	if (field)
		*field = rc == 0 ? NULL : fld;
	if (zip_tmp && rc != 0)
		unlink(zip_tmp);
	free(zip_tmp);
	fs_free_secret(zbuf, zlen);
	contents_release(&c);
	free(folder);
	free(zip);
	free(base);
	return rc;
}
