/*
 * serial_install.c - stage 6 puts the agent's certificate and key in place
 * and records them in the agent configuration (serial_int.h:
 * serial_install), so that the agent never sees a half-made pair:
 *
 *  - nothing usable installed yet (no certificate at the configured path,
 *    or the same certificate): the pair is written at the configured paths
 *    (default agent-cert.pem / agent-key.pem beside the configuration);
 *  - another certificate in use (a renewal, a new request): the new pair
 *    is written under new names beside the old one (agent-cert-<SERIAL>.pem,
 *    agent-key-<SERIAL>.pem), then the agent configuration is rewritten to
 *    point to them - one atomic rename switches certificate, key, serial
 *    and thumbprint together - and only then is the old pair removed
 *    (stage 2 archived its copies).
 *
 * A kill before the configuration's rename leaves the old pair in use and
 * the new files unused; a kill after it leaves the new pair in use and the
 * old files unused.  Either way the next run writes the same names again
 * and removes the pairs the configuration no longer names (only files
 * with the names above, in the installed pair's directories).
 */
#include "stages/serial_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/agentconf.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "pki/x509util.h"

#define CERT_STEM "agent-cert"   /* AGENTCONF_CERT_NAME without ".pem" */
#define KEY_STEM "agent-key"     /* AGENTCONF_KEY_NAME without ".pem" */

/* One installed file; text NULL when it could not be encoded.  0 / -1
 * with a diagnostic naming what ("certificate") and its [certificate]
 * key ("certificate" or "key"). */
static int install_one(const char *dst, const char *text, size_t len,
		       unsigned mode, const char *what, const char *key,
		       struct diag_list *dl)
{
	char err[FS_ERRLEN];
	if (text && fs_write_atomic(dst, text, len, mode, err,
				    sizeof(err)) == 0)
		return 0;
	struct diag *d = diag_add(dl, DIAG_SERIAL_INSTALL, SEV_FAIL,
				  FIELD_CONFIG, NULL,
				  "cannot install the agent's %s: %s", what,
				  text ? err : "cannot encode it");
	if (d)
		diag_set_fix(d, "check the directory is writable, or set "
			     "[certificate] %s in the agent configuration to "
			     "another path", key);
	return -1;
}

/* Write cert (0644) and key (0600) at their destinations. */
static int install_files(X509 *cert, EVP_PKEY *key, const char *cert_dst,
			 const char *key_dst, struct diag_list *dl)
{
	char *pem = x509_to_pem(cert);
	int rc = install_one(cert_dst, pem, pem ? strlen(pem) : 0, 0644,
			     "certificate", "certificate", dl);
	free(pem);
	if (rc != 0)
		return -1;
	size_t klen = 0;
	char *kpem = x509_key_to_pem(key, &klen);
	rc = install_one(key_dst, kpem, klen, 0600, "private key", "key", dl);
	fs_free_secret(kpem, klen);
	return rc;
}

/* Does the file at path hold a certificate other than cert?  (Missing or
 * unreadable: no - there is nothing in use to keep.) */
static bool holds_other_cert(const char *path, X509 *cert)
{
	char err[FS_ERRLEN];
	if (!fs_is_regular(path))
		return false;
	X509 *x = serial_load_first_cert(path, err, sizeof(err));
	bool other = x && X509_cmp(x, cert) != 0;
	X509_free(x);
	return other;
}

/* <directory of beside>/<stem>-<tag>.pem, malloc'd. */
static char *name_beside(const char *beside, const char *stem,
			 const char *tag)
{
	char *dir = fs_dirname(beside), *name = NULL, *p = NULL;
	if (dir && asprintf(&name, "%s-%s.pem", stem, tag) >= 0)
		p = fs_join(dir, name);
	free(name);
	free(dir);
	return p;
}

/* Is name one of ours: <stem>.pem or <stem>-<HEX>.pem? */
static bool our_name(const char *name, const char *stem)
{
	size_t n = strlen(stem), len = strlen(name);
	if (strncmp(name, stem, n) != 0 || len < n + 4 ||
	    strcmp(name + len - 4, ".pem") != 0)
		return false;
	if (len == n + 4)
		return true;
	if (name[n] != '-' || len == n + 5)
		return false;
	for (size_t i = n + 1; i < len - 4; i++)
		if (!strchr("0123456789ABCDEF", name[i]))
			return false;
	return true;
}

/* Remove, in the directory of in_use (when its name is one of ours), the
 * files named like an installed pair's that the configuration no longer
 * names: the old pair after the switch, or what an interrupted switch
 * left. */
