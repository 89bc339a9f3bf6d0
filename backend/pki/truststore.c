/*
 * truststore.c - the directory trust store (truststore.h): "<sha256>.pem"
 * files written atomically, "<subject hash>.N" symbolic links made the way
 * c_rehash makes them (relative, atomically replaced through a temporary
 * link and rename), and an X509_STORE over the directory for verification.
 * Every file there becomes a trust anchor, so the directory must pass the
 * private-directory check (core/privdir.h) before it is written or read.
 */
#include "pki/truststore.h"
#include "core/errbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "core/fsutil.h"
#include "core/privdir.h"
#include "core/stage_table.h"
#include "pki/x509util.h"

#define MAX_HASH_SLOTS 64

static char *pem_name(X509 *cert)
{
	char *fp = x509_fingerprint(cert, EVP_sha256());
	if (!fp)
		return NULL;
	char *name = NULL;
	if (asprintf(&name, "%s.pem", fp) < 0)
		name = NULL;
	free(fp);
	return name;
}

char *truststore_pem_path(const char *dir, X509 *cert)
{
	char *name = pem_name(cert);
	char *p = name ? fs_join(dir, name) : NULL;
	free(name);
	return p;
}

/* 1 when path (followed) holds exactly cert as its first certificate. */
static int file_holds(const char *path, X509 *cert)
{
	STACK_OF(X509) *sk = NULL;
	char err[256];
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	if (x509_load_certs_file(path, &sk, err, sizeof(err)) != 0)
		return 0;
	int same = sk_X509_num(sk) >= 1 && X509_cmp(sk_X509_value(sk, 0), cert) == 0;
	OSSL_STACK_OF_X509_free(sk);
	return same;
}

int truststore_contains(const char *dir, X509 *cert)
{
	char *p = truststore_pem_path(dir, cert);
	int r = p ? file_holds(p, cert) : 0;
	free(p);
	return r;
}

/* Create or replace dir/link_name -> target (fs_symlink_atomic). */
static int make_link(const char *dir, const char *link_name,
		     const char *target, char *err, size_t errlen)
{
	char *link_path = fs_join(dir, link_name);
	if (!link_path) {
		errbuf_printf(err, errlen, "out of memory");
		return -1;
	}
	int r = fs_symlink_atomic(target, link_path, err, errlen);
	free(link_path);
	return r;
}

/*
 * Make sure a "<hash>.N" entry leads to pem_file_name: reuse one that
 * already holds cert, else take the first free (or dangling) slot.
 */
static int ensure_hash_link(const char *dir, X509 *cert,
			    const char *pem_file_name, char *err, size_t errlen)
{
	unsigned long h = X509_NAME_hash_ex(X509_get_subject_name(cert), NULL,
					    NULL, NULL);
	if (h == 0) {
		ERR_clear_error();
		errbuf_printf(err, errlen, "cannot compute the subject hash of the root");
		return -1;
	}
	int free_slot = -1;
	for (int n = 0; n < MAX_HASH_SLOTS; n++) {
		char name[32];
		snprintf(name, sizeof(name), "%08lx.%d", h, n);
		char *path = fs_join(dir, name);
		if (!path) {
			errbuf_printf(err, errlen, "out of memory");
			return -1;
		}
		struct stat lst, st;
		if (lstat(path, &lst) != 0) {
			free(path);
			if (free_slot < 0)
				free_slot = n;
			break;   /* slots are dense: nothing after a gap */
		}
		if (stat(path, &st) != 0) {
			/* Dangling link: reusable. */
			if (free_slot < 0)
				free_slot = n;
			free(path);
			continue;
		}
		if (file_holds(path, cert)) {
			/* Already linked; make it point at our file if it is
			 * a link to something else holding the same root. */
			int ok = 0;
			if (S_ISLNK(lst.st_mode)) {
				char buf[512];
				ssize_t l = readlink(path, buf, sizeof(buf) - 1);
				if (l > 0) {
					buf[l] = 0;
					ok = strcmp(buf, pem_file_name) == 0;
				}
			}
			free(path);
			if (ok)
				return 0;
			if (!S_ISLNK(lst.st_mode))
				return 0;   /* a copy holding the root works too */
			return make_link(dir, name, pem_file_name, err, errlen);
		}
		free(path);
	}
	if (free_slot < 0) {
		errbuf_printf(err, errlen,
			"cannot link the root in '%s': %d certificates already share its subject hash %08lx",
			dir, MAX_HASH_SLOTS, h);
		return -1;
	}
	char name[32];
	snprintf(name, sizeof(name), "%08lx.%d", h, free_slot);
	return make_link(dir, name, pem_file_name, err, errlen);
}

int truststore_add(const char *dir, X509 *cert, char **pem_path,
		   bool *already, char *err, size_t errlen)
{
	char ferr[FS_ERRLEN];
	char *name = NULL, *path = NULL, *pem = NULL;
	int r = -1;
	if (pem_path)
		*pem_path = NULL;
	if (already)
		*already = false;
	if (!dir || !*dir) {
		errbuf_printf(err, errlen, "no trust store directory given");
		return -1;
	}
	struct stat st;
	if (lstat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		errbuf_printf(err, errlen,
			"the trust store '%s' is not a directory; point trust.store at a directory",
			dir);
		return -1;
	}
	if (fs_mkdir_p(dir, 0700, ferr, sizeof(ferr)) != 0) {
		errbuf_printf(err, errlen, "cannot create the trust store: %s", ferr);
		return -1;
	}
	if (truststore_check(dir, err, errlen) != 0)
		return -1;
	name = pem_name(cert);
	path = name ? fs_join(dir, name) : NULL;
	if (!path) {
		errbuf_printf(err, errlen, "out of memory");
		goto out;
	}
	if (file_holds(path, cert)) {
		if (already)
			*already = true;
	} else {
		pem = x509_to_pem(cert);
		if (!pem) {
			errbuf_printf(err, errlen, "cannot encode the root as PEM");
			goto out;
		}
		if (fs_write_atomic(path, pem, strlen(pem), 0644, ferr,
				    sizeof(ferr)) != 0) {
			errbuf_printf(err, errlen, "%s", ferr);
			goto out;
		}
	}
	if (ensure_hash_link(dir, cert, name, err, errlen) != 0)
		goto out;
	if (pem_path) {
		*pem_path = path;
		path = NULL;
	}
	r = 0;
out:
	free(pem);
	free(path);
	free(name);
	return r;
}

int truststore_check(const char *dir, char *err, size_t errlen)
{
	return privdir_check("trust store", dir, err, errlen);
}

X509_STORE *truststore_open(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	if (!dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		errbuf_printf(err, errlen,
			"the trust store '%s' does not exist or is not a directory; run %s first",
			dir ? dir : "(none)", stage_ref(STAGE_TRUST));
		return NULL;
	}
	if (truststore_check(dir, err, errlen) != 0)
		return NULL;
	X509_STORE *store = X509_STORE_new();
	X509_LOOKUP *lu = store ? X509_STORE_add_lookup(store, X509_LOOKUP_hash_dir())
				: NULL;
	if (!lu || !X509_LOOKUP_add_dir(lu, dir, X509_FILETYPE_PEM)) {
		char eb[160];
		errbuf_printf(err, errlen, "cannot open the trust store '%s': %s", dir,
			x509_ossl_err(eb, sizeof(eb)));
		X509_STORE_free(store);
		return NULL;
	}
	return store;
}