static void remove_unused(const char *in_use, const char *other_in_use,
			  const char *stem, struct diag_list *dl)
{
	const char *base = strrchr(in_use, '/');
	if (!our_name(base ? base + 1 : in_use, stem))
		return;   /* a path of the operator's: not our directory */
	char *dir = fs_dirname(in_use);
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	int removed = 0;
	while (d && (e = readdir(d)) != NULL) {
		if (!our_name(e->d_name, stem))
			continue;
		char *p = fs_join(dir, e->d_name);
		if (p && strcmp(p, in_use) != 0 && strcmp(p, other_in_use) != 0 &&
		    fs_is_regular(p) && unlink(p) == 0) {
			diag_add(dl, DIAG_SERIAL_INSTALL, SEV_INFO, FIELD_CONFIG,
				 NULL, "removed '%s': the agent configuration "
				 "no longer names it", p);
			log_msg("serial: removed unused '%s'", p);
			removed++;
		}
		free(p);
	}
	if (d)
		closedir(d);
	if (removed)
		fs_sync_dir(dir);
	free(dir);
}

/* Where the new pair goes: the configured paths, or new names beside the
 * pair in use when it holds another certificate.  *replacing says which. */
static int choose_paths(const char *config_path, const struct agentconf *a,
			X509 *cert, const struct serial_result *res,
			char **cert_dst, char **key_dst, bool *replacing)
{
	char *cur_cert = a->cert_path ? strdup(a->cert_path)
				      : agentconf_default_cert_path(config_path);
	char *cur_key = a->key_path ? strdup(a->key_path)
				    : agentconf_default_key_path(config_path);
	*replacing = cur_cert && holds_other_cert(cur_cert, cert);
	if (!*replacing || !cur_key) {
		*cert_dst = cur_cert;
		*key_dst = cur_key;
		return cur_cert && cur_key ? 0 : -1;
	}
	/* named by the serial; by the thumbprint in the unlikely case that
	 * another certificate with this serial is the one in use */
	const char *tag = res->serial_hex;
	*cert_dst = name_beside(cur_cert, CERT_STEM, tag);
	if (*cert_dst && strcmp(*cert_dst, cur_cert) == 0) {
		free(*cert_dst);
		tag = res->thumbprint;
		*cert_dst = name_beside(cur_cert, CERT_STEM, tag);
	}
	*key_dst = name_beside(cur_key, KEY_STEM, tag);
	free(cur_cert);
	free(cur_key);
	return *cert_dst && *key_dst ? 0 : -1;
}

int serial_install(const char *config_path, struct agentconf *a, X509 *cert,
		   EVP_PKEY *key, struct serial_result *res,
		   struct diag_list *dl)
{
	bool replacing = false;
	char *cert_dst = NULL, *key_dst = NULL;
	char *old_cert = a->cert_path ? strdup(a->cert_path) : NULL;
	char *old_serial = a->serial_hex ? strdup(a->serial_hex) : NULL;
	int rc = -1;

	if (choose_paths(config_path, a, cert, res, &cert_dst, &key_dst,
			 &replacing) != 0) {
		diag_add(dl, DIAG_INTERNAL, SEV_FAIL, NULL, NULL,
			 "out of memory");
		goto out;
	}
	if (install_files(cert, key, cert_dst, key_dst, dl) != 0)
		goto out;
	/* the switch: certificate, key, serial and thumbprint in one rename */
	config_set_str(&a->cert_path, cert_dst);
	config_set_str(&a->key_path, key_dst);
	config_set_str(&a->serial_hex, res->serial_hex);
	config_set_str(&a->serial_reversed, res->serial_reversed);
	config_set_str(&a->thumbprint, res->thumbprint);
	if (agentconf_write(config_path, a, dl) != 0)
		goto out;
	if (replacing)
		diag_add(dl, DIAG_SERIAL_INSTALL, SEV_PASS, FIELD_CONFIG, NULL,
			 "switched the agent from certificate '%s' (serial %s) "
			 "to '%s' (serial %s) in one step: the new pair was "
			 "written beside the old one before '%s' named it",
			 old_cert ? old_cert : "?", old_serial ? old_serial : "?",
			 cert_dst, res->serial_hex, config_path);
	diag_add(dl, DIAG_SERIAL_INSTALL, SEV_PASS, FIELD_CONFIG, NULL,
		 "installed the certificate '%s' and the private key '%s' "
		 "(mode 0600)", cert_dst, key_dst);
	remove_unused(cert_dst, key_dst, CERT_STEM, dl);
	remove_unused(key_dst, cert_dst, KEY_STEM, dl);
	res->cert_path = cert_dst;
	res->key_path = key_dst;
	cert_dst = key_dst = NULL;
	rc = 0;
out:
	free(cert_dst);
	free(key_dst);
	free(old_cert);
	free(old_serial);
	return rc;
}
